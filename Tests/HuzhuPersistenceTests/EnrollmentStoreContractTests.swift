import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing

/// Enrollment, bills, payments and the fund ledger, on every database the tests have.
@Suite("Enrollment store contract")
struct EnrollmentStoreContractTests {
  static let kinds = TestDatabaseKind.available

  let jan1 = CalendarDate(year: 2024, month: 1, day: 1)!
  let dec20 = CalendarDate(year: 2023, month: 12, day: 20)!

  struct World {
    let registry: FluentRegistryStore
    let store: FluentEnrollmentStore
    let scheme: CompiledScheme
    let agency: Organisation
    let unit: WorkUnit
    let workers: [Worker]
  }

  /// An agency, a unit with four workers aged 30–59 on 2024-01-01, the test scheme saved.
  func world(_ db: MigratedDatabase) async throws -> World {
    let registry = FluentRegistryStore(database: db.database)
    let agency = Organisation(parentID: nil, kind: .cityAgency, code: "YC", name: "伊春代办处")
    try await registry.create(agency)
    let unit = WorkUnit(organisationID: agency.id, name: "伊春森工集团", sector: .stateEnterprise)
    try await registry.create(unit)
    var workers: [Worker] = []
    for (index, birth) in [(1994, 3, 1), (1980, 6, 2), (1975, 9, 3), (1964, 6, 30)].enumerated() {
      let number = ResidentIDNumber.compose(
        region: "230700", birthDate: CalendarDate(year: birth.0, month: birth.1, day: birth.2)!, sequence: index + 1,
        gender: index % 2 == 0 ? .female : .male)
      let worker = Worker(name: ["李红", "张伟", "王芳", "赵强"][index], idNumber: number, unitID: unit.id)
      try await registry.create(worker, employedSince: CalendarDate(year: 2015, month: 1, day: 1)!)
      workers.append(worker)
    }
    _ = try await FluentSchemeStore(database: db.database).save(
      try TestSchemes.enrollmentDefinition, source: TestSchemes.enrollmentYAML, organisationID: agency.id,
      savedBy: "test")
    return World(
      registry: registry, store: FluentEnrollmentStore(database: db.database), scheme: try TestSchemes.enrollment,
      agency: agency, unit: unit, workers: workers)
  }

  func order(_ world: World, _ workers: [Worker], split: PayerSplitRule = PayerSplitRule(), shares: Int = 1)
    -> EnrollmentOrder
  {
    EnrollmentOrder(
      schemeCode: "test", productCode: "hospital", periodStart: jan1, unitID: world.unit.id,
      workerIDs: workers.map(\.id), shares: shares, split: split, requestDate: dec20)
  }

  @Test(arguments: kinds)
  func enrollmentWritesCertificatesAndABillSplitByPayer(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      // Anyang's form: unit and worker share the price, the city union adds 30 on top.
      let split = PayerSplitRule(
        employer: .percent(Rate(text: "50%")!),
        unionSubsidies: [.init(payer: .unionCity, perPerson: Money(fen: 3000), onTop: true)])
      let plan = try await world.store.enroll(
        order(world, Array(world.workers.prefix(2)), split: split), scheme: world.scheme)
      #expect(plan.enrollments.map(\.certificateNumber) == ["TEST-2024-000001", "TEST-2024-000002"])
      #expect(plan.bill.number == "JF-TEST-2024-000001")

      let bill = try #require(try await world.store.bill(plan.bill.id))
      #expect(bill == plan.bill)
      #expect(
        bill.due == [
          PayerAmount(payer: .employer, amount: Money(fen: 6000)),
          PayerAmount(payer: .worker, amount: Money(fen: 6000)),
          PayerAmount(payer: .unionCity, amount: Money(fen: 6000)),
        ])
      #expect(bill.totalDue == Money(fen: 18000))
      #expect(bill.status == .open)
      #expect(bill.period == CoveragePeriod(start: jan1, end: CalendarDate(year: 2024, month: 12, day: 31)!))

      let stored = try await world.store.enrollments(bill: plan.bill.id)
      #expect(stored == plan.enrollments)
      // A list's members at once: each with their own; another federation's store sees none.
      let listed = try await world.store.enrollments(workers: world.workers.map(\.id))
      #expect(Set(listed.keys) == Set(world.workers.prefix(2).map(\.id)))
      #expect(listed[world.workers[1].id] == [plan.enrollments[1]])
      let other = Organisation(parentID: nil, kind: .cityAgency, code: "AY", name: "安阳市总工会")
      try await world.registry.create(other)
      let outsider = FluentEnrollmentStore(database: db.database, scope: .organisations([other.id]))
      #expect(try await outsider.enrollments(workers: world.workers.map(\.id)).isEmpty)
      #expect(stored.allSatisfy { $0.status == .awaitingPayment && $0.coverFrom == nil })
      let certificate = try #require(try await world.store.certificate(number: "test-2024-000002"))
      #expect(certificate.holderName == world.workers[1].name)
      #expect(certificate.unitName == "伊春森工集团")
      #expect(certificate.schemeName == "测试互助保障")
      #expect(certificate.productName.zh == "住院互助")
      #expect(try await world.store.certificate(number: "TEST-2024-999999") == nil)
      // The bill's certificates printed together, a page at a time, by number.
      let first = try await world.store.certificates(bill: plan.bill.id, page: PageQuery(page: 1, per: 1))
      #expect(first.total == 2 && first.items.map(\.enrollment.certificateNumber) == ["TEST-2024-000001"])
      #expect(first.items.first?.holderName == world.workers[0].name)
      #expect(first.items.first?.unitName == "伊春森工集团" && first.items.first?.productName.zh == "住院互助")
      let second = try await world.store.certificates(bill: plan.bill.id, page: PageQuery(page: 2, per: 1))
      #expect(second.items == [certificate])
      #expect(try await outsider.certificates(bill: plan.bill.id, page: PageQuery()).total == 0)
    }
  }

  @Test(arguments: kinds)
  func aRefusedEnrollmentListsEveryProblemAndWritesNothing(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      // One of four is under the 50% minimum; the same worker twice; four shares.
      let refused = await #expect(throws: ValidationFailure.self) {
        try await world.store.enroll(
          self.order(world, [world.workers[0], world.workers[0]], shares: 4), scheme: world.scheme)
      }
      #expect(Set(refused?.errors.map(\.code) ?? []) == ["duplicate_candidate", "invalid_shares"])
      let low = await #expect(throws: ValidationFailure.self) {
        try await world.store.enroll(self.order(world, [world.workers[0]]), scheme: world.scheme)
      }
      #expect(low?.errors.map(\.code) == ["participation_too_low"])
      #expect(try await world.store.enrollments(unit: world.unit.id, page: PageQuery()).total == 0)
      #expect(try await world.store.bills(unit: world.unit.id).isEmpty)
      // No number was used up by the refusals.
      let plan = try await world.store.enroll(order(world, Array(world.workers.prefix(2))), scheme: world.scheme)
      #expect(plan.enrollments.first?.certificateNumber == "TEST-2024-000001")
      // Enrolling the same people again is refused, naming the certificate they hold.
      let again = await #expect(throws: ValidationFailure.self) {
        try await world.store.enroll(self.order(world, Array(world.workers.prefix(2))), scheme: world.scheme)
      }
      #expect(again?.errors.map(\.code).contains("already_enrolled") == true)
      #expect(again?.errors.first { $0.code == "already_enrolled" }?.message.zh.contains("TEST-2024-000001") == true)
    }
  }

  @Test(arguments: kinds)
  func headcountReportsAreTheParticipationDenominator(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      try await world.registry.record(HeadcountReport(asOf: dec20, total: 10, female: 6), for: world.unit.id)
      try await world.registry.record(
        HeadcountReport(asOf: CalendarDate(year: 2024, month: 6, day: 1)!, total: 4, female: 2), for: world.unit.id)
      #expect(try await world.registry.headcounts(of: world.unit.id).map(\.total) == [10, 4])
      // On 2023-12-20 the unit reported 10 workers: four of them are not half.
      let refused = await #expect(throws: ValidationFailure.self) {
        try await world.store.enroll(self.order(world, world.workers), scheme: world.scheme)
      }
      #expect(refused?.errors.first?.message.zh.contains("10 人中至少 5 人") == true)
      // A report for the same date replaces the earlier one.
      try await world.registry.record(HeadcountReport(asOf: dec20, total: 8, female: 4), for: world.unit.id)
      #expect(try await world.registry.headcounts(of: world.unit.id).map(\.total) == [8, 4])
      _ = try await world.store.enroll(order(world, world.workers), scheme: world.scheme)
      let bad = await #expect(throws: ValidationFailure.self) {
        try await world.registry.record(HeadcountReport(asOf: self.jan1, total: 3, female: 5), for: world.unit.id)
      }
      #expect(bad?.errors.map(\.field) == ["female"])
    }
  }

  @Test(arguments: kinds)
  func paymentsArePartialIdempotentPostedAndSwitchCoverOn(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let split = PayerSplitRule(
        employer: .fixedPerPerson(Money(fen: 3000)),
        unionSubsidies: [.init(payer: .unionCounty, perPerson: Money(fen: 1000), onTop: false)])
      let plan = try await world.store.enroll(
        order(world, Array(world.workers.prefix(2)), split: split), scheme: world.scheme)
      // 60 each: county union 10, employer 30, worker 20.
      #expect(plan.bill.due.map(\.amount.fen) == [6000, 4000, 2000])
      let paidOn = CalendarDate(year: 2024, month: 1, day: 10)!
      func pay(_ payer: PayerType, _ fen: Int64, key: String? = nil, reference: String = "BANK-1")
        async throws -> PaymentOutcome
      {
        try await world.store.record(
          PaymentRequest(payer: payer, amount: Money(fen: fen), paidOn: paidOn, reference: reference),
          on: plan.bill.id, recordedBy: "clerk", idempotencyKey: key, scheme: world.scheme)
      }

      let first = try await pay(.employer, 2500, key: "k1")
      #expect(first.payment.receiptNumber == "SJ-TEST-2024-000001")
      #expect(first.bill.status == .partiallyPaid)
      #expect(first.activated == 0)
      let replay = try await pay(.employer, 2500, key: "k1")
      #expect(replay.replayed && replay.payment.id == first.payment.id)
      let reused = await #expect(throws: ValidationFailure.self) { try await pay(.employer, 100, key: "k1") }
      #expect(reused?.errors.map(\.code) == ["idempotency_key_reused"])
      let over = await #expect(throws: ValidationFailure.self) { try await pay(.employer, 3600) }
      #expect(over?.errors.map(\.code) == ["overpayment"])
      let stranger = await #expect(throws: ValidationFailure.self) { try await pay(.unionCity, 100) }
      #expect(stranger?.errors.map(\.code) == ["not_a_payer"])

      _ = try await pay(.employer, 3500)
      _ = try await pay(.unionCounty, 2000)
      #expect(try await world.store.enrollments(bill: plan.bill.id).allSatisfy { $0.status == .awaitingPayment })
      let last = try await pay(.worker, 4000)
      #expect(last.bill.status == .paid)
      #expect(last.activated == 2)
      #expect(last.bill.settledOn == paidOn)
      let covered = try await world.store.enrollments(bill: plan.bill.id)
      // Paid in full on 10 January, after the period started: cover from that day, not backdated.
      #expect(covered.allSatisfy { $0.status == .active && $0.coverFrom == paidOn })
      #expect(!covered[0].covers(jan1))
      #expect(covered[0].covers(CalendarDate(year: 2024, month: 12, day: 31)!))
      #expect(!covered[0].covers(CalendarDate(year: 2025, month: 1, day: 1)!))
      let settled = await #expect(throws: ValidationFailure.self) { try await pay(.worker, 1) }
      #expect(settled?.errors.map(\.code) == ["already_paid"])

      let reloaded = try #require(try await world.store.bill(plan.bill.id))
      #expect(reloaded.status == .paid && reloaded.totalPaid == reloaded.totalDue)
      #expect(try await world.store.payments(bill: plan.bill.id).count == 4)
      #expect(try await world.store.payment(receiptNumber: "sj-test-2024-000001")?.id == first.payment.id)

      // The ledger: one entry per payment, and the database's sums reconcile with them.
      let entries = try await world.store.fundEntries(scheme: "test", versionLabel: "2024", page: PageQuery()).items
      #expect(
        try await world.store.fundEntries(scheme: "test", versionLabel: nil, page: PageQuery(per: 3)).pageCount == 2)
      #expect(entries.count == 4)
      #expect(entries.filter { $0.kind == .subsidy }.map(\.amount) == [Money(fen: 2000)])
      let balances = try await world.store.fundBalances(scheme: "test")
      #expect(balances == FundBalance.reconcile(entries))
      #expect(balances.first?.balance == Money(fen: 12000))
      #expect(balances.first?.subsidies == Money(fen: 2000))
    }
  }

  @Test(arguments: kinds)
  func theFundLedgerRefusesUpdatesAndDeletes(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let plan = try await world.store.enroll(order(world, Array(world.workers.prefix(2))), scheme: world.scheme)
      _ = try await world.store.record(
        PaymentRequest(payer: .worker, amount: Money(fen: 12000), paidOn: jan1, reference: "B1"), on: plan.bill.id,
        recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      await #expect(throws: (any Error).self) {
        try await db.sql.raw("UPDATE fund_entries SET amount = 1").run()
      }
      await #expect(throws: (any Error).self) {
        try await db.sql.raw("DELETE FROM fund_entries").run()
      }
      #expect(try await world.store.fundBalances(scheme: nil).first?.balance == Money(fen: 12000))
    }
  }

  /// Many clerks record the same kind of payment on one bill at once: the bill's lock lets
  /// exactly as many through as the amount owed allows, never more.
  @Test(arguments: kinds)
  func concurrentPaymentsNeverOverpayABill(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let plan = try await world.store.enroll(order(world, Array(world.workers.prefix(3))), scheme: world.scheme)
      #expect(plan.bill.totalDue == Money(fen: 18000))
      let store = world.store
      let scheme = world.scheme
      let billID = plan.bill.id
      let paidOn = jan1
      let results = await withTaskGroup(of: Bool.self) { group in
        for attempt in 0..<12 {
          group.addTask {
            do {
              _ = try await store.record(
                PaymentRequest(payer: .worker, amount: Money(fen: 6000), paidOn: paidOn, reference: "B\(attempt)"),
                on: billID, recordedBy: "clerk \(attempt)", idempotencyKey: nil, scheme: scheme)
              return true
            } catch {
              return false
            }
          }
        }
        return await group.reduce(into: [Bool]()) { $0.append($1) }
      }
      #expect(results.filter { $0 }.count == 3)
      let bill = try #require(try await world.store.bill(billID))
      #expect(bill.totalPaid == bill.totalDue)
      #expect(try await world.store.fundBalances(scheme: "test").first?.balance == Money(fen: 18000))
    }
  }

  @Test(arguments: kinds)
  func renewalCarriesMembersOverAndLeavesOutWhomTheRulesNoLongerAdmit(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let split = PayerSplitRule(employer: .percent(Rate(text: "75%")!))
      let plan = try await world.store.enroll(order(world, world.workers, split: split), scheme: world.scheme)
      _ = try await world.store.record(
        PaymentRequest(payer: .employer, amount: Money(fen: 18000), paidOn: dec20, reference: "B1"), on: plan.bill.id,
        recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      _ = try await world.store.record(
        PaymentRequest(payer: .worker, amount: Money(fen: 6000), paidOn: dec20, reference: "B2"), on: plan.bill.id,
        recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      // Paid before the period began: cover from its first day.
      #expect(try await world.store.enrollments(bill: plan.bill.id).allSatisfy { $0.coverFrom == jan1 })

      let renewal = try await world.store.renew(
        unit: world.unit.id, productCode: "hospital", periodStart: jan1, split: nil,
        requestDate: CalendarDate(year: 2024, month: 12, day: 15)!, scheme: world.scheme)
      // 赵强 (born 1964-06-30) is 60 when the next period starts.
      #expect(renewal.leftOut.map(\.name) == ["赵强"])
      #expect(renewal.leftOut.first?.reason.zh.contains("须小于 60 岁") == true)
      let next = renewal.plan.enrollments
      #expect(next.count == 3)
      #expect(next.allSatisfy { $0.period.start == CalendarDate(year: 2025, month: 1, day: 1)! })
      #expect(next.allSatisfy { $0.previousCoverEnd == CalendarDate(year: 2024, month: 12, day: 31)! })
      #expect(next.first?.certificateNumber == "TEST-2025-000001")
      // The previous bill's split carries over: 75% of 3 × 60 from the employer.
      #expect(renewal.plan.bill.due.first == PayerAmount(payer: .employer, amount: Money(fen: 13500)))
      // Renewing twice finds everyone already enrolled.
      await #expect(throws: ValidationFailure.self) {
        try await world.store.renew(
          unit: world.unit.id, productCode: "hospital", periodStart: self.jan1, split: nil,
          requestDate: CalendarDate(year: 2024, month: 12, day: 16)!, scheme: world.scheme)
      }
    }
  }

  /// schemes/examples/continuity.yaml: 60 a share, 55 from the second unbroken year, 50 from the
  /// fifth. Renewals and a later plain enrollment price each member by their stored periods.
  @Test(arguments: kinds)
  func longStandingMembersArePricedByTheirUnbrokenYears(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let example = try TestSchemes.example("continuity")
      _ = try await FluentSchemeStore(database: db.database).save(
        example.definition, source: example.source, organisationID: world.agency.id, savedBy: "test")
      let scheme = example.compiled
      func day(_ text: String) -> CalendarDate { CalendarDate(text)! }
      func pay(_ plan: EnrollmentPlan, on paidOn: CalendarDate) async throws {
        _ = try await world.store.record(
          PaymentRequest(payer: .worker, amount: plan.bill.totalDue, paidOn: paidOn, reference: plan.bill.number),
          on: plan.bill.id, recordedBy: "clerk", idempotencyKey: nil, scheme: scheme)
      }
      let first = try await world.store.enroll(
        EnrollmentOrder(
          schemeCode: "continuity", productCode: "continuity-medical", periodStart: day("2023-01-01"),
          unitID: world.unit.id, workerIDs: world.workers.prefix(3).map(\.id), requestDate: day("2022-12-20")),
        scheme: scheme)
      #expect(first.bill.totalDue == Money(yuan: 180))
      try await pay(first, on: day("2022-12-21"))
      let second = try await world.store.renew(
        unit: world.unit.id, productCode: "continuity-medical", periodStart: day("2023-01-01"), split: nil,
        requestDate: day("2023-12-15"), scheme: scheme)
      #expect(second.plan.bill.totalDue == Money(yuan: 165))
      #expect(
        try await world.store.enrollments(bill: second.plan.bill.id).map { $0.pricePerShare?.decimalString } == [
          "55.00", "55.00", "55.00",
        ])
      try await pay(second.plan, on: day("2023-12-16"))
      // 李红 enrolled again by hand (no renewal): her two paid years before count, the third
      // year's price; 赵强 is new.
      let third = try await world.store.enroll(
        EnrollmentOrder(
          schemeCode: "continuity", productCode: "continuity-medical", periodStart: day("2025-01-01"),
          unitID: world.unit.id, workerIDs: [world.workers[0].id, world.workers[3].id], requestDate: day("2024-12-20")),
        scheme: scheme)
      let stored = try await world.store.enrollments(bill: third.bill.id)
      #expect(
        Dictionary(uniqueKeysWithValues: stored.map { ($0.workerID, $0.pricePerShare) }) == [
          world.workers[0].id: Money(yuan: 55), world.workers[3].id: nil,
        ])
      #expect(third.bill.totalDue == Money(yuan: 115))
    }
  }

  @Test(arguments: kinds)
  func anIndividualPaysForTheirOwnCoverWhichStartsTheDayAfter(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let start = CalendarDate(year: 2024, month: 3, day: 1)!
      let gig = EnrollmentOrder(
        schemeCode: "test", productCode: "gig", periodStart: start, unitID: nil, workerIDs: [world.workers[1].id],
        requestDate: start)
      let plan = try await world.store.enroll(gig, scheme: world.scheme)
      #expect(plan.bill.unitID == nil)
      #expect(plan.bill.due == [PayerAmount(payer: .worker, amount: Money(fen: 10000))])
      let paid = try await world.store.record(
        PaymentRequest(
          payer: .worker, amount: Money(fen: 10000), paidOn: CalendarDate(year: 2024, month: 3, day: 5)!,
          reference: "WX-1"),
        on: plan.bill.id, recordedBy: "window", idempotencyKey: nil, scheme: world.scheme)
      #expect(paid.activated == 1)
      let cover = try await world.store.enrollments(worker: world.workers[1].id)
      #expect(cover.first?.coverFrom == CalendarDate(year: 2024, month: 3, day: 6)!)
      // The unit product takes no individuals.
      let refused = await #expect(throws: ValidationFailure.self) {
        try await world.store.enroll(
          EnrollmentOrder(
            schemeCode: "test", productCode: "hospital", periodStart: start, unitID: nil,
            workerIDs: [world.workers[0].id], requestDate: start), scheme: world.scheme)
      }
      #expect(refused?.errors.map(\.code) == ["individual_not_allowed"])
    }
  }

  @Test(arguments: kinds)
  func aCadreCanPayAPairedWorkersShare(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let union = FluentUnionWorkStore(database: db.database)
      let pairing = HardshipPairing(
        organisationID: world.agency.id, cadreName: "刘洋", cadrePhone: "13900139000", workerID: world.workers[2].id,
        hardshipLevel: .severe, startedOn: dec20, cadrePaysContribution: true)
      try await union.create(pairing)
      let split = PayerSplitRule(
        employer: .percent(Rate(text: "50%")!), thirdParties: [world.workers[2].id: pairing.payerName])
      let plan = try await world.store.enroll(
        order(world, [world.workers[0], world.workers[2]], split: split), scheme: world.scheme)
      #expect(plan.bill.due.contains(PayerAmount(payer: .thirdParty, payerName: "刘洋（包联干部）", amount: Money(fen: 3000))))
      let wrongName = await #expect(throws: ValidationFailure.self) {
        try await world.store.record(
          PaymentRequest(
            payer: .thirdParty, payerName: "别人", amount: Money(fen: 3000), paidOn: self.dec20, reference: "C1"),
          on: plan.bill.id, recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      }
      #expect(wrongName?.errors.map(\.code) == ["not_a_payer"])
      let paid = try await world.store.record(
        PaymentRequest(
          payer: .thirdParty, payerName: pairing.payerName, amount: Money(fen: 3000), paidOn: dec20, reference: "C1"),
        on: plan.bill.id, recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      #expect(paid.payment.payerName == "刘洋（包联干部）")
    }
  }
}
