import Fluent

/// A member's own price per share (fen), where the rule version gives long-standing members a
/// lower one than the bill's (contribution continuity steps); NULL: the bill's
/// `price_per_share`. A withdrawal refunds what the member's line cost from it.
struct M032_MemberPrices: AsyncMigration {
  var name: String { "M032_MemberPrices" }

  func prepare(on database: any Database) async throws {
    try await database.schema("enrollments").field("price_per_share", .int64).update()
  }

  func revert(on database: any Database) async throws {
    try await database.schema("enrollments").deleteField("price_per_share").update()
  }
}
