import Fluent
import SQLKit

/// Drops four indexes that a wider index begins with, so that every lookup they served is
/// served as well by the wider one, and each insert keeps one index fewer up to date:
///
/// - `ix_enrollments_worker` (`worker_id`): `uq_enrollments_worker_product_period`;
/// - `ix_claims_worker` (`worker_id`): `ix_claims_worker_paid` (M013);
/// - `ix_claims_organisation` (`organisation_id, state`): `ix_claims_organisation_paid`;
/// - `ix_fund_entries_scheme` (`scheme_code, version_label`): `ix_fund_entries_balance` (M015).
///
/// A province's enrollments alone carried 170 MB of `ix_enrollments_worker`.
struct M017_RedundantIndexes: AsyncMigration {
  var name: String { "M017_RedundantIndexes" }

  static let dropped: [(name: String, table: String, columns: [String])] = [
    ("ix_enrollments_worker", "enrollments", ["worker_id"]),
    ("ix_claims_worker", "claims", ["worker_id"]),
    ("ix_claims_organisation", "claims", ["organisation_id", "state"]),
    ("ix_fund_entries_scheme", "fund_entries", ["scheme_code", "version_label"]),
  ]

  func prepare(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    for index in Self.dropped { try await sql.raw("DROP INDEX \(ident: index.name)").run() }
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    for index in Self.dropped {
      var create = sql.create(index: index.name).on(index.table)
      for column in index.columns { create = create.column(column) }
      try await create.run()
    }
  }
}
