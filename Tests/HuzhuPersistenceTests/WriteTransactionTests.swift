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

  /// The default connection and those on the other event loops (one SQLite connection each).
  static func connections(_ migrated: MigratedDatabase) -> [any Database] {
    [migrated.database] + migrated.databases.others(than: migrated.database)
  }
}
