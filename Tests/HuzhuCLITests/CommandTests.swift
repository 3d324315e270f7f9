import FluentKit
import Foundation
import HuzhuCLI
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import HuzhuSpreadsheet
import HuzhuTestSupport
import HuzhuWeb
import NIOPosix
import SQLKit
import Synchronization
import Testing

/// The demo data without the articles' history (a minute to load; the persistence tests check it).
let quietDemo = ["LOG_LEVEL": "warning", "HUZHU_DEMO_HISTORY": "false"]

/// Paths under the temporary directory for one test, removed with it: Swift Testing makes a
/// suite instance per test, so the instance's end is the test's end.
final class ScratchDirectories: Sendable {
  let made = Mutex<[String]>([])

  func make() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-cli-\(UUID())").path
    made.withLock { $0.append(path) }
    return path
  }

  deinit {
    for path in made.withLock({ $0 }) {
      try? FileManager.default.removeItem(atPath: path)
      try? FileManager.default.removeItem(atPath: path + "-template.xlsx")
    }
  }
}

@Suite("Command line")
struct CommandTests {
  /// A fresh path under the temporary directory, removed when the test ends (a seeded data
  /// directory is a few megabytes; hundreds of runs add up).
  func temporaryDirectory() -> String { scratch.make() }
  let scratch = ScratchDirectories()

  @Test(arguments: [
    ["bogus"], ["serve", "--port", "eighty"], ["serve", "--no-such-flag"], ["migrate", "--revert-all"],
  ])
  func badUsageExitsWithTwo(arguments: [String]) async {
    #expect(await HuzhuCommand.run(arguments: arguments) == 2)
  }

  @Test func helpListsTheSubcommands() async {
    #expect(await HuzhuCommand.run(arguments: ["--help"]) == 0)
    let help = HuzhuCommand.helpMessage()
    for subcommand in ["serve", "migrate", "seed-demo"] {
      #expect(help.contains(subcommand))
    }
  }

  @Test func everyBadSettingIsNamedWithWhatItAccepts() {
    #expect(throws: Never.self) { try AppConfiguration.resolve(environment: [:]) }
    let error = #expect(throws: ConfigurationError.self) {
      try AppConfiguration.resolve(
        port: 70000,
        environment: ["DATABASE_URL": "mysql://db/huzhu", "LOG_LEVEL": "loud", "HUZHU_DEMO_DATA": "maybe"])
    }
    let settings = error?.problems.map(\.setting) ?? []
    #expect(settings == [.port, .databaseURL, .logLevel, .demoData])
    let message = error?.description ?? ""
    #expect(message.contains("DATABASE_URL"))
    #expect(message.contains("trace, debug, info"))
    #expect(message.contains("1 to 65535"))
  }

  @Test func defaultsAreSQLiteInTheDataDirectory() throws {
    let configuration = try AppConfiguration.resolve(dataDirectory: "/srv/huzhu", environment: [:])
    #expect(configuration.database == .sqliteFile(path: "/srv/huzhu/huzhu.sqlite"))
    #expect(configuration.hostname == "127.0.0.1")
    #expect(configuration.port == 8080)
    #expect(configuration.loadsDemoData)
    let postgres = try AppConfiguration.resolve(
      environment: ["DATABASE_URL": "postgres://postgres:secret@db.example:5433/huzhu?sslmode=disable"])
    guard case .postgres(let location) = postgres.database else {
      Issue.record("expected PostgreSQL")
      return
    }
    #expect(location.host == "db.example")
    #expect(location.port == 5433)
    #expect(location.database == "huzhu")
  }

  @Test func passwordsNeverAppearInConfigurationErrors() {
    let error = #expect(throws: ConfigurationError.self) {
      try AppConfiguration.resolve(environment: ["DATABASE_URL": "postgres://user:hunter2@host"])
    }
    #expect(error?.description.contains("hunter2") == false)
    #expect(error?.description.contains("no database") == true)
  }

  @Test func anUnwritableDataDirectoryIsAConfigurationError() async throws {
    // A path below a regular file can never be created, even by root.
    let file = temporaryDirectory()
    #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
    let status = await CommandEnvironment.$values.withValue([:]) {
      await HuzhuCommand.run(arguments: ["migrate", "--data-dir", file + "/data"])
    }
    #expect(status == 2)
  }

  @Test func migrateAndSeedDemoWorkOnAFreshDataDirectory() async throws {
    let directory = temporaryDirectory()
    let configuration = try AppConfiguration.resolve(
      dataDirectory: directory, environment: quietDemo)
    let migrated = try await Tasks.migrate(configuration)
    #expect(migrated.contains("up to date"))
    #expect(FileManager.default.fileExists(atPath: directory + "/huzhu.sqlite"))
    let seeded = try await Tasks.seedDemo(configuration)
    #expect(seeded.contains("admin"))
    let again = try await Tasks.seedDemo(configuration)
    #expect(again.contains("already has data"))
    // Reverting every migration would drop the audit log with the data: refused, nothing dropped
    // (it used to drop table after table and fail half-way on the registry).
    let refusal = await #expect(throws: RevertRefused.self) { try await Tasks.migrate(configuration, revertAll: true) }
    #expect((refusal?.held["organisations"] ?? 0) > 0, "\(String(describing: refusal))")
    #expect(refusal?.description.contains("审计日志不可删除") == true)
    #expect(try await Tasks.seedDemo(configuration).contains("already has data"))
    let refused = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "critical"]) {
      await HuzhuCommand.run(arguments: ["migrate", "--data-dir", directory, "--revert-all", "--yes"])
    }
    #expect(refused == 1)
    // An empty database reverts whole.
    let empty = try AppConfiguration.resolve(dataDirectory: temporaryDirectory(), environment: quietDemo)
    _ = try await Tasks.migrate(empty)
    #expect(try await Tasks.migrate(empty, revertAll: true).contains("all migrations reverted"))
    // Exit status through the command line too.
    let status = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: ["migrate", "--data-dir", directory])
    }
    #expect(status == 0)
  }

  @Test func anUnreachablePostgreSQLNamesHostAndPort() async throws {
    // Port 1 on loopback: nothing listens there.
    let configuration = try AppConfiguration.resolve(
      dataDirectory: temporaryDirectory(),
      environment: ["DATABASE_URL": "postgres://postgres@127.0.0.1:1/huzhu?sslmode=disable", "LOG_LEVEL": "critical"])
    let error = await #expect(throws: DatabaseUnavailable.self) { try await Tasks.migrate(configuration) }
    let message = error?.description ?? ""
    #expect(message.contains("127.0.0.1:1"))
    #expect(message.contains("PostgreSQL"))
    let status = await CommandEnvironment.$values.withValue(
      ["DATABASE_URL": "postgres://postgres@127.0.0.1:1/huzhu?sslmode=disable", "LOG_LEVEL": "critical"]
    ) {
      await HuzhuCommand.run(arguments: ["migrate", "--data-dir", temporaryDirectory()])
    }
    #expect(status == 1)
  }

  @Test func calcExplainsTheShippedExamples() throws {
    let table = try Tasks.calculate(
      schemePath: RepositoryFiles.path("schemes/anyang.yaml"),
      casePath: RepositoryFiles.path("schemes/cases/anyang-3000.json"),
      json: false, language: .zh)
    #expect(table.contains("超过 1000.00的部分 × 50%"))
    #expect(table.contains("1300.00"))
    let json = try Tasks.calculate(
      schemePath: RepositoryFiles.path("schemes/yichun.yaml"),
      casePath: RepositoryFiles.path("schemes/cases/yichun-stacked.json"),
      json: true, language: .zh)
    let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(document["total"] as? String == "31714.00")
    #expect((document["outcomes"] as? [Any])?.count == 4)
  }

  @Test func calcRejectsABadSchemeWithThePathOfEachProblem() async throws {
    let directory = temporaryDirectory()
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let scheme = directory + "/bad.yaml"
    try """
    scheme: { code: bad, name: 错误方案 }
    products:
      - code: p
        name: 产品
        versions:
          - version: "1"
            coverageStarting: { from: 2024-01-01 }
            benefits:
              - code: b
                name: 住院
                kind: hospital
                hospital: { base: self_paid_in_scope, schedule: { flat: "150%" } }
    """.write(toFile: scheme, atomically: true, encoding: .utf8)
    #expect(throws: SchemeFileError.self) {
      try Tasks.calculate(
        schemePath: scheme, casePath: RepositoryFiles.path("schemes/cases/anyang-800.json"), json: false, language: .zh)
    }
    let status = await HuzhuCommand.run(arguments: [
      "calc", "--scheme", scheme, "--case", RepositoryFiles.path("schemes/cases/anyang-800.json"),
    ])
    #expect(status == 2)
    #expect(
      await HuzhuCommand.run(arguments: ["calc", "--scheme", directory + "/missing.yaml", "--case", scheme]) == 2)
  }

  @Test func importsARosterOnlyWhenEveryRowIsRight() async throws {
    let directory = temporaryDirectory()
    let configuration = try AppConfiguration.resolve(dataDirectory: directory, environment: quietDemo)
    _ = try await Tasks.seedDemo(configuration)
    let unit = try #require(DemoData.standard().units.first { $0.name == "安阳公交集团" })
    // The demo data is generated afresh each time, but its credit codes are deterministic.
    let code = try #require(unit.creditCode)

    let bad = try await Tasks.importRoster(
      configuration, file: RepositoryFiles.path("Tests/HuzhuSpreadsheetTests/Fixtures/roster-libreoffice.xlsx"),
      unit: code, dryRun: false)
    #expect(!bad.succeeded)
    #expect(bad.text.contains("第3行【身份证号】"))
    #expect(bad.text.contains("未写入任何数据"))

    let good = directory + "/good.csv"
    try "姓名,身份证号,手机号\n赵敏,110105198001010016,13700000001\n钱伟,11010519491231002X,\n"
      .write(toFile: good, atomically: true, encoding: .utf8)
    let dryRun = try await Tasks.importRoster(configuration, file: good, unit: code, dryRun: true)
    #expect(dryRun.succeeded && dryRun.result == nil)
    let committed = try await Tasks.importRoster(configuration, file: good, unit: code, dryRun: false)
    #expect(committed.result == RosterImportResult(created: 2))
    let again = try await Tasks.importRoster(configuration, file: good, unit: code, dryRun: false)
    #expect(again.result == RosterImportResult(updated: 2))
    #expect(again.text.contains("已在本单位名册中"))

    let status = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: ["import", "roster", good, "--unit", "no-such-unit", "--data-dir", directory])
    }
    #expect(status == 2)
  }

  @Test func writesTheRosterTemplate() throws {
    let path = temporaryDirectory() + "-template.xlsx"
    try Tasks.writeRosterTemplate(to: path)
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(data.starts(with: [0x50, 0x4B, 0x03, 0x04]))
  }
}

@Suite("Command line: claims and audit")
struct ClaimCommandTests {
  let scratch = ScratchDirectories()

  /// An approved Anyang claim in a fresh data directory, made through the store the way the
  /// web application would.
  func dataDirectoryWithAnApprovedClaim() async throws -> (AppConfiguration, String) {
    let directory = scratch.make()
    let configuration = try AppConfiguration.resolve(dataDirectory: directory, environment: quietDemo)
    _ = try await Tasks.seedDemo(configuration)
    var number = ""
    try await withStores(configuration) { database in
      let certificate = try #require(
        try await FluentEnrollmentStore(database: database).certificate(number: "ANYANG-2019-000001"))
      let scheme = try #require(try await FluentSchemeStore(database: database).scheme(code: "anyang")).compiled()
      let today = CalendarDate(year: 2020, month: 4, day: 10)!
      func context(_ name: String) -> ClaimContext {
        ClaimContext(
          actor: ClaimActor(accountID: .init(), name: name, organisationKind: .cityFederation), address: "test",
          today: today, scheme: scheme, calendar: .publishedChina)
      }
      let store = FluentClaimStore(database: database)
      var claim = try await store.open(
        ClaimIntake(
          event: ClaimEvent(
            admissionDate: CalendarDate(year: 2020, month: 3, day: 2)!,
            dischargeDate: CalendarDate(year: 2020, month: 3, day: 12)!, claimDate: today,
            figures: SettlementFigures([
              .inScopeCost: Money(fen: 300_000), .pooledFundPaid: .zero, .criticalIllnessInsurancePaid: .zero,
            ]))), for: certificate.enrollment.workerID, channel: .window, expedited: false, context: context("clerk"))
      for kind in claim.progress.missingDocuments {
        claim = try await store.attach(
          ClaimDocument(
            claimID: claim.id, kind: kind, fileName: kind, format: .pdf, size: 1,
            sha256: String(repeating: "b", count: 64),
            uploadedBy: "clerk", uploadedAt: Date()), to: claim.id, context: context("clerk"))
      }
      for (action, actor) in [(ClaimAction.submit, "clerk"), (.review, "clerk"), (.approve, "approver")] {
        claim = try await store.perform(action, on: claim.id, context: context(actor)).record
      }
      number = claim.number
      try await (database as! any SQLDatabase).update("workers").set("bank_name", to: "中国银行")
        .set("bank_account", to: "6216610200001234567").where("id", .equal, certificate.enrollment.workerID.rawValue)
        .run()
    }
    return (configuration, number)
  }

  func withStores(_ configuration: AppConfiguration, _ body: (any Database) async throws -> Void) async throws {
    let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
    try HuzhuDatabase.use(configuration.database, on: databases, sqlLogLevel: .trace)
    do {
      try await body(databases.database(logger: TestLogging.logger, on: MultiThreadedEventLoopGroup.singleton.any())!)
    } catch {
      await databases.shutdownAsync()
      throw error
    }
    await databases.shutdownAsync()
  }

  @Test func theQueueListsOpenClaimsAndABatchWritesTheBankFile() async throws {
    let (configuration, number) = try await dataDirectoryWithAnApprovedClaim()
    let queue = try await Tasks.claimQueue(
      configuration, scheme: "anyang", filter: .open, today: CalendarDate(year: 2020, month: 4, day: 30)!)
    #expect(queue.contains(number))
    #expect(queue.contains("超期 overdue"))  // due 2020-04-24
    let none = try await Tasks.claimQueue(
      configuration, scheme: "anyang", filter: .expedited, today: CalendarDate(year: 2020, month: 4, day: 30)!)
    #expect(!none.contains(number))

    let output = FileManager.default.temporaryDirectory.appendingPathComponent("bank-\(UUID()).xlsx").path
    let unknown = try await Tasks.createPaymentBatch(
      configuration, scheme: "anyang", operatorName: "nobody", output: nil)
    #expect(unknown.batch == nil && unknown.text.contains("nobody"))
    // The batch is made by a finance officer, as in the browser: the system administrator may not.
    let admin = try await Tasks.createPaymentBatch(configuration, scheme: "anyang", operatorName: "admin", output: nil)
    #expect(admin.batch == nil && admin.text.contains("finance only"))
    let report = try await Tasks.createPaymentBatch(
      configuration, scheme: "anyang", operatorName: "ay-finance", output: output)
    #expect(report.batch?.lines.map(\.claimNumber) == [number])
    let sheet = try SheetReader.read(contentsOf: URL(fileURLWithPath: output))
    #expect(sheet.textRows.first == BankTransferFile.header)
    #expect(sheet.textRows.last?[3] == "1300.00")
    // Nothing left to pay: said, with exit status 1 from the command line.
    let again = try await Tasks.createPaymentBatch(
      configuration, scheme: "anyang", operatorName: "ay-finance", output: nil)
    #expect(again.batch == nil && again.text.contains("没有可支付"))
    let status = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: [
        "claims", "batch", "--scheme", "anyang", "--operator", "ay-finance", "--data-dir", configuration.dataDirectory,
      ])
    }
    #expect(status == 1)
  }

  /// A data directory whose approved claim went out in a batch on 2020-04-20 and was marked paid.
  func dataDirectoryWithAPaidClaim() async throws -> (AppConfiguration, String, PaymentBatch, CalendarDate) {
    let (configuration, number) = try await dataDirectoryWithAnApprovedClaim()
    let today = CalendarDate(year: 2020, month: 4, day: 20)!
    let batch = try #require(
      try await Tasks.createPaymentBatch(
        configuration, scheme: "anyang", operatorName: "ay-finance", output: nil, today: today
      ).batch)
    try await withStores(configuration) { database in
      let scheme = try #require(try await FluentSchemeStore(database: database).scheme(code: "anyang")).compiled()
      let context = ClaimContext(
        actor: ClaimActor(accountID: .init(), name: "财务", organisationKind: .cityFederation), address: "test",
        today: today, scheme: scheme, calendar: .publishedChina)
      _ = try await FluentClaimStore(database: database).settle(
        try #require(batch.lines.first).claimID, in: batch.id, paid: true, note: "BOC", context: context)
    }
    return (configuration, number, batch, today)
  }

  /// `huzhu claims return`: the bank's return of a paid line by the numbers its list quotes.
  @Test func aReturnFromTheBanksListPutsTheClaimBackInTheQueue() async throws {
    let (configuration, number, batch, today) = try await dataDirectoryWithAPaidClaim()
    await #expect {
      _ = try await Tasks.returnPayment(
        configuration, batch: batch.number, claim: "LP-ANYANG-2020-999999", reason: "账户已销户",
        operatorName: "ay-finance", today: today)
    } throws: { ($0 as? Tasks.OperatorRefusal)?.message.en.contains("nothing of the kind") == true }
    await #expect {
      _ = try await Tasks.returnPayment(
        configuration, batch: batch.number, claim: number, reason: "账户已销户", operatorName: "admin", today: today)
    } throws: { ($0 as? Tasks.OperatorRefusal)?.message.en.contains("may not do this") == true }
    let status = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: [
        "claims", "return", "--batch", batch.number.lowercased(), "--claim", number, "--reason", "账户已销户",
        "--operator", "ay-finance", "--data-dir", configuration.dataDirectory,
      ])
    }
    #expect(status == 0)
    try await withStores(configuration) { database in
      let claim = try #require(try await FluentClaimStore(database: database).claim(number: number))
      #expect(claim.state == .approved)
      let balance = try #require(
        try await FluentEnrollmentStore(database: database).fundBalances(scheme: "anyang").first)
      #expect(balance.reversals == Money(fen: 130_000))
    }
    // No reason: refused, with exit status 2.
    let unexplained = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: [
        "claims", "return", "--batch", batch.number, "--claim", number, "--reason", " ", "--operator", "ay-finance",
        "--data-dir", configuration.dataDirectory,
      ])
    }
    #expect(unexplained == 2)
  }

  /// `huzhu recoveries`: the approver opens one by the claim's number, the window records the
  /// money (a reference once), the list shows it settled; a clerk cannot open one.
  @Test func aRecoveryIsOpenedAndRepaidFromTheCommandLine() async throws {
    let (configuration, number, batch, today) = try await dataDirectoryWithAPaidClaim()
    await #expect {
      _ = try await Tasks.openRecovery(
        configuration, operatorName: "ay-window", claim: number, reason: .duplicate, note: "重复", amount: nil,
        today: today)
    } throws: { ($0 as? Tasks.OperatorRefusal)?.message.en.contains("may not do this") == true }
    let opened = try await Tasks.openRecovery(
      configuration, operatorName: "ay-approver", claim: number.lowercased(), reason: .overpaid, note: "多付",
      amount: Money(fen: 30_000), today: today)
    #expect(opened.contains("300.00"))
    let id = try #require(opened.split(separator: "（").last?.dropLast().description)
    let status = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: [
        "recoveries", "repay", id, "--amount", "300.00", "--reference", "HK-1", "--as", "ay-window", "--data-dir",
        configuration.dataDirectory,
      ])
    }
    #expect(status == 0)
    let again = try await Tasks.recordRepayment(
      configuration, operatorName: "ay-window", id: id, amount: Money(fen: 30_000), reference: "HK-1", today: today)
    #expect(again.contains("already recorded"))
    let listed = try await Tasks.listRecoveries(configuration, operatorName: "ay-finance", status: .settled)
    #expect(listed.contains(number) && listed.contains("1 条"))
    let badReason = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: [
        "recoveries", "open", "--claim", number, "--reason", "lost", "--note", "x", "--as", "ay-approver",
        "--data-dir", configuration.dataDirectory,
      ])
    }
    #expect(badReason == 2)
  }

  /// `huzhu corrections`: a window clerk asks for a payment's void, finance decides it; the
  /// clerk cannot decide, and a decision needs exactly one of --approve and --refuse.
  @Test func aVoidIsAskedForAndDecidedFromTheCommandLine() async throws {
    let configuration = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    _ = try await Tasks.seedDemo(configuration)
    var receipt = ""
    try await withStores(configuration) { database in
      let store = FluentEnrollmentStore(database: database)
      let certificate = try #require(try await store.certificate(number: "ANYANG-2019-000001"))
      receipt = try #require(try await store.payments(bill: certificate.enrollment.billID).first).receiptNumber
    }
    let asked = try await Tasks.requestVoid(
      configuration, operatorName: "ay-window", receipt: receipt, reason: "记错缴费单")
    #expect(asked.contains("待复核"))
    let id = try #require(asked.split(separator: "（").last?.dropLast())
    let listed = try await Tasks.listCorrections(configuration, operatorName: "ay-finance", status: .requested)
    #expect(listed.contains(receipt) && listed.contains("1 条"))
    await #expect(throws: Tasks.OperatorRefusal.self) {
      try await Tasks.decideCorrection(
        configuration, operatorName: "ay-window", id: String(id), approve: true, note: nil)
    }
    let both = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: [
        "corrections", "decide", String(id), "--approve", "--refuse", "--as", "ay-finance", "--data-dir",
        configuration.dataDirectory,
      ])
    }
    #expect(both != 0)
    let decided = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: [
        "corrections", "decide", String(id), "--approve", "--as", "ay-finance", "--data-dir",
        configuration.dataDirectory,
      ])
    }
    #expect(decided == 0)
    let applied = try await Tasks.listCorrections(configuration, operatorName: "ay-finance", status: .applied)
    #expect(applied.contains(receipt))
  }

  /// `huzhu corrections withdraw`, then the refunds listed, written to a bank file and paid.
  @Test func aCoverIsWithdrawnAndItsRefundsPaidFromTheCommandLine() async throws {
    let configuration = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    _ = try await Tasks.seedDemo(configuration)
    var number = ""
    try await withStores(configuration) { database in
      struct Row: Decodable { let certificate_number: String }
      number = try #require(
        try await (database as! any SQLDatabase).raw(
          """
          SELECT e.certificate_number FROM enrollments e WHERE e.scheme_code = 'anyang' AND e.status = 'active'
            AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.worker_id = e.worker_id)
          ORDER BY e.certificate_number LIMIT 1
          """
        ).first(decoding: Row.self)
      ).certificate_number
    }
    let today = CalendarDate(year: 2020, month: 4, day: 15)!
    // Too late to withdraw: refused, nothing asked.
    await #expect(throws: ValidationFailure.self) {
      try await Tasks.requestWithdrawal(
        configuration, operatorName: "ay-window", certificate: number, kind: .withdrawal, reason: "退保", today: today)
    }
    let asked = try await Tasks.requestWithdrawal(
      configuration, operatorName: "ay-window", certificate: number, kind: .enrollmentVoid, reason: "录错人员",
      today: today)
    #expect(asked.contains("参保作废") && asked.contains("待复核"))
    let id = try #require(asked.split(separator: "（").last?.dropLast())
    _ = try await Tasks.decideCorrection(
      configuration, operatorName: "ay-finance", id: String(id), approve: true, note: nil)
    let due = try await Tasks.listRefunds(configuration, operatorName: "ay-finance", status: .due)
    #expect(due.contains(number))
    let file = configuration.dataDirectory + "/refunds.csv"
    _ = try await Tasks.refundsBankFile(configuration, operatorName: "ay-finance", format: .csv, to: file)
    #expect(try String(contentsOfFile: file, encoding: .utf8).contains("退费 TF-ANYANG-"))
    let refundID = try #require(due.split(separator: "\n").dropFirst(2).first?.split(separator: " ").first)
    let paid = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "warning"]) {
      await HuzhuCommand.run(arguments: [
        "refunds", "pay", String(refundID), "--reference", "BANK-1", "--as", "ay-finance", "--data-dir",
        configuration.dataDirectory,
      ])
    }
    #expect(paid == 0)
    #expect(try await Tasks.listRefunds(configuration, operatorName: "ay-finance", status: .paid).contains("已退款"))
    let elsewhere = try await Tasks.listRefunds(configuration, operatorName: "hlj-finance", status: nil)
    #expect(elsewhere.contains("0 笔") && !elsewhere.contains(number))
  }

  /// `huzhu audit verify` passes an untouched log, names the entry deleted behind the
  /// application's back (trigger dropped first) and exits 1; an anchor shows the end cut off.
  @Test func auditVerifyFindsADeletedEntry() async throws {
    let configuration = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    _ = try await Tasks.migrate(configuration)
    try await withStores(configuration) { database in
      for number in 1...5 {
        try await FluentAuditStore(database: database).record(
          AuditEvent(at: Date(), kind: .login, actor: "user\(number)", subject: "account:user\(number)"))
      }
    }
    let intact = try await Tasks.verifyAudit(configuration, anchors: [], archive: nil)
    #expect(intact.intact && intact.text.contains("checked: 5"))
    let anchorText = try #require(
      intact.text.split(separator: "\n").first { $0.contains("anchor") }?.split(separator: " ").last)
    let anchor = try #require(AuditChain.Head(String(anchorText)))
    #expect(anchor.sequence == 5)
    let verify = ["audit", "verify", "--data-dir", configuration.dataDirectory]
    let quiet = ["LOG_LEVEL": "warning"]
    #expect(await CommandEnvironment.$values.withValue(quiet) { await HuzhuCommand.run(arguments: verify) } == 0)
    #expect(await HuzhuCommand.run(arguments: verify + ["--anchor", "5:nothex"]) == 2)

    try await withStores(configuration) { database in
      let sql = database as! any SQLDatabase
      try await sql.raw("DROP TRIGGER audit_events_no_delete").run()
      try await sql.raw("DELETE FROM audit_events WHERE sequence IN (2, 5)").run()
    }
    let damaged = try await Tasks.verifyAudit(configuration, anchors: [anchor], archive: nil)
    #expect(!damaged.intact)
    #expect(damaged.text.contains("entry 2 is missing"), "\(damaged.text)")
    #expect(damaged.text.contains("the anchor \(anchor) is no longer in the chain"), "\(damaged.text)")
    #expect(await CommandEnvironment.$values.withValue(quiet) { await HuzhuCommand.run(arguments: verify) } == 1)
  }

  /// Entries older than the retention go to an archive that verifies on its own, then leave
  /// the database; the kept chain still verifies; only an audit administrator prunes, and an
  /// archive is never overwritten.
  @Test func auditPruneArchivesWhatIsPastRetention() async throws {
    var configuration = try AppConfiguration.resolve(
      dataDirectory: scratch.make(), environment: quietDemo.merging(["HUZHU_AUDIT_RETENTION_DAYS": "200"]) { $1 })
    #expect(configuration.auditRetention.days == 200)
    #expect(throws: ConfigurationError.self) {
      try AppConfiguration.resolve(environment: ["HUZHU_AUDIT_RETENTION_DAYS": "90"])
    }
    configuration.loadsDemoData = true
    _ = try await Tasks.seedDemo(configuration)
    try await withStores(configuration) { database in
      let old = Date().addingTimeInterval(-400 * 86_400)
      for number in 1...3 {
        try await FluentAuditStore(database: database).record(
          AuditEvent(at: old.addingTimeInterval(Double(number)), kind: .login, actor: "old\(number)", subject: "s"))
      }
      try await FluentAuditStore(database: database).record(
        AuditEvent(at: Date(), kind: .login, actor: "recent", subject: "s"))
    }
    let archive = scratch.make() + ".jsonl"
    defer { try? FileManager.default.removeItem(atPath: archive) }
    let refused = try await Tasks.pruneAudit(configuration, operatorName: "admin", archive: archive)
    #expect(refused.contains("not an audit administrator"))
    let pruned = try await Tasks.pruneAudit(configuration, operatorName: "auditor", archive: archive)
    #expect(pruned.contains("archived and removed 3 entries"), "\(pruned)")
    let archived = try await Tasks.verifyAudit(configuration, anchors: [], archive: archive)
    #expect(archived.intact && archived.text.contains("checked: 3"), "\(archived.text)")
    let kept = try await Tasks.verifyAudit(configuration, anchors: [], archive: nil)
    #expect(kept.intact && kept.text.contains("kept chain starts at entry 4"), "\(kept.text)")
    // The prune is itself in the log, naming the archive's digest.
    try await withStores(configuration) { database in
      let last = try await AuditChainStore(database: database).links(after: 0, limit: 100).last
      #expect(last?.event.detail.contains("sha256:") == true)
      #expect(last?.event.actor == "auditor")
    }
    let again = await #expect(throws: (any Error).self) {
      try await Tasks.pruneAudit(configuration, operatorName: "auditor", archive: archive)
    }
    #expect(String(describing: again).contains("never overwritten"))
    // An altered archive does not verify.
    var lines = try String(contentsOfFile: archive, encoding: .utf8)
    lines = lines.replacingOccurrences(of: "old2", with: "odd2")
    try lines.write(toFile: archive, atomically: true, encoding: .utf8)
    #expect(try await Tasks.verifyAudit(configuration, anchors: [], archive: archive).intact == false)
  }
}
