import FluentKit
import Foundation
import HuzhuPersistence
import HuzhuTestSupport
import NIOPosix
import SQLKit
import Testing

/// Write transactions on the SQLite file `huzhu serve` uses: each takes the write lock before
/// it reads, so one that read and then writes never finds its snapshot stale; a writer that
/// waited past its limit fails as `DatabaseTrouble.busy` (503), never as a 500.
@Suite("Write transactions")
struct WriteTransactionTests {
  /// Twenty transactions at once on two connections, each reading the highest number and
  /// writing the next: every one commits, and no number is taken twice. The wait is long:
  /// what is tested is the order, and on a loaded CI machine the SQLite threads this file
  /// shares with every other test running beside it can keep one holder busy for seconds.
  @Test func readThenWriteTransactionsAtOnceAllCommitInTurn() async throws {
    try await withMigratedDatabase(on: IsolatedDatabase.sqliteFile()) { migrated in
      try await migrated.sql.raw("CREATE TABLE turns (number INTEGER NOT NULL)").run()
      let connections = Self.connections(migrated)
      #expect(connections.count >= 2)
      try await withThrowingTaskGroup(of: Void.self) { group in
        for turn in 0..<20 {
          let database = connections[turn % connections.count]
          group.addTask {
            try await database.writeTransaction(waitingAtMost: .seconds(300)) { transaction in
              let sql = transaction as! any SQLDatabase
              let highest =
                try await sql.raw("SELECT COALESCE(MAX(number), 0) AS n FROM turns").first()?.decode(
                  column: "n", as: Int.self) ?? 0
              try await sql.raw("INSERT INTO turns (number) VALUES (\(bind: highest + 1))").run()
            }
          }
        }
        try await group.waitForAll()
      }
      let numbers = try await migrated.sql.raw("SELECT number FROM turns ORDER BY number").all().map {
        try $0.decode(column: "number", as: Int.self)
      }
      #expect(numbers == Array(1...20))
    }
  }

  /// A writer waits for the one before it without holding a thread, and gives up as `busy`
  /// (503) once it has waited its limit, having written nothing.
  @Test func aWriterWaitsItsTurnAndGivesUpAsBusy() async throws {
    try await withMigratedDatabase(on: IsolatedDatabase.sqliteFile()) { migrated in
      try await migrated.sql.raw("CREATE TABLE turns (number INTEGER NOT NULL)").run()
      let connections = Self.connections(migrated)
      let (holder, waiter) = (connections[0], connections[1])
      // The holder says when it has the lock and keeps it until told: no timing, so a loaded
      // machine cannot reorder them.
      let (taken, lockTaken) = AsyncStream<Void>.makeStream()
      let (release, released) = AsyncStream<Void>.makeStream()
      async let held: Void = holder.writeTransaction { _ in
        lockTaken.yield()
        for await _ in release { break }
      }
      for await _ in taken { break }

      let error = await #expect(throws: (any Error).self) {
        try await waiter.writeTransaction(waitingAtMost: .milliseconds(300)) { transaction in
          try await (transaction as! any SQLDatabase).raw("INSERT INTO turns (number) VALUES (1)").run()
        }
      }
      #expect(error.flatMap(DatabaseTrouble.init) == .busy, "\(String(describing: error))")

      // This one waits while the holder finishes, then writes.
      async let waited: Void = waiter.writeTransaction { transaction in
        try await (transaction as! any SQLDatabase).raw("INSERT INTO turns (number) VALUES (2)").run()
      }
      try await Task.sleep(for: .milliseconds(100))
      released.yield()
      try await held
      try await waited
      let numbers = try await migrated.sql.raw("SELECT number FROM turns").all().map {
        try $0.decode(column: "number", as: Int.self)
      }
      #expect(numbers == [2])
    }
  }

  /// A bulk write (a bureau's month) commits with its connection's automatic checkpoint off,
  /// and the connection gets its setting back afterwards, whether the write committed or
  /// rolled back; what it wrote is there, or nothing is.
  @Test func aBulkWriteCommitsOrRollsBackAndItsConnectionGetsItsCheckpointBack() async throws {
    try await withMigratedDatabase(on: IsolatedDatabase.sqliteFile()) { migrated in
      let sql = migrated.sql
      try await sql.raw("CREATE TABLE bulk (number INTEGER NOT NULL, padding TEXT NOT NULL)").run()
      func autocheckpoint() async throws -> Int? {
        try await sql.raw("PRAGMA wal_autocheckpoint").first()?.decode(column: "wal_autocheckpoint", as: Int.self)
      }
      func count() async throws -> Int? {
        try await sql.raw("SELECT COUNT(*) AS n FROM bulk").first()?.decode(column: "n", as: Int.self)
      }
      #expect(try await autocheckpoint() == 1_000)
      // About 6 MB, more than the thousand pages after which a commit would copy the log.
      let fill: SQLQueryString = """
        WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000)
        INSERT INTO bulk SELECT x, hex(randomblob(1000)) FROM n
        """
      let during = try await migrated.database.bulkWriteTransaction { transaction in
        let sql = transaction as! any SQLDatabase
        try await sql.raw(fill).run()
        return try await sql.raw("PRAGMA wal_autocheckpoint").first()?.decode(
          column: "wal_autocheckpoint", as: Int.self)
      }
      #expect(during == 0)
      #expect(try await count() == 3_000)
      #expect(try await autocheckpoint() == 1_000)

      struct Refused: Error {}
      await #expect(throws: Refused.self) {
        try await migrated.database.bulkWriteTransaction { transaction in
          try await (transaction as! any SQLDatabase).raw(fill).run()
          throw Refused()
        }
      }
      #expect(try await count() == 3_000)
      #expect(try await autocheckpoint() == 1_000)
    }
  }

  /// The default connection and those on the other event loops (one SQLite connection each).
  static func connections(_ migrated: MigratedDatabase) -> [any Database] {
    [migrated.database] + migrated.databases.others(than: migrated.database)
  }
}
