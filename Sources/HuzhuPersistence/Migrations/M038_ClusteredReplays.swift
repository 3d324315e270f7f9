import Fluent
import FluentSQLiteDriver
import SQLKit

/// The replay rows kept in the order the what-if reads them: keyed by scheme, day decided and
/// claim, so a period's rows lie side by side. On SQLite the table is `WITHOUT ROWID`, its
/// rows stored in that key's order; before, each of a year's 300,000 rows was looked up from
/// the index in the table's insertion order, a random page each (0.47 s of SQLite's own time
/// for the year, 0.06 s in key order). PostgreSQL keeps the same key as an index (its tables
/// are heaps). The claim's ID stays unique: a claim has one row, replaced by ID.
///
/// Beside it, a version per scheme (`claim_replay_versions`), raised in the transaction that
/// changes any of the scheme's rows: what-ifs keep the cases they read while it is the same
/// (``KeptReplayCases``).
struct M038_ClusteredReplays: AsyncMigration {
  var name: String { "M038_ClusteredReplays" }

  func prepare(on database: any Database) async throws {
    try await database.transaction { transaction in
      try await Self.remake(keyed: true, on: transaction)
      try await transaction.sqlDatabase.create(index: "ux_claim_replays_id").unique().on("claim_replays").column("id")
        .run()
      try await transaction.schema(ClaimReplays.versions)
        .field("scheme_code", .string, .identifier(auto: false))
        .field("version", .int64, .required)
        .create()
    }
  }

  /// M016's shape again (an ID key, an index by scheme and day), the rows kept.
  func revert(on database: any Database) async throws {
    try await database.transaction { transaction in
      try await transaction.schema(ClaimReplays.versions).delete()
      try await Self.remake(keyed: false, on: transaction)
      try await transaction.sqlDatabase.create(index: "ix_claim_replays_scheme_decided_on").on("claim_replays")
        .column("scheme_code").column("decided_on").run()
    }
  }

  /// `claim_replays` made anew with its rows: keyed by scheme, day and claim (`WITHOUT ROWID` on
  /// SQLite), or by the claim alone. The column types are those Fluent gives on each database.
  static func remake(keyed: Bool, on database: any Database) async throws {
    let sql = database.sqlDatabase
    let sqlite = database is any SQLiteDatabase
    try await sql.raw(
      """
      CREATE TABLE claim_replays_remade (
        id UUID \(unsafeRaw: keyed ? "NOT NULL" : "PRIMARY KEY") REFERENCES claims (id) ON DELETE RESTRICT,
        scheme_code TEXT NOT NULL,
        organisation_id UUID,
        decided_on \(unsafeRaw: sqlite ? "INTEGER" : "BIGINT") NOT NULL,
        facts \(unsafeRaw: sqlite ? "BLOB" : "BYTEA") NOT NULL\(unsafeRaw: keyed ? ",\n  PRIMARY KEY (scheme_code, decided_on, id)" : "")
      )\(unsafeRaw: keyed && sqlite ? " WITHOUT ROWID" : "")
      """
    ).run()
    try await sql.raw(
      """
      INSERT INTO claim_replays_remade (id, scheme_code, organisation_id, decided_on, facts)
      SELECT id, scheme_code, organisation_id, decided_on, facts FROM claim_replays
      """
    ).run()
    try await sql.raw("DROP TABLE claim_replays").run()
    try await sql.raw("ALTER TABLE claim_replays_remade RENAME TO claim_replays").run()
  }
}
