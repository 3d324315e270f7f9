import Fluent

/// Two-factor sign-in (``SecondFactor``): an account's authenticator secret, sealed by the
/// application under a key kept outside the database; when it was enrolled; and the last
/// step whose code was used, so that no code signs in twice.
struct M021_SecondFactor: AsyncMigration {
  var name: String { "M021_SecondFactor" }

  func prepare(on database: any Database) async throws {
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    try await database.schema("user_accounts").field("second_factor_secret", .string).update()
    try await database.schema("user_accounts").field("second_factor_enrolled_at", .datetime).update()
    try await database.schema("user_accounts").field("second_factor_last_step", .int64).update()
  }

  func revert(on database: any Database) async throws {
    for column in ["second_factor_last_step", "second_factor_enrolled_at", "second_factor_secret"] {
      try await database.schema("user_accounts").deleteField(.string(column)).update()
    }
  }
}
