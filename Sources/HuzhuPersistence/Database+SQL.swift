import FluentKit
import SQLKit

extension Database {
  /// The same database as SQLKit sees it, for queries Fluent's builder cannot express. Huzhu
  /// runs only on SQLite and PostgreSQL, whose Fluent drivers are both SQL databases.
  var sqlDatabase: any SQLDatabase {
    guard let sql = self as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    return sql
  }
}

/// Looking rows up by many keys at once (a month's file names 50,000 members).
///
/// SQLite takes an `IN` list of at most ``FluentClaimStore/bulkChunk`` keys a query. PostgreSQL
/// takes them all in one query, as one array bound to `= ANY`: with a thousand keys a query its
/// planner scanned the whole table once per thousand (a hashed `IN` list), which was most of
/// the server's work in reading a month's members and their cover.
enum KeyLookup {
  /// The keys in the pieces one query each takes on `sql`.
  static func pieces<Key>(_ keys: [Key], on sql: any SQLDatabase) -> [[Key]] {
    guard !keys.isEmpty else { return [] }
    return sql.dialect.name == "postgresql" ? [keys] : keys.chunks(of: FluentClaimStore.bulkChunk)
  }

  /// `column` is one of `keys` (one of ``pieces(_:on:)``).
  static func oneOf<Key: Encodable & Sendable>(_ column: any SQLExpression, _ keys: [Key], on sql: any SQLDatabase)
    -> any SQLExpression
  {
    sql.dialect.name == "postgresql"
      ? SQLBinaryExpression(column, .equal, SQLFunction("ANY", args: SQLBind(keys)))
      : SQLBinaryExpression(column, .in, SQLBind.group(keys))
  }
}
