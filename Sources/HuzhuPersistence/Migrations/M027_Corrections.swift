import Fluent
import SQLKit

/// Corrections of money recorded in error (``Correction``): a request, then a second person's
/// decision. A correction is never deleted; its status moves from requested to applied or
/// refused, once. At most one correction of a record is live (requested or applied) at a time:
/// a partial unique index, which both databases have.
struct M027_Corrections: AsyncMigration {
  var name: String { "M027_Corrections" }

  static let table = "corrections"

  func prepare(on database: any Database) async throws {
    try await database.schema(Self.table)
      .id()
      .field("kind", .string, .required)
      .field("scheme_code", .string, .required)
      // The owner node: the corrected record's (a bill's unit's node, or an individual's).
      .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict))
      .field("target_id", .uuid, .required)
      .field("target_label", .string, .required)
      .field("amount", .int64, .required)
      .field("reason", .string, .required)
      .field("status", .string, .required)
      .field("requested_by", .string, .required)
      .field("requested_by_id", .uuid, .required)
      .field("requested_on", .string, .required)
      .field("decided_by", .string)
      .field("decided_by_id", .uuid)
      .field("decided_on", .string)
      .field("decision_note", .string)
      .field("created_at", .datetime, .required)
      .constraint(.check(named: "ck_corrections_status", "status", in: ["requested", "applied", "refused"]))
      .constraint(.check(named: "ck_corrections_kind", "kind", in: ["payment_void"]))
      .constraint(.sqlCheck(named: "ck_corrections_amount", "amount > 0"))
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw(
      """
      CREATE UNIQUE INDEX uq_corrections_live_target ON corrections (kind, target_id) WHERE status <> 'refused'
      """
    ).run()
    try await sql.create(index: "ix_corrections_target").on(Self.table).column("target_id").run()
    try await sql.create(index: "ix_corrections_status").on(Self.table).column("status").run()
  }

  func revert(on database: any Database) async throws {
    try await database.schema(Self.table).delete()
  }
}
