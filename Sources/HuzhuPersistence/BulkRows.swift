import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import SQLKit

/// Rows of one table that a request writes in bulk (a bureau's month of settlements and their
/// claims, with their papers, history and messages), for any values, typed by users or not.
///
/// On PostgreSQL they go in by `COPY … FROM STDIN` in its text format, where every character
/// of a value is data (escaped, never parsed as SQL). A 500-row INSERT binds 12,500 values
/// that the backend parses and plans one by one: it was the backend's whole work while the
/// client waited (25 s of a 100,000-record import). On SQLite, multi-row INSERTs with every
/// value bound as SQLite's own value: SQLKit's statement building, Codable binding and
/// dynamic casts were a fifth of the import's CPU.
///
/// The values are stored exactly as Fluent's drivers store them (UUIDs as upper-case text on
/// SQLite and `uuid` on PostgreSQL, instants as Unix seconds or `timestamptz`, booleans as
/// integers or booleans), so that models and SQLKit read these rows as their own
/// (`BulkRowsTests`). Each statement is logged at the driver's query level, as the drivers log
/// theirs.
struct BulkRows {
  typealias Value = LiteralInserter.Value

  let table: String
  let columns: [String]
  /// The values, row after row.
  private(set) var values: [Value] = []

  init(_ table: String, columns: [String], capacity: Int = 0) {
    self.table = table
    self.columns = columns
    values.reserveCapacity(capacity * columns.count)
  }

  var count: Int { values.count / columns.count }

  /// Empties the rows, keeping their storage, for the next statement's worth.
  mutating func removeAll() {
    values.removeAll(keepingCapacity: true)
  }

  /// Adds a row, its values in ``columns`` order.
  mutating func append(_ row: Value...) {
    append(row: row)
  }

  mutating func append(row: [Value]) {
    precondition(row.count == columns.count, "a row of \(table) needs \(columns.count) values")
    values += row
  }

  /// Rows per statement: SQLite binds at most 32,766 values a statement, and a statement of
  /// a few hundred rows keeps the queue moving; COPY takes more at once.
  func rowsPerStatement(postgres: Bool) -> Int {
    postgres ? 5_000 : max(1, min(500, 32_766 / columns.count))
  }

  /// Queues the statements that write these rows on `queue` (run in order, while the caller
  /// makes the next ones).
  func write(on sql: any SQLDatabase, queue: StatementQueue) async throws {
    guard count > 0 else { return }
    let postgres = sql.dialect.name == "postgresql"
    let perStatement = rowsPerStatement(postgres: postgres)
    let width = columns.count
    for start in stride(from: 0, to: count, by: perStatement) {
      let rows = start..<min(start + perStatement, count)
      let slice = values[rows.lowerBound * width..<rows.upperBound * width]
      if postgres {
        try await copy(slice, rows: rows.count, on: sql, queue: queue)
      } else {
        try await insert(slice, rows: rows.count, on: sql, queue: queue)
      }
    }
  }

  /// Writes the rows in a statement queue of their own, finished before this returns.
  func write(on sql: any SQLDatabase) async throws {
    try await StatementQueue.with { try await write(on: sql, queue: $0) }
  }

  private func log(_ sql: any SQLDatabase, _ verb: String, rows: Int) {
    guard let level = sql.queryLogLevel else { return }
    sql.logger.log(level: level, "\(verb) \(rows) rows into \(table)")
  }

  private func copy(_ slice: ArraySlice<Value>, rows: Int, on sql: any SQLDatabase, queue: StatementQueue)
    async throws
  {
    var data = ""
    data.reserveCapacity(rows * 256)
    for (index, value) in slice.enumerated() {
      if index > 0 { data += index % columns.count == 0 ? "\n" : "\t" }
      LiteralInserter.writeField(value, into: &data)
    }
    data += "\n"
    log(sql, "COPY", rows: rows)
    try await Self.copy(ByteBuffer(string: data), into: table, columns: columns, on: sql, queue: queue)
  }

  /// Queues a COPY of `data` (COPY's text format) into `table` on `queue`.
  static func copy(
    _ data: ByteBuffer, into table: String, columns: [String], on sql: any SQLDatabase, queue: StatementQueue
  ) async throws {
    guard let postgres = sql as? any PostgresDatabase else { preconditionFailure("COPY needs PostgreSQL") }
    let logger = sql.logger
    try await queue.enqueue {
      // The transaction's own connection: a Fluent database in a transaction hands out the
      // one it runs on.
      try await postgres.withConnection { connection in
        connection.eventLoop.makeFutureWithTask {
          try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            try await writer.write(data)
          }
        }
      }.get()
    }
  }

  private func insert(_ slice: ArraySlice<Value>, rows: Int, on sql: any SQLDatabase, queue: StatementQueue)
    async throws
  {
    guard let sqlite = sql as? any SQLiteDatabase else { preconditionFailure("expected SQLite") }
    let group = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
    var statement =
      "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES " + group
    statement.reserveCapacity(statement.utf8.count + (group.utf8.count + 1) * rows)
    for _ in 1..<rows { statement += "," + group }
    let binds = slice.map(Self.sqliteData)
    let logger = sqlite.logger
    log(sql, "INSERT", rows: rows)
    try await queue.enqueue { [statement] in
      try await sqlite.query(statement, binds, logger: logger) { _ in }.get()
    }
  }

  /// A value as SQLite stores what Fluent binds: see the type's comment.
  static func sqliteData(_ value: Value) -> SQLiteData {
    switch value {
    case .uuid(let id): .text(LiteralInserter.text(of: id))
    case .text(let text): .text(text)
    case .int(let number): .integer(Int(number))
    case .bool(let flag): .integer(flag ? 1 : 0)
    case .timestamp(let date): .float(date.timeIntervalSince1970)
    case .null: .null
    case .bytes(let bytes): .blob(ByteBuffer(bytes: bytes))
    case .written: preconditionFailure("written literals are for generated data only (LiteralInserter)")
    }
  }
}

extension LiteralInserter.Value {
  /// Optional values, NULL when absent.
  static func nullable(_ text: String?) -> Self { text.map { .text($0) } ?? .null }
  static func nullable(_ id: UUID?) -> Self { id.map { .uuid($0) } ?? .null }
  static func nullable(_ number: Int64?) -> Self { number.map { .int($0) } ?? .null }
  static func nullable(_ date: Date?) -> Self { date.map { .timestamp($0) } ?? .null }
}
