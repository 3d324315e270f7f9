import FluentKit
import Foundation
import HuzhuTestSupport
import SQLKit
import Testing

@testable import HuzhuPersistence

/// `BulkRows` (COPY on PostgreSQL, SQLite's own values on SQLite) stores what SQLKit's bound
/// INSERT stores: the same types and the same values, read back alike, for any text.
@Suite("Bulk rows")
struct BulkRowsTests {
  static let kinds = TestDatabaseKind.available

  struct Row: Decodable, Equatable {
    let id: UUID
    let label: String?
    let amount: Int64?
    let flag: Bool
    let at: Date
  }

  /// Text a user might type into a settlement file: separators COPY must escape, quotes SQL
  /// would, backslashes both, and Chinese.
  static let hostile = [
    "王秀英", "a\tb\nc\r\nd", #"back\slash \N and \\."#, "O'Brien\"); DROP TABLE claims; --", "", " ",
  ]

  @Test(arguments: kinds)
  func bulkRowsAreStoredAsSQLKitStoresThem(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      for table in ["bound", "bulk"] {
        try await db.sql.create(table: table)
          .column("id", type: .custom(SQLRaw(kind == .postgresql ? "UUID" : "TEXT")), .primaryKey(autoIncrement: false))
          .column("label", type: .text).column("amount", type: .bigint)
          .column("flag", type: .custom(SQLRaw(kind == .postgresql ? "BOOLEAN" : "INTEGER")), .notNull)
          .column("at", type: .custom(SQLRaw(kind == .postgresql ? "TIMESTAMPTZ" : "REAL")), .notNull).run()
      }
      let at = Date(timeIntervalSince1970: 1_764_899_123.456789)
      var bulk = BulkRows("bulk", columns: ["id", "label", "amount", "flag", "at"])
      var expected: [Row] = []
      // More rows than one statement takes, so that several queue one after another.
      for index in 0..<(bulk.rowsPerStatement(postgres: kind == .postgresql) + 7) {
        let id = UUID.timeOrdered()
        let label = index % 9 == 8 ? nil : Self.hostile[index % Self.hostile.count]
        let amount: Int64? = index % 5 == 4 ? nil : Int64(index) * -1_000_003
        try await db.sql.insert(into: "bound").columns("id", "label", "amount", "flag", "at")
          .values(SQLBind(id), SQLBind(label), SQLBind(amount), SQLBind(index % 2 == 0), SQLBind(at)).run()
        bulk.append(.uuid(id), .nullable(label), .nullable(amount), .bool(index % 2 == 0), .timestamp(at))
        expected.append(Row(id: id, label: label, amount: amount, flag: index % 2 == 0, at: at))
      }
      try await db.database.transaction { [bulk] transaction in
        try await bulk.write(on: transaction as! any SQLDatabase)
      }
      func read(_ table: String) async throws -> [Row] {
        try await db.sql.select().columns("id", "label", "amount", "flag", "at").from(table).orderBy("id")
          .all(decoding: Row.self)
      }
      let bound = try await read("bound")
      #expect(try await read("bulk") == bound)
      // What was meant, row by row (read in the order of the IDs, which is the database's).
      let meant = Dictionary(uniqueKeysWithValues: expected.map { ($0.id, $0) })
      #expect(bound.count == expected.count)
      #expect(bound.allSatisfy { meant[$0.id] == $0 })
      if kind == .sqlite {
        // The storage classes too: an ID compared as text must find its row.
        let types =
          "SELECT typeof(id) || typeof(label) || typeof(amount) || typeof(flag) || typeof(at) AS t, "
          + "id, label, amount, flag, at FROM "
        let boundRows = try await db.sql.raw(SQLQueryString(types + "bound ORDER BY id")).all()
        let bulkRows = try await db.sql.raw(SQLQueryString(types + "bulk ORDER BY id")).all()
        #expect(
          try boundRows.map { try $0.decode(column: "t", as: String.self) }
            == bulkRows.map { try $0.decode(column: "t", as: String.self) })
        let first = expected[0].id
        let found = try await db.sql.select().column("id").from("bulk").where("id", .equal, first).all()
        #expect(found.count == 1)
      }
    }
  }

  @Test(arguments: kinds)
  func aFailingRowFailsTheWriteAndTheTransactionKeepsNothing(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      try await db.sql.create(table: "bulk")
        .column("id", type: .custom(SQLRaw(kind == .postgresql ? "UUID" : "TEXT")), .primaryKey(autoIncrement: false))
        .column("label", type: .text, .notNull).run()
      // The clash is in the second statement: the first one's rows go with it.
      var rows = BulkRows("bulk", columns: ["id", "label"])
      for index in 0..<rows.rowsPerStatement(postgres: kind == .postgresql) {
        rows.append(.uuid(UUID.timeOrdered()), .text("row \(index)"))
      }
      let id = UUID.timeOrdered()
      rows.append(.uuid(id), .text("second"))
      rows.append(.uuid(id), .text("the same ID again"))
      await #expect(throws: (any Error).self) {
        try await db.database.transaction { [rows] transaction in
          try await rows.write(on: transaction as! any SQLDatabase)
        }
      }
      #expect(try await db.sql.select().column("id").from("bulk").all().isEmpty)
    }
  }
}
