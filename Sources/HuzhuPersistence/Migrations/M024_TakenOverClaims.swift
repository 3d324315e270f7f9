import Fluent
import SQLKit

/// Claims the current period paid before Huzhu, taken over from the old records for the cap
/// ledger: one row each, its old reference once per scheme, never edited.
struct M024_TakenOverClaims: AsyncMigration {
  var name: String { "M024_TakenOverClaims" }

  static let table = "taken_over_claims"

  func prepare(on database: any Database) async throws {
    try await database.schema(Self.table)
      .id()
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("scheme_code", .string, .required)
      .field("product_code", .string, .required)
      .field("period_start", .string, .required)
      .field("benefit_code", .string, .required)
      .field("amount", .int64, .required)
      .field("paid_on", .string, .required)
      .field("stays", .int64, .required)
      .field("allowance_days", .int64, .required)
      .field("reference", .string, .required)
      .field("admission_date", .string)
      .field("discharge_date", .string)
      .field("settlement_sheet", .string)
      .field("taken_over_by", .string, .required)
      .field("created_at", .datetime, .required)
      .unique(on: "scheme_code", "reference", name: "uq_taken_over_claims_reference")
      .constraint(.sqlCheck(named: "ck_taken_over_claims_amount", "amount > 0"))
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_taken_over_claims_worker").on(Self.table).column("worker_id").run()
    try await sql.create(index: "ix_taken_over_claims_sheet").on(Self.table).column("settlement_sheet").run()
    try await AppendOnly.protect(Self.table, on: sql)
  }

  func revert(on database: any Database) async throws {
    if let sql = database as? any SQLDatabase {
      try await AppendOnly.unprotect(Self.table, keepingFunction: true, on: sql)
    }
    try await database.schema(Self.table).delete()
  }
}
