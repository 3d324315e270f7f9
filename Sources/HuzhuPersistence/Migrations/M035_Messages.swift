import Fluent
import Foundation
import SQLKit

/// One outbox for every text message (``OutgoingMessage``): a claim's notices, which had their
/// own table (`notifications`), and the portal's sign-in codes, whose text sat on the code's
/// row. Each message carries what its sending needs: the owner node, the template's
/// parameters, its status, tries and last error, when to try next, and a lease, so that
/// several instances drain the outbox together and each message goes out once; a reminder
/// carries a key that makes it unique.
///
/// The claims' notices move here (their kind named after the notice); those never sent and
/// without a phone are given up, saying why. The codes' texts are blanked: a code still waiting
/// is reissued by asking again, and no usable code stays in plain text.
struct M035_Messages: AsyncMigration {
  var name: String { "M035_Messages" }
  static let table = "messages"

  func prepare(on database: any Database) async throws {
    try await database.schema(Self.table)
      .id()
      // The owner node: the claim's, or the node keeping the worker's record.
      .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict))
      .field("kind", .string, .required)
      .field("phone", .string)
      .field("text", .string, .required)
      .field("parameters", .string, .required)
      .field("claim_id", .uuid, .references("claims", "id", onDelete: .restrict))
      .field("worker_id", .uuid)
      .field("status", .string, .required)
      .field("attempts", .int, .required)
      .field("next_attempt_at", .datetime, .required)
      .field("expires_at", .datetime)
      .field("lease_owner", .string)
      .field("lease_until", .datetime)
      .field("last_error", .string)
      .field("provider_id", .string)
      // A reminder's identity ("claim documents missing, claim X, week Y"): the same reminder is
      // queued once, whichever instance or round decides it is due.
      .field("dedupe_key", .string)
      .field("created_at", .datetime, .required)
      .field("sent_at", .datetime)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_messages_due").on(Self.table).column("status").column("next_attempt_at").run()
    try await sql.create(index: "ix_messages_claim").on(Self.table).column("claim_id").run()
    try await sql.create(index: "ix_messages_node").on(Self.table).column("organisation_id").column("status").run()
    try await sql.create(index: "ux_messages_dedupe").on(Self.table).column("dedupe_key").unique().run()
    try await sql.raw(
      """
      INSERT INTO messages (id, organisation_id, kind, phone, text, parameters, claim_id, worker_id, status,
        attempts, next_attempt_at, last_error, created_at, sent_at)
      SELECT n.id, c.organisation_id,
        CASE WHEN n.notice IN ('payment_returned', 'recovery_opened') THEN n.notice ELSE 'claim_' || n.notice END,
        n.phone, n.text, '{}', n.claim_id, c.worker_id,
        CASE WHEN n.sent_at IS NOT NULL THEN 'sent' WHEN n.phone IS NULL OR n.phone = '' THEN 'dead' ELSE 'pending' END,
        0, n.created_at,
        CASE WHEN n.sent_at IS NULL AND (n.phone IS NULL OR n.phone = '') THEN 'no phone' END,
        n.created_at, n.sent_at
      FROM notifications n JOIN claims c ON c.id = n.claim_id
      """
    ).run()
    try await sql.update("portal_codes").set("message", to: SQLLiteral.null).run()
    try await database.schema("notifications").delete()
  }

  func revert(on database: any Database) async throws {
    try await database.schema("notifications")
      .id()
      .field("claim_id", .uuid, .required, .references("claims", "id", onDelete: .restrict))
      .field("phone", .string)
      .field("notice", .string, .required)
      .field("text", .string, .required)
      .field("created_at", .datetime, .required)
      .field("sent_at", .datetime)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_notifications_claim").on("notifications").column("claim_id").run()
    try await sql.raw(
      """
      INSERT INTO notifications (id, claim_id, phone, notice, text, created_at, sent_at)
      SELECT id, claim_id, phone,
        CASE WHEN kind LIKE 'claim\\_%' ESCAPE '\\' THEN SUBSTR(kind, 7) ELSE kind END,
        text, created_at, sent_at
      FROM messages WHERE claim_id IS NOT NULL
      """
    ).run()
    try await database.schema(Self.table).delete()
  }
}
