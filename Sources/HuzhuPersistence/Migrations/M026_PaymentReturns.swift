import Fluent
import SQLKit

/// Transfers the bank sent back after they were marked paid (退汇): one row per batch line
/// returned, beside the line (which stays "paid"), never edited. The row's account is what
/// keeps the member's claims out of the next batch until the account is corrected.
struct M026_PaymentReturns: AsyncMigration {
  var name: String { "M026_PaymentReturns" }

  static let table = "payment_returns"

  func prepare(on database: any Database) async throws {
    try await database.schema(Self.table)
      .id()
      .field("line_id", .uuid, .required, .references("payment_batch_lines", "id", onDelete: .restrict))
      .field("batch_id", .uuid, .required, .references("payment_batches", "id", onDelete: .restrict))
      .field("claim_id", .uuid, .required, .references("claims", "id", onDelete: .restrict))
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      // The owner node: the claim's.
      .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict))
      .field("scheme_code", .string, .required)
      .field("claim_number", .string, .required)
      .field("bank_account", .string, .required)
      .field("amount", .int64, .required)
      .field("reason", .string, .required)
      .field("returned_on", .string, .required)
      .field("recorded_by", .string, .required)
      .field("created_at", .datetime, .required)
      // A line is returned once: the bank cannot send the same transfer back twice.
      .unique(on: "line_id", name: "uq_payment_returns_line")
      .constraint(.sqlCheck(named: "ck_payment_returns_amount", "amount > 0"))
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_payment_returns_claim").on(Self.table).column("claim_id").run()
    try await sql.create(index: "ix_payment_returns_worker").on(Self.table).column("worker_id").run()
    try await sql.create(index: "ix_payment_returns_batch").on(Self.table).column("batch_id").run()
    try await AppendOnly.protect(Self.table, on: sql)
  }

  func revert(on database: any Database) async throws {
    if let sql = database as? any SQLDatabase {
      try await AppendOnly.unprotect(Self.table, keepingFunction: true, on: sql)
    }
    try await database.schema(Self.table).delete()
  }
}
