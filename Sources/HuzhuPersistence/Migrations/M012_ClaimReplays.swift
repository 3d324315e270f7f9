import Fluent
import SQLKit

/// Each paid claim's facts for the what-if as plain columns (dates as day numbers), so that a
/// year of a province's claims is read without decoding their intake JSON.
///
/// This migration used to fill the table from the records. M016 replaced the table with one
/// of another shape, and the code that writes replay rows writes that shape, so the filling
/// moved there: a database upgraded from before M012 gets the same rows, one step later. (A
/// migration may only call code that writes the tables as they stand right after it.)
struct M012_ClaimReplays: AsyncMigration {
  var name: String { "M012_ClaimReplays" }

  func prepare(on database: any Database) async throws {
    try await database.schema("claim_replays")
      .field("id", .uuid, .identifier(auto: false), .references("claims", "id", onDelete: .restrict))
      .field("number", .string, .required)
      .field("scheme_code", .string, .required)
      .field("organisation_id", .uuid)
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("unit_id", .uuid)
      .field("paid_on", .int64, .required)
      .field("paid", .int64, .required)
      .field("claim_date", .int64, .required)
      .field("admission_date", .int64)
      .field("discharge_date", .int64)
      .field("settlement_date", .int64)
      .field("diagnosis_date", .int64)
      .field("accident_date", .int64)
      .field("hospital_days", .int64)
      .field("total_cost", .int64)
      .field("in_scope_cost", .int64)
      .field("pooled_fund_paid", .int64)
      .field("critical_illness_insurance_paid", .int64)
      .field("self_paid_in_scope", .int64)
      .field("self_funded", .int64)
      .field("treatment_category", .string)
      .field("diagnoses", .string)
      .field("accident", .string)
      .field("cover_product", .string)
      .field("cover_period_start", .int64)
      .field("cover_period_end", .int64)
      .field("cover_from", .int64)
      .field("cover_shares", .int64)
      .field("cover_previous_end", .int64)
      .field("more_cover", .string)
      .field("birth_date", .int64, .required)
      .field("gender", .string, .required)
      .field("insurance_type", .string, .required)
      .field("categories", .string, .required)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_claim_replays_scheme_paid_on").on("claim_replays").column("scheme_code")
      .column("paid_on").run()
  }

  func revert(on database: any Database) async throws {
    try await database.schema("claim_replays").delete()
  }
}
