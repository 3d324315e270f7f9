import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuWeb
import Vapor

extension Tasks {
  /// Where `pg_dump` and `pg_restore` are when not on the PATH.
  static let postgresToolsSetting = "HUZHU_PG_TOOLS"

  /// Writes a backup of the configured database and documents to `output`; returns what to print.
  public static func backUp(_ configuration: AppConfiguration, to output: String) async throws -> String {
    var configuration = configuration
    configuration.loadsDemoData = false
    if case .sqliteFile(let path) = configuration.database, !FileManager.default.fileExists(atPath: path) {
      throw Backups.Failure.unreadable("\(path) does not exist: nothing to back up")
    }
    var report: Backups.Report?
    try await withApplication(configuration) { app in
      try await HuzhuDatabase.prepare(app.db, target: configuration.database)
      report = try await backups(app, configuration).backUp(
        to: output, secretsKeyFingerprint: configuration.secretsKeyFingerprint)
    }
    return "已备份 / backed up to \(output)\n" + (report?.text ?? "")
  }

  /// Restores `input` into the configured (empty) database and data directory.
  public static func restore(_ configuration: AppConfiguration, from input: String) async throws -> String {
    var configuration = configuration
    configuration.loadsDemoData = false
    try configuration.prepareDataDirectory()
    var report: Backups.Report?
    try await withApplication(configuration) { app in
      report = try await backups(app, configuration).restore(
        from: input, secretsKeyFingerprint: configuration.secretsKeyFingerprint)
    }
    guard let report else { return "" }
    var text = "已恢复 / restored from \(input)\n" + report.text
    if let expected = report.manifest.secretsKeyFingerprint, configuration.secretsKeyFingerprint == nil {
      text += """

        注意 note: the backup's secrets key has fingerprint \(expected). Put that installation's secrets.key in
        \(configuration.dataDirectory) (or set HUZHU_SECRETS_KEY) before serving; without it, enrolled
        authenticators cannot be checked and the security administrator must reset them.
        """
    }
    text += "\n启动 serve 时会完成数据库升级 / `huzhu serve` applies any newer migrations at start."
    return text
  }

  static func backups(_ app: Application, _ configuration: AppConfiguration) -> Backups {
    Backups(
      app.services(), target: configuration.database, documentsDirectory: configuration.documentsDirectory,
      postgresTools: CommandEnvironment.values[postgresToolsSetting])
  }
}
