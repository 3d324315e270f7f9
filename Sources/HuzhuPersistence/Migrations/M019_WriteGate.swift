import Fluent

/// An empty table that write transactions on SQLite "delete nothing from" as their first
/// statement, which takes SQLite's write lock at once (see ``WriteTransaction``). Created on
/// PostgreSQL too, so that both databases keep one schema; it never holds a row.
struct M019_WriteGate: AsyncMigration {
  var name: String { "M019_WriteGate" }

  func prepare(on database: any Database) async throws {
    try await database.schema(WriteTransaction.gate).field("id", .int64, .identifier(auto: false)).create()
  }

  func revert(on database: any Database) async throws {
    try await database.schema(WriteTransaction.gate).delete()
  }
}
