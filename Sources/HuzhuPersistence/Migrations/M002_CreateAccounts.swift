import Fluent
import HuzhuCore

/// Operator accounts. Roles are a comma-separated list of role codes: a short, portable
/// column for a set that is read with the account and never queried by itself.
struct M002_CreateAccounts: AsyncMigration {
  var name: String { "M002_CreateAccounts" }

  func prepare(on database: any Database) async throws {
    try await database.schema("user_accounts")
      .id()
      .field("username", .string, .required)
      .field("display_name", .string, .required)
      .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
      .field("roles", .string, .required)
      .field("password_hash", .string, .required)
      .field("created_at", .datetime, .required)
      .unique(on: "username", name: "uq_user_accounts_username")
      .create()
  }

  func revert(on database: any Database) async throws {
    try await database.schema("user_accounts").delete()
  }
}
