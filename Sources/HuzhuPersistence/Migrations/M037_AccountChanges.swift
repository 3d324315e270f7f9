import Fluent
import Foundation
import SQLKit

/// A worker's change of their own bank account from the portal, waiting for the code sent to
/// their registered phone: the new bank and account, the code's hash, its expiry and tries, and
/// when it was confirmed. Kept after confirmation (with the audit line) as the record of who
/// asked for which account.
struct M037_AccountChanges: AsyncMigration {
  var name: String { "M037_AccountChanges" }
  static let table = "account_changes"

  func prepare(on database: any Database) async throws {
    try await database.schema(Self.table)
      .id()
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      // The owner node: the worker's unit's node, or the node keeping their record.
      .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict))
      .field("bank_name", .string, .required)
      .field("bank_account", .string, .required)
      .field("code_hash", .string, .required)
      .field("expires_at", .datetime, .required)
      .field("attempts", .int, .required)
      .field("created_at", .datetime, .required)
      .field("confirmed_at", .datetime)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_account_changes_worker").on(Self.table).column("worker_id").run()
  }

  func revert(on database: any Database) async throws {
    try await database.schema(Self.table).delete()
  }
}
