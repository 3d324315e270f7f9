import Foundation
import HuzhuSchemeFiles
import HuzhuTestSupport
import Testing

@testable import HuzhuCore

/// The statistics' arithmetic, the rule parameters of the what-if, and the what-if itself.
@Suite("Statistics and what-if")
struct StatisticsTests {
  @Test func aPeriodCutIntoPartsCoversEachDayOnce() throws {
    let year = ReportPeriod.year(2020)
    #expect(year.parts(1) == [year])
    let halves = year.parts(2)
    #expect(halves.map(\.description) == ["2020-01-01 – 2020-07-01", "2020-07-02 – 2020-12-31"])
    for count in [3, 7, 12, 366] {
      let parts = year.parts(count)
      #expect(parts.count == count)
      #expect(parts.first?.from == year.from && parts.last?.to == year.to)
      for (earlier, later) in zip(parts, parts.dropFirst()) { #expect(later.from == earlier.to.adding(days: 1)) }
      let lengths = parts.map { $0.from.days(until: $0.to) + 1 }
      #expect(lengths.max()! - lengths.min()! <= 1)
    }
    let day = try #require(ReportPeriod(from: year.from, to: year.from))
    #expect(day.parts(4) == [day])
    #expect(year.parts(0) == [year])
  }

  @Test func sharesRoundHalfUpAtTheStatedDecimals() {
    #expect(Share(23_000, of: 132_565).percentText() == "17.35%")
    #expect(Share(12_408, of: 24_000).percentText(decimals: 1) == "51.7%")
    #expect(Share(1, of: 8).percentText() == "12.50%")
    #expect(Share(1, of: 8).percentText(decimals: 0) == "13%")
    #expect(Share(2, of: 3).percentText() == "66.67%")
    #expect(Share(1, of: 3).percentText() == "33.33%")
    #expect(Share(-1, of: 8).percentText(decimals: 0) == "-13%")
    #expect(Share(5, of: 0).percentText() == "—")
    #expect(Share(1, of: 3) < Share(1, of: 2))
    #expect(!(Share(2, of: 4) < Share(1, of: 2)))
  }

  @Test func serviceTimesCountWorkingDaysWithHolidays() {
    func sample(_ complete: String, _ paid: String, due: String) -> ServiceSample {
      ServiceSample(
        workingDays: try? WorkingDayCalendar.publishedChina.workingDays(
          after: CalendarDate(complete)!, through: CalendarDate(paid)!),
        onTime: paid <= due ? 1 : 0)
    }
    // Mon 2020-11-02 → Fri 11-06: 4 working days. Across National Day 2020 (1–8 October off,
    // Saturday 10 October worked): 30 Sep → Mon 12 Oct is 3 (Fri 9, Sat 10, Mon 12).
    let samples = [
      sample("2020-11-02", "2020-11-06", due: "2020-11-16"),
      sample("2020-09-30", "2020-10-12", due: "2020-10-20"),
      sample("2020-11-02", "2020-11-30", due: "2020-11-16"),
    ]
    let service = StatisticsReport.service(
      samples + [sample("2099-01-05", "2099-01-09", due: "2099-01-20")], overdueNow: 3)
    // The year 2099 has no published holidays: counted apart, not guessed.
    #expect(service.uncounted == 1)
    #expect(service.paidClaims == 4)
    // 4, 3 and 20 working days: average 9.0, nearest-rank 90th percentile 20.
    #expect(service.averageText == "9.0")
    #expect(service.percentile90 == 20)
    #expect(service.withinDeadline == Share(3, of: 4))
    #expect(service.overdueNow == 3)
    // Grouped the way the database groups them, the same answer.
    let grouped = StatisticsReport.service(
      [
        ServiceSample(workingDays: 4, claims: 8, onTime: 8), ServiceSample(workingDays: 20, claims: 2, onTime: 0),
      ], overdueNow: 0)
    // Eight claims at 4 working days and two at 20: average 7.2, 90th percentile (the 9th) 20.
    #expect(grouped.averageText == "7.2")
    #expect(grouped.percentile90 == 20)
    #expect(grouped.withinDeadline == Share(8, of: 10))
    #expect(grouped.paidClaims == 10)
  }

  @Test func areasAndSectorsAddUpTheGroupsAndTheNodesOwnUnitsStandApart() {
    let city = Organisation(parentID: nil, kind: .cityAgency, code: "C", name: "市", nameEn: "City")
    let north = Organisation(parentID: city.id, kind: .countyUnion, code: "C-N", name: "北县", nameEn: "North")
    let town = Organisation(parentID: north.id, kind: .countyUnion, code: "C-N-T", name: "镇", nameEn: "Town")
    func unit(_ name: String, _ node: Organisation, _ sector: Sector, insured: Int, headcount: Int, paid: Int)
      -> UnitFigures
    {
      var figures = UnitFigures(unitID: .init(), name: name, organisationID: node.id, sector: sector)
      figures.insuredPersons = insured
      figures.headcount = headcount
      figures.collected = Money(yuan: Int64(insured * 90))
      figures.paidClaims = paid
      return figures
    }
    let units = [
      unit("甲", city, .government, insured: 10, headcount: 20, paid: 1),
      unit("乙", north, .stateEnterprise, insured: 30, headcount: 40, paid: 2),
      unit("丙", town, .stateEnterprise, insured: 0, headcount: 50, paid: 0),
      unit("丁", town, .government, insured: 5, headcount: 5, paid: 3),
    ]
    var facts = StatisticsFacts()
    facts.groups = GroupFigures.adding(units)
    facts.units = Array(units.prefix(1))
    facts.insuredPersons = 45
    facts.paidClaims = 6
    let report = StatisticsReport(
      facts, period: .year(2021), root: city.id, organisations: [city, north, town])
    // The city's own unit is its own group ("本级"); the town's units count in North's area.
    #expect(report.byArea.map(\.key) == ["", "C-N"])
    #expect(report.byArea.map(\.figures.insuredPersons) == [10, 35])
    #expect(report.byArea.map(\.figures.participatingUnits) == [1, 2])
    #expect(report.byArea[1].figures.headcount == 95)
    #expect(report.bySector.map(\.key) == ["government", "state_enterprise"])
    #expect(report.bySector.map(\.figures.paidClaims) == [4, 2])
    #expect(report.unitSums.units == 4 && report.unitSums.collected == Money(yuan: 45 * 90))
    // Listing one unit changes the list, not the sums.
    #expect(report.units.count == 1 && report.totals.headcount == 115)
  }

  @Test func agenciesRankByShareThenByTheDayTheyReachedIt() {
    let period = ReportPeriod.year(2022)
    func achievement(_ target: Int64, _ days: [(Int, Int64)]) -> TargetAchievement {
      TargetAchievement(
        target: AgencyTarget(organisationID: .init(), period: period, measure: .collected, target: target),
        daily: days.map { (CalendarDate(year: 2022, month: 1, day: $0.0)!, $0.1) })
    }
    let early = achievement(100, [(5, 60), (10, 40)])
    let late = achievement(100, [(5, 10), (20, 90)])
    let best = achievement(50, [(30, 80)])
    let behind = achievement(1_000, [(2, 500)])
    let ranked = TargetRanking.rank([behind, late, early, best])
    #expect(ranked.map(\.target.id) == [best.target.id, early.target.id, late.target.id, behind.target.id])
    #expect(early.reachedOn == CalendarDate(year: 2022, month: 1, day: 10))
    #expect(behind.reachedOn == nil)
    #expect(best.share.percentText() == "160.00%")
  }

  @Test func ruleParametersChangeOneNumberAndRefuseNonsenseByKey() throws {
    let (_, definition) = try BundledSchemes.definition("anyang")
    let version = try #require(definition.products.first?.versions.first { $0.version == "2019" })
    let parameters = RuleParameters.list(version)
    let band = try #require(parameters.first { $0.key == "anyang-hospital-topup.band.0.rate" })
    #expect(band.value == "30%")
    #expect(parameters.first { $0.key == "anyang-hospital-topup.band.1.rate" }?.value == "50%")
    #expect(parameters.first { $0.key == "limits.perPeriod" }?.value == "")
    #expect(parameters.first { $0.key == "anyang-hospital-topup.limits.perPeriod" }?.value == "100000.00")

    let changed = try RuleParameters.apply(["anyang-hospital-topup.band.0.rate": "40%"], to: version)
    var scheme = definition
    scheme.products[0].versions[0] = changed
    let compiled = try SchemeCompiler.compile(scheme)
    // 3,000 self-paid: 40% of 1,000 + 50% of 2,000.
    let member = MemberFacts(
      birthDate: CalendarDate(year: 1980, month: 1, day: 1)!, gender: .female, insuranceType: .urbanEmployee,
      cover: [
        CoverFacts(
          product: "anyang-hospital", start: CalendarDate(year: 2019, month: 12, day: 15)!,
          end: CalendarDate(year: 2020, month: 12, day: 14)!)
      ])
    let event = ClaimEvent(
      admissionDate: CalendarDate(year: 2020, month: 3, day: 1)!,
      dischargeDate: CalendarDate(year: 2020, month: 3, day: 9)!,
      claimDate: CalendarDate(year: 2020, month: 3, day: 20)!,
      figures: SettlementFigures([
        .inScopeCost: Money(yuan: 10_000), .pooledFundPaid: Money(yuan: 7_000), .criticalIllnessInsurancePaid: .zero,
      ]))
    #expect(
      try Adjudicator.adjudicate(ClaimCase(member: member, event: event), under: compiled).total == Money(yuan: 1_400))

    let failure = #expect(throws: ValidationFailure.self) {
      try RuleParameters.apply(
        ["anyang-hospital-topup.band.0.rate": "140%", "limits.maxPaidClaims": "-2", "no.such.key": "1"], to: version)
    }
    #expect(
      Set(failure?.errors.map(\.field) ?? [])
        == ["anyang-hospital-topup.band.0.rate", "limits.maxPaidClaims", "no.such.key"])
    // An empty value lifts an optional cap.
    let uncapped = try RuleParameters.apply(["anyang-hospital-topup.limits.perPeriod": ""], to: version)
    #expect(uncapped.benefits[0].limits?.perPeriod == nil)
    // Every number the simulator offers takes the value typed (the contribution was once
    // offered and ignored), in the scheme files of every kind of benefit.
    for file in ["anyang", "yichun"] {
      for version in try BundledSchemes.definition(file).1.products.flatMap(\.versions) {
        for parameter in RuleParameters.list(version) {
          let typed =
            switch parameter.kind {
            case .money: "123.45"
            case .rate: "12%"
            case .count: "7"
            }
          let applied = try RuleParameters.apply([parameter.key: typed], to: version)
          #expect(
            RuleParameters.list(applied).first { $0.key == parameter.key }?.value == typed,
            "\(file) \(version.version) \(parameter.key)")
        }
      }
    }
  }

  /// Two members: one whose two large stays reach the 100,000 cap under both rules (no
  /// difference), one with a small stay that gains exactly the ten points on it.
  @Test func theWhatIfReplaysEachMembersCapsInPaymentOrder() throws {
    let (_, definition) = try BundledSchemes.definition("anyang")
    let current = try SchemeCompiler.compile(definition)
    let changed = try SchemeCompiler.compile(
      try changing(definition, ["anyang-hospital-topup.band.0.rate": "40%"]))
    let big = Self.member(1, gender: .female)
    let small = Self.member(2, gender: .female)
    let cases = [
      Self.claim("C-2", big, selfPaid: 150_000, paid: "25200.00", on: 20),
      Self.claim("C-1", big, selfPaid: 150_000, paid: "74800.00", on: 2),
      Self.claim("C-3", small, selfPaid: 500, paid: "150.00", on: 10),
    ]
    let result = WhatIf.run(
      cases, current: current, changed: changed, collected: Money(yuan: 180), insuredPersons: 2,
      fundBalance: Money(yuan: 1_000_000))
    #expect(result.claims == 3)
    #expect(result.actual == Money(yuan: "100150.00")!)
    #expect(result.before == Money(yuan: "100150.00")!)
    #expect(result.after == Money(yuan: "100200.00")!)
    #expect(result.difference == Money(yuan: 50))
    #expect(result.membersAffected == 1)
    #expect(result.members == 2)
    #expect(result.fundBalanceAfter == Money(yuan: 999_950))
    #expect(result.breakEvenPerPerson == Money(yuan: 50_100))
    #expect(result.byUnit.count == 1)
    // The unit's line is labelled by its ID.
    let unit = try #require(result.byUnit.first?.unitID)
    #expect(result.labellingUnits([unit: "安阳公交集团"]).byUnit.map(\.label) == ["安阳公交集团"])
    #expect(result.problems.isEmpty)
    // Replayed in shards of members on several threads, the same answer to the fen (the
    // member at the cap still gains nothing: each member's claims stay in one shard, in order).
    for shards in [2, 3, 8] {
      let sharded = WhatIf.run(
        cases, current: current, changed: changed, collected: Money(yuan: 180), insuredPersons: 2,
        fundBalance: Money(yuan: 1_000_000), shards: shards)
      #expect(sharded == result, "\(shards) shards")
    }
  }

  /// "What if the three-year reward were ten points instead of five?": the member in their
  /// third unbroken year gains five points on both bands, the newcomer nothing; the years
  /// are counted from the periods each replayed claim's member held.
  @Test func theWhatIfAnswersAChangedContinuityReward() throws {
    let text = try String(
      contentsOfFile: RepositoryFiles.path("schemes/examples/continuity.yaml"), encoding: .utf8)
    let definition = try SchemeFile.decode(SchemeDefinition.self, yaml: text, file: "continuity.yaml")
    let current = try SchemeCompiler.compile(definition)
    let keys = RuleParameters.list(definition.products[0].versions[0]).map(\.key)
    #expect(keys.contains("continuity-hospital.continuity.0.rateIncrease"))
    #expect(keys.contains("continuity-allowance.continuity.0.capIncrease"))
    #expect(!keys.contains("continuity-allowance.continuity.0.rateIncrease"), "an allowance has no rate")
    var changedDefinition = definition
    changedDefinition.products[0].versions[0] = try RuleParameters.apply(
      ["continuity-hospital.continuity.0.rateIncrease": "10%"], to: definition.products[0].versions[0])
    let changed = try SchemeCompiler.compile(changedDefinition)
    func member(_ sequence: Int, since years: [Int]) -> (Worker, [Enrollment]) {
      let worker = Worker(
        name: "职工\(sequence)",
        idNumber: ResidentIDNumber.compose(
          region: "410502", birthDate: CalendarDate(year: 1975, month: 1, day: 1)!, sequence: sequence, gender: .male),
        unitID: .init())
      let enrollments = years.map { year in
        let start = CalendarDate(year: year, month: 1, day: 1)!
        return Enrollment(
          schemeCode: "continuity", productCode: "continuity-medical", versionLabel: "2025", workerID: worker.id,
          unitID: worker.unitID, period: CoveragePeriod(start: start, months: 12), shares: 1, status: .active,
          coverFrom: start, certificateNumber: "C-\(year)-\(sequence)", enrolledOn: start, billID: .init())
      }
      return (worker, enrollments)
    }
    func stay(_ number: String, _ person: (Worker, [Enrollment])) -> SimulationCase {
      SimulationCase(
        claimNumber: number, worker: person.0, enrollments: person.1,
        intake: ClaimIntake(
          event: ClaimEvent(
            admissionDate: CalendarDate(year: 2025, month: 3, day: 1)!,
            dischargeDate: CalendarDate(year: 2025, month: 3, day: 8)!,
            claimDate: CalendarDate(year: 2025, month: 3, day: 20)!,
            figures: SettlementFigures([.selfPaidInScope: Money(yuan: 21_000)]))),
        decidedOn: CalendarDate(year: 2025, month: 4, day: 1)!, paid: Money(yuan: 12_000))
    }
    let result = WhatIf.run(
      [stay("C-1", member(1, since: [2023, 2024, 2025])), stay("C-2", member(2, since: [2025]))], current: current,
      changed: changed, collected: .zero, insuredPersons: 0, fundBalance: .zero)
    #expect(result.problems.isEmpty)
    // 12,000 (55% and 65%) and 11,000 (50% and 60%) → 13,000 (60% and 70%) and 11,000; and
    // each stay's allowance, 7 days × 50, under both.
    #expect(result.before == Money(yuan: 23_700))
    #expect(result.after == Money(yuan: 24_700))
    #expect(result.membersAffected == 1)
  }

  /// A member's claims in two coverage periods replay against two ledgers: the second
  /// period's stay pays what it would alone, not what the first period's cap left.
  @Test func theWhatIfKeepsEachCoveragePeriodsCapsApart() throws {
    let (_, definition) = try BundledSchemes.definition("anyang")
    let current = try SchemeCompiler.compile(definition)
    let changed = try SchemeCompiler.compile(try changing(definition, ["anyang-hospital-topup.band.0.rate": "40%"]))
    let (worker, first) = Self.member(1)
    let secondStart = CalendarDate(year: 2020, month: 12, day: 15)!
    let second = Enrollment(
      schemeCode: "anyang", productCode: "anyang-hospital", versionLabel: "2020", workerID: worker.id,
      unitID: worker.unitID, period: CoveragePeriod(start: secondStart, months: 12), shares: 1, status: .active,
      coverFrom: secondStart, certificateNumber: "ANYANG-2020-1", enrolledOn: secondStart, billID: .init())
    func stay(_ number: String, admitted: CalendarDate) -> SimulationCase {
      SimulationCase(
        claimNumber: number, worker: worker, enrollments: [first, second],
        intake: ClaimIntake(
          event: ClaimEvent(
            admissionDate: admitted, dischargeDate: admitted.adding(days: 9), claimDate: admitted.adding(days: 20),
            figures: SettlementFigures([
              .inScopeCost: Money(yuan: 300_000), .pooledFundPaid: .zero, .criticalIllnessInsurancePaid: .zero,
            ]))),
        decidedOn: admitted.adding(days: 30), paid: Money(yuan: 1))
    }
    let earlier = stay("C-1", admitted: CalendarDate(year: 2020, month: 11, day: 1)!)
    let later = stay("C-2", admitted: CalendarDate(year: 2021, month: 1, day: 10)!)
    func replay(_ cases: [SimulationCase]) -> WhatIf.Result {
      WhatIf.run(cases, current: current, changed: changed, collected: .zero, insuredPersons: 0, fundBalance: .zero)
    }
    let both = replay([later, earlier])
    let (alone1, alone2) = (replay([earlier]), replay([later]))
    // Each stay alone reaches its period's cap, so a shared ledger would leave the second nothing.
    #expect(alone1.before.fen > 0 && alone2.before.fen > 0)
    #expect(both.before == alone1.before + alone2.before)
    #expect(both.after == alone1.after + alone2.after)
    #expect(both.problems.isEmpty)
  }

  /// "Admit urban-rural resident insurance, at 70 a share": a resident's claim refused as
  /// outside the scope would now pay; a claim refused on other facts though the rules pay it
  /// stays refused; the refused claim enters the member's ledger only under the rules that
  /// pay it; the contribution's change comes in from every person covered.
  @Test func theWhatIfReplaysRefusalsAndProjectsTheContribution() throws {
    let (_, definition) = try BundledSchemes.definition("anyang")
    var widened = try changing(definition, ["anyang-hospital-topup.band.0.rate": "30%"])
    widened.products[0].versions[0].eligibility?.insuranceTypes = [.urbanEmployee, .urbanRuralResident]
    widened.products[0].versions[0].contribution?.perShare = Money(yuan: 70)
    let current = try SchemeCompiler.compile(definition)
    let changed = try SchemeCompiler.compile(widened)
    let start = Self.coverStart
    let employee = Self.member(1)
    let resident = Self.member(2, insurance: .urbanRuralResident)
    let judged = Self.member(3)
    let cases = [
      Self.claim("C-1", employee, selfPaid: 500, paid: "150.00", on: 2),
      // Refused by the rules twice: under the changed rules the first pays the year's cap of
      // 100,000 (1,000 × 30% + 200,000 × 50%, capped), so the second finds the cap reached.
      Self.claim("C-2", resident, selfPaid: 201_000, paid: "0.00", on: 3, refusal: .outsideScope),
      Self.claim("C-3", resident, selfPaid: 1_000, paid: "0.00", on: 9, refusal: .outsideScope),
      // Refused though the rules pay it: a reviewer's judgement, under both sets of rules.
      Self.claim("C-4", judged, selfPaid: 800, paid: "0.00", on: 4, refusal: .deadlinePassed),
    ]
    let result = WhatIf.run(
      cases, current: current, changed: changed, collected: Money(yuan: 180), insuredPersons: 3,
      fundBalance: Money(yuan: 10_000))
    #expect(result.claims == 4)
    #expect(result.refused == 3)
    #expect(result.refusedNowPaying == 1)
    #expect(result.refusedNowPayingAmount == Money(yuan: 100_000))
    #expect(result.refusalsStanding == 1)
    #expect(result.paidNowNothing == 0)
    #expect(result.actual == Money(yuan: 150))
    #expect(result.before == Money(yuan: 150))
    #expect(result.after == Money(yuan: 150 + 100_000))
    #expect(result.membersAffected == 1)
    #expect(result.members == 3)
    #expect(result.problems.isEmpty)
    let product = try #require(result.byProduct.first)
    #expect(product.claims == 3, "the standing refusal is judged under neither set of rules")

    // Three persons covered for the period, each paying 10 more.
    let cover = [ContributionProjection.Cover(product: "anyang-hospital", periodStart: start, persons: 3)]
    let change = ContributionProjection.change(cover, current: current, changed: changed)
    #expect(change == Money(yuan: 30))
    #expect(ContributionProjection.change(cover, current: current, changed: current) == .zero)
    let projected = result.with(
      collected: Money(yuan: 180), insuredPersons: 3, fundBalance: Money(yuan: 10_000), contributionChange: change)
    #expect(projected.collectedAfter == Money(yuan: 210))
    #expect(projected.fundBalanceAfter == Money(yuan: 10_000 - 100_000 + 30))
    #expect(projected.shortfall == Money(yuan: 100_150 - 210))
    // 100,150 of claims at 70 a member: 1,430.7…, so 1,431 members.
    #expect(projected.membersToBreakEven == 1_431)
    #expect(projected.lossRatioAfter == Share(Money(yuan: 100_150), of: Money(yuan: 210)))

    // Nothing paid under the changed rules: the paid claim is counted as paying nothing now.
    var nothing = definition
    nothing.products[0].versions[0] = try RuleParameters.apply(
      ["anyang-hospital-topup.band.0.rate": "0%", "anyang-hospital-topup.band.1.rate": "0%"],
      to: nothing.products[0].versions[0])
    let none = WhatIf.run(
      cases, current: current, changed: try SchemeCompiler.compile(nothing), collected: .zero, insuredPersons: 0,
      fundBalance: .zero)
    #expect(none.paidNowNothing == 1)
    #expect(none.refusedNowPaying == 0)
    #expect(none.after == .zero)
    #expect(none.membersToBreakEven == nil)
  }

  /// Break-even counts from figures past 64 bits when multiplied, and none from nothing collected.
  @Test func breakEvenMembersNeverTrap() {
    let empty = WhatIf.run(
      [], current: try! SchemeCompiler.compile(try! BundledSchemes.definition("anyang").1),
      changed: try! SchemeCompiler.compile(try! BundledSchemes.definition("anyang").1), collected: .zero,
      insuredPersons: 0, fundBalance: .zero)
    #expect(empty.membersToBreakEven == nil)
    let huge = empty.with(collected: Money(fen: 1), insuredPersons: 2_000_000, fundBalance: .zero)
    #expect(huge.membersToBreakEven == 0, "no claims: no member needed")
    let negative = empty.with(
      collected: Money(fen: 100), insuredPersons: 10, fundBalance: .zero, contributionChange: Money(fen: -200))
    #expect(negative.membersToBreakEven == nil)
    // Ten trillion yuan of claims over two million members: the product passes 64 bits.
    let large = WhatIf.Result(
      claims: 1, refused: 0, refusedNowPaying: 0, refusedNowPayingAmount: .zero, refusalsStanding: 0,
      paidNowNothing: 0, actual: .zero, before: .zero, after: Money(fen: 1_000_000_000_000_000), byProduct: [],
      byUnit: [], membersAffected: 0, members: 0, collected: Money(fen: 1), insuredPersons: 2_000_000,
      fundBalance: .zero, problems: [])
    #expect(large.membersToBreakEven == nil, "past any membership")
    let priced = large.with(
      collected: Money(fen: 100_000_000_000_000_000), insuredPersons: 2_000_000, fundBalance: .zero)
    #expect(priced.membersToBreakEven == 20_000)
    let odd = large.with(collected: Money(fen: 300_000_000_000_000_000), insuredPersons: 2_000_000, fundBalance: .zero)
    #expect(odd.membersToBreakEven == 6_667)
    #expect(large.lossRatioAfter.percentText() == "—", "a ratio past 64 bits is no figure, not a trap")
  }

  /// A draft's nonsense (caps lifted, every band at 100%, a claim of fifteen digits; a price of
  /// fifteen digits) is reported, never summed past 64 bits.
  @Test func aDraftsNonsenseIsReportedNotSummed() throws {
    let (_, definition) = try BundledSchemes.definition("anyang")
    var wild = try changing(
      definition,
      [
        "anyang-hospital-topup.band.0.rate": "100%", "anyang-hospital-topup.band.1.rate": "100%",
        "anyang-hospital-topup.limits.perPeriod": "",
      ])
    // A price of fifteen digits is refused when compiled; the largest a scheme may hold,
    // times a province's members, is still past any fund.
    wild.products[0].versions[0].contribution?.perShare = Money(yuan: "999999999999999.00")!
    #expect(throws: ValidationFailure.self) { try SchemeCompiler.compile(wild) }
    wild.products[0].versions[0].contribution?.perShare = SchemeDefinition.largestAmount
    let current = try SchemeCompiler.compile(definition)
    let changed = try SchemeCompiler.compile(wild)
    let cases = (1...200).map {
      Self.claim("C-\($0)", Self.member($0), selfPaid: 99_999_999_999_999, paid: "0.00", on: 2)
    }
    let result = WhatIf.run(
      cases, current: current, changed: changed, collected: .zero, insuredPersons: 0, fundBalance: .zero)
    #expect(result.claims == 0)
    #expect(result.problems.count == 200)
    #expect(result.problems.first?.contains("超出可测算的范围") == true)
    let cover = [
      ContributionProjection.Cover(product: "anyang-hospital", periodStart: Self.coverStart, persons: 2_000_000)
    ]
    #expect(ContributionProjection.change(cover, current: current, changed: changed) == .zero)
  }

  static let coverStart = CalendarDate(year: 2019, month: 12, day: 15)!

  /// A member born in 1975 holding Anyang's product from 15 December 2019 for a year.
  static func member(_ sequence: Int, gender: Gender = .male, insurance: InsuranceType = .urbanEmployee)
    -> (Worker, Enrollment)
  {
    let worker = Worker(
      name: "职工\(sequence)",
      idNumber: ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1975, month: 1, day: 1)!, sequence: sequence, gender: gender),
      unitID: .init(), insuranceType: insurance)
    let cover = Enrollment(
      schemeCode: "anyang", productCode: "anyang-hospital", versionLabel: "2019", workerID: worker.id,
      unitID: worker.unitID, period: CoveragePeriod(start: coverStart, months: 12), shares: 1, status: .active,
      coverFrom: coverStart, certificateNumber: "ANYANG-2019-\(sequence)", enrolledOn: coverStart, billID: .init())
    return (worker, cover)
  }

  /// A five-day stay in March 2020 with `yuan` self-paid in scope, decided on the `day`th of April.
  static func claim(
    _ number: String, _ person: (Worker, Enrollment), selfPaid yuan: Int64, paid: String, on day: Int,
    refusal: RejectionReason? = nil
  ) -> SimulationCase {
    SimulationCase(
      claimNumber: number, worker: person.0, enrollments: [person.1],
      intake: ClaimIntake(
        event: ClaimEvent(
          admissionDate: CalendarDate(year: 2020, month: 3, day: day)!,
          dischargeDate: CalendarDate(year: 2020, month: 3, day: day + 5)!,
          claimDate: CalendarDate(year: 2020, month: 4, day: 1)!,
          figures: SettlementFigures([
            .inScopeCost: Money(yuan: yuan), .pooledFundPaid: .zero, .criticalIllnessInsurancePaid: .zero,
          ]))),
      decidedOn: CalendarDate(year: 2020, month: 4, day: day)!, paid: Money(yuan: paid)!, refusal: refusal)
  }

  func changing(_ definition: SchemeDefinition, _ values: [String: String]) throws -> SchemeDefinition {
    var scheme = definition
    scheme.products[0].versions[0] = try RuleParameters.apply(values, to: scheme.products[0].versions[0])
    return scheme
  }
}
