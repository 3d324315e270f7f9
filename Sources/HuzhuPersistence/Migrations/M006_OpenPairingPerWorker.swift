import Fluent
import SQLKit

/// At most one open pairing per worker, in the schema: the store's check alone let two
/// cadres paired with the same worker at the same instant both land. A partial unique index
/// reads the same on SQLite and PostgreSQL.
struct M006_OpenPairingPerWorker: AsyncMigration {
  var name: String { "M006_OpenPairingPerWorker" }

  func prepare(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw(
      "CREATE UNIQUE INDEX uq_hardship_pairings_open_worker ON hardship_pairings (worker_id) WHERE ended_on IS NULL"
    ).run()
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw("DROP INDEX uq_hardship_pairings_open_worker").run()
  }
}
