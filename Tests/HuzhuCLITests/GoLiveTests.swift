import FluentKit
import Foundation
import HuzhuApp
import HuzhuCLI
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import HuzhuTestSupport
import HuzhuWeb
import Testing

/// A real federation from an empty database: `huzhu init`, the tree and the units from the
/// spreadsheets it kept (the unit sheet in GBK, as Excel on a Chinese Windows saves CSV).
@Suite("Going live: the tree and the units from spreadsheets")
struct GoLiveTests {
  let scratch = ScratchDirectories()
  let commands = ClaimCommandTests()
  static let fixtures = RepositoryFiles.path("Tests/HuzhuCLITests/Fixtures")

  func services(_ database: any Database, _ configuration: AppConfiguration) -> AppServices {
    AppServices(
      database: database, documents: FileDocumentStorage(directory: configuration.documentsDirectory),
      passwordHasher: PlainTestHasher())
  }

  /// Opens an account as the federation's system administrator would on the accounts page.
  func openAccount(
    _ username: String, roles: Set<Role>, at code: String, by administrator: String, _ configuration: AppConfiguration
  ) async throws {
    try await commands.withStores(configuration) { database in
      let services = services(database, configuration)
      let admin = try #require(try await Actors(services).operator(username: administrator, address: nil))
      let node = try #require(admin.organisations.first { $0.code == code })
      _ = try await Accounts(services, actor: admin).open(
        .init(
          username: username, displayName: username, organisation: node.id, unitCreditCode: "", roles: roles,
          password: "Go-Live-Pass-1"))
    }
  }

  func importSheet(
    _ kind: RegistryImports.Kind, _ file: String, as user: String, dryRun: Bool = false,
    _ configuration: AppConfiguration
  ) async throws -> Tasks.RegistryImportReport {
    try await Tasks.importRegistry(configuration, sheet: kind, file: file, operatorName: user, dryRun: dryRun)
  }

  func write(_ text: String) throws -> String {
    let path = scratch.make() + ".csv"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func theTreeAndTheUnitsComeInFromSpreadsheets() async throws {
    let configuration = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    _ = try await Tasks.initialise(
      configuration, federation: .init(code: "AY", name: "安阳市总工会"), usernamePrefix: nil, addingFederation: false)

    // The tree: four nodes under the federation; the same sheet again changes nothing.
    let tree = Self.fixtures + "/organisations.csv"
    let imported = try await importSheet(.organisations, tree, as: "ay-admin", configuration)
    #expect(imported.succeeded && imported.text.contains("imported: 4 new"), "\(imported.text)")
    let again = try await importSheet(.organisations, tree, as: "ay-admin", configuration)
    #expect(again.succeeded && again.text.contains("0 new, 0 updated, 4 unchanged"), "\(again.text)")

    // Units are the window's work, not the system administrator's.
    try await openAccount("ay-window", roles: [.windowClerk], at: "AY", by: "ay-admin", configuration)
    let units = Self.fixtures + "/units-gbk.csv"
    let refused = try await importSheet(.units, units, as: "ay-admin", configuration)
    #expect(!refused.succeeded && refused.text.contains("may not import"), "\(refused.text)")
    let dry = try await importSheet(.units, units, as: "ay-window", dryRun: true, configuration)
    #expect(dry.succeeded && dry.text.contains("5 new") && dry.text.contains("dry run"), "\(dry.text)")
    let done = try await importSheet(.units, units, as: "ay-window", configuration)
    #expect(done.succeeded && done.text.contains("imported: 5 new"), "\(done.text)")

    try await commands.withStores(configuration) { database in
      let registry = FluentRegistryStore(database: database)
      #expect(try await registry.counts().units == 5)
      let linzhou = try #require(try await registry.unit(creditCode: "914105810000000043"))
      #expect(linzhou.name == "林州市红旗渠建筑工程有限公司")
      #expect(linzhou.sector == .privateEnterprise)
      let node = try #require(try await registry.organisation(linzhou.organisationID))
      #expect(node.code == "AY-LZ")
      #expect(try await registry.details(of: linzhou.id)?.bankAccount == "6217000000000000044")
      // "1,230" as typed, dated 2026/11/30.
      #expect(
        try await registry.headcounts(of: linzhou.id) == [
          HeadcountReport(asOf: CalendarDate(year: 2026, month: 11, day: 30)!, total: 1_230, female: 210)
        ])
      // No date in the sheet: the server's day.
      let school = try #require(try await registry.unit(creditCode: "124105000000000051"))
      #expect(try await registry.headcounts(of: school.id).map(\.asOf) == [CalendarDate.today()])
    }

    // Again: unchanged. A changed headcount and contact: that unit updated, the rest untouched.
    let same = try await importSheet(.units, units, as: "ay-window", configuration)
    #expect(same.succeeded && same.text.contains("0 new, 0 updated, 5 unchanged"), "\(same.text)")
    let changed = try write(
      """
      所属组织编码,单位名称,统一社会信用代码,单位性质,联系人,联系电话,职工人数,女职工人数,人数截至日期
      AY-BG,安阳市北关区某商贸有限公司,91410503MA00000034,民营及其他企业,赵六,13837200099,48,22,2026-11-30
      """)
    let updated = try await importSheet(.units, changed, as: "ay-window", configuration)
    #expect(updated.succeeded && updated.text.contains("0 new, 1 updated"), "\(updated.text)")
    try await commands.withStores(configuration) { database in
      let registry = FluentRegistryStore(database: database)
      let unit = try #require(try await registry.unit(creditCode: "91410503MA00000034"))
      #expect(try await registry.headcounts(of: unit.id).map(\.total) == [45, 48])
      #expect(try await registry.details(of: unit.id)?.contactPhone == "13837200099")
    }

    // One bad row among good ones: every problem named by row and column, nothing written.
    let bad = try write(
      """
      所属组织编码,单位名称,统一社会信用代码,单位性质,职工人数,女职工人数,人数截至日期
      AY-WF,安阳市新单位一,\(CreditCode.compose("91410502MA0000006").value),国有企业,100,20,2026-11-30
      AY-XX,安阳市新单位二,91410502MA00000070,外企,ten,200,2099-01-01
      AY-WF,安阳市新单位三,\(CreditCode.compose("91410502MA0000006").value),,50,60,
      """)
    let rejected = try await importSheet(.units, bad, as: "ay-window", configuration)
    #expect(!rejected.succeeded)
    for text in [
      "第3行【所属组织编码】", "第3行【统一社会信用代码】", "第3行【单位性质】", "第3行【职工人数】", "第3行【人数截至日期】不能晚于今天",
      "第4行【统一社会信用代码】与第2行信用代码重复", "第4行【女职工人数】", "nothing was written",
    ] {
      #expect(rejected.text.contains(text), "\(text) in \(rejected.text)")
    }
    try await commands.withStores(configuration) { database in
      let counts = try await FluentRegistryStore(database: database).counts()
      #expect(counts.units == 5)
    }

    // The audit log names every imported node and unit, and its chain holds.
    let audit = try await Tasks.verifyAudit(configuration, anchors: [], archive: nil)
    #expect(audit.intact, "\(audit.text)")
    try await commands.withStores(configuration) { database in
      let events = try await FluentAuditStore(database: database).events(AuditQuery(), limit: 100)
      #expect(events.contains { $0.subject == "organisation:AY-LZ" && $0.actor == "ay-admin" })
      #expect(events.contains { $0.subject == "unit:914105810000000043" && $0.actor == "ay-window" })
    }
  }

  /// Another federation on the same installation can neither hang nodes under Anyang's nor
  /// put units there, nor take over Anyang's units by their credit codes; what it is told
  /// names nothing of Anyang's but the code it typed itself.
  @Test func anotherFederationReachesNothingOfAnyangs() async throws {
    let configuration = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    _ = try await Tasks.initialise(
      configuration, federation: .init(code: "AY", name: "安阳市总工会"), usernamePrefix: nil, addingFederation: false)
    _ = try await Tasks.initialise(
      configuration, federation: .init(code: "WF", name: "潍坊市总工会"), usernamePrefix: nil, addingFederation: true)
    _ = try await importSheet(.organisations, Self.fixtures + "/organisations.csv", as: "ay-admin", configuration)
    try await openAccount("ay-window", roles: [.windowClerk], at: "AY", by: "ay-admin", configuration)
    try await openAccount("wf-window", roles: [.windowClerk], at: "WF", by: "wf-admin", configuration)
    _ = try await importSheet(.units, Self.fixtures + "/units-gbk.csv", as: "ay-window", configuration)

    let underAnyang = try write(
      """
      组织编码,上级编码,组织类型,组织名称
      WF-X,AY-WF,产业工会,潍坊挂到安阳下
      AY-NEW,AY,县区总工会,冒名
      """)
    let tree = try await importSheet(.organisations, underAnyang, as: "wf-admin", configuration)
    #expect(!tree.succeeded)
    #expect(tree.text.contains("第2行【上级编码】上级编码“AY-WF”不在本表中，也不在您的辖区内"), "\(tree.text)")
    #expect(tree.text.contains("第3行【上级编码】"), "\(tree.text)")

    let units = try write(
      """
      所属组织编码,单位名称,统一社会信用代码,单位性质
      AY-WF,潍坊的单位,\(CreditCode.compose("91370700MA0000001").value),国有企业
      WF,冒名顶替,91410500172000001M,国有企业
      """)
    let unitReport = try await importSheet(.units, units, as: "wf-window", configuration)
    #expect(!unitReport.succeeded)
    #expect(unitReport.text.contains("第2行【所属组织编码】组织编码“AY-WF”不在您的辖区内"), "\(unitReport.text)")
    #expect(unitReport.text.contains("第3行【统一社会信用代码】该统一社会信用代码已登记，不在您的辖区内"), "\(unitReport.text)")
    for anyang in ["安阳钢铁", "AY-LZ", "文峰区总工会"] {
      #expect(!unitReport.text.contains(anyang) && !tree.text.contains(anyang))
    }
    try await commands.withStores(configuration) { database in
      let registry = FluentRegistryStore(database: database)
      let steel = try #require(try await registry.unit(creditCode: "91410500172000001M"))
      #expect(steel.name == "安阳钢铁集团有限责任公司")
      #expect(try await registry.allOrganisations().count == 6)
    }
  }
}
