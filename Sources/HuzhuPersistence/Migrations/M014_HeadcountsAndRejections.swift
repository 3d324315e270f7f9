import Fluent
import SQLKit

/// Each unit's latest headcount report on the unit row (``StatisticsAggregates`` headcounts
/// part), filled from the reports; and the claims rejected in a period by an index.
struct M014_HeadcountsAndRejections: AsyncMigration {
  var name: String { "M014_HeadcountsAndRejections" }

  func prepare(on database: any Database) async throws {
    // One column a statement: SQLite adds no more.
    try await database.schema("units").field("headcount_as_of", .string).update()
    try await database.schema("units").field("headcount_total", .int64).update()
    try await database.schema("units").field("headcount_female", .int64).update()
    try await StatisticsAggregates.rebuildLatestHeadcounts(on: database)
    // Rejections by reason of claims filed in a period: without it SQLite read the whole
    // claims table for a province's year (250 ms, even with none rejected), the statistics
    // saying that one state holds every claim.
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_claims_rejected").on("claims").column("state").column("scheme_code")
      .column("created_on").column("organisation_id").column("rejection_reason").run()
  }

  func revert(on database: any Database) async throws {
    if let sql = database as? any SQLDatabase { try await sql.raw("DROP INDEX ix_claims_rejected").run() }
    for column in ["headcount_female", "headcount_total", "headcount_as_of"] {
      try await database.schema("units").deleteField(.string(column)).update()
    }
  }
}
