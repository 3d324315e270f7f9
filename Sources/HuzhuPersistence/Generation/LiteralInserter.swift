import FluentKit
import FluentPostgresDriver
import Foundation
import HuzhuCore
import NIOCore
import SQLKit

/// Rows written in bulk for generated data sets of millions of rows, where binding every value
/// costs more than the database's own work: on SQLite, multi-row INSERTs with the values
/// written into the statement as literals; on PostgreSQL, `COPY … FROM STDIN` in its text
/// format (parsing and planning literal INSERTs kept PostgreSQL's backend busy for three
/// minutes over a province's enrollments). Only for values the program made (numbers, dates,
/// codes, generated names): text is quoted or escaped, and nothing a user typed ever goes
/// through here.
///
/// Pipelined: ``insert(into:columns:rows:)`` queues its statements for the database and
/// returns while they run, so that the caller makes the next rows and statements on one core
/// while the database executes these on the other (on this 2-core machine the load was
/// otherwise one core busy at a time). The statements run one at a time, in order; at most
/// a hundred wait, which bounds the memory. A failure surfaces at a later statement
/// or at ``finish()``, which the caller awaits before anything else uses the connection and
/// before it commits.
final class LiteralInserter {
  enum Value {
    case uuid(UUID)
    case text(String)
    case int(Int64)
    case bool(Bool)
    case timestamp(Date)
    case null
    /// A blob (SQLite) or `bytea` (PostgreSQL).
    case bytes([UInt8])
    /// A value already written as a literal (by ``literal(_:)``), for a column that repeats
    /// one value over millions of rows.
    case written(String)
  }

  let sql: any SQLDatabase
  let isPostgres: Bool
  /// Rows per statement: large enough that statements are few, small enough for memory (a
  /// COPY's rows cost the server no parsing, so it takes more at once).
  var rowsPerStatement: Int { isPostgres ? 5_000 : 1_000 }
  /// The statements waiting, at most 100 (``StatementQueue``).
  private let queue = StatementQueue(limit: 100)

  init(database: any Database) {
    sql = database.sqlDatabase
    isPostgres = sql.dialect.name == "postgresql"
  }

  /// How Fluent stores each value, so that the models read these rows back: UUIDs as text on
  /// SQLite and as `uuid` on PostgreSQL, instants as Unix seconds or `timestamptz`, booleans as
  /// integers or booleans. On PostgreSQL, as a COPY field.
  func literal(_ value: Value) -> String {
    var text = ""
    write(value, into: &text)
    return text
  }

  /// Appends the literal (or COPY field) to `statement` without building it apart (millions
  /// of values).
  func write(_ value: Value, into statement: inout String) {
    if isPostgres {
      Self.writeField(value, into: &statement)
      return
    }
    switch value {
    case .uuid(let id):
      statement += "'"
      statement += Self.text(of: id)
      statement += "'"
    case .text(let text):
      statement += "'"
      statement += text.utf8.contains(UInt8(ascii: "'")) ? text.replacingOccurrences(of: "'", with: "''") : text
      statement += "'"
    case .int(let number): statement += String(number)
    case .bool(let flag): statement += isPostgres ? (flag ? "TRUE" : "FALSE") : (flag ? "1" : "0")
    case .timestamp(let date):
      statement += isPostgres ? "to_timestamp(\(date.timeIntervalSince1970))" : String(date.timeIntervalSince1970)
    case .null: statement += "NULL"
    case .bytes(let bytes):
      // Hexadecimal in both: X'…' on SQLite, '\x…' (standard-conforming strings) on PostgreSQL.
      statement += isPostgres ? "'\\x" : "X'"
      statement += Self.hex(bytes)
      statement += "'"
    case .written(let text): statement += text
    }
  }

  /// `id.uuidString` (upper-case, with hyphens) without Foundation's formatting through
  /// `sprintf`, which was a tenth of the generator's own time over tens of millions of IDs.
  static func text(of id: UUID) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    return withUnsafeBytes(of: id.uuid) { bytes in
      String(unsafeUninitializedCapacity: 36) { text in
        var position = 0
        for (index, byte) in bytes.enumerated() {
          if index == 4 || index == 6 || index == 8 || index == 10 {
            text[position] = UInt8(ascii: "-")
            position += 1
          }
          text[position] = digits[Int(byte >> 4)]
          text[position + 1] = digits[Int(byte & 0x0F)]
          position += 2
        }
        return position
      }
    }
  }

  static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(unsafeUninitializedCapacity: bytes.count * 2) { text in
      for (index, byte) in bytes.enumerated() {
        text[index * 2] = digits[Int(byte >> 4)]
        text[index * 2 + 1] = digits[Int(byte & 0x0F)]
      }
      return bytes.count * 2
    }
  }

  /// A value as a field of COPY's text format: `\N` for NULL, backslash escapes for the
  /// characters that separate fields and rows.
  static func writeField(_ value: Value, into data: inout String) {
    switch value {
    case .uuid(let id): data += text(of: id)
    case .text(let text):
      if text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 9 || $0 == 10 || $0 == 13 }) {
        for character in text.unicodeScalars {
          switch character {
          case "\\": data += "\\\\"
          case "\t": data += "\\t"
          case "\n": data += "\\n"
          case "\r": data += "\\r"
          default: data.unicodeScalars.append(character)
          }
        }
      } else {
        data += text
      }
    case .int(let number): data += String(number)
    case .bool(let flag): data += flag ? "t" : "f"
    case .timestamp(let date): data += timestamp(date)
    case .null: data += "\\N"
    // bytea's hex form, its backslash escaped for COPY.
    case .bytes(let bytes): data += "\\\\x" + hex(bytes)
    case .written(let text): data += text
    }
  }

  /// An instant as `timestamptz` input in UTC, to the microsecond (as `to_timestamp` kept it).
  static func timestamp(_ date: Date) -> String {
    let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    let perDay: Int64 = 86_400_000_000
    let days = microseconds >= 0 ? microseconds / perDay : (microseconds - perDay + 1) / perDay
    let within = microseconds - days * perDay
    let day = CalendarDate(year: 1970, month: 1, day: 1)!.adding(days: Int(days))
    let seconds = within / 1_000_000
    func two(_ number: Int64) -> String { number < 10 ? "0\(number)" : String(number) }
    let fraction = String(within % 1_000_000)
    return "\(day) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))."
      + String(repeating: "0", count: 6 - fraction.count) + fraction + "+00"
  }

  /// Writes `rows` (each in `columns` order) into `table`.
  func insert(into table: String, columns: [String], rows: [[Value]]) async throws {
    if isPostgres {
      for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
        var data = ""
        data.reserveCapacity(200 * rowsPerStatement)
        for row in rows[start..<min(start + rowsPerStatement, rows.count)] {
          for (column, value) in row.enumerated() {
            if column > 0 { data += "\t" }
            Self.writeField(value, into: &data)
          }
          data += "\n"
        }
        try await copy(into: table, columns: columns, data)
      }
      return
    }
    let head = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
    for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
      var statement = head
      statement.reserveCapacity(head.count + 200 * rowsPerStatement)
      for (index, row) in rows[start..<min(start + rowsPerStatement, rows.count)].enumerated() {
        statement += index > 0 ? ", (" : "("
        for (column, value) in row.enumerated() {
          if column > 0 { statement += ", " }
          write(value, into: &statement)
        }
        statement += ")"
      }
      try await run(statement)
    }
  }

  /// Queues `statement` to run after the ones queued before it.
  private func run(_ statement: String) async throws {
    let sql = self.sql
    try await queue.enqueue { try await sql.raw(SQLQueryString(stringLiteral: statement)).run() }
  }

  /// Queues a COPY of `data` (COPY's text format) into `table`, like ``run(_:)``.
  private func copy(into table: String, columns: [String], _ data: String) async throws {
    try await BulkRows.copy(ByteBuffer(string: data), into: table, columns: columns, on: sql, queue: queue)
  }

  /// Waits for every queued statement, and throws the first failure.
  func finish() async throws {
    try await queue.finish()
  }

  /// A secondary index, as its database would create it again.
  struct DeferredIndex {
    let name: String
    let definition: String
  }

  /// Drops the plain secondary indexes of `tables` (not primary keys, not the indexes behind
  /// unique constraints, which guard the data) for a bulk load, and returns them to be
  /// created again afterwards in one pass each (``recreate(_:)``), which is several times
  /// faster than keeping them up to date row by row under random keys.
  func dropSecondaryIndexes(of tables: [String]) async throws -> [DeferredIndex] {
    struct Row: Decodable {
      let name: String
      let definition: String
    }
    let query: SQLQueryString
    if isPostgres {
      query = """
        SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename IN (\(binds: tables))
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.indexname
        """
    } else {
      query = """
        SELECT name, sql AS definition FROM sqlite_master
        WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(binds: tables))
        ORDER BY name
        """
    }
    let rows = try await sql.raw(
      query
    ).all(decoding: Row.self)
    for row in rows { try await sql.raw("DROP INDEX \(ident: row.name)").run() }
    return rows.map { DeferredIndex(name: $0.name, definition: $0.definition) }
  }

  func recreate(_ indexes: [DeferredIndex]) async throws {
    try await finish()
    for index in indexes { try await sql.raw(SQLQueryString(stringLiteral: index.definition)).run() }
  }
}
