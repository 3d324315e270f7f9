import FluentKit
import Foundation
import SQLKit

/// Multi-row INSERTs with the values written into the statement as literals, for generated
/// data sets of millions of rows: binding every value costs more than the database's own work
/// at that size. Only for values the program made (numbers, dates, codes, generated names):
/// text is quoted with its quotes doubled, and nothing a user typed ever goes through here.
struct LiteralInserter {
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
  /// Rows per statement: large enough that statements are few, small enough for memory.
  var rowsPerStatement = 1_000

  init(database: any Database) {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    self.sql = sql
    isPostgres = sql.dialect.name == "postgresql"
  }

  /// How Fluent stores each value, so that the models read these rows back: UUIDs as text on
  /// SQLite and as `uuid` on PostgreSQL, instants as Unix seconds or `timestamptz`, booleans as
  /// integers or booleans.
  func literal(_ value: Value) -> String {
    var text = ""
    write(value, into: &text)
    return text
  }

  /// Appends the literal to `statement` without building it apart (millions of values).
  func write(_ value: Value, into statement: inout String) {
    switch value {
    case .uuid(let id):
      statement += "'"
      statement += id.uuidString
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

  /// Writes `rows` (each in `columns` order) into `table`.
  func insert(into table: String, columns: [String], rows: [[Value]]) async throws {
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
      try await sql.raw(SQLQueryString(stringLiteral: statement)).run()
    }
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
    for index in indexes { try await sql.raw(SQLQueryString(stringLiteral: index.definition)).run() }
  }
}
