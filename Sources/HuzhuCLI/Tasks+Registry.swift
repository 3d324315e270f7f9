import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuWeb
import Vapor

extension Tasks {
  public struct RegistryImportReport: Sendable {
    public let text: String
    /// False when the sheet had errors (nothing was written) or the operator may not import it.
    public let succeeded: Bool
  }

  /// Reads, checks and (unless `dryRun`) imports an organisation or unit sheet as the operator
  /// `operatorName`, within their area.
  public static func importRegistry(
    _ configuration: AppConfiguration, sheet kind: RegistryImports.Kind, file: String, operatorName: String,
    dryRun: Bool
  ) async throws -> RegistryImportReport {
    var configuration = configuration
    configuration.loadsDemoData = false
    try configuration.prepareDataDirectory()
    let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
    var report = RegistryImportReport(text: "", succeeded: false)
    try await withMigratedApplication(configuration) { app in
      let services = app.services()
      guard let actor = try await Actors(services).operator(username: operatorName, address: "cli") else {
        report = RegistryImportReport(
          text: "没有操作员账号“\(operatorName)” / no operator account \"\(operatorName)\"", succeeded: false)
        return
      }
      let imports = RegistryImports(services, actor: actor)
      var lines: [String] = []
      let errors: [FieldError]
      let rows: [(row: Int, action: RegistryImportAction, text: String)]
      do {
        switch kind {
        case .organisations:
          let preview = try await imports.reviewOrganisations(bytes)
          errors = preview.allErrors
          rows = preview.rows.map { ($0.rowNumber, $0.action, "\($0.organisation.code) \($0.organisation.name)") }
        case .units:
          let preview = try await imports.reviewUnits(bytes)
          errors = preview.allErrors
          rows = preview.rows.map { ($0.rowNumber, $0.action, "\($0.unit.creditCode ?? "") \($0.unit.name)") }
        }
      } catch UseCaseError.forbidden {
        let role = kind == .organisations ? "系统管理员 system administrator" : "窗口人员 window clerk"
        report = RegistryImportReport(
          text: "“\(operatorName)”无权导入（须为\(role)）/ \"\(operatorName)\" may not import this sheet", succeeded: false)
        return
      }
      let counts = Dictionary(grouping: rows, by: \.action).mapValues(\.count)
      lines.append(
        "读取 \(rows.count) 行：新建 \(counts[.create] ?? 0)，更新 \(counts[.update] ?? 0)，无变化 \(counts[.unchanged] ?? 0)，错误 \(errors.count) 处 / "
          + "\(rows.count) rows: \(counts[.create] ?? 0) new, \(counts[.update] ?? 0) updated, "
          + "\(counts[.unchanged] ?? 0) unchanged, \(errors.count) errors")
      for error in errors { lines.append("  错误 error: \(error.message.zh) / \(error.message.en)") }
      guard errors.isEmpty, !rows.isEmpty else {
        lines.append("未写入任何数据，请修改后重新导入 / nothing was written: fix the file and import it again")
        report = RegistryImportReport(text: lines.joined(separator: "\n"), succeeded: false)
        return
      }
      if dryRun {
        for row in rows { lines.append("  第\(row.row)行 \(row.action.label.zh) / \(row.action.label.en): \(row.text)") }
        lines.append("试运行：未写入 / dry run: nothing written")
        report = RegistryImportReport(text: lines.joined(separator: "\n"), succeeded: true)
        return
      }
      let outcome: RegistryImports.Outcome
      switch kind {
      case .organisations: outcome = try await imports.importOrganisations(bytes).1
      case .units: outcome = try await imports.importUnits(bytes).1
      }
      lines.append(
        "已导入：新建 \(outcome.created)，更新 \(outcome.updated)，无变化 \(outcome.unchanged) / "
          + "imported: \(outcome.created) new, \(outcome.updated) updated, \(outcome.unchanged) unchanged")
      report = RegistryImportReport(text: lines.joined(separator: "\n"), succeeded: true)
    }
    return report
  }
}
