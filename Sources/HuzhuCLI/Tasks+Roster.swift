import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import HuzhuWeb
import Vapor

extension Tasks {
  public struct RosterReport: Sendable {
    public let text: String
    /// False when the roster had errors (nothing was written).
    public let succeeded: Bool
    public let result: RosterImportResult?
  }

  /// Reads, checks and (unless `dryRun`) commits a roster for `unit` (credit code or id).
  public static func importRoster(
    _ configuration: AppConfiguration, file: String, unit unitReference: String, dryRun: Bool,
    today: CalendarDate = .today(), progress: @Sendable (String) -> Void = { _ in }
  ) async throws -> RosterReport {
    var configuration = configuration
    configuration.loadsDemoData = false
    try configuration.prepareDataDirectory()
    progress("读取 / reading \(file)…")
    let sheet = try SheetReader.read(contentsOf: URL(fileURLWithPath: file))
    var report: RosterReport?
    try await withApplication(configuration) { app in
      try await HuzhuDatabase.prepare(app.db, target: configuration.database)
      try await HuzhuDatabase.migrate(app.databases, logger: app.logger, on: app.eventLoopGroup.any())
      let imports = RosterImports(
        app.services(clock: .fixed(today)),
        actor: .system("命令行 / command line"))
      guard let unit = try await imports.unit(reference: unitReference) else {
        report = RosterReport(
          text: "找不到单位“\(unitReference)”（请用统一社会信用代码或单位编号）/ no unit \"\(unitReference)\" (use its credit code or id)",
          succeeded: false, result: nil)
        return
      }
      progress("检查 / checking \(sheet.rows.count) 行 rows…")
      let review = try await imports.review(sheet, into: unit)
      let preview = review.preview
      var lines = [
        "单位 / unit: \(unit.name)",
        "读取 \(preview.rows.count) 名职工，错误 \(preview.errorCount) 处，提示 \(preview.warningCount) 处 / "
          + "\(preview.rows.count) workers, \(preview.errorCount) errors, \(preview.warningCount) warnings",
      ]
      for error in preview.allErrors { lines.append("  错误 error: \(error.message.zh) / \(error.message.en)") }
      for warning in preview.rows.flatMap(\.warnings) {
        lines.append("  提示 warning: 第\(warning.row ?? 0)行 \(warning.message.zh) / \(warning.message.en)")
      }
      guard preview.canCommit else {
        lines.append("未写入任何数据，请修改后重新导入 / nothing was written: fix the file and import it again")
        report = RosterReport(text: lines.joined(separator: "\n"), succeeded: false, result: nil)
        return
      }
      if dryRun {
        lines.append("试运行：未写入 / dry run: nothing written")
        report = RosterReport(text: lines.joined(separator: "\n"), succeeded: true, result: nil)
        return
      }
      progress("写入 / writing \(preview.rows.count) 名职工 workers…")
      let result = try await imports.commit(review)
      lines.append(
        "已导入：新增 \(result.created)，转入 \(result.transferred)，更新 \(result.updated) / "
          + "imported: \(result.created) new, \(result.transferred) transferred, \(result.updated) updated")
      report = RosterReport(text: lines.joined(separator: "\n"), succeeded: true, result: result)
    }
    return report!
  }

  public static func writeRosterTemplate(to path: String) throws {
    let data = try XLSXWriter.write(rows: [RosterField.templateHeader, RosterField.templateExample], sheetName: "花名册")
    try data.write(to: URL(fileURLWithPath: path))
  }
}
