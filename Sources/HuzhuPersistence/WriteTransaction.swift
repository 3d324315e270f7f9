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
/// Fluent cannot send), before it has read anything.
///
/// While another writer holds the lock, the attempt gives up after ``gateWaitMilliseconds``,
/// rolls back (nothing was done yet) and is tried again after an asynchronous pause, for up
/// to ``busyTimeout`` in all; past that the request fails with
/// ``DatabaseTrouble/busy`` (503) and nothing is written. Waiting this way holds no thread:
/// SQLite's own busy wait would block one of the few threads every SQLite statement of the
/// process runs on. Once the lock is taken, the connection's busy timeout goes back to
/// ``statementWaitMilliseconds`` for the single statements that write outside transactions
/// (the audit log, sessions). On PostgreSQL, rows lock themselves and nothing is added.
public enum WriteTransaction {
  static let gate = "write_gate"
  /// How long a writer waits for the one before it, in all: a roster of 100,000 rows
  /// commits in a few seconds.
  public static let busyTimeout = Duration.seconds(15)
  /// How long an audit line waits: it records a change already made (``FluentAuditStore``).
  public static let auditPatience = Duration.seconds(120)
  /// One attempt's wait for the lock, inside SQLite (a blocked thread).
  static let gateWaitMilliseconds = 20
  /// A single statement's wait for the lock, inside SQLite.
  static let statementWaitMilliseconds = 5_000
  /// SQLite's default: a commit that leaves the log longer than this copies it into the file.
  static let autocheckpointPages = 1_000

  /// The write lock was taken by someone else within ``gateWaitMilliseconds``.
  struct GateClosed: Error {
    let underlying: any Error
  }

  /// Runs `body` in a transaction that holds the write lock from its start (SQLite).
  static func run<T: Sendable>(
    on database: any Database, waitingAtMost limit: Duration,
    _ body: @escaping @Sendable (any Database) async throws -> T
  ) async throws -> T {
    guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else {
      return try await database.transaction(body)
    }
    // Inside a transaction already: it holds the lock or cannot get it by trying again.
    guard !database.inTransaction else { return try await database.transaction(body) }
    let deadline = ContinuousClock.now + limit
    var pause = Duration.milliseconds(2)
    while true {
      do {
        return try await database.transaction { transaction in
          let sql = transaction as! any SQLDatabase
          try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(gateWaitMilliseconds))").run()
          do {
            try await sql.raw("DELETE FROM \(ident: gate) WHERE 0 = 1").run()
          } catch {
            guard DatabaseTrouble(error) == .busy else { throw error }
            try? await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(statementWaitMilliseconds))").run()
            throw GateClosed(underlying: error)
          }
          try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(statementWaitMilliseconds))").run()
          return try await body(transaction)
        }
      } catch let closed as GateClosed {
        guard ContinuousClock.now + pause < deadline else { throw closed.underlying }
        try await Task.sleep(for: pause)
        pause = min(pause * 2, .milliseconds(100))
      }
    }
  }
}

extension Database {
  /// A transaction that writes: on SQLite it waits for the write lock before it begins, up to
  /// `limit`, rather than fail half-way (``WriteTransaction``).
  public func writeTransaction<T: Sendable>(
    waitingAtMost limit: Duration = WriteTransaction.busyTimeout,
    _ body: @escaping @Sendable (any Database) async throws -> T
  ) async throws -> T {
    try await WriteTransaction.run(on: self, waitingAtMost: limit, body)
  }
}

extension Database {
  /// A write transaction for a bulk change (a bureau's month of settlements): on SQLite it
  /// commits on a connection whose automatic checkpoint is off, and the log it leaves (the
  /// whole change, hundreds of megabytes) is copied into the database file afterwards by a
  /// passive checkpoint in the background, instead of inside the commit, where it was a sixth
  /// of a 100,000-record import that the clerk waited for. The change is durable at the commit
  /// either way (it is in the log); readers and writers go on during the copy. Elsewhere, and
  /// inside a transaction already, it is ``writeTransaction(waitingAtMost:_:)``.
  public func bulkWriteTransaction<T: Sendable>(
    _ body: @escaping @Sendable (any Database) async throws -> T
  ) async throws -> T {
    guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite", !inTransaction else {
      return try await writeTransaction(body)
    }
    let result = try await withConnection { connection in
      let sql = connection as! any SQLDatabase
      try await sql.raw("PRAGMA wal_autocheckpoint = 0").run()
      do {
        let result = try await connection.writeTransaction(body)
        try await sql.raw("PRAGMA wal_autocheckpoint = \(unsafeRaw: String(WriteTransaction.autocheckpointPages))")
          .run()
        return result
      } catch {
        try? await sql.raw("PRAGMA wal_autocheckpoint = \(unsafeRaw: String(WriteTransaction.autocheckpointPages))")
          .run()
        throw error
      }
    }
    // Passive: it copies what no reader still needs and never waits for anyone. A commit on
    // another connection meanwhile finds the checkpoint busy and goes on without it.
    Task.detached(priority: .utility) {
      try? await sql.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
    }
    return result
  }
}
