import Foundation
import HuzhuCore
import HuzhuTestSupport
import Testing

/// The pure parts of enrollment: periods, cover activation and state, plans, bills, renewal.
@Suite("Enrollment planning")
struct EnrollmentPlannerTests {
  let scheme = try! TestSchemes.enrollment
  let jan1 = CalendarDate(year: 2024, month: 1, day: 1)!
  let unit = WorkUnit.ID()

  func worker(_ name: String, born year: Int, gender: Gender = .female, sequence: Int) -> Worker {
    Worker(
      name: name,
      idNumber: ResidentIDNumber.compose(
        region: "230700", birthDate: CalendarDate(year: year, month: 3, day: 1)!, sequence: sequence, gender: gender),
      unitID: unit)
  }

  func facts(
    _ workers: [Worker], headcount: Int? = nil, hired: CalendarDate = CalendarDate(year: 2010, month: 1, day: 1)!
  )
    -> EnrollmentFacts
  {
    EnrollmentFacts(
      headcount: headcount ?? workers.count, alreadyEnrolled: [],
      members: Dictionary(
        uniqueKeysWithValues: workers.map {
          ($0.id, EnrollmentFacts.Member(worker: $0, hireDate: hired, inService: true))
        }))
  }

  func numbers(_ count: Int) -> DocumentNumbers {
    DocumentNumbers(
      bill: "JF-TEST-2024-000001",
      certificates: (1...count).map { DocumentNumbers.format(.certificate, scheme: "test", year: 2024, sequence: $0) })
  }

  @Test func periodsRunAYearLessADayAndRenewTheDayAfter() {
    let period = CoveragePeriod(start: CalendarDate(year: 2019, month: 10, day: 16)!, months: 12)
    #expect(period.end == CalendarDate(year: 2020, month: 10, day: 15)!)
    #expect(period.next(months: 12).start == CalendarDate(year: 2020, month: 10, day: 16)!)
    let leap = CoveragePeriod(start: CalendarDate(year: 2024, month: 2, day: 29)!, months: 12)
    #expect(leap.end == CalendarDate(year: 2025, month: 2, day: 28)!)
    #expect(leap.next(months: 12).start == CalendarDate(year: 2025, month: 3, day: 1)!)
    let monthFromThe31st = CoveragePeriod(start: CalendarDate(year: 2024, month: 1, day: 31)!, months: 1)
    #expect(monthFromThe31st.end == CalendarDate(year: 2024, month: 2, day: 29)!)
    #expect(period.overlaps(CoveragePeriod(start: period.end, months: 1)))
    #expect(!period.overlaps(period.next(months: 12)))
  }

  @Test func coverStartsWithThePeriodOrThePaymentNeverEarlier() {
    let start = jan1
    let before = CalendarDate(year: 2023, month: 12, day: 20)!
    let after = CalendarDate(year: 2024, month: 1, day: 10)!
    #expect(CoverActivation.onPayment.coverFrom(periodStart: start, paidOn: before) == start)
    #expect(CoverActivation.onPayment.coverFrom(periodStart: start, paidOn: after) == after)
    #expect(CoverActivation.dayAfterPayment.coverFrom(periodStart: start, paidOn: after) == after.adding(days: 1))
    #expect(CoverActivation.dayAfterPayment.coverFrom(periodStart: start, paidOn: start.adding(days: -1)) == start)
  }

  @Test func aPlanPricesSplitsAndNumbersEveryMember() throws {
    let people = [worker("李红", born: 1990, sequence: 1), worker("张伟", born: 1985, gender: .male, sequence: 2)]
    let split = PayerSplitRule(
      employer: .percent(Rate(percent: 75)), thirdParties: [people[1].id: "刘洋（包联干部）"])
    let order = EnrollmentOrder(
      schemeCode: "test", productCode: "hospital", periodStart: jan1, unitID: unit, workerIDs: people.map(\.id),
      shares: 2, split: split, requestDate: CalendarDate(year: 2023, month: 12, day: 1)!)
    let plan = try EnrollmentPlanner.plan(order, facts: facts(people), scheme: scheme, numbers: numbers(2))
    // 2 shares × 60 = 120 each: employer 90, the rest from the worker or the cadre.
    #expect(
      plan.bill.due == [
        PayerAmount(payer: .employer, amount: Money(fen: 18000)), PayerAmount(payer: .worker, amount: Money(fen: 3000)),
        PayerAmount(payer: .thirdParty, payerName: "刘洋（包联干部）", amount: Money(fen: 3000)),
      ])
    #expect(plan.enrollments.map(\.certificateNumber) == ["TEST-2024-000001", "TEST-2024-000002"])
    #expect(plan.enrollments.allSatisfy { $0.status == .awaitingPayment && $0.billID == plan.bill.id })
    #expect(plan.bill.period.end == CalendarDate(year: 2024, month: 12, day: 31)!)
    #expect(plan.lines.map(\.collected) == [Money(fen: 12000), Money(fen: 12000)])
  }

  /// "续保每人55元，连续参保满5年50元": each member pays the price of their year of unbroken
  /// membership, counted from their earlier periods as claims count it, and a withdrawal takes
  /// back what that member's line cost.
  @Test func longStandingMembersPayTheirYearsPrice() throws {
    let scheme = Schemes.continuity
    let start = CalendarDate(year: 2025, month: 1, day: 1)!
    func held(_ year: Int, previousCoverEnd: CalendarDate? = nil) -> HeldCover {
      let period = CoveragePeriod(start: CalendarDate(year: year, month: 1, day: 1)!, months: 12)
      return HeldCover(
        period: period,
        facts: CoverFacts(
          product: "continuity-medical", start: period.start, end: period.end, previousCoverEnd: previousCoverEnd))
    }
    let people = (1...5).map { worker("会员\($0)", born: 1980, sequence: $0) }
    let members: [EnrollmentFacts.Member] = [
      // New.
      .init(worker: people[0], hireDate: nil, inService: true),
      // Renewing last year's period.
      .init(
        worker: people[1], hireDate: nil, inService: true,
        previousCoverEnd: CalendarDate(year: 2024, month: 12, day: 31)!),
      // Four unbroken years before this one: the fifth.
      .init(
        worker: people[2], hireDate: nil, inService: true,
        earlierCover: [held(2021), held(2022), held(2023), held(2024)]),
      // Four years, but a year's gap before this one: new again.
      .init(
        worker: people[3], hireDate: nil, inService: true,
        earlierCover: [held(2020), held(2021), held(2022), held(2023)]),
      // Renewed three weeks late (within the 30 days that keep continuity): the second year.
      .init(
        worker: people[4], hireDate: nil, inService: true,
        previousCoverEnd: CalendarDate(year: 2024, month: 12, day: 10)!),
    ]
    let facts = EnrollmentFacts(
      headcount: 5, alreadyEnrolled: [], members: Dictionary(uniqueKeysWithValues: members.map { ($0.worker.id, $0) }))
    let order = EnrollmentOrder(
      schemeCode: scheme.code, productCode: "continuity-medical", periodStart: start, unitID: unit,
      workerIDs: people.map(\.id), split: PayerSplitRule(employer: .percent(Rate(percent: 50))),
      requestDate: CalendarDate(year: 2024, month: 12, day: 20)!)
    let plan = try EnrollmentPlanner.plan(
      order, facts: facts, scheme: scheme,
      numbers: DocumentNumbers(bill: "JF-C-2025-000001", certificates: (1...5).map { "C-\($0)" }))
    #expect(plan.lines.map(\.price.decimalString) == ["60.00", "55.00", "50.00", "60.00", "55.00"])
    #expect(plan.enrollments.map { $0.pricePerShare?.decimalString } == [nil, "55.00", "50.00", nil, "55.00"])
    #expect(plan.bill.due.reduce(Money.zero) { $0 + $1.amount } == Money(yuan: 280))
    #expect(
      plan.bill.due == [
        PayerAmount(payer: .employer, amount: Money(yuan: 140)), PayerAmount(payer: .worker, amount: Money(yuan: 140)),
      ])
    // The fifth-year member withdrawing takes back their 50, half of it the employer's.
    let parts = RefundRules.memberParts(
      of: plan.enrollments[2], bill: plan.bill, pricePerShare: Money(yuan: 60), rounding: scheme.rounding)
    #expect(
      parts == [
        PayerAmount(payer: .employer, amount: Money(yuan: 25)), PayerAmount(payer: .worker, amount: Money(yuan: 25)),
      ])
    // A version without steps reads no years: everyone pays its one price.
    let plain = try EnrollmentPlanner.plan(
      EnrollmentOrder(
        schemeCode: "test", productCode: "hospital", periodStart: jan1, unitID: unit, workerIDs: [people[2].id],
        requestDate: CalendarDate(year: 2023, month: 12, day: 1)!),
      facts: EnrollmentFacts(headcount: 1, alreadyEnrolled: [], members: [people[2].id: members[2]]),
      scheme: self.scheme, numbers: numbers(1))
    #expect(plain.enrollments[0].pricePerShare == nil && plain.lines[0].price == Money(yuan: 60))
  }

  @Test func everyProblemIsListedWithItsRow() {
    let people = [worker("李红", born: 1990, sequence: 1), worker("老王", born: 1960, gender: .male, sequence: 2)]
    let held = Enrollment(
      schemeCode: "test", productCode: "hospital", versionLabel: "2024", workerID: people[0].id, unitID: unit,
      period: CoveragePeriod(start: CalendarDate(year: 2023, month: 7, day: 1)!, months: 12), shares: 1,
      certificateNumber: "TEST-2023-000009", enrolledOn: CalendarDate(year: 2023, month: 6, day: 1)!, billID: .init())
    var known = facts(people).members
    known[people[0].id] = EnrollmentFacts.Member(
      worker: people[0], hireDate: nil, inService: true, overlapping: [held])
    let order = EnrollmentOrder(
      schemeCode: "test", productCode: "hospital", periodStart: jan1, unitID: unit,
      workerIDs: people.map(\.id) + [Worker.ID()],
      split: PayerSplitRule(thirdParties: [Worker.ID(): "某人"]), requestDate: jan1)
    let errors = EnrollmentPlanner.check(
      order, facts: EnrollmentFacts(headcount: 3, alreadyEnrolled: [], members: known), scheme: scheme)
    #expect(errors.first { $0.code == "already_enrolled" }?.row == 1)
    #expect(errors.first { $0.code == "already_enrolled" }?.message.zh.contains("TEST-2023-000009") == true)
    #expect(errors.first { $0.code == "age_not_eligible" }?.row == 2)
    #expect(errors.first { $0.code == "unknown_worker" }?.row == 3)
    #expect(errors.contains { $0.code == "third_party_not_enrolled" })
    #expect(throws: ValidationFailure.self) {
      try EnrollmentPlanner.plan(
        order, facts: EnrollmentFacts(headcount: 3, alreadyEnrolled: [], members: known),
        scheme: self.scheme, numbers: self.numbers(3))
    }
  }

  @Test func billsTrackWhatEachPayerStillOwes() {
    var bill = Bill(
      number: "JF-1", schemeCode: "test", productCode: "hospital", versionLabel: "2024", unitID: unit,
      period: CoveragePeriod(start: jan1, months: 12), issuedOn: jan1, split: PayerSplitRule(),
      due: [
        PayerAmount(payer: .employer, amount: Money(fen: 6000)),
        PayerAmount(payer: .thirdParty, payerName: "刘洋", amount: Money(fen: 3000)),
      ], memberCount: 1)
    #expect(bill.status == .open)
    func request(_ payer: PayerType, _ fen: Int64, name: String? = nil) -> PaymentRequest {
      PaymentRequest(payer: payer, payerName: name, amount: Money(fen: fen), paidOn: jan1, reference: "R1")
    }
    #expect(bill.validate(request(.employer, 6000)).isEmpty)
    #expect(bill.validate(request(.employer, 6001)).map(\.code) == ["overpayment"])
    #expect(bill.validate(request(.worker, 100)).map(\.code) == ["not_a_payer"])
    #expect(bill.validate(request(.thirdParty, 100, name: "别人")).map(\.code) == ["not_a_payer"])
    #expect(bill.validate(request(.employer, 0)).map(\.code).contains("invalid_amount"))
    #expect(
      bill.validate(PaymentRequest(payer: .employer, amount: Money(fen: 1), paidOn: jan1, reference: " ")).map(\.code)
        == ["invalid_reference"])
    bill.paid = [PayerAmount(payer: .employer, amount: Money(fen: 6000))]
    #expect(bill.status == .partiallyPaid)
    #expect(bill.validate(request(.employer, 1)).map(\.code) == ["already_paid"])
    #expect(bill.outstanding == [PayerAmount(payer: .thirdParty, payerName: "刘洋", amount: Money(fen: 3000))])
    bill.paid.append(PayerAmount(payer: .thirdParty, payerName: "刘洋", amount: Money(fen: 3000)))
    #expect(bill.status == .paid && bill.outstanding.isEmpty)
  }

  @Test func coverStateReadsTheDates() {
    var enrollment = Enrollment(
      schemeCode: "test", productCode: "hospital", versionLabel: "2024", workerID: .init(), unitID: unit,
      period: CoveragePeriod(start: jan1, months: 12), shares: 1, certificateNumber: "T-1", enrolledOn: jan1,
      billID: .init())
    #expect(enrollment.coverState(on: jan1) == .awaitingPayment)
    enrollment = EnrollmentPlanner.activate([enrollment], settledOn: jan1.adding(days: 9), activation: .onPayment)[0]
    #expect(enrollment.coverState(on: jan1) == .notYetStarted)
    #expect(enrollment.coverState(on: jan1.adding(days: 9)) == .inForce)
    #expect(enrollment.coverState(on: CalendarDate(year: 2025, month: 1, day: 1)!) == .expired)
    #expect(enrollment.coverFacts.start == jan1.adding(days: 9))
  }

  @Test func renewalKeepsThoseStillEmployedAndStartsTheDayAfter() throws {
    let stay = Worker.ID()
    let gone = Worker.ID()
    let previous = [stay, gone].map { id in
      Enrollment(
        schemeCode: "test", productCode: "hospital", versionLabel: "2024", workerID: id, unitID: unit,
        period: CoveragePeriod(start: jan1, months: 12), shares: 2, status: .active, coverFrom: jan1,
        certificateNumber: "T-\(id)", enrolledOn: jan1, billID: .init())
    }
    let early = try #require(
      RenewalPlanner.order(
        renewing: previous, stillEmployed: [stay], names: [stay: "李红", gone: "张伟"],
        split: PayerSplitRule(thirdParties: [gone: "刘洋"]), requestDate: CalendarDate(year: 2024, month: 12, day: 1)!))
    #expect(early.order.workerIDs == [stay])
    #expect(early.order.shares == 2)
    #expect(early.order.periodStart == CalendarDate(year: 2025, month: 1, day: 1)!)
    #expect(early.order.split.thirdParties.isEmpty)
    #expect(early.leftOut.map(\.name) == ["张伟"])
    let late = try #require(
      RenewalPlanner.order(
        renewing: previous, stillEmployed: [stay], names: [:], split: PayerSplitRule(),
        requestDate: CalendarDate(year: 2025, month: 1, day: 20)!))
    #expect(late.order.periodStart == CalendarDate(year: 2025, month: 1, day: 20)!)
    #expect(
      RenewalPlanner.order(renewing: [], stillEmployed: [], names: [:], split: PayerSplitRule(), requestDate: jan1)
        == nil)
  }

  @Test func outreachCountsEachUnitOnceUnderItsLatestVisit() {
    let a = WorkUnit.ID()
    let b = WorkUnit.ID()
    let summary = OutreachSummary([
      OutreachVisit(unitID: a, visitedOn: jan1, visitor: "x", outcome: .interested),
      OutreachVisit(unitID: a, visitedOn: jan1.adding(days: 5), visitor: "x", outcome: .joined),
      OutreachVisit(unitID: b, visitedOn: jan1, visitor: "y", outcome: .declined, declineReason: .slowDocuments),
    ])
    #expect(summary.visits == 3 && summary.unitsVisited == 2)
    #expect(summary.byOutcome == [.joined: 1, .declined: 1])
    #expect(summary.declineReasons == [.slowDocuments: 1])
  }

  @Test func payerSplitsReadAndWriteTheirDocumentedForm() throws {
    let id = Worker.ID()
    let rule = PayerSplitRule(
      employer: .fixedPerPerson(Money(fen: 3000)),
      unionSubsidies: [.init(payer: .unionCity, perPerson: Money(fen: 3000), onTop: true)], thirdParties: [id: "刘洋"])
    let json = String(decoding: try JSONEncoder().encode(rule), as: UTF8.self)
    #expect(json.contains(#""kind":"fixed_per_person""#))
    #expect(json.contains(#""payerName":"刘洋""#))
    #expect(try JSONDecoder().decode(PayerSplitRule.self, from: Data(json.utf8)) == rule)
    let percent = try JSONDecoder().decode(
      PayerSplitRule.self, from: Data(#"{"employer":{"kind":"percent","rate":"50%"}}"#.utf8))
    #expect(percent.employer == .percent(Rate(percent: 50)))
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(PayerSplitRule.self, from: Data(#"{"employer":{"kind":"half"}}"#.utf8))
    }
  }
}
