import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// The databases persistence tests run on: SQLite always, PostgreSQL when `DATABASE_URL`
/// names a server. Tests take these as arguments, so each case's name says which database
/// it ran on.
public enum TestDatabaseKind: String, CaseIterable, Sendable {
  case sqlite
  case postgresql

  public static var available: [TestDatabaseKind] {
    postgresURL == nil ? [.sqlite] : [.sqlite, .postgresql]
  }

  /// `DATABASE_URL` when it is a PostgreSQL URL (CI sets it; `scripts/test-postgres` too).
  public static var postgresURL: String? {
    let url = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    return url.hasPrefix("postgres") ? url : nil
  }
}

/// A database of its own for one test: a private in-memory SQLite database, or a private
/// schema on the PostgreSQL server. Starts empty; dropped at the end.
public struct IsolatedDatabase: Sendable {
  public let kind: TestDatabaseKind
  public let target: DatabaseTarget
  /// The PostgreSQL schema the database lives in (nil for SQLite).
  public let schema: String?
  /// A database of its own (``postgresDatabase(searching:)``), dropped whole.
  private var database: String? = nil

  public static func create(_ kind: TestDatabaseKind) async throws -> IsolatedDatabase {
    let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    switch kind {
    case .sqlite:
      return IsolatedDatabase(kind: kind, target: .sqliteMemory(identifier: "test-\(suffix)"), schema: nil)
    case .postgresql:
      guard let url = TestDatabaseKind.postgresURL, case .success(var location) = PostgresLocation.parse(url) else {
        fatalError("PostgreSQL tests need DATABASE_URL=postgres://user@host:port/database")
      }
      let schema = "t_\(suffix)"
      try await withAdministrativeConnection(location) { sql in
        try await sql.raw("CREATE SCHEMA \(unsafeRaw: schema)").run()
      }
      location.searchPath = [schema]
      return IsolatedDatabase(kind: kind, target: .postgres(location), schema: schema)
    }
  }

  /// An SQLite file in WAL mode, as `huzhu serve` uses by default: for tests of what the
  /// in-memory database does differently (several connections writing at once).
  public static func sqliteFile() -> IsolatedDatabase {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-\(UUID().uuidString).sqlite").path
    return IsolatedDatabase(kind: .sqlite, target: .sqliteFile(path: path), schema: nil)
  }

  /// A new PostgreSQL database of its own on the test server (for what needs a whole
  /// database: a restore recreates the schemas a backup holds), searching `schema`. Dropped
  /// with ``drop()``.
  public static func postgresDatabase(searching schema: String) async throws -> IsolatedDatabase {
    guard let url = TestDatabaseKind.postgresURL, case .success(let server) = PostgresLocation.parse(url),
      var components = URLComponents(string: url)
    else { fatalError("PostgreSQL tests need DATABASE_URL=postgres://user@host:port/database") }
    let name = "huzhu_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    try await withAdministrativeConnection(server) { sql in
      try await sql.raw("CREATE DATABASE \(unsafeRaw: name)").run()
    }
    components.path = "/" + name
    guard case .success(var location) = PostgresLocation.parse(components.string ?? "") else {
      fatalError("cannot name the new database in \(url)")
    }
    location.searchPath = [schema]
    return IsolatedDatabase(kind: .postgresql, target: .postgres(location), schema: nil, database: name)
  }

  /// Drops the schema (PostgreSQL), or removes the file SQLiteKit backs an "in-memory"
  /// database with on Linux (it names it by process and identifier and never deletes it:
  /// a full run otherwise leaves hundreds of them in the temporary directory).
  public func drop() async throws {
    if case .sqliteFile(let path) = target {
      for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    if case .sqliteMemory(let identifier) = target {
      let name = "sqlite-kit_memorydb-\(ProcessInfo.processInfo.processIdentifier)-\(identifier).sqlite3"
      let file = FileManager.default.temporaryDirectory.appendingPathComponent(name)
      for suffix in ["", "-wal", "-shm", "-journal"] {
        try? FileManager.default.removeItem(atPath: file.path + suffix)
      }
    }
    if let database, let url = TestDatabaseKind.postgresURL, case .success(let server) = PostgresLocation.parse(url) {
      try await Self.withAdministrativeConnection(server) { sql in
        try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: database) WITH (FORCE)").run()
      }
      return
    }
    guard let schema, case .postgres(var location) = target else { return }
    location.searchPath = nil
    try await Self.withAdministrativeConnection(location) { sql in
      try await sql.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE").run()
    }
  }

  private static func withAdministrativeConnection(
    _ location: PostgresLocation, _ body: (any SQLDatabase) async throws -> Void
  ) async throws {
    let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
    try HuzhuDatabase.use(.postgres(location), on: databases, sqlLogLevel: .trace)
    do {
      let database = databases.database(logger: TestLogging.logger, on: MultiThreadedEventLoopGroup.singleton.any())!
      try await body(database as! any SQLDatabase)
    } catch {
      await databases.shutdownAsync()
      throw error
    }
    await databases.shutdownAsync()
  }
}

/// A migrated, isolated database with its Fluent handle, for store-level tests.
public struct MigratedDatabase: Sendable {
  public let isolated: IsolatedDatabase
  public let databases: Databases
  public let database: any Database

  public var kind: TestDatabaseKind { isolated.kind }
  public var sql: any SQLDatabase { database as! any SQLDatabase }
}

/// Runs `body` against a freshly migrated database of `kind`, and always cleans up.
public func withMigratedDatabase(
  _ kind: TestDatabaseKind, _ body: (MigratedDatabase) async throws -> Void
) async throws {
  try await withMigratedDatabase(on: try await IsolatedDatabase.create(kind), body)
}

/// Runs `body` against `isolated`, freshly migrated, and always cleans up.
public func withMigratedDatabase(
  on isolated: IsolatedDatabase, _ body: (MigratedDatabase) async throws -> Void
) async throws {
  let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
  var failure: (any Error)?
  do {
    try HuzhuDatabase.use(isolated.target, on: databases, sqlLogLevel: .trace)
    let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
    let database = databases.database(logger: TestLogging.logger, on: eventLoop)!
    try await HuzhuDatabase.prepare(database, target: isolated.target)
    try await HuzhuDatabase.migrate(databases, logger: TestLogging.logger, on: eventLoop)
    try await body(MigratedDatabase(isolated: isolated, databases: databases, database: database))
  } catch {
    failure = error
  }
  await databases.shutdownAsync()
  try await isolated.drop()
  if let failure { throw failure }
}

public enum TestLogging {
  /// Quiet unless a test fails loudly: migrations log at info.
  public static let logger: Logger = {
    var logger = Logger(label: "huzhu.tests")
    logger.logLevel = .warning
    return logger
  }()
}

/// A hasher that costs nothing, for tests that create accounts but do not test bcrypt.
public struct PlainTestHasher: PasswordHasher {
  public init() {}
  public func hash(_ password: String) throws -> String { "plain:" + password }
  public func verify(_ password: String, against hash: String) throws -> Bool { hash == "plain:" + password }
}

/// A hasher that always fails, to prove that a failure part-way writes nothing.
public struct FailingHasher: PasswordHasher {
  public struct Failure: Error {}
  public init() {}
  public func hash(_ password: String) throws -> String { throw Failure() }
  public func verify(_ password: String, against hash: String) throws -> Bool { false }
}
