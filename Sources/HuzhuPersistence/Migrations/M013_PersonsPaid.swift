import Fluent
import SQLKit

/// Persons paid from maintained rows (``StatisticsAggregates`` persons-paid part): each
/// node-month's first payments of the year and ever, and the members paid at more than one
/// node or scheme.
struct M013_PersonsPaid: AsyncMigration {
  var name: String { "M013_PersonsPaid" }

  func prepare(on database: any Database) async throws {
    try await database.schema("stat_paid_person_months")
      .field("organisation_id", .uuid)
      .field("scheme_code", .string, .required)
      .field("month", .string, .required)
      .field("year_firsts", .int64, .required)
      .field("ever_firsts", .int64, .required)
      .create()
    try await database.schema("stat_paid_spread")
      .field("worker_id", .uuid, .required)
      .field("span", .string, .required)
      .field("scheme_code", .string, .required)
      .field("organisation_id", .uuid)
      .field("first_paid_on", .string, .required)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_stat_paid_person_months_month").on("stat_paid_person_months").column("month")
      .column("scheme_code").column("organisation_id").run()
    try await sql.create(index: "ix_stat_paid_spread_worker").on("stat_paid_spread").column("worker_id").run()
    try await sql.create(index: "ix_stat_paid_spread_span").on("stat_paid_spread").column("span")
      .column("first_paid_on").run()
    // Whether a paid claim is its member's first at the node: the member's paid claims by
    // scheme and day, without reading the claims themselves.
    try await sql.create(index: "ix_claims_worker_paid").on("claims").column("worker_id").column("scheme_code")
      .column("state").column("paid_on").column("organisation_id").run()
    try await StatisticsAggregates.rebuildPersonsPaid(on: database)
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw("DROP INDEX ix_claims_worker_paid").run()
    try await database.schema("stat_paid_spread").delete()
    try await database.schema("stat_paid_person_months").delete()
  }
}
