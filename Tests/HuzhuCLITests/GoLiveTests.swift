import FluentKit
import Foundation
import HuzhuApp
import HuzhuCLI
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import HuzhuTestSupport
import HuzhuWeb
import SQLKit
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

  // MARK: The whole go-live

  /// A scheme with one rule version a year around the current one (the test runs in any year).
  static func yearlyScheme(_ year: Int) -> String {
    func version(_ year: Int, last: Bool) -> String {
      """
            - version: "\(year)"
              coverageStarting: { from: \(year)-01-01\(last ? "" : ", to: \(year)-12-31") }
              contribution: { perShare: "60.00", periodMonths: 12 }
              shares: { min: 1, max: 3 }
              waitingPeriod: { days: 90, waivedOnRenewalWithinDays: 30 }
              limits: { perPeriod: "3000.00" }
              benefits:
                - code: topup
                  name: 住院互助金
                  kind: hospital
                  hospital:
                    base: { subtract: [in_scope_cost, pooled_fund_paid] }
                    schedule: { flat: "50%" }
      """
    }
    return """
      scheme: { code: ayzg, name: 安阳市职工互助保障, rounding: half_up }
      products:
        - code: hospital
          name: 住院互助
          versions:
      \(version(year - 1, last: false))
      \(version(year, last: false))
      \(version(year + 1, last: true))
      """
  }

  /// From an empty database to a closed year: init, the tree and units, accounts, the scheme,
  /// rosters, last records' cover and paid claims, the opening balance, the year-end renewal
  /// (previewed, then committed, then again: nothing twice), the period close; then a backup
  /// restored in another data directory shows the same figures.
  @Test func fromAnEmptyDatabaseToAClosedYearAndBack() async throws {
    let configuration = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    let today = CalendarDate.today()
    let year = today.year
    _ = try await Tasks.initialise(
      configuration, federation: .init(code: "AY", name: "安阳市总工会"), usernamePrefix: nil, addingFederation: false)
    #expect(
      try await importSheet(.organisations, Self.fixtures + "/organisations.csv", as: "ay-admin", configuration)
        .succeeded)
    try await openAccount("ay-window", roles: [.windowClerk], at: "AY", by: "ay-admin", configuration)
    try await openAccount("ay-finance", roles: [.finance], at: "AY", by: "ay-admin", configuration)
    try await openAccount("ay-scheme", roles: [.schemeAdministrator], at: "AY", by: "ay-admin", configuration)
    #expect(try await importSheet(.units, Self.fixtures + "/units-gbk.csv", as: "ay-window", configuration).succeeded)
    try await commands.withStores(configuration) { database in
      let services = services(database, configuration)
      let admin = try #require(try await Actors(services).operator(username: "ay-scheme", address: nil))
      _ = try await Schemes(services, actor: admin).save(code: "ayzg", yaml: Self.yearlyScheme(year))
    }

    // Rosters of two units: three people at the steelworks, one at the hospital.
    let people = (0..<4).map { index in
      ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1975 + index, month: 5, day: 10)!, sequence: 10 + index,
        gender: index % 2 == 0 ? .female : .male)
    }
    let names = ["周敏", "吴刚", "郑丽", "孙强"]
    let steel = "91410500172000001M"
    let hospital = "12410502000000002L"
    let steelRoster = try write(
      "姓名,身份证号,入职日期\n" + (0..<3).map { "\(names[$0]),\(people[$0].value),2010-03-01" }.joined(separator: "\n"))
    let hospitalRoster = try write("姓名,身份证号,入职日期\n\(names[3]),\(people[3].value),2012-07-01")
    #expect(try await Tasks.importRoster(configuration, file: steelRoster, unit: steel, dryRun: false).succeeded)
    #expect(try await Tasks.importRoster(configuration, file: hospitalRoster, unit: hospital, dryRun: false).succeeded)

    // Last records: the current period's cover (continuing from last year for three of them).
    let start = "\(year)-01-01"
    let cover = try write(
      """
      单位统一社会信用代码,身份证号,姓名,产品编码,保障期起,上期保障止,保障书编号
      \(steel),\(people[0].value),\(names[0]),hospital,\(start),\(year - 1)-12-31,AY-OLD-0001
      \(steel),\(people[1].value),\(names[1]),hospital,\(start),\(year - 1)-12-31,AY-OLD-0002
      \(steel),\(people[2].value),\(names[2]),hospital,\(start),,
      \(hospital),\(people[3].value),\(names[3]),hospital,\(start),\(year - 1)-12-31,AY-OLD-0004
      """)
    // Cover is the window's to take over, not finance's.
    await #expect(throws: Tasks.OperatorRefusal.self) {
      _ = try await Tasks.takeOver(
        configuration, sheet: .cover, file: cover, scheme: "ayzg", operatorName: "ay-finance", dryRun: false)
    }
    let coverDry = try await Tasks.takeOver(
      configuration, sheet: .cover, file: cover, scheme: "ayzg", operatorName: "ay-window", dryRun: true)
    #expect(coverDry.succeeded && coverDry.text.contains("4 members of 2 units"), "\(coverDry.text)")
    let coverDone = try await Tasks.takeOver(
      configuration, sheet: .cover, file: cover, scheme: "ayzg", operatorName: "ay-window", dryRun: false)
    #expect(coverDone.succeeded && coverDone.text.contains("taken over"), "\(coverDone.text)")

    // What the period paid already: 2,400 to 周敏 (the cap is 3,000), 300 to 孙强.
    let paid = try write(
      """
      身份证号,姓名,产品编码,保障期起,给付项目编码,给付金额,给付日期,原给付编号,入院日期,出院日期,结算单号
      \(people[0].value),\(names[0]),hospital,\(start),topup,2400.00,\(start),OLD-LP-1,\(start),\(start),
      \(people[3].value),\(names[3]),hospital,\(start),topup,300.00,\(start),OLD-LP-2,,,js-0002
      """)
    let paidDone = try await Tasks.takeOver(
      configuration, sheet: .paidClaims, file: paid, scheme: "ayzg", operatorName: "ay-finance", dryRun: false)
    #expect(paidDone.succeeded && paidDone.text.contains("¥2,700.00"), "\(paidDone.text)")

    var lodgedClaim: ClaimRecord.ID?
    // The caps hold: 周敏's next stay pays what is left of 3,000 (600 of the 1,500 it would);
    // her continuity waives the waiting period that keeps 郑丽 (new this year) unpaid.
    try await commands.withStores(configuration) { database in
      let scheme = try #require(try await FluentSchemeStore(database: database).scheme(code: "ayzg")).compiled()
      let context = ClaimContext(
        actor: ClaimActor(accountID: .init(), name: "ay-window", organisationKind: .cityFederation), address: "test",
        today: today, scheme: scheme, calendar: .publishedChina)
      let registry = FluentRegistryStore(database: database)
      var totals: [Money?] = []
      var flags: [[String]] = []
      var lodged: ClaimRecord.ID?
      for person in [people[0], people[2]] {
        let worker = try #require(try await registry.worker(idNumber: person))
        let claim = try await FluentClaimStore(database: database).open(
          ClaimIntake(
            event: ClaimEvent(
              admissionDate: CalendarDate(year: year, month: 1, day: 1)!,
              dischargeDate: CalendarDate(year: year, month: 1, day: 1)!, claimDate: today,
              figures: SettlementFigures([
                .inScopeCost: Money(yuan: 3_000), .pooledFundPaid: .zero, .criticalIllnessInsurancePaid: .zero,
              ]))), for: worker.id, channel: .window, expedited: false, context: context)
        totals.append(claim.calculatedTotal)
        flags.append(claim.duplicates.map { "\($0.kind.rawValue) \($0.earlierClaimNumber)" })
        lodged = claim.id
      }
      #expect(totals == [Money(yuan: 600), .zero])
      // 周敏's stay was paid by the old system already: flagged as its duplicate.
      #expect(flags == [["overlapping_stay OLD-LP-1"], []])
      // Anyone's claim on the old settlement sheet is flagged too.
      let sun = try #require(try await registry.worker(idNumber: people[3]))
      let resubmitted = try await FluentClaimStore(database: database).open(
        ClaimIntake(
          event: ClaimEvent(
            admissionDate: CalendarDate(year: year, month: 1, day: 1)!,
            dischargeDate: CalendarDate(year: year, month: 1, day: 1)!, claimDate: today,
            figures: SettlementFigures([.inScopeCost: Money(yuan: 100), .pooledFundPaid: .zero])),
          settlementSheetNumber: "JS-0002"), for: sun.id, channel: .window, expedited: false, context: context)
      #expect(resubmitted.duplicates.map(\.kind) == [.sameSettlementSheet])
      // 郑丽's claim is lodged (周敏's stays a draft): it holds the year's close up below.
      _ = try await FluentClaimStore(database: database).perform(.submit, on: lodged!, context: context)
      lodgedClaim = lodged
    }

    // The fund's money at go-live, with its voucher.
    let opening = try await Tasks.postOpeningBalance(
      configuration, operatorName: "ay-finance", scheme: "ayzg", product: "hospital", version: "\(year)",
      amount: "1250000.00", reference: "\(year - 1)年度决算 记字第88号")
    #expect(opening.contains("¥1,250,000.00"), "\(opening)")
    let clerkOpening = await #expect(throws: Tasks.OperatorRefusal.self) {
      _ = try await Tasks.postOpeningBalance(
        configuration, operatorName: "ay-window", scheme: "ayzg", product: "hospital", version: "\(year)",
        amount: "1.00", reference: "x")
    }
    #expect(clerkOpening?.message.zh.contains("无权") == true)

    // Year end: every unit under AY renews into next year, previewed first.
    let preview = try await Tasks.renewUnits(
      configuration, operatorName: "ay-window", scheme: "ayzg", product: "hospital", periodStart: start, under: "AY",
      dryRun: true)
    #expect(preview.succeeded && preview.text.contains("dry run: 2 units, 2 renew"), "\(preview.text)")
    try await commands.withStores(configuration) { database in
      let next = try await FluentEnrollmentStore(database: database).renewalCandidates(
        scheme: "ayzg", productCode: "hospital", periodStart: CalendarDate(year: year, month: 1, day: 1)!)
      #expect(next.count == 2 && next.allSatisfy { !$0.renewed })
    }
    let renewed = try await Tasks.renewUnits(
      configuration, operatorName: "ay-window", scheme: "ayzg", product: "hospital", periodStart: start, under: "AY",
      dryRun: false)
    #expect(renewed.succeeded && renewed.text.contains("renewed 2 units"), "\(renewed.text)")
    #expect(renewed.text.contains("¥180.00") && renewed.text.contains("¥60.00"), "\(renewed.text)")
    let twice = try await Tasks.renewUnits(
      configuration, operatorName: "ay-window", scheme: "ayzg", product: "hospital", periodStart: start, under: "AY",
      dryRun: false)
    #expect(twice.text.contains("renewed 0 units") && twice.text.contains("renewed already"), "\(twice.text)")

    // The steelworks pays its renewal; cover next year continues (no new waiting period).
    try await commands.withStores(configuration) { database in
      let services = services(database, configuration)
      let window = try #require(try await Actors(services).operator(username: "ay-window", address: nil))
      let registry = FluentRegistryStore(database: database)
      let unit = try #require(try await registry.unit(creditCode: steel))
      let bills = try await Enrollments(services, actor: window).bills(unit: unit.id)
      let renewal = try #require(bills.first { $0.versionLabel == "\(year + 1)" })
      _ = try await Enrollments(services, actor: window).record(
        .init(payer: .worker, payerName: nil, amount: renewal.totalDue, paidOn: nil, reason: nil, reference: "YH-001"),
        on: renewal.id, idempotencyKey: nil)
      let next = try await Enrollments(services, actor: window).enrollments(unit: unit.id, page: PageQuery()).items
        .filter { $0.versionLabel == "\(year + 1)" }
      #expect(
        next.count == 3 && next.allSatisfy { $0.previousCoverEnd == CalendarDate(year: year, month: 12, day: 31) })
      #expect(next.allSatisfy { $0.status == .active })
    }

    // The period closes once its lodged claims are settled: its balance carried into next
    // year, nothing more into it.
    let held = await #expect(throws: ValidationFailure.self) {
      _ = try await Tasks.closeFundPeriod(
        configuration, operatorName: "ay-finance", scheme: "ayzg", version: "\(year)", reference: "\(year)年结账",
        dryRun: true)
    }
    #expect(held?.errors.map(\.code) == ["claims_unsettled"])
    try await commands.withStores(configuration) { database in
      let scheme = try #require(try await FluentSchemeStore(database: database).scheme(code: "ayzg")).compiled()
      _ = try await FluentClaimStore(database: database).perform(
        .reject(reason: .waitingPeriod, note: "等待期内"), on: lodgedClaim!,
        context: ClaimContext(
          actor: ClaimActor(accountID: .init(), name: "ay-reviewer", organisationKind: .cityFederation),
          address: "test", today: today, scheme: scheme, calendar: .publishedChina))
    }
    let dryClose = try await Tasks.closeFundPeriod(
      configuration, operatorName: "ay-finance", scheme: "ayzg", version: "\(year)", reference: "\(year)年结账",
      dryRun: true)
    #expect(dryClose.contains("¥1,250,000.00 → \(year + 1)"), "\(dryClose)")
    let closed = try await Tasks.closeFundPeriod(
      configuration, operatorName: "ay-finance", scheme: "ayzg", version: "\(year)", reference: "\(year)年结账",
      dryRun: false)
    #expect(closed.contains("closed: ayzg \(year)"), "\(closed)")
    let reopened = await #expect(throws: ValidationFailure.self) {
      _ = try await Tasks.postOpeningBalance(
        configuration, operatorName: "ay-finance", scheme: "ayzg", product: "hospital", version: "\(year)",
        amount: "1.00", reference: "late")
    }
    #expect(reopened?.errors.map(\.code).contains("period_closed") == true)

    // What the installation holds now, and the same from a backup restored elsewhere.
    struct Figures: Equatable {
      var balances: [FundBalance] = []
      var enrollments = 0
      var ledger: Int64 = 0
      var closes: [String] = []
    }
    func figures(_ configuration: AppConfiguration) async throws -> Figures {
      var result = Figures()
      try await commands.withStores(configuration) { database in
        result.balances = try await FluentEnrollmentStore(database: database).fundBalances(scheme: nil)
        result.closes = try await FluentFundStore(database: database).closes(scheme: "ayzg").map(\.versionLabel)
        let sql = database as! any SQLDatabase
        result.enrollments = try await sql.raw("SELECT COUNT(*) AS n FROM enrollments").first()!.decode(
          column: "n", as: Int.self)
        result.ledger = try await sql.raw("SELECT CAST(SUM(paid_amount) AS BIGINT) AS n FROM benefit_ledger").first()!
          .decode(column: "n", as: Int64.self)
      }
      return result
    }
    let live = try await figures(configuration)
    #expect(live.enrollments == 8 && live.ledger == 270_000 && live.closes == ["\(year)"])
    #expect(live.balances.map(\.versionLabel) == ["\(year)", "\(year + 1)"])
    #expect(live.balances[0].balance == .zero)
    #expect(live.balances[1].balance == Money(yuan: 1_250_180))
    let archive = scratch.make() + ".zip"
    _ = try await Tasks.backUp(configuration, to: archive)
    let elsewhere = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    _ = try await Tasks.restore(elsewhere, from: archive)
    #expect(try await figures(elsewhere) == live)
    let audit = try await Tasks.verifyAudit(elsewhere, anchors: [], archive: nil)
    #expect(audit.intact, "\(audit.text)")
  }
}
