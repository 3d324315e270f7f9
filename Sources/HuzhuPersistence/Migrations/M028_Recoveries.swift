import Fluent
import SQLKit

/// Recoveries of paid claims found wrong (追回, ``Recovery``): one case per claim, never edited,
/// and the money towards it, append-only, each once per reference (the money step is
/// idempotent): paid back, withheld from a later claim's transfer (the batch line's
/// `offset_amount`; once per line), or such a withholding undone when the bank returned the
/// transfer (negative). The fund ledger takes a new kind, `recovery`.
struct M028_Recoveries: AsyncMigration {
  var name: String { "M028_Recoveries" }

  static let table = "recoveries"
  static let repayments = "recovery_repayments"
  static let kinds = M023_FundPeriods.kinds + ["recovery"]

  func prepare(on database: any Database) async throws {
    try await database.transaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { return }
      try await transaction.schema(Self.table)
        .id()
        .field("claim_id", .uuid, .required, .references("claims", "id", onDelete: .restrict))
        .field("claim_number", .string, .required)
        .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
        // The owner node: the claim's.
        .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict))
        .field("scheme_code", .string, .required)
        .field("reason", .string, .required)
        .field("note", .string, .required)
        .field("amount_due", .int64, .required)
        .field("opened_by", .string, .required)
        .field("opened_on", .string, .required)
        .field("created_at", .datetime, .required)
        .unique(on: "claim_id", name: "uq_recoveries_claim")
        .constraint(
          .check(
            named: "ck_recoveries_reason", "reason", in: ["duplicate", "false_documents", "resettled", "overpaid"])
        )
        .constraint(.sqlCheck(named: "ck_recoveries_amount", "amount_due > 0"))
        .create()
      try await transaction.schema(Self.repayments)
        .id()
        .field("recovery_id", .uuid, .required, .references(Self.table, "id", onDelete: .restrict))
        .field("kind", .string, .required)
        // The batch line an offset was withheld from (and an undoing's line).
        .field("line_id", .uuid, .references("payment_batch_lines", "id", onDelete: .restrict))
        .field("amount", .int64, .required)
        .field("reference", .string, .required)
        .field("recorded_on", .string, .required)
        .field("recorded_by", .string, .required)
        .field("created_at", .datetime, .required)
        .unique(on: "recovery_id", "reference", name: "uq_recovery_repayments_reference")
        .constraint(
          .sqlCheck(
            named: "ck_recovery_repayments_amount",
            "(kind IN ('repayment', 'offset') AND amount > 0) OR (kind = 'offset_undone' AND amount < 0)")
        )
        .constraint(
          .sqlCheck(named: "ck_recovery_repayments_line", "(kind = 'repayment') = (line_id IS NULL)")
        )
        .create()
      try await sql.create(index: "ix_recoveries_worker").on(Self.table).column("worker_id").run()
      try await sql.create(index: "ix_recoveries_organisation").on(Self.table).column("organisation_id").run()
      try await sql.create(index: "ix_recovery_repayments_line").on(Self.repayments).column("line_id").run()
      try await transaction.schema("payment_batch_lines")
        .field("offset_amount", .int64, .required, .sql(.default(0))).update()
      try await AppendOnly.protect(Self.table, on: sql)
      try await AppendOnly.protect(Self.repayments, on: sql)
      try await Self.allowKinds(Self.kinds, on: sql)
    }
  }

  func revert(on database: any Database) async throws {
    try await database.transaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { return }
      try await Self.allowKinds(M023_FundPeriods.kinds, on: sql)
      try await AppendOnly.unprotect(Self.repayments, keepingFunction: true, on: sql)
      try await AppendOnly.unprotect(Self.table, keepingFunction: true, on: sql)
      try await transaction.schema(Self.repayments).delete()
      try await transaction.schema(Self.table).delete()
      try await transaction.schema("payment_batch_lines").deleteField("offset_amount").update()
    }
  }

  /// SQLite rebuilds `fund_entries` for a new kind, which drops the trigger guarding closed
  /// periods: it is made again.
  static func allowKinds(_ kinds: [String], on sql: any SQLDatabase) async throws {
    try await M023_FundPeriods.allowKinds(kinds, on: sql)
    if sql.dialect.name == "sqlite" { try await M023_FundPeriods.guardClosedPeriods(on: sql) }
  }
}
