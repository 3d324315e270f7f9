import Fluent
import SQLKit

/// The maintained counts of cover the statistics read (``StatisticsAggregates``), filled from
/// the enrollments already there; and an index covering the claims the statistics count.
struct M009_StatisticsAggregates: AsyncMigration {
  var name: String { "M009_StatisticsAggregates" }

  func prepare(on database: any Database) async throws {
    try await database.schema("stat_cohorts")
      .field("unit_id", .uuid, .required)
      .field("organisation_id", .uuid, .required)
      .field("scheme_code", .string, .required)
      .field("product_code", .string, .required)
      .field("period_start", .string, .required)
      .field("period_end", .string, .required)
      .field("person_products", .int64, .required)
      .field("new_products", .int64, .required)
      .field("renewed_products", .int64, .required)
      .field("renewed_later", .int64, .required)
      .unique(on: "unit_id", "scheme_code", "product_code", "period_start", name: "uq_stat_cohorts_key")
      .create()
    try await database.schema("stat_cohort_persons")
      .field("unit_id", .uuid, .required)
      .field("organisation_id", .uuid, .required)
      .field("scheme_code", .string, .required)
      .field("period_start", .string, .required)
      .field("period_end", .string, .required)
      .field("persons", .int64, .required)
      .field("female_persons", .int64, .required)
      .unique(on: "unit_id", "scheme_code", "period_start", name: "uq_stat_cohort_persons_key")
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_stat_cohorts_period").on("stat_cohorts").column("scheme_code")
      .column("period_start").column("period_end").run()
    try await sql.create(index: "ix_stat_cohort_persons_period").on("stat_cohort_persons").column("scheme_code")
      .column("period_start").column("period_end").run()
    // Covering the statistics' reads of paid claims, so they never touch the wide rows.
    try await sql.create(index: "ix_claims_statistics").on("claims").column("state").column("scheme_code")
      .column("paid_on").column("organisation_id").column("unit_id").column("worker_id").column("approved_total")
      .column("documents_complete_on").column("due_on").run()
    try await StatisticsAggregates.rebuildCover(on: database)
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw("DROP INDEX ix_claims_statistics").run()
    try await database.schema("stat_cohort_persons").delete()
    try await database.schema("stat_cohorts").delete()
  }
}
