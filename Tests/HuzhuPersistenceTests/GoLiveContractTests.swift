import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import HuzhuTestSupport
import SQLKit
import Testing

/// The fund's opening balance and period close, and the cover and paid claims taken over from
/// the old records, on every database the tests have.
@Suite("Go-live store contract: ledger periods and take-over")
struct GoLiveContractTests {
  static let kinds = TestDatabaseKind.available

  /// The test scheme's hospital product with a rule version a year, 2024 and 2025.
  static let yaml = """
    scheme: { code: test, name: 测试互助保障, rounding: half_up }
    products:
      - code: hospital
        name: 住院互助
        versions:
          - version: "2024"
            coverageStarting: { from: 2024-01-01, to: 2024-12-31 }
            contribution: { perShare: "60.00", periodMonths: 12 }
            shares: { min: 1, max: 3 }
            waitingPeriod: { days: 30, waivedOnRenewalWithinDays: 30 }
            benefits:
              - code: hospital-topup
                name: 住院互助金
                kind: hospital
                hospital:
                  base: { subtract: [in_scope_cost, pooled_fund_paid] }
                  schedule: { flat: "30%" }
          - version: "2025"
            coverageStarting: { from: 2025-01-01 }
            contribution: { perShare: "70.00", periodMonths: 12 }
            shares: { min: 1, max: 3 }
            waitingPeriod: { days: 30, waivedOnRenewalWithinDays: 30 }
            benefits:
              - code: hospital-topup
                name: 住院互助金
                kind: hospital
                hospital:
                  base: { subtract: [in_scope_cost, pooled_fund_paid] }
                  schedule: { flat: "40%" }
    """

  let jan1 = CalendarDate(year: 2024, month: 1, day: 1)!
  let today = CalendarDate(year: 2024, month: 12, day: 20)!

  struct World {
    let db: MigratedDatabase
    let scheme: CompiledScheme
    let unit: WorkUnit
    let workers: [Worker]
    var enrollments: FluentEnrollmentStore { FluentEnrollmentStore(database: db.database) }
    var fund: FluentFundStore { FluentFundStore(database: db.database) }
  }

  func world(_ db: MigratedDatabase) async throws -> World {
    let registry = FluentRegistryStore(database: db.database)
    let agency = Organisation(parentID: nil, kind: .cityAgency, code: "YC", name: "伊春代办处")
    try await registry.create(agency)
    let unit = WorkUnit(
      organisationID: agency.id, name: "伊春森工集团", creditCode: CreditCode.compose("91230700MA0000001").value,
      sector: .stateEnterprise)
    try await registry.create(unit)
    var workers: [Worker] = []
    for index in 0..<3 {
      let number = ResidentIDNumber.compose(
        region: "230700", birthDate: CalendarDate(year: 1980 + index, month: 3, day: 1)!, sequence: index + 1,
        gender: index % 2 == 0 ? .female : .male)
      let worker = Worker(name: ["李红", "张伟", "王芳"][index], idNumber: number, unitID: unit.id)
      try await registry.create(worker, employedSince: CalendarDate(year: 2015, month: 1, day: 1)!)
      workers.append(worker)
    }
    let definition = try SchemeFile.decode(SchemeDefinition.self, yaml: Self.yaml, file: "test.yaml")
    _ = try await FluentSchemeStore(database: db.database).save(
      definition, source: Self.yaml, organisationID: agency.id, savedBy: "test")
    return World(
      db: db, scheme: try SchemeFile.compile(yaml: Self.yaml, file: "test.yaml"), unit: unit, workers: workers)
  }

  /// Enrolls `workers` for 2024 and pays the bill in full; returns the bill.
  func enrolledAndPaid(_ world: World, _ workers: [Worker]) async throws -> Bill {
    let plan = try await world.enrollments.enroll(
      EnrollmentOrder(
        schemeCode: "test", productCode: "hospital", periodStart: jan1, unitID: world.unit.id,
        workerIDs: workers.map(\.id), requestDate: jan1),
      scheme: world.scheme)
    _ = try await world.enrollments.record(
      PaymentRequest(payer: .worker, amount: plan.bill.totalDue, paidOn: jan1, reference: "B-\(plan.bill.number)"),
      on: plan.bill.id, recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
    return plan.bill
  }

  // MARK: The ledger

  /// Every kind the core knows is a kind the database takes (a new kind needs a migration).
  @Test(arguments: kinds)
  func theLedgerTakesEveryKindOfEntry(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      for entryKind in FundEntryKind.allCases {
        try await db.sql.raw(
          """
          INSERT INTO fund_entries (id, scheme_code, product_code, version_label, posted_on, kind, amount, source_id, \
          memo, created_at) VALUES (\(bind: UUID()), 'test', 'hospital', '2024', '2024-01-01', \
          \(bind: entryKind.rawValue), 1, \(bind: "probe-\(entryKind.rawValue)"), '', \(bind: Date()))
          """
        ).run()
      }
      await #expect(throws: (any Error).self) {
        try await db.sql.raw(
          """
          INSERT INTO fund_entries (id, scheme_code, product_code, version_label, posted_on, kind, amount, source_id, \
          memo, created_at) VALUES (\(bind: UUID()), 'test', 'hospital', '2024', '2024-01-01', 'gift', 1, 'x', '', \
          \(bind: Date()))
          """
        ).run()
      }
      // Still append-only after the rebuild (SQLite) or the constraint swap (PostgreSQL).
      await #expect(throws: (any Error).self) { try await db.sql.raw("DELETE FROM fund_entries").run() }
    }
  }

  @Test(arguments: kinds)
  func anOpeningBalanceIsPostedOnceWithItsVoucher(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let entry = try await world.fund.postOpeningBalance(
        Money(yuan: 1_250_000), scheme: world.scheme, product: "hospital", version: "2024",
        reference: " 2023年决算 记字第12号 ", postedOn: today)
      #expect(entry.kind == .openingBalance && entry.memo == "2023年决算 记字第12号" && entry.postedOn == today)
      let again = await #expect(throws: ValidationFailure.self) {
        try await world.fund.postOpeningBalance(
          Money(yuan: 1), scheme: world.scheme, product: "hospital", version: "2024", reference: "X", postedOn: today)
      }
      #expect(again?.errors.map(\.code) == ["opening_balance_exists"])
      let wrong = await #expect(throws: ValidationFailure.self) {
        try await world.fund.postOpeningBalance(
          .zero, scheme: world.scheme, product: "dental", version: "2030", reference: "", postedOn: today)
      }
      #expect(Set(wrong?.errors.map(\.code) ?? []) == ["unknown_product", "invalid_amount", "invalid_reference"])
      let balance = try #require(try await world.enrollments.fundBalances(scheme: "test").first)
      #expect(balance.opening == Money(yuan: 1_250_000) && balance.balance == Money(yuan: 1_250_000))
    }
  }

  /// Closing 2024 carries its balance into 2025 and shuts 2024: a payment on a 2024 bill, and
  /// even a raw insert, is refused; the close itself cannot be undone.
  @Test(arguments: kinds)
  func aClosedPeriodCarriesItsBalanceAndTakesNothingMore(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      _ = try await world.fund.postOpeningBalance(
        Money(yuan: 10_000), scheme: world.scheme, product: "hospital", version: "2024", reference: "V1",
        postedOn: today)
      _ = try await enrolledAndPaid(world, Array(world.workers.prefix(2)))
      let late = try await world.enrollments.enroll(
        EnrollmentOrder(
          schemeCode: "test", productCode: "hospital", periodStart: jan1, unitID: world.unit.id,
          workerIDs: [world.workers[2].id], requestDate: jan1),
        scheme: world.scheme)

      let preview = try await world.fund.previewClose(
        scheme: world.scheme, version: "2024", reference: "2024年结账", closedOn: today)
      #expect(preview.entries.map(\.amount) == [Money(fen: -1_012_000), Money(fen: 1_012_000)])
      #expect(try await world.fund.closes(scheme: "test").isEmpty)

      let closed = try await world.fund.close(
        scheme: world.scheme, version: "2024", reference: "2024年结账", closedOn: today, closedBy: "finance")
      #expect(closed.close.closedBy == "finance" && closed.close.closedOn == today)
      #expect(try await world.fund.closes(scheme: "test").map(\.versionLabel) == ["2024"])
      let balances = try await world.enrollments.fundBalances(scheme: "test")
      #expect(balances.map(\.versionLabel) == ["2024", "2025"])
      #expect(balances[0].balance == .zero && balances[0].carriedForward == Money(fen: 1_012_000))
      #expect(balances[1].opening == Money(fen: 1_012_000) && balances[1].balance == Money(fen: 1_012_000))
      #expect(FundBalance.total(of: balances).balance == Money(fen: 1_012_000))

      // A payment on the unpaid 2024 bill is refused with the rule's words, nothing written.
      let refused = await #expect(throws: ValidationFailure.self) {
        try await world.enrollments.record(
          PaymentRequest(payer: .worker, amount: Money(fen: 6000), paidOn: today, reference: "B9"), on: late.bill.id,
          recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      }
      #expect(refused?.errors.map(\.code) == ["period_closed"])
      #expect(try await world.enrollments.payments(bill: late.bill.id).isEmpty)
      // The database itself refuses whatever path an entry takes, and keeps the close.
      await #expect(throws: (any Error).self) {
        try await db.sql.raw(
          """
          INSERT INTO fund_entries (id, scheme_code, product_code, version_label, posted_on, kind, amount, source_id, \
          memo, created_at) VALUES (\(bind: UUID()), 'test', 'hospital', '2024', '2024-12-20', 'reversal', -1, 'r1', \
          '', \(bind: Date()))
          """
        ).run()
      }
      await #expect(throws: (any Error).self) { try await db.sql.raw("DELETE FROM fund_period_closes").run() }
      // Once only; and 2025 has no later version to take its balance.
      let twice = await #expect(throws: ValidationFailure.self) {
        try await world.fund.close(
          scheme: world.scheme, version: "2024", reference: "again", closedOn: today, closedBy: "finance")
      }
      #expect(twice?.errors.map(\.code) == ["period_closed"])
      let last = await #expect(throws: ValidationFailure.self) {
        try await world.fund.close(
          scheme: world.scheme, version: "2025", reference: "2025年结账", closedOn: today, closedBy: "finance")
      }
      #expect(last?.errors.map(\.code) == ["no_next_version"])
      // The opening balance of a closed period is refused too.
      let opening = await #expect(throws: ValidationFailure.self) {
        try await world.fund.postOpeningBalance(
          Money(yuan: 5), scheme: world.scheme, product: "hospital", version: "2024", reference: "V2", postedOn: today)
      }
      #expect(opening?.errors.map(\.code).contains("period_closed") == true)
    }
  }

  /// Payments racing a close: each lands before the close sums the period (and is carried
  /// forward) or is refused; the closed period ends at exactly zero.
  @Test(arguments: kinds)
  func paymentsRacingACloseAreCarriedOrRefused(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      var bills: [Bill] = []
      for worker in world.workers {
        let plan = try await world.enrollments.enroll(
          EnrollmentOrder(
            schemeCode: "test", productCode: "hospital", periodStart: jan1, unitID: world.unit.id,
            workerIDs: [worker.id], requestDate: jan1),
          scheme: world.scheme)
        bills.append(plan.bill)
      }
      let store = world.enrollments
      let fund = world.fund
      let scheme = world.scheme
      let day = today
      let outcomes = await withTaskGroup(of: String.self) { group in
        for (index, bill) in bills.enumerated() {
          for part in 0..<4 {
            group.addTask {
              do {
                _ = try await store.record(
                  PaymentRequest(payer: .worker, amount: Money(fen: 1500), paidOn: day, reference: "R\(index)-\(part)"),
                  on: bill.id, recordedBy: "clerk", idempotencyKey: nil, scheme: scheme)
                return "paid"
              } catch let failure as ValidationFailure {
                return failure.errors.first?.code ?? "?"
              } catch {
                return "error: \(error)"
              }
            }
          }
        }
        group.addTask {
          do {
            _ = try await fund.close(scheme: scheme, version: "2024", reference: "race", closedOn: day, closedBy: "f")
            return "closed"
          } catch {
            return "close failed: \(error)"
          }
        }
        return await group.reduce(into: [String]()) { $0.append($1) }
      }
      #expect(outcomes.contains("closed"), "\(outcomes)")
      #expect(outcomes.allSatisfy { ["paid", "closed", "period_closed"].contains($0) }, "\(outcomes)")
      let paid = outcomes.filter { $0 == "paid" }.count
      let balances = try await world.enrollments.fundBalances(scheme: "test")
      #expect(balances.first { $0.versionLabel == "2024" }?.balance == .zero)
      #expect(balances.first { $0.versionLabel == "2024" }?.contributions == Money(fen: Int64(paid) * 1500))
      #expect(balances.first { $0.versionLabel == "2025" }?.opening == Money(fen: Int64(paid) * 1500))
    }
  }

  // MARK: Taking over the old records

  func cells(_ rows: [[String]]) -> [[RosterCell]] {
    rows.map { $0.map { $0.isEmpty ? RosterCell.empty : .text($0) } }
  }

  /// Last period's cover comes in as paid bills owing nothing; the unit then renews with
  /// continuity, and the paid claims fill the cap ledger once.
  @Test(arguments: kinds)
  func coverAndPaidClaimsAreTakenOverAndRenewalsKeepContinuity(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let credit = world.unit.creditCode!
      let header = ["单位统一社会信用代码", "身份证号", "姓名", "产品编码", "保障期起", "保障生效日", "上期保障止", "份数", "保障书编号"]
      let bad = TakeOver.cover(
        cells([
          header,
          [credit, world.workers[0].idNumber.value, "李红", "hospital", "2024-01-01", "", "", "", "OLD-1"],
          [credit, world.workers[1].idNumber.value, "张三", "hospital", "2024-01-01", "", "", "5", "OLD-1"],
          ["91230700MA00000XXX", "110101199001011234", "某人", "dental", "2026-01-01", "", "", "", ""],
        ]), scheme: world.scheme,
        facts: TakeOverFacts(people: [:], cover: [:]), today: today)
      #expect(!bad.canCommit)

      let sheet = cells([
        header,
        [credit, world.workers[0].idNumber.value, "李红", "hospital", "2024-01-01", "", "2023-12-31", "", "OLD-1"],
        [credit, world.workers[1].idNumber.value, "张伟", "hospital", "2024-01-01", "2024-03-01", "", "2", ""],
      ])
      let preview = try await world.enrollments.takeOverCover(
        sheet, scheme: world.scheme, today: today, commit: false)
      #expect(preview.canCommit, "\(preview.allErrors.map(\.message.zh))")
      #expect(try await world.enrollments.enrollments(unit: world.unit.id, page: PageQuery()).total == 0)
      _ = try await world.enrollments.takeOverCover(sheet, scheme: world.scheme, today: today, commit: true)
      let cover = try await world.enrollments.enrollments(unit: world.unit.id, page: PageQuery()).items
      #expect(cover.count == 2 && cover.allSatisfy { $0.status == .active })
      let li = try #require(cover.first { $0.workerID == world.workers[0].id })
      #expect(li.certificateNumber == "OLD-1" && li.coverFrom == jan1 && li.previousCoverEnd == jan1.adding(days: -1))
      let zhang = try #require(cover.first { $0.workerID == world.workers[1].id })
      #expect(zhang.certificateNumber == "TEST-2024-000001" && zhang.shares == 2)
      #expect(zhang.coverFrom == CalendarDate(year: 2024, month: 3, day: 1))
      let bill = try #require(try await world.enrollments.bills(unit: world.unit.id).first)
      #expect(bill.due.isEmpty && bill.status == .paid && bill.memberCount == 2)
      // No money moved: it is in the opening balance.
      #expect(try await world.enrollments.fundBalances(scheme: "test").isEmpty)
      // Taken over twice: refused, row by row.
      let again = try await world.enrollments.takeOverCover(sheet, scheme: world.scheme, today: today, commit: true)
      #expect(again.allErrors.map(\.code) == ["already_covered", "certificate_used", "already_covered"])

      // The current period's paid claims: into the cap ledger, each old reference once.
      let claims = cells([
        ["身份证号", "姓名", "产品编码", "保障期起", "给付项目编码", "给付金额", "给付日期", "补助天数", "原给付编号"],
        [
          world.workers[0].idNumber.value, "李红", "hospital", "2024-01-01", "hospital-topup", "1200.50", "2024-05-01",
          "", "LP-1",
        ],
        [
          world.workers[0].idNumber.value, "李红", "hospital", "2024-01-01", "hospital-topup", "800", "2024-08-01", "",
          "LP-2",
        ],
        [
          world.workers[2].idNumber.value, "王芳", "hospital", "2024-01-01", "hospital-topup", "100", "2024-08-01", "",
          "LP-3",
        ],
      ])
      let refusedClaims = try await world.enrollments.takeOverPaidClaims(
        claims, scheme: world.scheme, today: today, takenOverBy: "finance", commit: true)
      #expect(refusedClaims.allErrors.map(\.code) == ["no_cover"])
      let two = Array(claims.prefix(3))
      _ = try await world.enrollments.takeOverPaidClaims(
        two, scheme: world.scheme, today: today, takenOverBy: "finance", commit: true)
      struct LedgerRow: Decodable {
        let paid_amount: Int64
        let history: String
      }
      let rows = try await db.sql.select().column("paid_amount").column("history").from("benefit_ledger")
        .all(decoding: LedgerRow.self)
      #expect(rows.map(\.paid_amount) == [200_050])
      let history = try JSONDecoder().decode(BenefitHistory.self, from: Data(rows[0].history.utf8))
      #expect(history.paidClaims == 2 && history.stays == 2 && history.paidAmount == Money(fen: 200_050))
      let replay = try await world.enrollments.takeOverPaidClaims(
        two, scheme: world.scheme, today: today, takenOverBy: "finance", commit: true)
      #expect(replay.allErrors.map(\.code) == ["already_taken_over", "already_taken_over"])

      // The year-end renewal carries both into 2025 with continuity (no new waiting period).
      let renewal = try await world.enrollments.renew(
        unit: world.unit.id, productCode: "hospital", periodStart: jan1, split: nil, requestDate: today,
        scheme: world.scheme)
      #expect(renewal.plan.enrollments.count == 2 && renewal.leftOut.isEmpty)
      #expect(
        renewal.plan.enrollments.allSatisfy { $0.previousCoverEnd == CalendarDate(year: 2024, month: 12, day: 31) })
      #expect(renewal.plan.bill.versionLabel == "2025")
    }
  }
}
