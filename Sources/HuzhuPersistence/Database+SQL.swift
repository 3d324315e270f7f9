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
