import Fluent
import HuzhuCore
import SQLKit

/// Accounts' unit, sign-in throttling and disabling; the append-only audit log; the worker
/// portal's one-time codes; and the organisation and unit each claim belongs to, so that a
/// claim's visibility is one indexed condition rather than a walk through employments.
struct M007_AccessControl: AsyncMigration {
  var name: String { "M007_AccessControl" }

  func prepare(on database: any Database) async throws {
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    try await database.schema("user_accounts")
      .field("unit_id", .uuid, .references("units", "id", onDelete: .restrict)).update()
    try await database.schema("user_accounts")
      .field("failed_logins", .int64, .required, .sql(.default(0))).update()
    try await database.schema("user_accounts").field("locked_until", .datetime).update()
    try await database.schema("user_accounts").field("disabled", .bool, .required, .sql(.default(false))).update()
    try await database.schema("user_accounts").field("last_login_at", .datetime).update()

    try await database.schema("audit_events")
      .id()
      .field("at", .datetime, .required)
      .field("kind", .string, .required)
      .field("actor", .string, .required)
      .field("organisation_id", .uuid)
      .field("subject", .string, .required)
      .field("detail", .string, .required)
      .field("address", .string)
      .constraint(.check(named: "ck_audit_events_kind", "kind", in: AuditKind.allCases.map(\.rawValue)))
      .create()

    // The worker portal's one-time codes, and their text-message outbox: `message` waits for
    // the SMS gateway as notifications do, and is cleared once sent; only the hash is kept.
    try await database.schema("portal_codes")
      .id()
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("phone", .string, .required)
      .field("message", .string)
      .field("sent_at", .datetime)
      .field("code_hash", .string, .required)
      .field("expires_at", .datetime, .required)
      .field("attempts", .int64, .required)
      .field("used_at", .datetime)
      .field("created_at", .datetime, .required)
      .create()

    try await database.schema("claims").field("organisation_id", .uuid).update()
    try await database.schema("claims").field("unit_id", .uuid).update()

    guard let sql = database as? any SQLDatabase else { return }
    try await AppendOnly.protect("audit_events", on: sql)
    try await sql.create(index: "ix_audit_events_at").on("audit_events").column("at").run()
    try await sql.create(index: "ix_audit_events_actor").on("audit_events").column("actor").column("at").run()
    try await sql.create(index: "ix_portal_codes_worker").on("portal_codes").column("worker_id").run()
    try await sql.create(index: "ix_claims_organisation").on("claims").column("organisation_id").column("state").run()
    try await sql.create(index: "ix_claims_unit").on("claims").column("unit_id").column("state").run()
    // Claims filed before this migration belong to the member's current unit (or the last
    // one, for someone who has left).
    try await sql.raw(
      """
      UPDATE claims SET unit_id = (
        SELECT e.unit_id FROM employments e WHERE e.worker_id = claims.worker_id
        ORDER BY CASE WHEN e.end_date IS NULL THEN 0 ELSE 1 END, e.start_date DESC LIMIT 1)
      """
    ).run()
    try await sql.raw(
      "UPDATE claims SET organisation_id = (SELECT u.organisation_id FROM units u WHERE u.id = claims.unit_id)"
    ).run()
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw("DROP INDEX ix_claims_unit").run()
    try await sql.raw("DROP INDEX ix_claims_organisation").run()
    try await database.schema("claims").deleteField("unit_id").update()
    try await database.schema("claims").deleteField("organisation_id").update()
    try await database.schema("portal_codes").delete()
    try await AppendOnly.unprotect("audit_events", keepingFunction: true, on: sql)
    try await database.schema("audit_events").delete()
    for column in ["last_login_at", "disabled", "locked_until", "failed_logins", "unit_id"] {
      try await database.schema("user_accounts").deleteField(.string(column)).update()
    }
  }
}
