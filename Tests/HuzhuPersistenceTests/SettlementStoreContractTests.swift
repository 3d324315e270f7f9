import FluentKit
import Foundation
import HuzhuCore
import HuzhuSchemeFiles
import HuzhuTestSupport
import SQLKit
import Testing

@testable import HuzhuPersistence

/// One-stop claims from settlement records, on every database the tests have: matching,
/// claims without papers, the exceptions, sending again, corrections and cancellations before
/// and after payment, and another organisation seeing none of it.
@Suite("Settlement store contract: one-stop claims")
struct SettlementStoreContractTests {
  static let kinds = TestDatabaseKind.available

  /// Anyang's first-year rule (docs/settlements.md's worked example), with the settlement
  /// standing for every paper it asks.
  static func yaml(oneStop: String = "{ supplies: [certificate, diagnosis, invoice, settlement_sheet] }") -> String {
    """
    scheme:
      code: anyang
      name: 安阳市职工住院医疗互助保障
      rounding: half_up
      claims:
        workingDays: 10
        approval: [city_federation]
        oneStop: \(oneStop)
    products:
      - code: anyang-hospital
        name: 职工住院医疗互助保障
        versions:
          - version: "2019"
            coverageStarting: { from: 2019-10-16, to: 2020-10-15 }
            contribution: { perShare: "60.00", periodMonths: 12 }
            eligibility: { insuranceTypes: [urban_employee] }
            requiredDocuments: [certificate, diagnosis, invoice, settlement_sheet]
            benefits:
              - code: anyang-hospital-topup
                name: 住院医疗互助金
                kind: hospital
                hospital:
                  base: { subtract: [in_scope_cost, pooled_fund_paid, critical_illness_insurance_paid] }
                  schedule:
                    progressive:
                      - { upTo: "1000.00", rate: "30%" }
                      - { from: "1000.00", rate: "50%" }
                limits: { perPeriod: "1500.00" }
    """
  }

  let start = CalendarDate(year: 2019, month: 10, day: 16)!
  let today = CalendarDate(year: 2020, month: 6, day: 30)!
  let clerk = ClaimActor(accountID: .init(), name: "窗口 李", organisationKind: .cityFederation)

  struct World {
    let db: MigratedDatabase
    let scheme: CompiledScheme
    let city: Organisation
    let source: SettlementSource
    let workers: [String: Worker]
    var settlements: FluentSettlementStore { FluentSettlementStore(database: db.database) }
    var claims: FluentClaimStore { FluentClaimStore(database: db.database) }
  }

  /// 张建国 and 李秀英 insured for the year; 王海涛 registered without cover.
  func world(_ db: MigratedDatabase, oneStop: String? = nil) async throws -> World {
    let yaml = oneStop.map { Self.yaml(oneStop: $0) } ?? Self.yaml()
    let registry = FluentRegistryStore(database: db.database)
    let city = Organisation(parentID: nil, kind: .cityFederation, code: "HA-AY", name: "安阳市总工会")
    try await registry.create(city)
    let unit = WorkUnit(
      organisationID: city.id, name: "河南安彩高科股份有限公司", creditCode: CreditCode.compose("91410500MA0000001").value,
      sector: .stateEnterprise)
    try await registry.create(unit)
    var workers: [String: Worker] = [:]
    for (name, id) in [
      ("张建国", "410502196805151310"), ("李秀英", "410503197108222241"), ("王海涛", "410505198003093196"),
    ] {
      let worker = Worker(
        name: name, idNumber: ResidentIDNumber(id)!, unitID: unit.id, phone: "13800000000", bankName: "中国工商银行",
        bankAccount: "6222020000000000001")
      try await registry.create(worker, employedSince: CalendarDate(year: 2010, month: 1, day: 1)!)
      workers[name] = worker
    }
    let definition = try SchemeFile.decode(SchemeDefinition.self, yaml: yaml, file: "anyang.yaml")
    _ = try await FluentSchemeStore(database: db.database).save(
      definition, source: yaml, organisationID: city.id, savedBy: "test")
    let scheme = try SchemeFile.compile(yaml: yaml, file: "anyang.yaml")
    let enrollments = FluentEnrollmentStore(database: db.database)
    let plan = try await enrollments.enroll(
      EnrollmentOrder(
        schemeCode: "anyang", productCode: "anyang-hospital", periodStart: start, unitID: unit.id,
        workerIDs: [workers["张建国"]!.id, workers["李秀英"]!.id], requestDate: start),
      scheme: scheme)
    _ = try await enrollments.record(
      PaymentRequest(payer: .worker, amount: plan.bill.totalDue, paidOn: start, reference: "B-1"), on: plan.bill.id,
      recordedBy: "clerk", idempotencyKey: nil, scheme: scheme)
    let source = SettlementSource(
      code: "anyang-bureau", name: "安阳市医疗保障局", organisationID: city.id, schemeCode: "anyang")
    try await FluentSettlementStore(database: db.database).create(source, by: "admin")
    return World(db: db, scheme: scheme, city: city, source: source, workers: workers)
  }

  func context(_ world: World, as actor: ClaimActor? = nil) -> ClaimContext {
    ClaimContext(
      actor: actor ?? clerk, address: "test", today: today, scheme: world.scheme,
      calendar: WorkingDayCalendar.publishedChina)
  }

  /// The sample's first record (张建国's stroke), as the bureau's feed sends it.
  func stroke(_ changes: [String: Any] = [:]) -> [String: Any] {
    var record: [String: Any] = [
      "settlementId": "41050020200603107919", "visitId": "ZY2020052500337", "name": "张建国",
      "idNumber": "410502196805151310", "insuranceType": "310", "medicalType": "21", "providerName": "安阳市人民医院",
      "admissionDate": "2020-05-25", "dischargeDate": "2020-06-03", "settledAt": "2020-06-03 09:46:21",
      "diagnoses": [["code": "I63.900", "name": "脑梗死", "main": true]], "totalCost": "15862.40",
      "fullSelfPay": "620.00", "overLimitSelfPay": "85.50", "preSelfPay": "1136.72", "inScopeAmount": "14020.18",
      "deductiblePaid": "800.00", "poolPay": "11237.15", "fundTotal": "11237.15", "accountPay": "0.00",
      "cashPay": "4625.25",
    ]
    for (key, value) in changes { record[key] = value }
    return record
  }

  func gallstones(_ changes: [String: Any] = [:]) -> [String: Any] {
    var record: [String: Any] = [
      "settlementId": "41050020200604115838", "name": "李秀英", "idNumber": "410503197108222241", "medicalType": "21",
      "providerName": "安阳地区医院", "admissionDate": "2020-05-28", "dischargeDate": "2020-06-04",
      "settledAt": "2020-06-04 15:12:08", "totalCost": "18235.60", "fullSelfPay": "1480.00", "overLimitSelfPay": "0.00",
      "preSelfPay": "1642.30", "inScopeAmount": "15113.30", "poolPay": "12166.31", "fundTotal": "12166.31",
      "accountPay": "500.00", "cashPay": "5569.29",
    ]
    for (key, value) in changes { record[key] = value }
    return record
  }

  func file(_ records: [[String: Any]]) -> SettlementFile {
    SettlementReader.read(
      objects: records.enumerated().map { ($0.offset + 1, $0.element) }, layout: .standard, today: today)
  }

  func receive(_ world: World, _ records: [[String: Any]], dryRun: Bool = false) async throws -> SettlementReceipt {
    try await world.settlements.receive(
      file(records), from: world.source, channel: "feed", fileName: nil, sha256: nil, context: context(world),
      dryRun: dryRun)
  }

  func claimCount(_ db: MigratedDatabase) async throws -> Int {
    try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("claims")
      .first(decoding: Count.self)?.n ?? -1
  }

  struct Count: Decodable { let n: Int }

  /// The JSON columns the import wrote are byte for byte what Foundation's sorted encoder
  /// writes for the values they hold (``JSONColumnEncoder``).
  func expectColumnsAsFoundationWritesThem(_ db: MigratedDatabase) async throws {
    struct ClaimColumns: Decodable {
      let intake: String
      let progress: String
      let explanation: String?
      let duplicates: String
    }
    struct RecordColumns: Decodable {
      let record: String
      let original: String
      let exception_detail: String?
    }
    func foundation<T: Codable>(_ type: T.Type, _ text: String) throws -> String {
      String(
        decoding: try JSONEncoder.sorted.encode(try JSONDecoder().decode(type, from: Data(text.utf8))), as: UTF8.self)
    }
    let claims = try await db.sql.select().columns("intake", "progress", "explanation", "duplicates").from("claims")
      .all(decoding: ClaimColumns.self)
    #expect(!claims.isEmpty)
    for row in claims {
      #expect(try foundation(ClaimIntake.self, row.intake) == row.intake)
      #expect(try foundation(ClaimProgress.self, row.progress) == row.progress)
      #expect(try row.explanation.map { try foundation(ExplanationReport.Document.self, $0) } == row.explanation)
      #expect(try foundation([DuplicateFlag].self, row.duplicates) == row.duplicates)
    }
    let records = try await db.sql.select().columns("record", "original", "exception_detail")
      .from("settlement_records").all(decoding: RecordColumns.self)
    #expect(!records.isEmpty)
    for row in records {
      #expect(try foundation(SettlementRecord.self, row.record) == row.record)
      #expect(try foundation([String: String].self, row.original) == row.original)
      #expect(try row.exception_detail.map { try foundation(LocalizedText.self, $0) } == row.exception_detail)
    }
  }

  @Test(arguments: kinds)
  func settlementsBecomeClaimsWithoutPapersOrWaitForStaff(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let stranger = ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1990, month: 1, day: 1)!, sequence: 123, gender: .male
      ).value
      let records = [
        stroke(), gallstones(),
        stroke(["settlementId": "S-3", "name": "王海涛", "idNumber": "410505198003093196"]),
        stroke(["settlementId": "S-4", "name": "赵六", "idNumber": stranger]),
        stroke(["settlementId": "S-5", "name": "张建", "admissionDate": "2020-06-10", "dischargeDate": "2020-06-12"]),
        stroke(["settlementId": "S-6", "name": "李秀英", "idNumber": "410503197108222241", "totalCost": "15000.00"]),
      ]
      // A dry run decides everything and keeps nothing.
      let preview = try await receive(world, records, dryRun: true)
      #expect(preview.batchID == nil && preview[.claimed] == 2)
      #expect(try await claimCount(db) == 0)

      let receipt = try await receive(world, records)
      #expect(receipt.outcomes.map(\.result) == [.claimed, .claimed, .held, .held, .held, .held])
      #expect(
        receipt.outcomes.map(\.exception) == [
          nil, nil, .noCover, .notMember, .nameMismatch, .amountsInconsistent,
        ])
      try await expectColumnsAsFoundationWritesThem(db)
      let claim = try #require(try await world.claims.claim(number: receipt.outcomes[0].claimNumber ?? ""))
      // The worked example: base 14,020.18 − 11,237.15 = 2,783.03; 300.00 + 891.515 → 1,191.52.
      #expect(claim.calculatedTotal == Money(yuan: "1191.52"))
      #expect(claim.channel == .settlement && claim.state == .submitted && claim.progress.missingDocuments.isEmpty)
      #expect(claim.intake.settlementSheetNumber == "41050020200603107919" && claim.dueOn != nil)
      #expect(claim.intake.event.hospitalDays == 9 && claim.intake.hospital == "安阳市人民医院")

      // The inconsistent record made a claim, held as a draft for staff; the others made none.
      let queue = try await world.settlements.queue(exception: nil, page: PageQuery())
      #expect(queue.total == 4)
      let held = try #require(queue.items.first { $0.exception == .amountsInconsistent })
      #expect(held.claimID != nil && held.exceptionDetail?.zh.contains("医疗费总额") == true)
      #expect(try await world.claims.claim(held.claimID!)?.state == .draft)
      #expect(try await world.settlements.heldCounts()[.noCover] == 1)

      // The bureau corrects the inconsistent record: its draft goes on, off the queue.
      let fixed = try await receive(
        world, [stroke(["settlementId": "S-6", "name": "李秀英", "idNumber": "410503197108222241"])])
      #expect(fixed.outcomes.map(\.result) == [.updated] && fixed.outcomes[0].exception == .possibleDuplicate)
      #expect(try await world.claims.claim(held.claimID!)?.state == .draft)
      let consistent = try await receive(
        world,
        [
          stroke([
            "settlementId": "S-6", "name": "李秀英", "idNumber": "410503197108222241", "admissionDate": "2020-04-01",
            "dischargeDate": "2020-04-05", "settledAt": "2020-04-05",
          ])
        ])
      #expect(consistent.outcomes.map(\.result) == [.updated] && consistent.outcomes[0].exception == nil)
      #expect(try await world.claims.claim(held.claimID!)?.state == .submitted)
      let latest = records.enumerated().map { index, record in
        index == 5
          ? stroke([
            "settlementId": "S-6", "name": "李秀英", "idNumber": "410503197108222241", "admissionDate": "2020-04-01",
            "dischargeDate": "2020-04-05", "settledAt": "2020-04-05",
          ]) : record
      }

      // Sending the same records again changes nothing.
      let again = try await receive(world, latest)
      #expect(again.outcomes.allSatisfy { $0.result == .unchanged })
      #expect(try await claimCount(db) == 3)
    }
  }

  @Test(arguments: kinds)
  func smallClaimsGoStraightThroughAndTheCapsHoldWithinAFile(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(
        db,
        oneStop:
          #"{ supplies: [certificate, diagnosis, invoice, settlement_sheet], straightThrough: { upTo: "1200.00" } }"#)
      // Two stays of 张建国 in one file: the second is judged after the first took its share of
      // the 1,500 cap; 李秀英's claim (over 1,200) goes to a reviewer.
      let later = stroke([
        "settlementId": "S-2", "admissionDate": "2020-06-10", "dischargeDate": "2020-06-15", "settledAt": "2020-06-15",
      ])
      let receipt = try await receive(world, [stroke(), later, gallstones()])
      #expect(receipt.outcomes.map(\.result) == [.approved, .approved, .claimed])
      let first = try #require(try await world.claims.claim(number: receipt.outcomes[0].claimNumber ?? ""))
      let second = try #require(try await world.claims.claim(number: receipt.outcomes[1].claimNumber ?? ""))
      #expect(first.state == .approved && first.approvedTotal == Money(yuan: "1191.52"))
      #expect(second.approvedTotal == Money(yuan: "308.48"))
      let detail = try #require(try await world.claims.detail(first.id))
      #expect(detail.history.map(\.action) == ["open_submit", "review", "approve"])
      #expect(detail.outbox.map(\.notice) == [.settled])
      #expect(try await world.settlements.figures().straightThrough == 2)
      #expect(
        detail.outbox.first?.text.contains("安阳市人民医院") == true && detail.outbox.first?.text.contains("1191.52") == true)

      // The ledger holds what they took: a window claim of the member now finds the cap spent.
      let window = try await world.claims.open(
        ClaimIntake(
          event: ClaimEvent(
            admissionDate: CalendarDate(year: 2020, month: 6, day: 20),
            dischargeDate: CalendarDate(year: 2020, month: 6, day: 22),
            claimDate: today,
            figures: SettlementFigures([.inScopeCost: Money(yuan: 5000), .pooledFundPaid: Money(yuan: 3000)]))),
        for: world.workers["张建国"]!.id, channel: .window, expedited: false, context: context(world))
      #expect(window.calculatedTotal == .zero)

      // A sample of 100% sends every claim to a person.
      var sampled: [SettlementOutcome] = []
      try await withMigratedDatabase(kind) { other in
        let world = try await self.world(
          other,
          oneStop:
            #"{ supplies: [certificate, diagnosis, invoice, settlement_sheet], straightThrough: { upTo: "5000.00", sample: "100%" } }"#
        )
        sampled = try await receive(world, [stroke()]).outcomes
      }
      #expect(sampled.map(\.result) == [.claimed])
      // Where the settlement stands for fewer papers than the rules ask, the claim waits for them.
      var waiting: [SettlementOutcome] = []
      try await withMigratedDatabase(kind) { other in
        let world = try await self.world(other, oneStop: #"{ straightThrough: { upTo: "5000.00" } }"#)
        waiting = try await receive(world, [stroke()]).outcomes
      }
      #expect(waiting.map(\.exception) == [.documentsNeeded])
    }
  }

  @Test(arguments: kinds)
  func aCorrectionUpdatesAnUnpaidClaimAndAReversalWithdrawsIt(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let first = try await receive(world, [stroke(), gallstones()])
      let number = try #require(first.outcomes[0].claimNumber)

      // The bureau re-settles the stay under the same ID with a smaller pooled payment.
      let corrected = stroke(["poolPay": "11037.15", "fundTotal": "11037.15", "cashPay": "4825.25"])
      let update = try await receive(world, [corrected])
      #expect(update.outcomes.map(\.result) == [.updated])
      let claim = try #require(try await world.claims.claim(number: number))
      // Base 2,983.03: 300.00 + 991.515 → 1,291.52.
      #expect(claim.calculatedTotal == Money(yuan: "1291.52") && claim.state == .submitted)
      #expect(claim.intake.settlement?.settlementId == "41050020200603107919")

      // A reversal row cancels 李秀英's settlement: the claim is withdrawn, nothing was paid.
      let reversal = gallstones([
        "settlementId": "R-1", "reversal": "是", "originalSettlementId": "41050020200604115838",
        "totalCost": "-18235.60",
        "fullSelfPay": "-1480.00", "preSelfPay": "-1642.30", "inScopeAmount": "-15113.30", "poolPay": "-12166.31",
        "fundTotal": "-12166.31", "accountPay": "-500.00", "cashPay": "-5569.29",
      ])
      let cancelled = try await receive(world, [reversal])
      #expect(cancelled.outcomes.map(\.result) == [.reversal])
      let withdrawn = try #require(try await world.claims.claim(number: first.outcomes[1].claimNumber ?? ""))
      #expect(withdrawn.state == .rejected)
      let queue = try await world.settlements.queue(exception: nil, page: PageQuery())
      #expect(queue.total == 0)
      // The reversal sent again is nothing new.
      #expect(try await receive(world, [reversal]).outcomes.map(\.result) == [.unchanged])
    }
  }

  @Test(arguments: kinds)
  func aChangeAfterPaymentOpensARecoveryAndLeavesThePaidClaimAlone(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let first = try await receive(world, [stroke()])
      let claim = try #require(try await world.claims.claim(number: first.outcomes[0].claimNumber ?? ""))
      let reviewer = ClaimActor(accountID: .init(), name: "初审 赵", organisationKind: .cityFederation)
      let approver = ClaimActor(accountID: .init(), name: "审批 钱", organisationKind: .cityFederation)
      _ = try await world.claims.perform(.review, on: claim.id, context: context(world, as: reviewer))
      _ = try await world.claims.perform(.approve, on: claim.id, context: context(world, as: approver))
      let batch = try await world.claims.createBatch(scheme: "anyang", context: context(world))
      _ = try await world.claims.settle(claim.id, in: batch.id, paid: true, note: nil, context: context(world))
      #expect(try await world.claims.claim(claim.id)?.state == .paid)
      let figures = try await world.settlements.figures()
      #expect(figures.paid == 1 && figures.paidWithoutPapers.percentText(decimals: 0) == "100%")
      // Settled on 3 June, paid on 30 June.
      #expect(figures.daysToPayment == [27: 1] && figures.averageDaysText == "27.0" && figures.straightThrough == 0)

      let change = try await receive(world, [stroke(["valid": "0"])])
      #expect(change.outcomes.map(\.result) == [.recoveryDue])
      let paid = try #require(try await world.claims.claim(claim.id))
      #expect(paid.state == .paid && paid.approvedTotal == Money(yuan: "1191.52"))
      let held = try await world.settlements.queue(exception: .recoveryDue, page: PageQuery())
      #expect(held.items.map(\.claimNumber) == [claim.number])
      #expect(held.items.first?.exceptionDetail?.zh.contains("追回") == true)
    }
  }

  @Test(arguments: kinds)
  func aWindowClaimForTheSameSettlementHoldsTheOneStopClaim(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let window = try await world.claims.open(
        ClaimIntake(
          hospital: "安阳市人民医院",
          event: ClaimEvent(
            admissionDate: CalendarDate(year: 2020, month: 5, day: 25),
            dischargeDate: CalendarDate(year: 2020, month: 6, day: 3),
            claimDate: today,
            figures: SettlementFigures([.inScopeCost: Money(yuan: 14020), .pooledFundPaid: Money(yuan: 11000)])),
          settlementSheetNumber: "41050020200603107919"),
        for: world.workers["张建国"]!.id, channel: .window, expedited: false, context: context(world))
      let receipt = try await receive(world, [stroke()])
      #expect(receipt.outcomes.map(\.exception) == [.possibleDuplicate])
      let queue = try await world.settlements.queue(exception: .possibleDuplicate, page: PageQuery())
      #expect(queue.items.first?.exceptionDetail?.zh.contains(window.number) == true)

      // The other way round: a one-stop claim first, then the worker at the window.
      let first = try await receive(world, [gallstones()])
      let oneStop = try #require(first.outcomes.first?.claimNumber)
      let late = try await world.claims.open(
        ClaimIntake(
          event: ClaimEvent(
            admissionDate: CalendarDate(year: 2020, month: 5, day: 28), claimDate: today,
            figures: SettlementFigures([.inScopeCost: Money(yuan: 100), .pooledFundPaid: Money(yuan: 50)])),
          settlementSheetNumber: "41050020200604115838"),
        for: world.workers["李秀英"]!.id, channel: .window, expedited: false, context: context(world))
      #expect(Set(late.duplicates.map(\.kind)) == [.overlappingStay, .sameSettlementSheet])
      #expect(late.duplicates.allSatisfy { $0.earlierClaimNumber == oneStop })

      // An outpatient month of dialysis, which no benefit of the scheme pays, waits for staff.
      let dialysis = stroke([
        "settlementId": "MT-1", "medicalType": "14", "diseaseCode": "M07803", "admissionDate": "2020-04-01",
        "dischargeDate": "2020-04-30", "settledAt": "2020-04-30",
      ])
      #expect(try await receive(world, [dialysis]).outcomes.map(\.exception) == [.outpatient])
    }
  }

  @Test(arguments: kinds)
  func anotherOrganisationSeesNoSourceAndNoRecord(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      _ = try await receive(world, [stroke(["settlementId": "S-9", "name": "王海涛", "idNumber": "410505198003093196"])])
      let other = Organisation(parentID: nil, kind: .provincialOffice, code: "HLJ", name: "黑龙江省总工会")
      try await FluentRegistryStore(database: db.database).create(other)
      let outsider = FluentSettlementStore(database: db.database, scope: .organisations([other.id]))
      #expect(try await outsider.sources().isEmpty)
      #expect(try await outsider.queue(exception: nil, page: PageQuery()).total == 0)
      #expect(try await outsider.heldCounts().isEmpty)
      let mine = try await world.settlements.queue(exception: nil, page: PageQuery())
      #expect(try await outsider.settlement(mine.items[0].id) == nil)
      await #expect(throws: ValidationFailure.self) {
        try await outsider.resolve(mine.items[0].id, note: "看不见", by: "hlj")
      }
    }
  }
}
