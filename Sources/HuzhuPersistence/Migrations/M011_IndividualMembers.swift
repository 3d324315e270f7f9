import Fluent
import SQLKit

/// People registered on their own (gig workers, workers whose unit has not joined) and the
/// bills of their individual enrollments belong to an organisation node, which decides who may
/// see them; and an account given a temporary password must choose its own at the next sign-in.
struct M011_IndividualMembers: AsyncMigration {
  var name: String { "M011_IndividualMembers" }

  func prepare(on database: any Database) async throws {
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    try await database.schema("workers")
      .field("home_organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict)).update()
    try await database.schema("bills")
      .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict)).update()
    try await database.schema("user_accounts")
      .field("must_change_password", .bool, .required, .sql(.default(false))).update()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_workers_home_organisation").on("workers").column("home_organisation_id").run()
    try await sql.create(index: "ix_bills_organisation").on("bills").column("organisation_id").run()
    // Individual bills issued before this migration belong to their member's unit's node,
    // where the member has one (a person whose unit had not joined).
    try await sql.raw(
      """
      UPDATE bills SET organisation_id = (
        SELECT u.organisation_id FROM enrollments n
        JOIN employments e ON e.worker_id = n.worker_id AND e.end_date IS NULL
        JOIN units u ON u.id = e.unit_id
        WHERE n.bill_id = bills.id LIMIT 1)
      WHERE unit_id IS NULL
      """
    ).run()
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw("DROP INDEX ix_bills_organisation").run()
    try await sql.raw("DROP INDEX ix_workers_home_organisation").run()
    try await database.schema("user_accounts").deleteField("must_change_password").update()
    try await database.schema("bills").deleteField("organisation_id").update()
    try await database.schema("workers").deleteField("home_organisation_id").update()
  }
}
