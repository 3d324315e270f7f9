import Fluent
import Foundation
import SQLKit

/// Claims given to a reviewer (``ClaimAssignment``): one row per claim, beside the claim rather
/// than a column of it, so that the claim path and the migrations that read claims stay as
/// they were. The row is replaced when the claim is given to someone else and removed when it
/// is taken back; the claim's history keeps every step.
struct M034_ClaimAssignments: AsyncMigration {
  var name: String { "M034_ClaimAssignments" }
  static let table = "claim_assignments"

  func prepare(on database: any Database) async throws {
    try await database.schema(Self.table)
      // The claim's own id: one assignment per claim.
      .field(.id, .uuid, .identifier(auto: false), .references("claims", "id", onDelete: .restrict))
      .field("assignee_id", .uuid, .required, .references("user_accounts", "id", onDelete: .restrict))
      .field("assignee_name", .string, .required)
      // The owner node: the claim's.
      .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict))
      .field("assigned_by", .string, .required)
      .field("assigned_at", .datetime, .required)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_claim_assignments_assignee").on(Self.table).column("assignee_id").run()
  }

  func revert(on database: any Database) async throws {
    try await database.schema(Self.table).delete()
  }
}
