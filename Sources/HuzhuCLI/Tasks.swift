import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import HuzhuWeb
import NIOConcurrencyHelpers
import Vapor

/// What the commands do, as functions of a resolved configuration.
public enum Tasks {
  /// The explanation of `casePath` under `schemePath`, as a table or as JSON.
  public static func calculate(schemePath: String, casePath: String, json: Bool, language: DisplayLanguage) throws
    -> String
  {
    let scheme = try SchemeFile.load(schemePath)
    let claim = try ClaimCaseFile.load(casePath)
    let report = ExplanationReport(try Adjudicator.adjudicate(claim, under: scheme), scheme: scheme)
    guard json else { return report.table(in: language) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(report.document), as: UTF8.self)
  }

  /// Serves until SIGINT/SIGTERM. Vapor's own serve command runs the server: it owns
  /// signal handling and graceful shutdown; host and port come from the configuration.
  ///
  /// The server listens at once and prepares the data beside it (migrations, the demo data:
  /// a minute the first time); until then it answers 503 "starting" (`StartingMiddleware`) and
  /// `/readyz` says so. Preparation that fails stops the server, and the command fails with it.
  public static func serve(_ configuration: AppConfiguration) async throws {
    try configuration.prepareDataDirectory()
    try await withApplication(configuration, arguments: ["huzhu", "serve"]) { app in
      for line in configuration.startupSummary { app.logger.notice("\(line)") }
      let failure = NIOLockedValueBox<(any Error)?>(nil)
      let preparation = Task {
        do {
          if let administrator = try await bootstrap(app) {
            print(AdministratorBanner.text(administrator))
          }
          if try await Installation(app.services()).isEmpty() {
            app.logger.warning(
              "尚无组织和账号，请先运行 huzhu init / no organisations or accounts yet: run huzhu init first")
          }
          app.logger.notice(
            "huzhu ready",
            metadata: [
              "url": .string("http://\(configuration.hostname):\(configuration.port)"),
              "database": .string(configuration.database.description),
            ])
          try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await keepHouse(app) }
            group.addTask { await sendMessages(app) }
            try await group.waitForAll()
          }
        } catch {
          failure.withLockedValue { $0 = error }
          // The serve command may not have started the server yet: wait for it to, then stop it.
          while app.running == nil, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
          app.running?.stop()
        }
      }
      try await app.execute()
      // Stopped while preparing: let a migration finish rather than cut it off at shutdown.
      preparation.cancel()
      await preparation.value
      if let error = failure.withLockedValue({ $0 }) { throw error }
    }
  }

  /// How often `serve` purges ended sessions and expired portal codes.
  static let housekeepingInterval = Duration.seconds(15 * 60)

  /// Housekeeping until the server stops: a round at once, then one every interval. A round
  /// that fails is logged and tried again next time.
  static func keepHouse(_ app: Application) async throws {
    while !Task.isCancelled {
      do {
        let report = try await app.keepHouse()
        if report != Upkeep.Report() {
          app.logger.info(
            "housekeeping",
            metadata: [
              "sessions": .stringConvertible(report.sessions), "portalCodes": .stringConvertible(report.portalCodes),
              "expiredMessages": .stringConvertible(report.expiredMessages),
            ])
        }
      } catch {
        app.logger.warning("housekeeping failed: \(String(reflecting: error))")
      }
      do {
        let reminded = try await app.remind()
        if reminded != Reminding.Report() {
          app.logger.info(
            "reminders queued",
            metadata: [
              "documents": .stringConvertible(reminded.documents), "renewals": .stringConvertible(reminded.renewals),
              "certificates": .stringConvertible(reminded.certificates),
            ])
        }
      } catch {
        app.logger.warning("reminders failed: \(String(reflecting: error))")
      }
      do {
        try await Task.sleep(for: housekeepingInterval)
      } catch {
        return
      }
    }
  }

  /// Drains the text-message outbox until the server stops (nothing without a gateway).
  static func sendMessages(_ app: Application) async {
    guard let dispatcher = app.messageDispatcher else { return }
    let logger = app.logger
    await dispatcher.run { result in
      switch result {
      case .success(let round):
        logger.info(
          "messages",
          metadata: [
            "sent": .stringConvertible(round.sent), "retrying": .stringConvertible(round.retrying),
            "gaveUp": .stringConvertible(round.gaveUp), "lost": .stringConvertible(round.lost),
          ])
      case .failure(let error):
        logger.warning("sending messages failed: \(String(reflecting: error))")
      }
    }
  }

  /// Applies pending migrations (or reverts them all); returns the line to print.
  public static func migrate(_ configuration: AppConfiguration, revertAll: Bool = false) async throws -> String {
    var configuration = configuration
    configuration.loadsDemoData = false
    try configuration.prepareDataDirectory()
    var message = ""
    try await withApplication(configuration) { app in
      try await HuzhuDatabase.prepare(app.db, target: configuration.database)
      let target = configuration.database
      message = try await HuzhuDatabase.withStartupLock(app.db) {
        if revertAll {
          try await HuzhuDatabase.revertAll(app.databases, logger: app.logger, on: app.eventLoopGroup.any())
          return "已回滚全部迁移 / all migrations reverted: \(target)"
        }
        try await HuzhuDatabase.migrate(app.databases, logger: app.logger, on: app.eventLoopGroup.any())
        return "数据库已是最新 / database is up to date: \(target)"
      }
    }
    return message
  }

  /// Migrates, then creates a federation and its three administrators; returns what to print
  /// (the one-time passwords, shown only here).
  public static func initialise(
    _ configuration: AppConfiguration, federation: Installation.Federation, usernamePrefix: String?,
    addingFederation: Bool
  ) async throws -> String {
    var report: Installation.Report?
    try await withMigratedApplication(configuration) { app in
      report = try await Installation(app.services()).initialise(
        federation, usernamePrefix: usernamePrefix, addingFederation: addingFederation)
    }
    guard let report else { return "" }
    let width = report.accounts.map(\.username.count).max() ?? 8
    let rows = report.accounts.map {
      "   " + $0.username.padding(toLength: width + 2, withPad: " ", startingAt: 0)
        + $0.password + "   " + $0.role.label.zh + " / " + $0.role.label.en
    }
    return """

      ================================================================
       已建立 created: \(report.federation.name) (\(report.federation.code))
       管理员账号及一次性密码 administrators and one-time passwords:
      \(rows.joined(separator: "\n"))
       密码只显示这一次，首次登录须改密码并绑定动态口令。
       Shown only once; at first sign-in each holder chooses a password and enrols an authenticator.
      ================================================================

      """
  }

  /// Migrates and loads the demo data set when the database is empty; returns what to print.
  public static func seedDemo(_ configuration: AppConfiguration) async throws -> String {
    var configuration = configuration
    configuration.loadsDemoData = true
    try configuration.prepareDataDirectory()
    var message = ""
    try await withApplication(configuration) { app in
      if let administrator = try await bootstrap(app) {
        message = AdministratorBanner.text(administrator)
      } else {
        message = "数据库中已有数据，未载入演示数据 / the database already has data; nothing loaded"
      }
    }
    return message
  }
}

/// Printed once, when the demo administrator is created: the password is stored only as a
/// bcrypt hash.
enum AdministratorBanner {
  static func text(_ administrator: DemoAdministrator) -> String {
    let width = administrator.accounts.map(\.username.count).max() ?? 8
    let rows = administrator.accounts.map { account in
      "   " + account.username.padding(toLength: width + 2, withPad: " ", startingAt: 0)
        + account.roles.sorted().map(\.label.zh).joined(separator: "、") + " · " + account.displayName
    }
    return """

      ================================================================
       演示数据已载入 / demo data loaded
       演示账号 demo accounts:
      \(rows.joined(separator: "\n"))
       所有演示账号的初始密码 password of every demo account:  \(administrator.password)
       密码只显示这一次，请妥善保存。 Shown only once: keep it safe.
      ================================================================

      """
  }
}

/// Creates a configured application, runs `body`, and always shuts it down.
func withApplication(
  _ configuration: AppConfiguration, arguments: [String] = ["huzhu"], _ body: (Application) async throws -> Void
) async throws {
  let app = try await Application.make(Environment(name: "production", arguments: arguments))
  do {
    try configure(app, configuration)
    try await body(app)
  } catch {
    try? await app.asyncShutdown()
    throw error
  }
  try await app.asyncShutdown()
}
