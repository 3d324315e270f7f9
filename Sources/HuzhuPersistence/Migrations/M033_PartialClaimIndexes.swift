import Fluent
import SQLKit

/// Three of the claims' indexes serve only claims in one state or with one column set, so they
/// now hold only those rows: a claim opened (by the window, the portal, a settlement file)
/// keeps six indexes up to date instead of nine until it is paid or refused.
///
/// - `ix_claims_statistics`: the statistics' covering reads of paid claims (`state = 'paid'`);
/// - `ix_claims_rejected`: the refusals by reason (`state = 'rejected'`);
/// - `ix_claims_paid_on`: claims by the day paid (`paid_on IS NOT NULL`).
///
/// A query uses a partial index only when its own conditions imply the index's, so the queries
/// these serve state the condition as a literal (`c.state = 'paid'`, never a bound value: SQLite
/// does not look into bound values when choosing an index), and the earliest day paid is asked
/// for `WHERE paid_on IS NOT NULL`. The columns stay the same, the state first among them, so
/// each remains a covering index on both databases.
///
/// The statistics' count of claims overdue now (running claims, by state and due day) was
/// answered by the statistics index too; `ix_claims_state_due` now carries the scheme and the
/// node after its two columns, so it covers that count instead (without them SQLite read every
/// claim of a province: the page took 430 ms instead of 140).
struct M033_PartialClaimIndexes: AsyncMigration {
  var name: String { "M033_PartialClaimIndexes" }

  static let indexes: [(name: String, columns: [String], condition: String)] = [
    (
      "ix_claims_statistics",
      [
        "state", "scheme_code", "paid_on", "organisation_id", "unit_id", "worker_id", "approved_total",
        "documents_complete_on", "due_on",
      ],
      "state = 'paid'"
    ),
    (
      "ix_claims_rejected", ["state", "scheme_code", "created_on", "organisation_id", "rejection_reason"],
      "state = 'rejected'"
    ),
    ("ix_claims_paid_on", ["paid_on"], "paid_on IS NOT NULL"),
  ]

  static let stateDue = (
    name: "ix_claims_state_due", before: ["state", "due_on"],
    after: ["state", "due_on", "scheme_code", "organisation_id"]
  )

  func prepare(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await recreate(Self.stateDue.name, columns: Self.stateDue.after, on: sql)
    for index in Self.indexes {
      try await recreate(index.name, columns: index.columns, condition: index.condition, on: sql)
    }
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await recreate(Self.stateDue.name, columns: Self.stateDue.before, on: sql)
    for index in Self.indexes { try await recreate(index.name, columns: index.columns, on: sql) }
  }

  private func recreate(_ name: String, columns: [String], condition: String? = nil, on sql: any SQLDatabase)
    async throws
  {
    try await sql.raw("DROP INDEX \(ident: name)").run()
    try await sql.raw(
      """
      CREATE INDEX \(ident: name) ON claims (\(unsafeRaw: columns.joined(separator: ", ")))\
      \(unsafeRaw: condition.map { " WHERE \($0)" } ?? "")
      """
    ).run()
  }
}
