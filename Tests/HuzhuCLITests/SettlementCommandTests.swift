import Foundation
import HuzhuCLI
import HuzhuCore
import HuzhuTestSupport
import HuzhuWeb
import Testing

/// `huzhu settlements source` and `huzhu import settlements` on the demo data: a bureau's GBK
/// file tried, imported, and imported again.
@Suite("Settlement commands")
struct SettlementCommandTests {
  let scratch = ScratchDirectories()
  static let sample = RepositoryFiles.path("docs/samples/settlements-bureau-a.csv")

  @Test func aBureausFileIsTriedImportedAndImportedAgain() async throws {
    let configuration = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    _ = try await Tasks.seedDemo(configuration)

    // A source with its own mapping: a misspelt field is refused with the nearest name.
    let layout = scratch.make() + ".json"
    try Data(#"{"columns": {"settlementID": ["流水号"]}}"#.utf8).write(to: URL(fileURLWithPath: layout))
    let refused = await #expect(throws: ValidationFailure.self) {
      try await Tasks.createSettlementSource(
        configuration, code: "ay-hospital", name: "安阳市人民医院", scheme: "anyang", layout: layout,
        operatorName: "ay-scheme")
    }
    #expect(refused?.errors.first?.message.zh.contains("settlementId") == true)
    try Data(#"{"columns": {"settlementId": ["流水号"]}}"#.utf8).write(to: URL(fileURLWithPath: layout))
    let created = try await Tasks.createSettlementSource(
      configuration, code: "ay-hospital", name: "安阳市人民医院", scheme: "anyang", layout: layout, operatorName: "ay-scheme")
    #expect(created.contains("ay-hospital"))
    // The window does not add sources.
    await #expect(throws: Tasks.OperatorRefusal.self) {
      try await Tasks.createSettlementSource(
        configuration, code: "ay-other", name: "其他", scheme: "anyang", layout: nil, operatorName: "ay-window")
    }

    let tried = try await Tasks.importSettlements(
      configuration, file: Self.sample, source: "anyang-bureau", operatorName: "ay-window", dryRun: true)
    #expect(tried.succeeded && tried.text.contains("试导入") && tried.text.contains("非本会会员"))
    let imported = try await Tasks.importSettlements(
      configuration, file: Self.sample, source: "anyang-bureau", operatorName: "ay-window", dryRun: false)
    #expect(imported.text.contains("已导入") && imported.text.contains("41050020200603107919"))
    // The cancelled stay: its original and its reversal in the same file.
    #expect(imported.text.contains("冲销记录") && imported.text.contains("已撤销"))
    let again = try await Tasks.importSettlements(
      configuration, file: Self.sample, source: "anyang-bureau", operatorName: "ay-window", dryRun: false)
    #expect(again.text.contains("重复发送，无变化 30"))

    // Another federation's clerk is not told the source exists.
    let outsider = await #expect(throws: ValidationFailure.self) {
      try await Tasks.importSettlements(
        configuration, file: Self.sample, source: "anyang-bureau", operatorName: "yc-window", dryRun: true)
    }
    #expect(outsider?.errors.map(\.code) == ["unknown_source"])
  }
}
