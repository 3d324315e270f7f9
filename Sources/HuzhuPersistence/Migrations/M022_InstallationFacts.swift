import Fluent
import Foundation
import SQLKit

/// Facts about the installation itself, written once: today whether the database holds the
/// demonstration data set. The worker portal shows its one-time codes on screen only in such
/// a database, so an installation with real members that forgot `HUZHU_DEMO_DATA=false` never
/// does.
struct M022_InstallationFacts: AsyncMigration {
  var name: String { "M022_InstallationFacts" }

  func prepare(on database: any Database) async throws {
    try await database.schema(InstallationFacts.table)
      .field("fact", .string, .identifier(auto: false))
      .field("value", .string, .required)
      .field("recorded_at", .datetime, .required)
      .create()
    // A database the demo filled before this migration: its schemes were saved by "demo".
    guard let sql = database as? any SQLDatabase,
      try await sql.select().column("id").from("scheme_revisions").where("saved_by", .equal, "demo").limit(1).first()
        != nil
    else { return }
    try await InstallationFacts.recordDemoData(database, set: "standard")
  }

  func revert(on database: any Database) async throws {
    try await database.schema(InstallationFacts.table).delete()
  }
}

/// Reads and records ``M022_InstallationFacts``.
public enum InstallationFacts {
  static let table = "installation_facts"
  static let demoData = "demo_data"

  /// Whether the demo seeder filled this database.
  public static func holdsDemoData(_ database: any Database) async throws -> Bool {
    guard let sql = database as? any SQLDatabase else { return false }
    return try await sql.select().column("fact").from(table).where("fact", .equal, demoData).first() != nil
  }

  static func recordDemoData(_ database: any Database, set: String) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.insert(into: table).columns("fact", "value", "recorded_at")
      .values(SQLBind(demoData), SQLBind(set), SQLBind(Date())).run()
  }
}
