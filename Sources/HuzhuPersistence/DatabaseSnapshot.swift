import FluentKit
import FluentSQLiteDriver
import Foundation
import HuzhuCore
import SQLKit

/// What a backup records about the data it holds, read from one consistent snapshot, and what
/// a restore checks again: every table's row count, the fund ledger's total per scheme, the
/// scans the claims refer to, and the last migration applied.
public struct DatabaseInventory: Codable, Sendable, Equatable {
  public var lastMigration: String?
  public var tables: [String: Int]
  /// The fund ledger's sum per scheme, in fen: the figure finance would look at first.
  public var fundTotals: [String: Int64]
  /// The SHA-256 of every scan a claim refers to.
  public var documents: Set<String>

  public init(lastMigration: String?, tables: [String: Int], fundTotals: [String: Int64], documents: Set<String>) {
    self.lastMigration = lastMigration
    self.tables = tables
    self.fundTotals = fundTotals
    self.documents = documents
  }

  /// Reads the inventory through `sql` (inside one transaction or snapshot for consistency).
  public static func read(_ sql: any SQLDatabase) async throws -> DatabaseInventory {
    let names: [String]
    if sql.dialect.name == "sqlite" {
      names = try await sql.raw(
        "SELECT name AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
      ).all().map { try $0.decode(column: "n", as: String.self) }
    } else {
      names = try await sql.raw(
        """
        SELECT table_name AS n FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
        """
      ).all().map { try $0.decode(column: "n", as: String.self) }
    }
    var tables: [String: Int] = [:]
    for name in names {
      tables[name] =
        try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: name)").first()?.decode(
          column: "n", as: Int.self) ?? 0
    }
    var totals: [String: Int64] = [:]
    if tables["fund_entries"] != nil {
      for row in try await sql.raw(
        "SELECT scheme_code AS s, CAST(SUM(amount) AS BIGINT) AS t FROM fund_entries GROUP BY scheme_code"
      ).all() {
        totals[try row.decode(column: "s", as: String.self)] = try row.decode(column: "t", as: Int64.self)
      }
    }
    var documents: Set<String> = []
    if tables["claim_documents"] != nil {
      for row in try await sql.raw("SELECT DISTINCT sha256 AS h FROM claim_documents").all() {
        documents.insert(try row.decode(column: "h", as: String.self))
      }
    }
    var lastMigration: String?
    if tables["_fluent_migrations"] != nil {
      lastMigration = try await sql.raw(
        "SELECT MAX(name) AS n FROM _fluent_migrations WHERE name LIKE 'M%'"
      ).first()?.decode(column: "n", as: String.self)
    }
    return DatabaseInventory(lastMigration: lastMigration, tables: tables, fundTotals: totals, documents: documents)
  }

  /// How `other` (what a restore finds) differs from this (what the backup recorded), one
  /// line per difference; empty when they agree.
  public func differences(from other: DatabaseInventory) -> [String] {
    var lines: [String] = []
    for table in Set(tables.keys).union(other.tables.keys).sorted() where tables[table] != other.tables[table] {
      lines.append(
        "\(table): \(tables[table].map(String.init) ?? "absent") → \(other.tables[table].map(String.init) ?? "absent")")
    }
    for scheme in Set(fundTotals.keys).union(other.fundTotals.keys).sorted()
    where fundTotals[scheme] != other.fundTotals[scheme] {
      lines.append("fund \(scheme): \(fundTotals[scheme] ?? 0) → \(other.fundTotals[scheme] ?? 0) fen")
    }
    return lines
  }
}

/// Consistent copies of a live database.
public enum DatabaseSnapshot {
  /// Writes a consistent copy of the SQLite database behind `database` to `path` (which must
  /// not exist) while others go on writing: `VACUUM INTO` reads one snapshot, as any reader does
  /// under WAL, and the copy comes out compact.
  public static func copySQLite(_ database: any Database, to path: String) async throws {
    guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else {
      throw SnapshotError.notSQLite
    }
    try await sql.raw("VACUUM INTO \(bind: path)").run()
  }

  /// The inventory of the SQLite file at `path`, opened on its own connection (read only).
  public static func inventory(ofSQLiteFile path: String) async throws -> DatabaseInventory {
    let connection = try await SQLiteConnection.open(storage: .file(path: path))
    do {
      let inventory = try await DatabaseInventory.read(connection.sql())
      try await connection.close()
      return inventory
    } catch {
      try? await connection.close()
      throw error
    }
  }

  /// Runs `body` inside a PostgreSQL transaction whose snapshot is exported: `body` gets the
  /// inventory read in that snapshot and the snapshot's name, which `pg_dump --snapshot` takes
  /// to dump exactly the same data while writers go on.
  public static func withPostgresSnapshot<T: Sendable>(
    _ database: any Database, _ body: @escaping @Sendable (DatabaseInventory, String) async throws -> T
  ) async throws -> T {
    try await database.transaction { transaction in
      guard let sql = transaction as? any SQLDatabase, sql.dialect.name == "postgresql" else {
        throw SnapshotError.notPostgres
      }
      try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
      guard
        let name = try await sql.raw("SELECT pg_export_snapshot() AS s").first()?.decode(column: "s", as: String.self)
      else { throw SnapshotError.notPostgres }
      let inventory = try await DatabaseInventory.read(sql)
      return try await body(inventory, name)
    }
  }

  /// The inventory of `database` as it is now.
  public static func inventory(of database: any Database) async throws -> DatabaseInventory {
    guard let sql = database as? any SQLDatabase else { throw SnapshotError.notSQLite }
    return try await DatabaseInventory.read(sql)
  }

  /// Whether the database holds any table of Huzhu's (a restore goes only into an empty one).
  public static func isEmpty(_ database: any Database) async throws -> Bool {
    guard let sql = database as? any SQLDatabase else { return true }
    return try await DatabaseInventory.read(sql).tables.isEmpty
  }

  public enum SnapshotError: Error {
    case notSQLite, notPostgres
  }
}
