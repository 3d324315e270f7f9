import FluentKit
import Foundation
import HuzhuPersistence
import HuzhuTestSupport
import NIOPosix
import SQLKit
import Testing

/// Write transactions on the SQLite file `huzhu serve` uses: each takes the write lock before
/// it reads, so one that read and then writes never finds its snapshot stale; a writer that
/// waited past the timeout fails as `DatabaseTrouble.busy` (503), never as a 500.
@Suite("Write transactions")
struct WriteTransactionTests {
  /// Twenty transactions at once on two connections, each reading the highest number and
  /// writing the next: every one commits, and no number is taken twice.
  @Test func readThenWriteTransactionsAtOnceAllCommitInTurn() async throws {
    try await withMigratedDatabase(on: IsolatedDatabase.sqliteFile()) { migrated in
      try await migrated.sql.raw("CREATE TABLE turns (number INTEGER NOT NULL)").run()
      let connections = Self.connections(migrated)
      #expect(connections.count >= 2)
      try await withThrowingTaskGroup(of: Void.self) { group in
        for turn in 0..<20 {
          let database = connections[turn % connections.count]
          group.addTask {
            try await database.writeTransaction { transaction in
              let sql = transaction as! any SQLDatabase
              let highest = try await sql.raw("SELECT COALESCE(MAX(number), 0) AS n FROM turns").first()?.decode(
                column: "n", as: Int.self) ?? 0
              try await Task.sleep(for: .milliseconds(2))
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

  @Test func aWriterThatWaitedTooLongIsBusyNotBroken() async throws {
    try await withMigratedDatabase(on: IsolatedDatabase.sqliteFile()) { migrated in
      let connections = Self.connections(migrated)
      let (holder, waiter) = (connections[0], connections[1] as! any SQLDatabase)
      async let held: Void = holder.writeTransaction { _ in try await Task.sleep(for: .milliseconds(600)) }
      try await Task.sleep(for: .milliseconds(150))
      try await waiter.raw("PRAGMA busy_timeout = 50").run()
      let error = await #expect(throws: (any Error).self) {
        try await waiter.raw("DELETE FROM write_gate WHERE 0 = 1").run()
      }
      #expect(error.flatMap(DatabaseTrouble.init) == .busy, "\(String(describing: error))")
      try await held
      // Once the lock is free, the same connection writes again.
      try await (waiter as! any Database).writeTransaction { _ in }
    }
  }

  /// The default connection and those on the other event loops (one SQLite connection each).
  static func connections(_ migrated: MigratedDatabase) -> [any Database] {
    [migrated.database] + migrated.databases.others(than: migrated.database)
  }
}
