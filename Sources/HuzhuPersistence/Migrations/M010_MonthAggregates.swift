import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Maintained month-by-month counts of paid claims and of contributions billed and collected
/// (``StatisticsAggregates``, months part), so a province's statistics read a few thousand
/// rows rather than every claim and payment; and each paid claim's working days from complete
/// documents to payment, counted when it was paid.
struct M010_MonthAggregates: AsyncMigration {
  var name: String { "M010_MonthAggregates" }

  func prepare(on database: any Database) async throws {
    try await database.schema("claims").field("paid_working_days", .int64).update()
    try await database.schema("stat_paid_months")
      .field("organisation_id", .uuid)
      .field("sector", .string, .required)
      .field("scheme_code", .string, .required)
      .field("month", .string, .required)
      .field("claims", .int64, .required)
      .field("amount", .int64, .required)
      .field("largest", .int64, .required)
      .field("on_time", .int64, .required)
      .create()
    try await database.schema("stat_service_months")
      .field("organisation_id", .uuid)
      .field("scheme_code", .string, .required)
      .field("month", .string, .required)
      .field("working_days", .int64, .required)
      .field("claims", .int64, .required)
      .field("on_time", .int64, .required)
      .create()
    try await database.schema("stat_benefit_months")
      .field("organisation_id", .uuid)
      .field("scheme_code", .string, .required)
      .field("month", .string, .required)
      .field("product_code", .string, .required)
      .field("benefit_code", .string, .required)
      .field("claims", .int64, .required)
      .field("amount", .int64, .required)
      .create()
    for table in ["stat_due_months", "stat_collected_months"] {
      try await database.schema(table)
        .field("organisation_id", .uuid)
        .field("sector", .string, .required)
        .field("scheme_code", .string, .required)
        .field("month", .string, .required)
        .field("payer_type", .string, .required)
        .field("amount", .int64, .required)
        .create()
    }
    guard let sql = database as? any SQLDatabase else { return }
    // No unique keys: a claim without a node has a NULL organisation, which no unique index
    // holds on both databases; every row is only ever written by a recount of its key.
    for table in StatisticsAggregates.monthTables.map(\.name) {
      try await sql.create(index: "ix_\(table)_month").on(table).column("month").column("scheme_code")
        .column("organisation_id").run()
    }
    // A node's paid claims by day: the recount when one of them is paid, and the distinct
    // persons paid of a county or city (which would otherwise scan the province's claims).
    try await sql.create(index: "ix_claims_organisation_paid").on("claims").column("organisation_id")
      .column("state").column("paid_on").column("scheme_code").column("worker_id").run()

    let calendar = WorkingDayCalendar(
      years: WorkingDayCalendar.publishedChina.coveredYears
        + (try await FluentClaimStore(database: database).holidayYears()))
    struct Paid: Decodable {
      let id: UUID
      let documents_complete_on: String
      let paid_on: String
    }
    for row in try await sql.raw(
      """
      SELECT id, documents_complete_on, paid_on FROM claims
      WHERE state = 'paid' AND documents_complete_on IS NOT NULL AND paid_on IS NOT NULL
      """
    ).all(decoding: Paid.self) {
      guard let complete = CalendarDate(row.documents_complete_on), let paid = CalendarDate(row.paid_on),
        let days = try? calendar.workingDays(after: complete, through: paid)
      else { continue }
      try await sql.raw("UPDATE claims SET paid_working_days = \(bind: days) WHERE id = \(bind: row.id)").run()
    }
    try await StatisticsAggregates.rebuild(StatisticsAggregates.monthTablesBeforeCorrections, on: database)
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw("DROP INDEX ix_claims_organisation_paid").run()
    for table in StatisticsAggregates.monthTables.map(\.name).reversed() {
      try await database.schema(table).delete()
    }
    try await database.schema("claims").deleteField("paid_working_days").update()
  }
}
