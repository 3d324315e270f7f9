import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuWeb

extension Tasks {
  /// `huzhu import settlements FILE --source CODE --as USER`: a bureau's settlement file in,
  /// described record by record (what became a claim, what is held and why, rows refused).
  public static func importSettlements(
    _ configuration: AppConfiguration, file: String, source: String, operatorName: String, dryRun: Bool
  ) async throws -> (text: String, succeeded: Bool) {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
    return try await asOperator(configuration, operatorName) { services, actor in
      let receipt = try await Settlements(services, actor: actor).receive(
        file: bytes, fileName: URL(fileURLWithPath: file).lastPathComponent, source: source, dryRun: dryRun)
      var rows = [["行 row", "结算ID settlement", "结果 result", "申请 claim", "原因 exception"]]
      for outcome in receipt.outcomes where outcome.result != .unchanged {
        rows.append([
          String(outcome.row), outcome.settlementId ?? "—", outcome.result.label.zh, outcome.claimNumber ?? "",
          outcome.exception?.label.zh ?? "",
        ])
      }
      var text = TextTable.render(rows, rightAligned: [0], separatorsBefore: [1])
      for error in receipt.rowErrors.prefix(200) { text += "\n" + error.message.zh }
      let counts = SettlementOutcome.Result.allCases.filter { receipt[$0] > 0 }
        .map { "\($0.label.zh) \(receipt[$0])" }.joined(separator: "，")
      text += "\n\(dryRun ? "试导入（未写入）/ dry run, nothing written" : "已导入 / imported")：\(counts)"
      return (text, true)
    }
  }

  /// `huzhu settlements source`: a new settlement source feeding a scheme.
  public static func createSettlementSource(
    _ configuration: AppConfiguration, code: String, name: String, scheme: String, layout: String?,
    operatorName: String
  ) async throws -> String {
    let json = try layout.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    return try await asOperator(configuration, operatorName) { services, actor in
      let source = try await Settlements(services, actor: actor).createSource(
        code: code, name: name, scheme: scheme, layout: json)
      return "已建立数据来源 / settlement source created: \(source.code)（\(source.name)）→ \(source.schemeCode)"
    }
  }
}
