import Fluent
import SQLKit

/// The replay rows as their selecting columns and one compact value of facts each
/// (``ReplayFacts``), instead of 32 columns: reading a province's year of them was most of
/// the what-if's time. The rows are derived data, so the table is made anew and filled from
/// the claim records (the paid claims' intake, workers and enrollments).
struct M016_ReplayFacts: AsyncMigration {
  var name: String { "M016_ReplayFacts" }

  func prepare(on database: any Database) async throws {
    try await database.schema("claim_replays").delete()
    try await database.schema("claim_replays")
      .field("id", .uuid, .identifier(auto: false), .references("claims", "id", onDelete: .restrict))
      .field("scheme_code", .string, .required)
      .field("organisation_id", .uuid)
      .field("paid_on", .int64, .required)
      .field("facts", .data, .required)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_claim_replays_scheme_paid_on").on("claim_replays").column("scheme_code")
      .column("paid_on").run()
    try await ClaimReplays.rebuild(on: database, refusals: false, versions: false)
  }

  /// M012's table again, empty: its rows were derived, and the code that wrote them is gone.
  func revert(on database: any Database) async throws {
    try await database.schema("claim_replays").delete()
    try await M012_ClaimReplays().prepare(on: database)
  }
}
