import Foundation
import HuzhuCore
import HuzhuSchemeFiles
import Testing

/// The take-over sheets' checks, row by row: every problem named by row and column.
@Suite("Taking over the old records")
struct TakeOverTests {
  static let scheme = try! SchemeFile.compile(
    yaml: """
      scheme: { code: t, name: 测试, rounding: half_up }
      products:
        - code: hospital
          name: 住院互助
          versions:
            - version: "2025"
              coverageStarting: { from: 2025-01-01 }
              contribution: { perShare: "60.00", periodMonths: 12 }
              shares: { min: 1, max: 2 }
              benefits:
                - { code: topup, name: 住院互助金, kind: hospital, hospital: { base: { subtract: [in_scope_cost, pooled_fund_paid] }, schedule: { flat: "50%" } } }
      """)

  let today = CalendarDate(year: 2025, month: 6, day: 30)!
  let node = Organisation(parentID: nil, kind: .cityFederation, code: "AY", name: "安阳市总工会")
  var unit: WorkUnit {
    WorkUnit(organisationID: node.id, name: "安阳钢铁", creditCode: "91410500172000001M", sector: .stateEnterprise)
  }
  let person = Worker(
    name: "周敏",
    idNumber: ResidentIDNumber.compose(
      region: "410502", birthDate: CalendarDate(year: 1980, month: 5, day: 10)!, sequence: 10, gender: .female),
    unitID: nil)

  func cells(_ rows: [[String]]) -> [[RosterCell]] { rows.map { $0.map { $0.isEmpty ? .empty : .text($0) } } }

  @Test func everyProblemOfACoverRowIsNamed() {
    let facts = TakeOverFacts(
      units: [unit.creditCode!: unit], people: [person.idNumber.value: person], cover: [:],
      usedCertificates: ["USED-1"], servedNodes: [])
    let preview = TakeOver.cover(
      cells([
        ["单位统一社会信用代码", "身份证号", "姓名", "产品编码", "保障期起", "保障生效日", "份数", "保障书编号"],
        [unit.creditCode!, person.idNumber.value, "周敏", "hospital", "2025-01-01", "2026-01-01", "3", "USED-1"],
        ["", "110101199001011234", "某", "dental", "2025-13-01", "", "", ""],
        [unit.creditCode!, person.idNumber.value, "周 敏", "hospital", "2025-07-01", "", "", ""],
      ]), scheme: Self.scheme, facts: facts, today: today)
    #expect(!preview.canCommit)
    let codes = preview.rows.map { $0.errors.map(\.code) }
    #expect(codes[0] == ["scheme_not_serving", "outside_period", "invalid_shares", "certificate_used"])
    #expect(codes[1] == ["unknown_unit", "invalid_id_number", "invalid_date", "unknown_product"])
    #expect(codes[2] == ["scheme_not_serving", "name_mismatch", "future_period"])
    #expect(preview.rows[0].errors[0].message.zh.hasPrefix("第2行【单位统一社会信用代码】"))
    // Served, the first row's unit is fine.
    let served = TakeOver.cover(
      cells([
        ["单位统一社会信用代码", "身份证号", "姓名", "产品编码", "保障期起"],
        [unit.creditCode!, person.idNumber.value, "周敏", "hospital", "2025-01-01"],
      ]), scheme: Self.scheme,
      facts: TakeOverFacts(
        units: [unit.creditCode!: unit], people: [person.idNumber.value: person], cover: [:],
        servedNodes: [node.id]), today: today)
    #expect(served.canCommit)
    #expect(served.rows[0].period == CoveragePeriod(start: CalendarDate(year: 2025, month: 1, day: 1)!, months: 12))
  }

  @Test func paidClaimsAddUpPerMemberAndBenefit() {
    let start = CalendarDate(year: 2025, month: 1, day: 1)!
    let cover = Enrollment(
      schemeCode: "t", productCode: "hospital", versionLabel: "2025", workerID: person.id, unitID: unit.id,
      period: CoveragePeriod(start: start, months: 12), shares: 1, status: .active, coverFrom: start,
      certificateNumber: "C-1", enrolledOn: start, billID: .init())
    let facts = TakeOverFacts(
      people: [person.idNumber.value: person], cover: [person.id: [cover]], usedReferences: ["OLD-9"])
    let header = ["身份证号", "姓名", "产品编码", "保障期起", "给付项目编码", "给付金额", "给付日期", "补助天数", "原给付编号"]
    let id = person.idNumber.value
    let preview = TakeOver.paidClaims(
      cells([
        header,
        [id, "周敏", "hospital", "2025-01-01", "topup", "1,000.00", "2025-03-01", "", "OLD-1"],
        [id, "周敏", "hospital", "2025-01-01", "topup", "500", "2025-04-01", "3", "OLD-2"],
        [id, "周敏", "hospital", "2025-01-01", "bonus", "0", "2025-09-01", "400", "OLD-9"],
      ]), scheme: Self.scheme, facts: facts, today: today)
    #expect(
      preview.rows[2].errors.map(\.code) == [
        "unknown_benefit", "invalid_amount", "future_date", "invalid_count", "already_taken_over",
      ])
    let good = Array(preview.rows.prefix(2))
    #expect(good.allSatisfy { $0.errors.isEmpty })
    #expect(good[0].amount == Money(yuan: 1_000))
    let key = TakeOver.HistoryKey(worker: person.id, product: "hospital", periodStart: start, benefit: "topup")
    let histories = TakeOver.histories(
      good, existing: [key: BenefitHistory(paidAmount: Money(yuan: 100), paidClaims: 1)])
    #expect(histories[key] == BenefitHistory(paidAmount: Money(yuan: 1_600), paidClaims: 3, stays: 2, allowanceDays: 3))
  }

  @Test func aStayPaidBeforeFlagsTheSameStayClaimedAgain() {
    let stay = CoveragePeriod(
      start: CalendarDate(year: 2025, month: 3, day: 1)!, end: CalendarDate(year: 2025, month: 3, day: 9)!)
    let intake = ClaimIntake(
      event: ClaimEvent(
        admissionDate: CalendarDate(year: 2025, month: 3, day: 5)!,
        dischargeDate: CalendarDate(year: 2025, month: 3, day: 12)!,
        claimDate: today, figures: SettlementFigures([.inScopeCost: Money(yuan: 1)])),
      settlementSheetNumber: "js-9")
    let flags = DuplicateFlag.flags(
      for: intake, memberStays: [], papersSeen: [],
      takenOver: [
        TakenOverClaim(reference: "OLD-1", stay: stay, settlementSheet: nil, isMember: true),
        TakenOverClaim(reference: "OLD-2", stay: stay, settlementSheet: nil, isMember: false),
        TakenOverClaim(reference: "OLD-3", stay: nil, settlementSheet: "JS-9", isMember: false),
      ])
    #expect(
      flags.map { "\($0.kind.rawValue) \($0.earlierClaimNumber)" } == [
        "overlapping_stay OLD-1", "same_settlement_sheet OLD-3",
      ])

    // The sheet's own check of a stay: discharge before admission, or a discharge alone.
    let start = CalendarDate(year: 2025, month: 1, day: 1)!
    let cover = Enrollment(
      schemeCode: "t", productCode: "hospital", versionLabel: "2025", workerID: person.id, unitID: unit.id,
      period: CoveragePeriod(start: start, months: 12), shares: 1, status: .active, coverFrom: start,
      certificateNumber: "C-1", enrolledOn: start, billID: .init())
    let id = person.idNumber.value
    let preview = TakeOver.paidClaims(
      cells([
        ["身份证号", "姓名", "产品编码", "保障期起", "给付项目编码", "给付金额", "给付日期", "原给付编号", "入院日期", "出院日期", "结算单号"],
        [id, "周敏", "hospital", "2025-01-01", "topup", "10", "2025-03-20", "A", "2025-03-10", "2025-03-01", ""],
        [id, "周敏", "hospital", "2025-01-01", "topup", "10", "2025-03-20", "B", "", "2025-03-01", ""],
        [id, "周敏", "hospital", "2025-01-01", "topup", "10", "2025-03-20", "C", "2025-03-01", "2025-03-09", "js-9"],
      ]), scheme: Self.scheme, facts: TakeOverFacts(people: [id: person], cover: [person.id: [cover]]), today: today)
    #expect(preview.rows.map { $0.errors.map(\.code) } == [["invalid_stay"], ["missing"], []])
    #expect(preview.rows[2].stay == stay && preview.rows[2].settlementSheet == "JS-9")
  }
}
