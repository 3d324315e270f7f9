import Fluent
import HuzhuCore
import SQLKit

/// Every record a user can reach belongs to an organisation node. Payment batches had none (so
/// one federation's finance listed another's batches and their bank files); they now belong to
/// the node of whoever made them, and batches made before this migration to the node that runs
/// their scheme.
///
/// And a roster row naming someone employed or kept outside the importer's area no longer moves
/// them: it becomes a transfer request (`transfer_requests`) that the side keeping them answers.
/// At most one request waits per person and asking unit.
struct M018_Tenancy: AsyncMigration {
  var name: String { "M018_Tenancy" }

  func prepare(on database: any Database) async throws {
    try await database.schema("payment_batches")
      .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict)).update()
    try await database.schema("transfer_requests")
      .id()
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("from_unit_id", .uuid, .references("units", "id", onDelete: .restrict))
      .field("from_organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
      .field("to_unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
      .field("to_organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
      .field("details", .string, .required)
      .field("status", .string, .required)
      .field("requested_by", .string, .required)
      .field("requested_on", .string, .required)
      .field("decided_by", .string)
      .field("decided_on", .string)
      .field("note", .string)
      .field("created_at", .datetime, .required)
      .constraint(
        .check(named: "ck_transfer_requests_status", "status", in: TransferRequest.Status.allCases.map(\.rawValue))
      )
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw(
      """
      UPDATE payment_batches SET organisation_id = (
        SELECT r.organisation_id FROM scheme_revisions r
        WHERE r.code = payment_batches.scheme_code ORDER BY r.revision LIMIT 1)
      """
    ).run()
    try await sql.create(index: "ix_payment_batches_organisation").on("payment_batches")
      .column("organisation_id").column("created_on").run()
    try await sql.raw(
      """
      CREATE UNIQUE INDEX uq_transfer_requests_pending ON transfer_requests (worker_id, to_unit_id)
      WHERE status = 'pending'
      """
    ).run()
    try await sql.create(index: "ix_transfer_requests_from").on("transfer_requests")
      .column("from_organisation_id").column("status").run()
    try await sql.create(index: "ix_transfer_requests_to").on("transfer_requests")
      .column("to_organisation_id").column("status").run()
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw("DROP INDEX ix_payment_batches_organisation").run()
    try await database.schema("transfer_requests").delete()
    try await database.schema("payment_batches").deleteField("organisation_id").update()
  }
}
