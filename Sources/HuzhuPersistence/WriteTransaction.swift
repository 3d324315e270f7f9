import Fluent
import SQLKit

/// Transactions that write, safe with many clients at once on SQLite too.
///
/// SQLite allows one writer at a time. Fluent begins a transaction as `DEFERRED`: it reads
/// under a snapshot and asks for the write lock at its first write; when another connection
/// wrote in between, SQLite refuses at once ("database is locked", `SQLITE_BUSY_SNAPSHOT`)
/// rather than wait, since waiting could not help. Eight clerks posting claims at once lost
/// half of them this way. A write transaction therefore takes the write lock with its first
/// statement (a delete of nothing from an empty table: `BEGIN IMMEDIATE`'s effect, which
/// Fluent cannot send), so it waits its turn before it reads anything, for up to
/// ``busyTimeoutMilliseconds``; past that the request fails with ``DatabaseBusy`` (503) and
/// nothing is written. On PostgreSQL, rows lock themselves and nothing is added.
public enum WriteTransaction {
  static let gate = "write_gate"
  /// How long a writer waits for the one before it: a roster of 100,000 rows commits in
  /// a few seconds.
  public static let busyTimeoutMilliseconds = 15_000

  /// Runs `body` in a transaction that holds the write lock from its start (SQLite).
  static func run<T: Sendable>(
    on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T
  ) async throws -> T {
    try await database.transaction { transaction in
      if let sql = transaction as? any SQLDatabase, sql.dialect.name == "sqlite" {
        // Per connection, replacing SQLiteNIO's busy handler, which retries without pause or end.
        try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))").run()
        try await sql.raw("DELETE FROM \(ident: gate) WHERE 0 = 1").run()
      }
      return try await body(transaction)
    }
  }
}

extension Database {
  /// A transaction that writes: on SQLite it waits for the write lock before it begins rather
  /// than fail half-way (``WriteTransaction``).
  public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T)
    async throws -> T
  {
    try await WriteTransaction.run(on: self, body)
  }
}
