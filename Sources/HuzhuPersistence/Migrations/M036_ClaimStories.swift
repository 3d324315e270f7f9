import Fluent
import Foundation
import SQLKit

/// Stories told only with consent (issue 27): a paid claim becomes a public, anonymised story
/// once its worker agreed and staff chose it. One row per claim that has a consent, beside the
/// claim (its id is the claim's): when and how the worker agreed, when they took it back, and
/// who published it. Nothing is deleted: a withdrawal is a date.
struct M036_ClaimStories: AsyncMigration {
  var name: String { "M036_ClaimStories" }
  static let table = "claim_stories"

  func prepare(on database: any Database) async throws {
    try await database.schema(Self.table)
      .field(.id, .uuid, .identifier(auto: false), .references("claims", "id", onDelete: .restrict))
      // The owner node: the claim's.
      .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict))
      .field("consented_at", .datetime, .required)
      .field("consented_by", .string, .required)
      .field("withdrawn_at", .datetime)
      .field("published_at", .datetime)
      .field("published_by", .string)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_claim_stories_published").on(Self.table).column("published_at").run()
  }

  func revert(on database: any Database) async throws {
    try await database.schema(Self.table).delete()
  }
}
