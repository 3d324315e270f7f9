import Fluent
import HuzhuCore
import SQLKit

/// Claims with their documents and history, the cap ledger, the notifications outbox,
/// payment batches, and the editable holiday calendar.
///
/// Structured parts a claim is only ever read whole with (the intake's event, the
/// explanation, approvals, duplicate flags) are JSON text; what queues and reports filter on
/// (state, due date, scheme, worker, amounts) are columns.
struct M005_Claims: AsyncMigration {
  var name: String { "M005_Claims" }

  func prepare(on database: any Database) async throws {
    try await database.schema("claims")
      .id()
      .field("number", .string, .required)
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("scheme_code", .string, .required)
      .field("channel", .string, .required)
      .field("intake", .string, .required)
      .field("state", .string, .required)
      .field("progress", .string, .required)
      .field("explanation", .string)
      .field("calculated_total", .int64)
      .field("adjustment", .string)
      .field("approved_total", .int64)
      .field("duplicates", .string, .required)
      .field("documents_complete_on", .string)
      .field("due_on", .string)
      .field("deadline_problem", .string)
      .field("expedited", .bool, .required)
      .field("created_by", .string, .required)
      .field("created_on", .string, .required)
      .field("paid_on", .string)
      .field("batch_id", .uuid)
      // Bumped first by every transition: the claim's lock.
      .field("lock_version", .int64, .required)
      .field("created_at", .datetime, .required)
      .unique(on: "number", name: "uq_claims_number")
      .constraint(.check(named: "ck_claims_state", "state", in: ClaimState.allCases.map(\.rawValue)))
      .constraint(.check(named: "ck_claims_channel", "channel", in: ClaimChannel.allCases.map(\.rawValue)))
      .create()

    // Invoice and settlement-sheet numbers, normalised, for duplicate detection across claims.
    try await database.schema("claim_papers")
      .id()
      .field("claim_id", .uuid, .required, .references("claims", "id", onDelete: .restrict))
      .field("kind", .string, .required)
      .field("number", .string, .required)
      .create()

    try await database.schema("claim_documents")
      .id()
      .field("claim_id", .uuid, .required, .references("claims", "id", onDelete: .restrict))
      .field("kind", .string, .required)
      .field("file_name", .string, .required)
      .field("format", .string, .required)
      .field("size", .int64, .required)
      .field("sha256", .string, .required)
      .field("uploaded_by", .string, .required)
      .field("uploaded_at", .datetime, .required)
      .constraint(.check(named: "ck_claim_documents_format", "format", in: DocumentFormat.allCases.map(\.rawValue)))
      .create()

    try await database.schema("claim_history")
      .id()
      .field("claim_id", .uuid, .required, .references("claims", "id", onDelete: .restrict))
      .field("at", .datetime, .required)
      .field("actor", .string, .required)
      .field("address", .string)
      .field("action", .string, .required)
      .field("from_state", .string)
      .field("to_state", .string, .required)
      .field("note", .string)
      .create()

    // The cap ledger: what each benefit paid the member in one product's period.
    try await database.schema("benefit_ledger")
      .id()
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("scheme_code", .string, .required)
      .field("product_code", .string, .required)
      .field("period_start", .string, .required)
      .field("benefit_code", .string, .required)
      .field("paid_amount", .int64, .required)
      .field("history", .string, .required)
      .unique(
        on: "worker_id", "product_code", "period_start", "benefit_code", name: "uq_benefit_ledger_member_benefit")
      .create()

    // One row per member whose claims were approved: locking it serialises approvals of
    // the same member, whatever claims they are.
    try await database.schema("member_locks")
      .field("worker_id", .uuid, .identifier(auto: false))
      .field("version", .int64, .required)
      .create()

    try await database.schema("notifications")
      .id()
      .field("claim_id", .uuid, .required, .references("claims", "id", onDelete: .restrict))
      .field("phone", .string)
      .field("notice", .string, .required)
      .field("text", .string, .required)
      .field("created_at", .datetime, .required)
      .field("sent_at", .datetime)
      .create()

    try await database.schema("payment_batches")
      .id()
      .field("number", .string, .required)
      .field("scheme_code", .string, .required)
      .field("created_by", .string, .required)
      .field("created_on", .string, .required)
      .field("skipped", .string, .required)
      .field("created_at", .datetime, .required)
      .unique(on: "number", name: "uq_payment_batches_number")
      .create()

    try await database.schema("payment_batch_lines")
      .id()
      .field("batch_id", .uuid, .required, .references("payment_batches", "id", onDelete: .restrict))
      .field("claim_id", .uuid, .required, .references("claims", "id", onDelete: .restrict))
      .field("claim_number", .string, .required)
      .field("payee_name", .string, .required)
      .field("bank_name", .string, .required)
      .field("bank_account", .string, .required)
      .field("amount", .int64, .required)
      .field("status", .string, .required)
      .field("note", .string)
      .unique(on: "batch_id", "claim_id", name: "uq_payment_batch_lines_claim")
      .constraint(
        .check(named: "ck_payment_batch_lines_status", "status", in: PaymentBatch.Line.Status.allCases.map(\.rawValue)))
      .create()

    try await database.schema("holiday_years")
      .field("year", .int64, .identifier(auto: false))
      .field("data", .string, .required)
      .field("updated_by", .string, .required)
      .field("updated_at", .datetime, .required)
      .create()

    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_claims_worker").on("claims").column("worker_id").run()
    try await sql.create(index: "ix_claims_state_due").on("claims").column("state").column("due_on").run()
    try await sql.create(index: "ix_claim_papers_number").on("claim_papers").column("number").run()
    try await sql.create(index: "ix_claim_papers_claim").on("claim_papers").column("claim_id").run()
    try await sql.create(index: "ix_claim_documents_claim").on("claim_documents").column("claim_id").run()
    try await sql.create(index: "ix_claim_history_claim").on("claim_history").column("claim_id").run()
    try await sql.create(index: "ix_benefit_ledger_worker").on("benefit_ledger").column("worker_id").run()
    try await sql.create(index: "ix_notifications_claim").on("notifications").column("claim_id").run()
    try await sql.create(index: "ix_payment_batch_lines_batch").on("payment_batch_lines").column("batch_id").run()
  }

  func revert(on database: any Database) async throws {
    for table in [
      "holiday_years", "payment_batch_lines", "payment_batches", "notifications", "member_locks", "benefit_ledger",
      "claim_history", "claim_documents", "claim_papers", "claims",
    ] {
      try await database.schema(table).delete()
    }
  }
}
