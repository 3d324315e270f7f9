import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import HuzhuCore
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// Which database Huzhu keeps its data in. The same migrations and stores serve both.
public enum DatabaseTarget: Sendable, Equatable, CustomStringConvertible {
  /// An embedded SQLite file (the default: `<data-dir>/huzhu.sqlite`, WAL mode).
  case sqliteFile(path: String)
  /// A private in-memory SQLite database, shared by the connections of one process.
  case sqliteMemory(identifier: String)
  case postgres(PostgresLocation)

  public var description: String {
    switch self {
    case .sqliteFile(let path): "SQLite \(path)"
    case .sqliteMemory(let identifier): "SQLite in memory (\(identifier))"
    case .postgres(let location): "PostgreSQL \(location.host):\(location.port)/\(location.database)"
    }
  }

  public var isPostgres: Bool {
    if case .postgres = self { return true }
    return false
  }
}

/// A PostgreSQL server as named by a `postgres://user[:password]@host[:port]/database` URL.
public struct PostgresLocation: Sendable, Equatable {
  public let url: String
  public let host: String
  public let port: Int
  public let database: String
  /// Schemas to search; tests give each case its own schema.
  public var searchPath: [String]?

  /// Nil when the text is not a usable PostgreSQL URL; `problem` says why.
  public static func parse(_ text: String) -> Result<PostgresLocation, PostgresURLProblem> {
    guard let components = URLComponents(string: text), let scheme = components.scheme,
      ["postgres", "postgresql"].contains(scheme.lowercased())
    else { return .failure(.notPostgresURL) }
    guard let host = components.host, !host.isEmpty else { return .failure(.missingHost) }
    let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    guard !database.isEmpty else { return .failure(.missingDatabase) }
    guard components.user?.isEmpty == false else { return .failure(.missingUser) }
    return .success(
      PostgresLocation(url: text, host: host, port: components.port ?? 5432, database: database, searchPath: nil))
  }
}

public enum PostgresURLProblem: Error, Equatable, Sendable {
  case notPostgresURL, missingHost, missingDatabase, missingUser

  public var explanation: String {
    switch self {
    case .notPostgresURL: "expected postgres://user@host:port/database"
    case .missingHost: "the URL names no host"
    case .missingDatabase: "the URL names no database (postgres://user@host:port/DATABASE)"
    case .missingUser: "the URL names no user (postgres://USER@host:port/database)"
    }
  }
}

/// The database could not be reached at start-up; says where it looked.
public struct DatabaseUnavailable: Error, CustomStringConvertible {
  public let target: DatabaseTarget
  public let reason: LocalizedText

  public var description: String {
    switch target {
    case .postgres(let location):
      "无法连接 PostgreSQL 数据库 \(location.host):\(location.port)（数据库 \(location.database)）：\(reason.zh)\n"
        + "cannot reach PostgreSQL at \(location.host):\(location.port) (database \(location.database)): \(reason.en)"
    default:
      "无法打开数据库 \(target)：\(reason.zh)\ncannot open \(target): \(reason.en)"
    }
  }
}

public enum HuzhuDatabase {
  static let sqlitePoolTimeout = TimeAmount.seconds(30)
  static let postgresConnectionsPerEventLoop = 4

  /// How many connections each event loop keeps to `target` (SQLite: one, which steps one
  /// statement at a time).
  public static func connectionsPerEventLoop(_ target: DatabaseTarget) -> Int {
    target.isPostgres ? postgresConnectionsPerEventLoop : 1
  }

  /// Registers `target` as the default database of `databases`.
  public static func use(_ target: DatabaseTarget, on databases: Databases, sqlLogLevel: Logger.Level = .debug) throws {
    switch target {
    // One connection per event loop; a request waits for it longer than a writer waits for the
    // write lock (``WriteTransaction``), so that a queue of writers is served, not refused.
    case .sqliteFile(let path):
      databases.use(
        .sqlite(.file(path), connectionPoolTimeout: sqlitePoolTimeout, sqlLogLevel: sqlLogLevel), as: .sqlite)
    case .sqliteMemory(let identifier):
      databases.use(
        .sqlite(
          .init(storage: .memory(identifier: identifier)), connectionPoolTimeout: sqlitePoolTimeout,
          sqlLogLevel: sqlLogLevel), as: .sqlite)
    case .postgres(let location):
      var configuration = try SQLPostgresConfiguration(url: location.url)
      configuration.searchPath = location.searchPath
      // A dead server should fail start-up within seconds, not hang on the default timeout.
      configuration.coreConfiguration.options.connectTimeout = .seconds(5)
      databases.use(
        .postgres(
          configuration: configuration, maxConnectionsPerEventLoop: postgresConnectionsPerEventLoop,
          sqlLogLevel: sqlLogLevel),
        as: .psql)
    }
  }

  /// Opens a connection and sets per-database options; throws ``DatabaseUnavailable`` with
  /// the host and port when the server cannot be reached.
  public static func prepare(_ database: any Database, target: DatabaseTarget) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    do {
      if case .sqliteFile = target {
        // WAL lets readers go on while one writer commits; the setting persists in the file.
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        // Planner statistics for tables that have changed a lot since they were last
        // analysed (SQLite's advice for long-lived connections; cheap when nothing has).
        try await sql.raw("PRAGMA optimize=0x10002").run()
      }
      try await sql.raw("SELECT 1").run()
    } catch {
      throw DatabaseUnavailable(target: target, reason: describe(error))
    }
  }

  /// The key of the start-up lock on PostgreSQL ("huzhuini" in ASCII).
  static let startupLockKey: Int64 = 0x6875_7a68_7569_6e69

  /// Runs `body` (migrations, the demo seeding) while holding PostgreSQL's session-level
  /// advisory lock on one connection: a second instance starting at the same moment waits,
  /// then finds the migrations applied and the demo data loaded. SQLite serves one instance
  /// and runs `body` as it is.
  public static func withStartupLock<T: Sendable>(
    _ database: any Database, _ body: @escaping @Sendable () async throws -> T
  ) async throws -> T {
    guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return try await body() }
    return try await database.withConnection { connection in
      let locked = connection as! any SQLDatabase
      try await locked.raw("SELECT pg_advisory_lock(\(bind: startupLockKey))").run()
      do {
        let result = try await body()
        try await locked.raw("SELECT pg_advisory_unlock(\(bind: startupLockKey))").run()
        return result
      } catch {
        try? await locked.raw("SELECT pg_advisory_unlock(\(bind: startupLockKey))").run()
        throw error
      }
    }
  }

  /// Applies every migration not yet applied, in order.
  public static func migrate(_ databases: Databases, logger: Logger, on eventLoop: any EventLoop) async throws {
    let migrations = Migrations()
    HuzhuMigrations.register(on: migrations)
    let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: eventLoop)
    try await migrator.setupIfNeeded().get()
    try await migrator.prepareBatch().get()
  }

  /// Reverts every migration: only for tests and `migrate --revert-all`, and only on a
  /// database that holds no organisation and no audit entry. Reverting drops the append-only
  /// audit log with everything else, which no command may do to records (MLPS); a database in
  /// use is restored from a backup instead. Refused before anything is dropped.
  public static func revertAll(_ databases: Databases, logger: Logger, on eventLoop: any EventLoop) async throws {
    if let database = databases.database(logger: logger, on: eventLoop) as? any SQLDatabase {
      var held: [String: Int] = [:]
      for table in ["organisations", "audit_events"] {
        // A table a partial migration never made holds nothing.
        let count = try? await database.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(
          column: "n", as: Int.self)
        if let count, count > 0 { held[table] = count }
      }
      guard held.isEmpty else { throw RevertRefused(held: held) }
    }
    let migrations = Migrations()
    HuzhuMigrations.register(on: migrations)
    let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: eventLoop)
    try await migrator.setupIfNeeded().get()
    try await migrator.revertAllBatches().get()
  }

  /// A short, human reason for a connection failure, without a stack of nested types.
  static func describe(_ error: any Error) -> LocalizedText {
    // PostgresNIO hides the cause from `description`; look through the whole error.
    var text = String(reflecting: error)
    if let psql = error as? PSQLError, let underlying = psql.underlying { text += String(reflecting: underlying) }
    let known: [(needle: String, reason: LocalizedText)] = [
      (
        "Connection refused",
        LocalizedText(
          zh: "连接被拒绝，服务器是否已启动并在此端口监听？", en: "connection refused: is the server running and listening there?")
      ),
      ("timed out", LocalizedText(zh: "连接超时", en: "connection timed out")),
      ("Timeout", LocalizedText(zh: "连接超时", en: "connection timed out")),
      ("Name or service not known", LocalizedText(zh: "主机名无法解析", en: "unknown host")),
      ("does not exist", LocalizedText(zh: "数据库或用户不存在", en: "the database or user does not exist")),
      ("authentication", LocalizedText(zh: "认证失败", en: "authentication failed")),
    ]
    if let match = known.first(where: { text.contains($0.needle) }) { return match.reason }
    if let psql = error as? PSQLError, let message = psql.serverInfo?[.message] {
      return LocalizedText(zh: message, en: message)
    }
    return LocalizedText(zh: String(describing: error), en: String(describing: error))
  }
}

extension Databases {
  /// The default database on each of the other event loops than `database`'s. On SQLite each
  /// is a connection of its own (one an event loop), and a connection steps one statement at
  /// a time, so a long read split into parts across them (the what-if's claims) uses every core.
  public func others(than database: any Database) -> [any Database] {
    eventLoopGroup.makeIterator().filter { $0 !== database.eventLoop }.compactMap { loop in
      self.database(logger: database.logger, on: loop)
    }
  }
}

/// A database error that is no fault of the request: the database is busy (an SQLite writer
/// waited past ``WriteTransaction/busyTimeout``, or every connection stayed taken) or
/// cannot be reached (PostgreSQL down). Answered 503 with `Retry-After`, never 500; nothing
/// was written, since the transaction rolled back.
public enum DatabaseTrouble: Sendable, Equatable {
  case busy
  case unreachable

  public init?(_ error: any Error) {
    switch error {
    case let sqlite as SQLiteError:
      switch sqlite.reason {
      case .busy, .locked, .busyTimeout, .busyInSnapshot, .busyInRecovery, .lockedBySharedCache: self = .busy
      default: return nil
      }
    case let psql as PSQLError:
      switch psql.code {
      case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection: self = .unreachable
      default: return nil
      }
    case is NIOConnectionError, is ChannelError: self = .unreachable
    default:
      // The connection pool's timeout (AsyncKit, not imported here): no connection came free.
      guard String(reflecting: type(of: error)).hasSuffix("ConnectionPoolTimeoutError") else { return nil }
      self = .busy
    }
  }
}

extension DatabaseTrouble {
  /// Whether `error` is the closed-period trigger's refusal (M023).
  static func isClosedPeriodRefusal(_ error: any Error) -> Bool {
    switch error {
    case let sqlite as SQLiteError: sqlite.message.contains("fund period closed")
    case let psql as PSQLError: psql.serverInfo?[.message] == "fund period closed"
    default: false
    }
  }
}

/// `migrate --revert-all` on a database that holds records.
public struct RevertRefused: Error, CustomStringConvertible, Equatable {
  /// Rows per table that made the refusal.
  public let held: [String: Int]

  public var description: String {
    let counts = held.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
    return "数据库中已有记录（\(counts)），拒绝回滚全部迁移：审计日志不可删除；请从备份恢复或使用新的数据库。\n"
      + "the database holds records (\(counts)); reverting every migration would drop the audit log, "
      + "which no command may do: restore a backup or use a new database instead. Nothing was changed."
  }
}
