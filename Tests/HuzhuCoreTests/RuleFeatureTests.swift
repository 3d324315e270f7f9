import Foundation
import HuzhuCore
import HuzhuSchemeFiles
import HuzhuTestSupport
import Testing

/// Each feature of the format, exercised through schemes/examples/features.yaml.
@Suite("Rule features")
struct RuleFeatureTests {
  let scheme = Schemes.features

  func hospital(
    selfPaid: String, history: BenefitHistory = .none, categories: [MemberCategory] = [], shares: Int? = nil,
    treatment: String? = nil, productPaid: Money? = nil, schemePaid: Money? = nil
  ) throws -> BenefitOutcome {
    let claim = stay(
      product: "hospital-plus", start: "2024-01-01", admission: "2024-04-01", figures: [.selfPaidInScope: selfPaid],
      categories: categories, shares: shares, history: ["fx-hospital": history], treatment: treatment,
      productPaid: productPaid.map { ["hospital-plus": $0] }, schemePaid: schemePaid)
    return try Adjudicator.adjudicate(claim, under: scheme).outcome("fx-hospital")
  }

  @Test func deductibleDiffersForTheFirstAndLaterStaysAndRatesByStaySequence() throws {
    let first = try hospital(selfPaid: "10500.00")
    #expect(first.lines.map(\.step) == [.base, .deductible, .rate])
    #expect(first.total == yuan("7000.00"))  // (10,500 − 500) × 70%
    let second = try hospital(
      selfPaid: "10300.00", history: BenefitHistory(paidAmount: yuan("7000.00"), paidClaims: 1, stays: 1))
    #expect(second.total == yuan("4000.00"))  // (10,300 − 300) × 40%
    let fifth = try hospital(
      selfPaid: "1300.00", history: BenefitHistory(paidAmount: yuan("100.00"), paidClaims: 3, stays: 4))
    #expect(fifth.total == yuan("400.00"))  // the last byStay entry applies to later stays
  }

  @Test func belowTheDeductibleNothingIsPaidAndTheReasonSaysWhy() throws {
    let outcome = try hospital(selfPaid: "450.00")
    #expect(outcome.total == .zero)
    #expect(outcome.reasons == [.belowDeductible])
  }

  @Test func memberCategoriesOverrideDeductibleAndRates() throws {
    // Extreme hardship: no deductible and 90%.
    #expect(try hospital(selfPaid: "1000.00", categories: [.extremeHardship]).total == yuan("900.00"))
    // Hardship: a lower deductible, the normal rate.
    #expect(try hospital(selfPaid: "1000.00", categories: [.hardship]).total == yuan("560.00"))
    // The first matching override in the file wins.
    #expect(try hospital(selfPaid: "1000.00", categories: [.hardship, .extremeHardship]).total == yuan("900.00"))
  }

  @Test func sharesMultiplyBenefitsAndTheirCaps() throws {
    let outcome = try hospital(selfPaid: "100500.00", shares: 3)
    // 100,000 × 70% = 70,000 × 3 = 210,000; per-claim cap 30,000 × 3 = 90,000; product cap 150,000.
    #expect(outcome.total == yuan("90000.00"))
    #expect(outcome.reasons == [.perClaimCap])
  }

  @Test func claimCountLimitStopsTheFifthPaidClaim() throws {
    let outcome = try hospital(
      selfPaid: "2000.00", history: BenefitHistory(paidAmount: yuan("5000.00"), paidClaims: 4, stays: 4))
    #expect(outcome.total == .zero)
    #expect(outcome.reasons == [.claimCountLimit])
    #expect(outcome.lines.reduce(.zero) { $0 + $1.amount } == .zero)
  }

  @Test func treatmentCategoriesHaveTheirOwnCapsAndCounts() throws {
    let dialysis = try hospital(
      selfPaid: "20500.00",
      history: BenefitHistory(
        paidAmount: yuan("15000.00"), paidClaims: 2, stays: 0,
        categories: ["dialysis": CategoryHistory(paidAmount: yuan("15000.00"), paidClaims: 2)]),
      treatment: "dialysis")
    #expect(dialysis.total == yuan("5000.00"))
    #expect(dialysis.reasons == [.categoryCapReached])
    let secondTransplant = try hospital(
      selfPaid: "20500.00",
      history: BenefitHistory(categories: ["transplant": CategoryHistory(paidAmount: yuan("14000.00"), paidClaims: 1)]),
      treatment: "transplant")
    #expect(secondTransplant.reasons == [.categoryClaimLimit])
    #expect(secondTransplant.total == .zero)
  }

  @Test func productAndSchemeCapsApplyAcrossBenefits() throws {
    let product = try hospital(selfPaid: "10500.00", productPaid: yuan("148000.00"))
    #expect(product.total == yuan("2000.00"))
    #expect(product.reasons == [.productCapReached])
    let overall = try hospital(selfPaid: "10500.00", schemePaid: yuan("199000.00"))
    #expect(overall.total == yuan("1000.00"))
    #expect(overall.reasons == [.schemeCapReached])
  }

  @Test func wholeAmountBandsUseOneRateForTheWholeBase() throws {
    func total(_ amount: String) throws -> Money {
      let claim = stay(
        product: "whole-amount", start: "2024-01-01", admission: "2024-04-01",
        figures: [.totalCost: amount, .pooledFundPaid: "0.00", .selfFunded: "0.00"])
      return try Adjudicator.adjudicate(claim, under: scheme).total
    }
    #expect(try total("5000.00") == yuan("1500.00"))  // 30% of all of it
    #expect(try total("5000.01") == yuan("2500.01"))  // 50% of all of it: 2500.005 → half-up
    #expect(try total("30000.00") == yuan("18000.00"))
  }

  @Test func fixedDateDeadlineInTheFollowingYear() throws {
    var claim = stay(
      product: "whole-amount", start: "2024-01-01", admission: "2024-11-20", discharge: "2024-12-01",
      claim: "2025-03-31",
      figures: [.totalCost: "1000.00", .pooledFundPaid: "0.00", .selfFunded: "0.00"])
    #expect(try Adjudicator.adjudicate(claim, under: scheme).total == yuan("300.00"))
    claim.event.claimDate = date("2025-04-01")
    #expect(try Adjudicator.adjudicate(claim, under: scheme).outcomes[0].reasons == [.deadlinePassed])
  }

  @Test func dailyAllowanceCountsFromDayNUpToLimitsAndExcludesDiagnoses() throws {
    func allowance(days: Int, used: Int = 0, diagnoses: [Diagnosis]? = nil) throws -> BenefitOutcome {
      let claim = stay(
        product: "hospital-plus", start: "2024-01-01", admission: "2024-04-01", figures: [.selfPaidInScope: "0.00"],
        history: ["fx-allowance": BenefitHistory(allowanceDays: used)], days: days, diagnoses: diagnoses)
      return try Adjudicator.adjudicate(claim, under: scheme).outcome("fx-allowance")
    }
    #expect(try allowance(days: 10).total == yuan("350.00"))  // days 4–10
    #expect(try allowance(days: 3).reasons == [.stayTooShort])
    #expect(try allowance(days: 40).total == yuan("1000.00"))  // 20 days a stay at most
    let nearlyUsed = try allowance(days: 10, used: 25)
    #expect(nearlyUsed.total == yuan("250.00"))
    #expect(nearlyUsed.reasons == [.allowanceDaysExhausted])
    #expect(try allowance(days: 10, diagnoses: [Diagnosis(class: "psychiatric")]).reasons == [.excludedDiagnosis])
  }

  @Test func lumpSumsByClassAndSeverity() throws {
    func critical(_ diagnoses: [Diagnosis]) throws -> BenefitOutcome {
      let claim = stay(
        product: "hospital-plus", start: "2024-01-01", admission: "2024-06-01", figures: [:], diagnoses: diagnoses)
      return try Adjudicator.adjudicate(claim, under: scheme).outcome("fx-critical")
    }
    #expect(try critical([Diagnosis(class: "cancer")]).total == yuan("30000.00"))
    #expect(try critical([Diagnosis(class: "stroke", severity: .mild)]).total == yuan("10000.00"))
    // Several diagnoses in one event: the largest lump sum, once.
    let several = try critical([Diagnosis(class: "stroke", severity: .mild), Diagnosis(class: "transplant")])
    #expect(several.total == yuan("50000.00"))
    #expect(several.lines.first?.subject.map(scheme.code(of:)) == "transplant")
    #expect(try critical([Diagnosis(class: "psychiatric")]).reasons == [.notInList])
  }

  @Test func accidentTiersSharesDeathDisabilityAndMedical() throws {
    func accident(_ facts: AccidentFacts, riskClass: Int? = nil, shares: Int? = nil, alreadyPaid: String = "0.00")
      throws -> BenefitOutcome
    {
      let claim = ClaimCase(
        member: MemberFacts(
          birthDate: date("1990-01-01"), gender: .male, riskClass: riskClass,
          cover: [CoverFacts(product: "accident", start: date("2024-01-01"), end: date("2024-12-31"), shares: shares)]),
        event: ClaimEvent(accidentDate: date("2024-07-07"), claimDate: date("2024-08-01"), accident: facts),
        history: ["ac-accident": BenefitHistory(accidentSumPaid: yuan(alreadyPaid))])
      return try Adjudicator.adjudicate(claim, under: scheme).outcome("ac-accident")
    }
    #expect(try accident(AccidentFacts(outcome: .death)).total == yuan("50000.00"))
    #expect(try accident(AccidentFacts(outcome: .death), riskClass: 3).total == yuan("30000.00"))
    #expect(try accident(AccidentFacts(outcome: .disability, disabilityGrade: 5), shares: 2).total == yuan("60000.00"))
    let death = try accident(AccidentFacts(outcome: .death), alreadyPaid: "30000.00")
    #expect(death.total == yuan("20000.00"))
    #expect(death.reasons == [.deathDisabilityExclusive])
    // Medical: (cost − 100) × 80%, at most 5,000.
    #expect(try accident(AccidentFacts(outcome: .injury, medicalCost: yuan("1100.00"))).total == yuan("800.00"))
    #expect(try accident(AccidentFacts(outcome: .injury, medicalCost: yuan("99999.00"))).total == yuan("5000.00"))
    #expect(try accident(AccidentFacts(outcome: .disability, disabilityGrade: 7)).reasons == [.missingEventData])
  }

  @Test func roundingIsDeclaredPerScheme() throws {
    func total(rounding: String) throws -> Money {
      let yaml = """
        scheme: { code: r, name: 舍入, rounding: \(rounding) }
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
                    hospital: { base: self_paid_in_scope, schedule: { flat: "50%" } }
        """
      let scheme = try SchemeFile.compile(yaml: yaml)
      let claim = stay(product: "p", start: "2024-01-01", admission: "2024-02-01", figures: [.selfPaidInScope: "0.05"])
      return try Adjudicator.adjudicate(claim, under: scheme).total
    }
    #expect(try total(rounding: "half_up") == Money(fen: 3))  // 2.5 fen
    #expect(try total(rounding: "half_even") == Money(fen: 2))
    #expect(try total(rounding: "down") == Money(fen: 2))
    #expect(try total(rounding: "up") == Money(fen: 3))
  }

  @Test func unknownProductsAndBadSharesAreInputErrorsNotZeroBenefits() {
    let claim = stay(product: "nope", start: "2024-01-01", admission: "2024-02-01", figures: [:])
    let failure = #expect(throws: ValidationFailure.self) { try Adjudicator.adjudicate(claim, under: scheme) }
    #expect(failure?.errors.map(\.field) == ["member.cover[0].product"])
  }

  @Test func aPeriodWithNoRuleVersionSaysSo() throws {
    let claim = stay(
      product: "hospital-plus", start: "2023-06-01", admission: "2023-09-01", figures: [.selfPaidInScope: "1000.00"])
    let explanation = try Adjudicator.adjudicate(claim, under: scheme)
    #expect(explanation.outcomes.map(\.reasons) == [[.noRuleVersion]])
    #expect(explanation.total == .zero)
  }

  @Test func theExplanationRendersInChineseAndAsJSON() throws {
    let claim = try ClaimCaseFile.load(RepositoryFiles.path("schemes/cases/anyang-3000.json"))
    let report = ExplanationReport(try Adjudicator.adjudicate(claim, under: Schemes.anyang), scheme: Schemes.anyang)
    let table = report.table()
    #expect(table.contains("1000.00（含）以下的部分 × 30%"))
    #expect(table.contains("超过 1000.00的部分 × 50%"))
    #expect(table.contains("统筹范围内合规费用 − 统筹基金支付 − 大病保险支付"))
    #expect(table.contains("1300.00"))
    #expect(report.table(in: .en).contains("part up to 1000.00 (inclusive) × 30%"))
    #expect(report.table(in: .en).contains("part above 1000.00 × 50%"))
    let json = String(decoding: try JSONEncoder().encode(report.document), as: UTF8.self)
    #expect(json.contains(#""total":"1300.00""#))
  }

  @Test func bandsAsWrittenWithTheirEdgesAndZeroRates() throws {
    func outcome(_ selfPaid: String, _ benefit: String) throws -> BenefitOutcome {
      let claim = stay(
        product: "bands-hospital", start: "2025-01-01", admission: "2025-03-01", figures: [.selfPaidInScope: selfPaid])
      return try Adjudicator.adjudicate(claim, under: Schemes.bands).outcome(benefit)
    }
    // "2,000（含）以下不予给付": the edge belongs to the 0% band, and paying nothing says why.
    for amount in ["1500.00", "2000.00"] {
      #expect(try outcome(amount, "bands-progressive").total == .zero)
      #expect(try outcome(amount, "bands-progressive").reasons == [.zeroRate])
      #expect(try outcome(amount, "bands-whole").reasons == [.zeroRate])
    }
    // One fen above the edge: 10% of 0.01 rounds to nothing, and that is a reason too.
    #expect(try outcome("2000.01", "bands-progressive").reasons == [.roundedToZero])
    // Whole-amount bands jump at the edge: one fen more and all of it is at 5%.
    #expect(try outcome("2000.01", "bands-whole").total == Money(yuan: 100))
    // 6,000: nothing on the first 2,000, 10% of 3,000, 20% of 1,000; the whole at 8%.
    let progressive = try outcome("6000.00", "bands-progressive")
    #expect(progressive.total == Money(yuan: 500))
    #expect(progressive.reasons.isEmpty)
    #expect(try outcome("6000.00", "bands-whole").total == Money(yuan: 480))
    #expect(try outcome("5000.00", "bands-whole").total == Money(yuan: 250))
    let report = ExplanationReport(
      try Adjudicator.adjudicate(
        stay(
          product: "bands-hospital", start: "2025-01-01", admission: "2025-03-01",
          figures: [.selfPaidInScope: "6000.00"]), under: Schemes.bands), scheme: Schemes.bands)
    let table = report.table()
    #expect(table.contains("2000.00（含）以下的部分 × 0%"))
    #expect(table.contains("超过 2000.00 至 5000.00（含）的部分 × 10%"))
    #expect(table.contains("超过 5000.00的部分 × 20%"))
    #expect(table.contains("全额适用“超过 5000.00”档比例"))
    #expect(report.table(in: .en).contains("part above 2000.00 up to 5000.00 (inclusive) × 10%"))
  }

  @Test func aWholeAmountBandPaysItsFixedAmount() throws {
    func outcome(_ selfPaid: String, shares: Int? = nil) throws -> BenefitOutcome {
      let claim = stay(
        product: "bands-hospital", start: "2025-01-01", admission: "2025-03-01", figures: [.selfPaidInScope: selfPaid])
      return try Adjudicator.adjudicate(claim, under: Schemes.bands).outcome("bands-fixed")
    }
    // "10,000（含）以下不予补助": the edge is in the band of 0, which says why it pays nothing.
    for amount in ["800.00", "10000.00"] {
      #expect(try outcome(amount).total == .zero)
      #expect(try outcome(amount).reasons == [.zeroAmount])
    }
    // One fen over an edge and the next band's amount is paid whole, whatever the base in it.
    #expect(try outcome("10000.01").total == Money(yuan: 1000))
    #expect(try outcome("20000.00").total == Money(yuan: 1000))
    #expect(try outcome("20000.01").total == Money(yuan: 2000))
    #expect(try outcome("250000.00").total == Money(yuan: 3000))
    let fixed = try outcome("25000.00")
    #expect(fixed.reasons.isEmpty)
    #expect(fixed.lines.last?.step == .bandAmount && fixed.lines.last?.amount == Money(yuan: 2000))
    let report = ExplanationReport(
      try Adjudicator.adjudicate(
        stay(
          product: "bands-hospital", start: "2025-01-01", admission: "2025-03-01",
          figures: [.selfPaidInScope: "25000.00"]), under: Schemes.bands), scheme: Schemes.bands)
    #expect(report.table().contains("全额“超过 20000.00 至 30000.00（含）”档：定额 2000.00"))
    #expect(
      report.table(in: .en).contains(
        "the whole amount in the band above 20000.00 up to 30000.00 (inclusive): a fixed 2000.00"))
    let nothing = ExplanationReport(
      try Adjudicator.adjudicate(
        stay(
          product: "bands-hospital", start: "2025-01-01", admission: "2025-03-01",
          figures: [.selfPaidInScope: "9000.00"]), under: Schemes.bands), scheme: Schemes.bands)
    #expect(nothing.table().contains("该金额所在档次定额为0，不予给付"))
  }

  /// "每次不足100元的按100元给付": anything payable is raised to the minimum (per share) before
  /// the caps, which still bind; a claim that pays nothing stays at nothing.
  @Test func aClaimPaysAtLeastTheMinimum() throws {
    func judged(_ selfPaid: String, shares: Int? = nil, paidThisPeriod: String? = nil) throws -> Explanation {
      let history = paidThisPeriod.map {
        ["minimum-topup": BenefitHistory(paidAmount: yuan($0), paidClaims: 1, stays: 1)]
      }
      return try Adjudicator.adjudicate(
        stay(
          product: "minimum-hospital", start: "2025-01-01", admission: "2025-03-01",
          figures: [.selfPaidInScope: selfPaid], shares: shares, history: history ?? [:]), under: Schemes.minimum)
    }
    func outcome(_ selfPaid: String, shares: Int? = nil, paidThisPeriod: String? = nil) throws -> BenefitOutcome {
      try judged(selfPaid, shares: shares, paidThisPeriod: paidThisPeriod).outcome("minimum-topup")
    }
    // 50% of what passes the 500 deductible: 600 gives 50, raised to 100; 700 gives 100 itself.
    let raised = try outcome("600.00")
    #expect(raised.total == Money(yuan: 100))
    #expect(raised.lines.last?.step == .minimumPayment && raised.lines.last?.amount == Money(yuan: 50))
    #expect(try outcome("700.00").total == Money(yuan: 100))
    #expect(try !outcome("700.00").lines.contains { $0.step == .minimumPayment })
    #expect(try outcome("800.00").total == Money(yuan: 150))
    // Nothing payable is not raised.
    #expect(try outcome("500.00").total == .zero)
    #expect(try !outcome("500.00").lines.contains { $0.step == .minimumPayment })
    // Per share, like the caps: two shares pay at least 200.
    #expect(try outcome("600.00", shares: 2).total == Money(yuan: 200))
    // The period cap binds after the minimum: 8,000 a period with 7,940 paid leaves 60.
    let capped = try outcome("600.00", paidThisPeriod: "7940.00")
    #expect(capped.total == Money(yuan: 60))
    #expect(capped.lines.suffix(2).map(\.step) == [.minimumPayment, .periodCap])
    let report = ExplanationReport(try judged("600.00"), scheme: Schemes.minimum)
    #expect(report.table().contains("不足最低给付额，按 100.00 给付"))
    #expect(report.table(in: .en).contains("raised to the minimum payment of 100.00"))
    // The what-if offers it, and pays the changed one.
    let version = try SchemeFile.decode(
      SchemeDefinition.self,
      yaml: try String(contentsOfFile: RepositoryFiles.path("schemes/examples/minimum.yaml"), encoding: .utf8),
      file: "minimum.yaml"
    ).products[0].versions[0]
    #expect(RuleParameters.list(version).contains { $0.key == "minimum-topup.limits.minimumPerClaim" })
    var definition = try SchemeFile.decode(
      SchemeDefinition.self,
      yaml: try String(contentsOfFile: RepositoryFiles.path("schemes/examples/minimum.yaml"), encoding: .utf8),
      file: "minimum.yaml")
    definition.products[0].versions[0] = try RuleParameters.apply(
      ["minimum-topup.limits.minimumPerClaim": "150.00"], to: version)
    let changed = try SchemeCompiler.compile(definition)
    let claim = stay(
      product: "minimum-hospital", start: "2025-01-01", admission: "2025-03-01", figures: [.selfPaidInScope: "600.00"])
    #expect(try Adjudicator.adjudicate(claim, under: changed).outcome("minimum-topup").total == Money(yuan: 150))
  }

  /// The deductible the member paid, supplementary insurance and medical assistance are
  /// figures like the others: a base may be one of them, or subtract them.
  @Test func theDeductiblePaidSupplementaryInsuranceAndAssistanceAreFiguresOfTheBase() throws {
    let claim = stay(
      product: "figures-hospital", start: "2025-01-01", admission: "2025-03-01",
      figures: [
        .inScopeCost: "20000.00", .pooledFundPaid: "12000.00", .criticalIllnessInsurancePaid: "1000.00",
        .supplementaryInsurancePaid: "2000.00", .medicalAssistancePaid: "3000.00", .deductiblePaid: "1200.00",
      ])
    let judged = try Adjudicator.adjudicate(claim, under: Schemes.figures)
    #expect(judged.outcome("figures-deductible").total == yuan("600.00"))
    // 20,000 − 12,000 − 1,000 − 2,000 − 3,000 = 2,000 at 60%.
    #expect(judged.outcome("figures-after-payers").total == yuan("1200.00"))
    let report = ExplanationReport(judged, scheme: Schemes.figures).table()
    #expect(report.contains("基本医保起付金额"))
    #expect(report.contains("医疗救助支付"))
    // A figure the base names and the sheet lacks is missing, as for the first six (a payer's
    // 0.00 is written as such): neither benefit guesses.
    var bare = claim
    bare.event.figures = SettlementFigures([
      .inScopeCost: yuan("20000.00"), .pooledFundPaid: yuan("12000.00"), .criticalIllnessInsurancePaid: yuan("1000.00"),
      .supplementaryInsurancePaid: .zero,
    ])
    let plain = try Adjudicator.adjudicate(bare, under: Schemes.figures)
    for code in ["figures-deductible", "figures-after-payers"] {
      #expect(plain.outcome(code).total == .zero)
      #expect(plain.outcome(code).lines.contains { $0.reason == .missingFigure })
    }
    bare.event.figures?[.medicalAssistancePaid] = .zero
    let stated = try Adjudicator.adjudicate(bare, under: Schemes.figures)
    #expect(stated.outcome("figures-after-payers").total == yuan("4200.00"))
  }

  /// "三级医院起付800元、按40%", "一级医院确诊的不予给付": the hospital's level and location
  /// choose a hospital rule's deductible and rate, and may be a benefit's condition.
  @Test func theHospitalsLevelAndLocationChooseTheRuleAndMayBeACondition() throws {
    func judged(_ level: HospitalLevel?, _ location: HospitalLocation? = .local) throws -> Explanation {
      var claim = stay(
        product: "hospitals-hospital", start: "2025-01-01", admission: "2025-03-01",
        figures: [.selfPaidInScope: "10000.00"], diagnoses: [Diagnosis(class: "cancer")])
      claim.event.hospitalLevel = level
      claim.event.hospitalLocation = location
      return try Adjudicator.adjudicate(claim, under: Schemes.hospitals)
    }
    func paid(_ level: HospitalLevel?, _ location: HospitalLocation? = .local) throws -> (Money, Money) {
      let explanation = try judged(level, location)
      return (explanation.outcome("hospitals-topup").total, explanation.outcome("hospitals-critical").total)
    }
    // (10,000 − 300) × 60%, and no critical-illness aid diagnosed at a level-1 hospital.
    #expect(try paid(.level1) == (yuan("5820.00"), .zero))
    #expect(try judged(.level1).outcome("hospitals-critical").lines.last?.reason == .hospitalNotCovered)
    #expect(try paid(.level2) == (yuan("4750.00"), yuan("5000.00")))
    #expect(try paid(.level3) == (yuan("3680.00"), yuan("5000.00")))
    // The first override that applies wins: out of the province before the level.
    #expect(try paid(.level3, .outOfProvince) == (yuan("2700.00"), yuan("5000.00")))
    // A claim that does not give what a rule turns on is not guessed: an override that needs the
    // location, or a condition that needs the level, says so.
    let unknown = try judged(.level3, nil)
    #expect(unknown.outcome("hospitals-topup").total == .zero)
    #expect(unknown.outcome("hospitals-topup").lines.last?.reason == .hospitalNotStated)
    let noLevel = try judged(nil, .inProvince)
    #expect(noLevel.outcome("hospitals-critical").lines.last?.reason == .hospitalNotStated)
    // In the province without a level: the first override (out of the province) does not
    // apply, the second turns on the level the claim lacks.
    #expect(noLevel.outcome("hospitals-topup").lines.last?.reason == .hospitalNotStated)
    // The explanation names the rule the hospital chose, in both languages.
    let report = ExplanationReport(try judged(.level3), scheme: Schemes.hospitals)
    #expect(report.table().contains("按三级医院的规则"))
    #expect(report.table(in: .en).contains("under the rule for level-3 hospital"))
    #expect(
      ExplanationReport.describe(HospitalsDefinition(levels: [.level2, .level3], locations: [.local]), in: .zh)
        == "二级医院或三级医院、统筹区内")
  }

  @Test func hospitalListsAreCheckedWhenCompiled() throws {
    func codes(_ hospitals: String, override: Bool = false) -> [String] {
      let yaml = """
        scheme: { code: t, name: 测试 }
        products:
          - code: p
            name: 产品
            versions:
              - version: "A"
                coverageStarting: { from: 2025-01-01 }
                benefits:
                  - code: b
                    name: 保障
                    kind: hospital
                    \(override ? "" : "hospitals: \(hospitals)")
                    hospital:
                      base: self_paid_in_scope
                      schedule: { flat: "50%" }
                      \(override ? "hospitalOverrides: [{ hospitals: \(hospitals) }]" : "")
        """
      do {
        _ = try SchemeFile.compile(yaml: yaml, file: "t.yaml")
        return []
      } catch {
        return error.errors.map(\.code)
      }
    }
    #expect(codes("{ levels: [level_3] }") == [])
    #expect(codes("{}") == ["no_hospitals"])
    #expect(codes("{ levels: [] }") == ["empty_list"])
    #expect(codes("{ locations: [local, local] }") == ["duplicate_entry"])
    #expect(codes("{ levels: [level_1] }", override: true) == ["empty_override"])
    // A continuity reward raises the overrides' rates too: never past 100%.
    let raised = """
      scheme: { code: t, name: 测试 }
      products:
        - code: p
          name: 产品
          versions:
            - version: "A"
              coverageStarting: { from: 2025-01-01 }
              benefits:
                - code: b
                  name: 保障
                  kind: hospital
                  continuity: [{ fromYear: 2, rateIncrease: "20%" }]
                  hospital:
                    base: self_paid_in_scope
                    schedule: { flat: "50%" }
                    hospitalOverrides: [{ hospitals: { levels: [level_1] }, schedule: { flat: "90%" } }]
      """
    let failure = #expect(throws: SchemeFileError.self) { try SchemeFile.compile(yaml: raised, file: "t.yaml") }
    #expect(failure?.errors.map(\.code) == ["rate_above_100"])
  }

  /// From a bureau's record: the grade as written ("三级", "三级甲等"), and the location from the
  /// provider code's region against the member's insured area.
  @Test func aSettlementRecordGivesTheHospitalsLevelAndLocation() {
    #expect(HospitalLevel(settlementText: "三级") == .level3)
    #expect(HospitalLevel(settlementText: " 二级甲等") == .level2)
    #expect(HospitalLevel(settlementText: "一级") == .level1)
    #expect(HospitalLevel(settlementText: "未定级") == .unrated)
    #expect(HospitalLevel(settlementText: "05") == nil)
    #expect(HospitalLevel(settlementText: "3") == nil)
    var record = SettlementRecord(
      settlementId: "S1", name: "张三", idNumber: "410502196805151310", providerCode: "H41050200011",
      hospitalLevel: "三级", settledOn: date("2025-03-09"), amounts: SettlementAmounts())
    record.insuredArea = "410500"
    #expect(record.hospitalLocation == .local)
    record.insuredArea = "410100"
    #expect(record.hospitalLocation == .inProvince)
    record.insuredArea = "110105"
    #expect(record.hospitalLocation == .outOfProvince)
    record.insuredArea = "安阳"
    #expect(record.hospitalLocation == nil)
    record.insuredArea = "410500"
    let intake = SettlementTriage.intake(record, source: "bureau", supplies: [], today: date("2025-03-10"))
    #expect(intake.event.hospitalLevel == .level3)
    #expect(intake.event.hospitalLocation == .local)
  }

  /// "因病或意外身故的，给付身故互助金5000元", and "当年已获互助金不足1000元的，补足1000元": a
  /// death benefit pays on the day of death, whatever the cause, once.
  @Test func aDeathFromAnyCausePaysItsAmountOrMakesThePeriodUpToAFloor() throws {
    func member(shares: Int = 1) -> MemberFacts {
      let start = date("2025-01-01")
      return MemberFacts(
        birthDate: date("1970-05-01"), gender: .male,
        cover: ["death-hospital", "death-aid"].map {
          CoverFacts(product: $0, start: start, end: date("2025-12-31"), shares: shares)
        })
    }
    func died(
      on day: String, productPaid: String = "0.00", stay: String? = nil, shares: Int = 1,
      history: [String: BenefitHistory] = [:]
    ) throws -> Explanation {
      var event = ClaimEvent(claimDate: date("2025-12-31"), deathDate: date(day))
      if let stay {
        event.admissionDate = date(day).adding(days: -10)
        event.dischargeDate = date(day)
        event.figures = SettlementFigures([.selfPaidInScope: yuan(stay)])
      }
      return try Adjudicator.adjudicate(
        ClaimCase(
          member: member(shares: shares), event: event, history: history,
          productPaid: ["death-hospital": yuan(productPaid)]),
        under: Schemes.death)
    }
    // An illness, no stay claimed: 5,000 of the aid, and 1,000 less the 600 paid this period.
    let plain = try died(on: "2025-06-01", productPaid: "600.00")
    #expect(plain.outcome("death-any-cause").total == yuan("5000.00"))
    #expect(plain.outcome("death-floor").total == yuan("400.00"))
    #expect(plain.outcome("death-topup").lines.last?.reason == .notApplicable)
    // Dying in hospital: the last stay's top-up counts toward the floor (50% of 1,000 = 500).
    let inHospital = try died(on: "2025-06-01", productPaid: "200.00", stay: "1000.00")
    #expect(inHospital.outcome("death-topup").total == yuan("500.00"))
    #expect(inHospital.outcome("death-floor").total == yuan("300.00"))
    // The floor reached: nothing, and why.
    let reached = try died(on: "2025-06-01", productPaid: "1200.00")
    #expect(reached.outcome("death-floor").total == .zero)
    #expect(reached.outcome("death-floor").lines.last?.reason == .floorReached)
    // Per share: two shares, 10,000 and a floor of 2,000.
    let two = try died(on: "2025-06-01", productPaid: "600.00", shares: 2)
    #expect(two.outcome("death-any-cause").total == yuan("10000.00"))
    #expect(two.outcome("death-floor").total == yuan("1400.00"))
    // Outside cover, nothing; paid once.
    #expect(try died(on: "2026-01-05").outcome("death-any-cause").lines.last?.reason == .notCoveredOnDate)
    let again = try died(on: "2025-06-01", history: ["death-any-cause": BenefitHistory(coverEnded: true)])
    #expect(again.outcome("death-any-cause").total == .zero)
    #expect(again.outcome("death-any-cause").lines.last?.reason == .coverEnded)
    #expect(plain.outcome("death-any-cause").endsCover)
    // The explanation in both languages.
    let report = ExplanationReport(plain, scheme: Schemes.death)
    #expect(report.table().contains("补足至 1000.00，本期已获 600.00"))
    #expect(report.table(in: .en).contains("made up to 1000.00; paid this period 600.00"))
    // Refused: both or neither of the amount and the floor.
    func codes(_ death: String) -> [String] {
      let yaml = """
        scheme: { code: t, name: 测试 }
        products:
          - code: p
            name: 产品
            versions:
              - version: "A"
                coverageStarting: { from: 2025-01-01 }
                benefits:
                  - { code: b, name: 身故, kind: death, death: \(death) }
        """
      do {
        _ = try SchemeFile.compile(yaml: yaml, file: "t.yaml")
        return []
      } catch {
        return error.errors.map(\.code)
      }
    }
    #expect(codes("{ amount: \"100.00\" }") == [])
    #expect(codes("{}") == ["amount_or_made_up_to"])
    #expect(codes("{ amount: \"100.00\", madeUpTo: \"100.00\" }") == ["amount_or_made_up_to"])
    #expect(codes("{ madeUpTo: \"-1.00\" }") == ["negative_amount"])
  }

  /// A bureau's settlement record gives the three: 起付 as paid, 企业补充 + 公务员补助, 医疗救助.
  @Test func aSettlementRecordGivesTheLaterFigures() {
    var amounts = SettlementAmounts()
    amounts.deductiblePaid = yuan("1200.00")
    amounts.enterpriseSupplementPay = yuan("1500.00")
    amounts.civilServantPay = yuan("500.00")
    amounts.assistancePay = yuan("3000.00")
    let figures = amounts.figures
    #expect(figures[.deductiblePaid] == yuan("1200.00"))
    #expect(figures[.supplementaryInsurancePaid] == yuan("2000.00"))
    #expect(figures[.medicalAssistancePaid] == yuan("3000.00"))
    #expect(SettlementAmounts().figures[.supplementaryInsurancePaid] == nil)
    // Absent figures compare as absent, whatever was held before.
    var changed = SettlementFigures([.medicalAssistancePaid: yuan("1.00")])
    changed[.medicalAssistancePaid] = nil
    #expect(changed == SettlementFigures())
  }

  /// "10,000元（含）以上至20,000元": a band may start at its edge, written as the notice writes
  /// it; the edge then belongs to it and the band before ends just below.
  @Test func aBandMayIncludeItsLowerEdge() throws {
    func judged(_ selfPaid: String) throws -> Explanation {
      try Adjudicator.adjudicate(
        stay(
          product: "bands-hospital", start: "2025-01-01", admission: "2025-03-01",
          figures: [.selfPaidInScope: selfPaid]), under: Schemes.bands)
    }
    func paid(_ selfPaid: String) throws -> Money { try judged(selfPaid).outcome("bands-lower-edge").total }
    #expect(
      try ["9999.99", "10000.00", "19999.99", "20000.00", "90000.00"].map(paid)
        == [0, 1000, 1000, 2000, 2000].map { Money(yuan: $0) })
    func table(_ selfPaid: String, _ language: DisplayLanguage = .zh) throws -> String {
      ExplanationReport(try judged(selfPaid), scheme: Schemes.bands).table(in: language)
    }
    #expect(try table("10000.00").contains("全额“10000.00（含）至 20000.00（不含）”档：定额 1000.00"))
    #expect(
      try table("10000.00", .en).contains(
        "the whole amount in the band from 10000.00 up to 20000.00 (exclusive): a fixed 1000.00"))
    #expect(try table("9000.00").contains("全额“不足 10000.00”档：定额 0.00"))
    #expect(try table("25000.00").contains("全额“20000.00（含）以上”档"))
    #expect(try table("25000.00", .en).contains("the whole amount in the band 20000.00 or more"))
    // In progressive bands the money is the same either way (the slices meet); the words follow
    // the file.
    let progressive = try SchemeFile.compile(
      yaml: try String(contentsOfFile: RepositoryFiles.path("schemes/examples/bands.yaml"), encoding: .utf8)
        .replacingOccurrences(
          of: """
            - { upTo: "5000.00", rate: "10%" }      # 超过 2,000 至 5,000（含）
            """,
          with: """
            - { from: "2000.00", includesFrom: true, upTo: "5000.00", rate: "10%" }
            """), file: "bands.yaml")
    let claim = stay(
      product: "bands-hospital", start: "2025-01-01", admission: "2025-03-01", figures: [.selfPaidInScope: "6000.00"])
    #expect(
      try Adjudicator.adjudicate(claim, under: progressive).outcome("bands-progressive").total
        == (try judged("6000.00").outcome("bands-progressive").total))
    let words = ExplanationReport(try Adjudicator.adjudicate(claim, under: progressive), scheme: progressive).table()
    #expect(words.contains("不足 2000.00的部分 × 0%"))
    #expect(words.contains("2000.00（含）至 5000.00（含）的部分 × 10%"))
    // The edge must be written to be included.
    let unwritten = """
      scheme: { code: t, name: t }
      products:
        - code: p
          name: p
          versions:
            - version: "1"
              coverageStarting: { from: 2025-01-01 }
              contribution: { perShare: "10.00" }
              benefits:
                - code: b
                  name: b
                  kind: hospital
                  hospital:
                    base: self_paid_in_scope
                    schedule:
                      wholeAmount:
                        - { upTo: "100.00", rate: "0%" }
                        - { includesFrom: true, rate: "5%" }
      """
    let failure = #expect(throws: SchemeFileError.self) { try SchemeFile.compile(yaml: unwritten, file: "t.yaml") }
    #expect(failure?.errors.map(\.code) == ["includes_from_without_from"])
  }

  /// "重大疾病救助金与住院津贴不重复享受，按较高者给付": of a group, only the chosen benefit pays.
  @Test func benefitsNotBothPaidPayTheChosenOne() throws {
    let text = try String(contentsOfFile: RepositoryFiles.path("schemes/examples/exclusive.yaml"), encoding: .utf8)
    func judged(days: Int, diagnosed: Bool = true, under scheme: CompiledScheme = Schemes.exclusive) throws
      -> Explanation
    {
      try Adjudicator.adjudicate(
        stay(
          product: "exclusive-medical", start: "2025-01-01", admission: "2025-03-01",
          figures: [.selfPaidInScope: "4000.00"], days: days,
          diagnoses: diagnosed ? [Diagnosis(class: "cancer")] : nil), under: scheme)
    }
    func totals(_ explanation: Explanation) -> [Money] {
      ["exclusive-hospital", "exclusive-critical", "exclusive-allowance"].map { explanation.outcome($0).total }
    }
    // 10 days: the allowance's 500 is less than the aid's 1,000, so the aid is paid; the
    // hospital top-up is outside the group and pays its 2,000 either way.
    let short = try judged(days: 10)
    #expect(totals(short) == [2000, 1000, 0].map { Money(yuan: $0) })
    #expect(short.outcome("exclusive-allowance").reasons == [.paidUnderExclusiveBenefit])
    #expect(short.total == Money(yuan: 3000))
    // 30 days: 1,500 beats 1,000; 20 days: a tie, the first listed (the aid).
    #expect(totals(try judged(days: 30)) == [2000, 0, 1500].map { Money(yuan: $0) })
    #expect(try judged(days: 30).outcome("exclusive-critical").reasons == [.paidUnderExclusiveBenefit])
    #expect(totals(try judged(days: 20)) == [2000, 1000, 0].map { Money(yuan: $0) })
    // Without a diagnosis only the allowance pays: nothing to choose between.
    let undiagnosed = try judged(days: 10, diagnosed: false)
    #expect(totals(undiagnosed) == [2000, 0, 500].map { Money(yuan: $0) })
    #expect(!undiagnosed.outcome("exclusive-critical").reasons.contains(.paidUnderExclusiveBenefit))
    // `pay: first`: the first listed that pays, even when the other would pay more.
    let first = try SchemeFile.compile(
      yaml: text.replacingOccurrences(of: "pay: larger", with: "pay: first"), file: "exclusive.yaml")
    #expect(totals(try judged(days: 30, under: first)) == [2000, 1000, 0].map { Money(yuan: $0) })
    let report = ExplanationReport(short, scheme: Schemes.exclusive)
    #expect(report.table().contains("与同一事件中不重复给付的另一项保障择一给付，已按另一项给付"))
    #expect(report.table(in: .en).contains("not paid beside another benefit of the same event, which is paid instead"))
    // The what-if's replay judges the same way (one loop for both).
    let claim = stay(
      product: "exclusive-medical", start: "2025-01-01", admission: "2025-03-01",
      figures: [.selfPaidInScope: "4000.00"], days: 30, diagnoses: [Diagnosis(class: "cancer")])
    let replayed = SimulationCase(
      claimNumber: "LP-1", memberID: Worker.ID(), unitID: nil, member: claim.member,
      cover: [
        HeldCover(
          period: CoveragePeriod(start: date("2025-01-01"), end: date("2025-12-31")), facts: claim.member.cover[0])
      ], event: claim.event, decidedOn: date("2025-04-01"), paid: Money(yuan: 3500))
    let replay = WhatIf.run(
      [replayed], current: Schemes.exclusive, changed: Schemes.exclusive, collected: .zero, insuredPersons: 0,
      fundBalance: .zero)
    #expect(replay.before == Money(yuan: 3500) && replay.after == Money(yuan: 3500))
    // Refused when loaded: a group of one, a benefit the version lacks, a benefit in two groups.
    func codes(_ groups: String) -> [String] {
      let broken = text.replacingOccurrences(
        of: "          - { benefits: [exclusive-critical, exclusive-allowance], pay: larger }", with: groups)
      let failure = #expect(throws: SchemeFileError.self) {
        try SchemeFile.compile(yaml: broken, file: "exclusive.yaml")
      }
      return failure?.errors.map(\.code) ?? []
    }
    #expect(codes("          - { benefits: [exclusive-critical] }") == ["too_few_benefits"])
    #expect(codes("          - { benefits: [exclusive-critical, exclusive-death] }") == ["unknown_benefit"])
    #expect(
      codes(
        "          - { benefits: [exclusive-critical, exclusive-allowance] }\n"
          + "          - { benefits: [exclusive-hospital, exclusive-allowance] }") == ["benefit_in_two_groups"])
  }

  /// The simulator offers a fixed band's amount (not a rate) and the what-if pays the changed one.
  @Test func theWhatIfChangesAFixedBandsAmount() throws {
    var definition = try SchemeFile.decode(
      SchemeDefinition.self,
      yaml: try String(contentsOfFile: RepositoryFiles.path("schemes/examples/bands.yaml"), encoding: .utf8),
      file: "bands.yaml")
    let version = definition.products[0].versions[0]
    let offered = RuleParameters.list(version).filter { $0.key.hasPrefix("bands-fixed.band.") }
    #expect(
      offered.map { "\($0.key)=\($0.value)" } == [
        "bands-fixed.band.0.amount=0.00", "bands-fixed.band.1.amount=1000.00", "bands-fixed.band.2.amount=2000.00",
        "bands-fixed.band.3.amount=3000.00",
      ])
    #expect(offered.allSatisfy { $0.kind == .money })
    definition.products[0].versions[0] = try RuleParameters.apply(["bands-fixed.band.1.amount": "1200.00"], to: version)
    let claim = stay(
      product: "bands-hospital", start: "2025-01-01", admission: "2025-03-01", figures: [.selfPaidInScope: "15000.00"])
    #expect(
      try Adjudicator.adjudicate(claim, under: try SchemeCompiler.compile(definition)).outcome("bands-fixed").total
        == Money(yuan: 1200))
    #expect(throws: ValidationFailure.self) {
      try RuleParameters.apply(["bands-fixed.band.1.amount": "-5"], to: version)
    }
  }

  /// A daily amount of fifteen digits times a stay's days passed 64 bits and stopped the
  /// process: the amount is refused when loaded, and a stay past a century counts as one.
  @Test func anAllowanceNeverPassesSixtyFourBits() throws {
    let text = try String(contentsOfFile: RepositoryFiles.path("schemes/examples/stays.yaml"), encoding: .utf8)
    let absurd = text.replacingOccurrences(
      of: "perDay: \"50.00\"\n              staysLongerThan",
      with: "perDay: \"999999999999999.00\"\n              staysLongerThan")
    #expect(absurd != text)
    let failure = #expect(throws: SchemeFileError.self) { try SchemeFile.compile(yaml: absurd, file: "stays.yaml") }
    #expect(failure?.errors.map(\.code) == ["amount_too_large"])
    let largest = try SchemeFile.compile(
      yaml: text.replacingOccurrences(of: "maxDaysPerStay: 30", with: "maxDaysPerStay: 100000000")
        .replacingOccurrences(of: "perDay: \"50.00\"", with: "perDay: \"100000.00\""), file: "stays.yaml")
    let claim = stay(
      product: "stays-allowance", start: "2025-01-01", admission: "2025-03-01", figures: [:], days: Int.max)
    #expect(
      try Adjudicator.adjudicate(claim, under: largest).outcome("stays-daily").total
        == Money(yuan: 100_000) * Int64(AllowanceDefinition.longestStay))
  }

  @Test func staysLongerThanTheQualifyingDaysArePaidForEveryDay() throws {
    func allowance(days: Int) throws -> BenefitOutcome {
      let claim = stay(
        product: "stays-allowance", start: "2025-01-01", admission: "2025-03-01", figures: [:], days: days)
      return try Adjudicator.adjudicate(claim, under: Schemes.stays).outcome("stays-daily")
    }
    // "住院超过3天的": 3 days is not more than 3, and says so; 4 days pays all four.
    #expect(try allowance(days: 3).total == .zero)
    #expect(try allowance(days: 3).reasons == [.stayNotQualifying])
    #expect(try allowance(days: 4).total == Money(yuan: 200))
    #expect(try allowance(days: 4).reasons.isEmpty)
    #expect(try allowance(days: 45).total == Money(yuan: 1_500))  // at most 30 days a stay
    // Zero or negative qualifying days are refused when the scheme is loaded.
    let text = try String(contentsOfFile: RepositoryFiles.path("schemes/examples/stays.yaml"), encoding: .utf8)
    let broken = text.replacingOccurrences(of: "staysLongerThan: 3", with: "staysLongerThan: 0")
    let failure = #expect(throws: SchemeFileError.self) { try SchemeFile.compile(yaml: broken, file: "stays.yaml") }
    #expect(failure?.errors.map(\.field) == ["products[0].versions[0].benefits[0].allowance.staysLongerThan"])
  }

  /// "住院1–10天的按5天给付，11–20天的按12天给付，21天以上的按20天给付".
  @Test func theStaysLengthSetsTheDaysPaid() throws {
    func judged(days: Int, under scheme: CompiledScheme = Schemes.stays) throws -> Explanation {
      try Adjudicator.adjudicate(
        stay(product: "stays-banded", start: "2025-01-01", admission: "2025-03-01", figures: [:], days: days),
        under: scheme)
    }
    func paid(_ days: Int) throws -> Money { try judged(days: days).outcome("stays-banded-daily").total }
    // Both edges of each band: 1 and 10 days pay 5 days, 11 and 20 pay 12, 21 and 200 pay 20.
    #expect(try [1, 10, 11, 20, 21, 200].map(paid) == [250, 250, 600, 600, 1000, 1000].map { Money(yuan: $0) })
    let outcome = try judged(days: 15).outcome("stays-banded-daily")
    #expect(outcome.lines.map(\.step) == [.paidDaysBand, .allowanceDays])
    #expect(outcome.lines.last?.count == 12)
    let report = ExplanationReport(try judged(days: 15), scheme: Schemes.stays)
    #expect(report.table().contains("住院 15 天，属“11–20 天”档，给付 12 天"))
    #expect(report.table(in: .en).contains("a stay of 15 days, in the band 11–20 days: 12 days paid"))
    #expect(ExplanationReport(try judged(days: 30), scheme: Schemes.stays).table().contains("属“21 天以上”档"))
    // The what-if offers each band's days and pays the changed ones.
    let text = try String(contentsOfFile: RepositoryFiles.path("schemes/examples/stays.yaml"), encoding: .utf8)
    var definition = try SchemeFile.decode(SchemeDefinition.self, yaml: text, file: "stays.yaml")
    let version = definition.products[1].versions[0]
    #expect(
      RuleParameters.list(version).filter { $0.key.contains("paidDaysByStay") }.map { "\($0.key)=\($0.value ?? "")" }
        == [
          "stays-banded-daily.paidDaysByStay.0.days=5", "stays-banded-daily.paidDaysByStay.1.days=12",
          "stays-banded-daily.paidDaysByStay.2.days=20",
        ])
    definition.products[1].versions[0] = try RuleParameters.apply(
      ["stays-banded-daily.paidDaysByStay.1.days": "14"], to: version)
    #expect(
      try judged(days: 15, under: try SchemeCompiler.compile(definition)).outcome("stays-banded-daily").total
        == Money(yuan: 700))
    // Refused when loaded: with fromDay, an open band before the last, a closed last band,
    // days that do not increase, negative days.
    let band = "                - "
    func codes(_ bands: String, extra: String = "") -> [String] {
      let written = ["{ upTo: 10, days: 5 }", "{ upTo: 20, days: 12 }", "{ days: 20 }"].map { band + $0 }
      let broken = text.replacingOccurrences(of: written.joined(separator: "\n") + "\n", with: bands + extra)
      #expect(broken != text)
      do {
        _ = try SchemeFile.compile(yaml: broken, file: "stays.yaml")
        return []
      } catch { return error.errors.map(\.code) }
    }
    #expect(codes("\(band){ days: 5 }\n", extra: "              fromDay: 2\n") == ["paid_days_with_from_day"])
    #expect(codes("\(band){ days: 5 }\n\(band){ days: 6 }\n") == ["open_band_not_last"])
    #expect(codes("\(band){ upTo: 10, days: 5 }\n") == ["last_band_closed"])
    #expect(
      codes("\(band){ upTo: 10, days: 5 }\n\(band){ upTo: 10, days: 6 }\n\(band){ days: 7 }\n") == [
        "bands_not_increasing"
      ])
    #expect(codes("\(band){ upTo: 10, days: -1 }\n\(band){ days: 7 }\n") == ["negative_days"])
    #expect(
      codes("\(band){ upTo: 9223372036854775807, days: 5 }\n\(band){ days: 9223372036854775807 }\n") == [
        "days_too_large", "days_too_large",
      ])
  }

  /// Issue 30's "outpatient and chronic-disease events with a visit date": a special-outpatient
  /// (chronic disease) visit is an event of its own, dated by the visit, not a stay whose
  /// admission and discharge are the same day.
  @Test func aChronicDiseaseVisitIsAnEventDatedByTheVisit() throws {
    func visit(on day: String) throws -> Explanation {
      var claim = stay(
        product: "treatments-medical", start: "2025-01-01", admission: day, figures: [.selfPaidInScope: "800.00"],
        treatment: "special_outpatient")
      claim.event.admissionDate = nil
      claim.event.dischargeDate = nil
      claim.event.settlementDate = date(day)
      claim.event.visitDate = date(day)
      claim.event.claimDate = date(day).adding(days: 10)
      #expect(claim.event.careSetting == .outpatient && claim.event.eventDate == date(day))
      return try Adjudicator.adjudicate(claim, under: Schemes.treatments)
    }
    // 50% of the 800 self-paid, under the special-outpatient benefit only.
    let paid = try visit(on: "2025-03-01")
    #expect(paid.outcome("treatments-outpatient").total == Money(yuan: 400))
    #expect(paid.outcome("treatments-hospital").total == .zero)
    #expect(paid.outcome("treatments-hospital").reasons == [.treatmentPaidElsewhere])
    #expect(paid.total == Money(yuan: 400))
    // The visit's day decides cover: one after the cover year is not covered.
    #expect(try visit(on: "2026-03-01").outcome("treatments-outpatient").reasons == [.notCoveredOnDate])
  }

  @Test func benefitsByTreatmentPayEachEventOnce() throws {
    func explanation(_ selfPaid: String, _ treatment: String?, paidBefore: [String: String] = [:]) throws
      -> Explanation
    {
      let claim = stay(
        product: "treatments-medical", start: "2025-01-01", admission: "2025-03-01",
        figures: [.selfPaidInScope: selfPaid],
        history: paidBefore.mapValues { BenefitHistory(paidAmount: Money(yuan: $0)!, paidClaims: 1) },
        treatment: treatment)
      return try Adjudicator.adjudicate(claim, under: Schemes.treatments)
    }
    // An ordinary stay: the bands after the deductible; the treatment benefits say why not.
    let ordinary = try explanation("3500.00", nil)
    #expect(ordinary.outcome("treatments-hospital").total == Money(yuan: 1_500))
    #expect(ordinary.outcome("treatments-outpatient").reasons == [.treatmentNotCovered])
    #expect(ordinary.outcome("treatments-dialysis").reasons == [.treatmentNotCovered])
    #expect(ordinary.total == Money(yuan: 1_500))
    // Special outpatient at 50%, without the stay's deductible; the ordinary benefit steps aside.
    let outpatient = try explanation("3500.00", "special_outpatient")
    #expect(outpatient.outcome("treatments-outpatient").total == Money(yuan: 1_750))
    #expect(outpatient.outcome("treatments-hospital").reasons == [.treatmentPaidElsewhere])
    #expect(outpatient.outcome("treatments-dialysis").reasons == [.treatmentNotCovered])
    #expect(outpatient.total == Money(yuan: 1_750))
    // Dialysis: the personal part, up to 2,000 a year, and nothing past the cap.
    #expect(try explanation("3500.00", "dialysis").total == Money(yuan: 2_000))
    let capped = try explanation("800.00", "dialysis", paidBefore: ["treatments-dialysis": "1500.00"])
    #expect(capped.total == Money(yuan: 500))
    #expect(capped.outcome("treatments-dialysis").reasons == [.annualCapReached])
    // A category no benefit names (transplant) is an ordinary event.
    #expect(try explanation("3500.00", "transplant").outcome("treatments-hospital").total == Money(yuan: 1_500))
  }

  /// A stay, a day case and an outpatient visit with the same self-paid 3,000: each benefit
  /// pays the settings it is for and says why not for the others; only stays and day cases
  /// count as stays in the ledger.
  @Test func outpatientVisitsAndDayCasesAreEventsOfTheirOwn() throws {
    func event(_ setting: CareSetting) -> ClaimCase {
      var claim = stay(
        product: "settings-medical", start: "2025-01-01", admission: "2025-03-01",
        figures: [.selfPaidInScope: "3000.00"], days: setting == .inpatient ? 6 : 1)
      if setting != .inpatient {
        claim.event.admissionDate = nil
        claim.event.dischargeDate = nil
        claim.event.visitDate = date("2025-03-01")
      }
      claim.event.setting = setting == .outpatient ? nil : setting
      return claim
    }
    let visit = try Adjudicator.adjudicate(event(.outpatient), under: Schemes.settings)
    #expect(event(.outpatient).event.careSetting == .outpatient, "a visit without a setting is outpatient")
    #expect(visit.outcome("settings-hospital").reasons == [.settingNotCovered])
    #expect(visit.outcome("settings-allowance").reasons == [.settingNotCovered])
    #expect(visit.outcome("settings-outpatient").total == Money(yuan: 600))
    #expect(visit.total == Money(yuan: 600))
    let dayCase = try Adjudicator.adjudicate(event(.dayCase), under: Schemes.settings)
    #expect(dayCase.outcome("settings-hospital").total == Money(yuan: 1_250))
    #expect(dayCase.outcome("settings-allowance").total == Money(yuan: 50))
    #expect(dayCase.outcome("settings-outpatient").reasons == [.settingNotCovered])
    let inpatient = try Adjudicator.adjudicate(event(.inpatient), under: Schemes.settings)
    #expect(inpatient.outcome("settings-hospital").total == Money(yuan: 1_250))
    #expect(inpatient.outcome("settings-allowance").total == Money(yuan: 300))
    #expect(inpatient.outcome("settings-outpatient").reasons == [.settingNotCovered])

    // The ledger: the visit is a paid claim of its benefit but no stay; the day case a stay.
    var ledger = CapLedger()
    ledger.record(visit, paying: BenefitAmount.split(visit, total: nil), event: event(.outpatient).event)
    ledger.record(dayCase, paying: BenefitAmount.split(dayCase, total: nil), event: event(.dayCase).event)
    let outpatientUse = try #require(ledger.histories["settings-medical"]?["settings-outpatient"])
    #expect(outpatientUse.paidClaims == 1 && outpatientUse.stays == 0)
    #expect(ledger.histories["settings-medical"]?["settings-hospital"]?.stays == 1)
  }

  /// "满3年的，比例提高5个百分点、封顶线提高5,000元；满5年的，提高10个百分点、10,000元":
  /// 21,000 self-paid less the 1,000 deductible, through bands of 50% and 60%, in the first,
  /// third and sixth year, with and without 15,000 paid before in the period.
  @Test func continuityRewardsRaiseRatesAndCapsWithTheYears() throws {
    func explanation(years: Int?, previousCoverEnd: String? = nil, paidBefore: String? = nil, days: Int = 7) throws
      -> Explanation
    {
      var claim = stay(
        product: "continuity-medical", start: "2025-01-01", admission: "2025-03-01",
        discharge: date("2025-03-01").adding(days: days).description, figures: [.selfPaidInScope: "21000.00"],
        previousCoverEnd: previousCoverEnd,
        history: paidBefore.map { ["continuity-hospital": BenefitHistory(paidAmount: yuan($0), paidClaims: 1)] } ?? [:])
      claim.member.cover[0].consecutiveYears = years
      return try Adjudicator.adjudicate(claim, under: Schemes.continuity)
    }
    // First year: 10,000 × 50% + 10,000 × 60%, no reward line.
    let first = try explanation(years: 1).outcome("continuity-hospital")
    #expect(first.total == Money(yuan: 11_000))
    #expect(!first.lines.contains { $0.step == .continuity })
    // Third year: 55% and 65%, the reward stated before the bands.
    let third = try explanation(years: 3).outcome("continuity-hospital")
    #expect(third.total == Money(yuan: 12_000))
    #expect(third.lines.map(\.step) == [.continuity, .base, .deductible, .band, .band])
    #expect(third.lines.filter { $0.step == .band }.map(\.rate) == [Rate(percent: 55), Rate(percent: 65)])
    // Sixth year: the five-year step alone (60% and 70%), not added to the three-year one.
    #expect(try explanation(years: 6).outcome("continuity-hospital").total == Money(yuan: 13_000))
    // The cap rises too: 15,000 paid before leaves 5,000 of 20,000, 10,000 of 25,000.
    let capped = try explanation(years: 1, paidBefore: "15000.00").outcome("continuity-hospital")
    #expect(capped.total == Money(yuan: 5_000))
    #expect(capped.reasons == [.annualCapReached])
    #expect(
      try explanation(years: 3, paidBefore: "15000.00").outcome("continuity-hospital").total == Money(yuan: 10_000))
    #expect(
      try explanation(years: 5, paidBefore: "15000.00").outcome("continuity-hospital").total == Money(yuan: 13_000))
    // Without a count, a continuous renewal is the second year: no reward yet.
    #expect(
      try explanation(years: nil, previousCoverEnd: "2024-12-31").outcome("continuity-hospital").total
        == Money(yuan: 11_000))
    // The allowance's cap alone: 30 days × 50 capped at 1,000, at 1,500 from the third year.
    #expect(try explanation(years: 2, days: 30).outcome("continuity-allowance").total == Money(yuan: 1_000))
    #expect(try explanation(years: 3, days: 30).outcome("continuity-allowance").total == Money(yuan: 1_500))
    // The explanation says it in words.
    let report = ExplanationReport(try explanation(years: 3), scheme: Schemes.continuity)
    #expect(report.table().contains("连续参保第 3 年：给付比例提高 5%，封顶线提高 5000.00"))
    #expect(report.table(in: .en).contains("year 3 of unbroken membership: rates 5% higher, caps 5000.00 higher"))
  }

  /// A member's periods of a product that follow each other without a gap count as unbroken
  /// membership for the claim; a gap starts the count again.
  @Test func unbrokenMembershipIsCountedFromTheMembersPeriods() throws {
    func held(_ start: String, previousCoverEnd: String? = nil, product: String = "continuity-medical") -> HeldCover {
      let period = CoveragePeriod(start: date(start), months: 12)
      return HeldCover(
        period: period,
        facts: CoverFacts(
          product: product, start: period.start, end: period.end, previousCoverEnd: previousCoverEnd.map(date)))
    }
    func years(_ cover: [HeldCover], on day: String) -> Int? {
      ClaimCaseBuilder.withMembership(ClaimCaseBuilder.coverInForce(cover, on: date(day)), among: cover).first?.facts
        .consecutiveYears
    }
    let chain = [
      held("2022-01-01", previousCoverEnd: "2021-12-31"), held("2023-01-01"), held("2024-01-01"), held("2025-01-01"),
    ]
    #expect(years(chain, on: "2025-03-01") == 5, "four periods and the one taken over before them")
    #expect(years(chain, on: "2023-03-01") == 3)
    #expect(years([held("2023-01-01"), held("2025-01-01")], on: "2025-03-01") == nil, "a year's gap")
    #expect(years([held("2024-01-01", product: "other"), held("2025-01-01")], on: "2025-03-01") == nil)
    #expect(years([held("2025-01-01")], on: "2025-03-01") == nil)
    // Through the case builder, the fifth year's rates.
    let claim = ClaimCaseBuilder.build(
      member: MemberFacts(birthDate: date("1980-06-15"), gender: .female, cover: []), cover: chain,
      event: ClaimEvent(
        admissionDate: date("2025-03-01"), dischargeDate: date("2025-03-08"), claimDate: date("2025-03-20"),
        figures: SettlementFigures([.selfPaidInScope: yuan("21000.00")])),
      claimDate: date("2025-03-20"), ledger: CapLedger())
    #expect(
      try Adjudicator.adjudicate(claim, under: Schemes.continuity).outcome("continuity-hospital").total
        == Money(yuan: 13_000))
  }

  /// The errors of `schemes/examples/continuity.yaml` with `old` replaced by `new`, as
  /// `field code`.
  func continuityErrors(_ old: String, _ new: String) -> [String] {
    let text =
      (try? String(contentsOfFile: RepositoryFiles.path("schemes/examples/continuity.yaml"), encoding: .utf8)) ?? ""
    let yaml = text.replacingOccurrences(of: old, with: new)
    #expect(yaml != text, "\(old) is in the example")
    let failure = #expect(throws: SchemeFileError.self) {
      try SchemeFile.compile(yaml: yaml, file: "continuity.yaml")
    }
    return failure?.errors.map { "\($0.field) \($0.code)" } ?? []
  }

  @Test func continuityStepsAreCheckedWhenTheSchemeIsRead() throws {
    func errors(_ old: String, _ new: String) -> [String] { continuityErrors(old, new) }
    let steps = "products[0].versions[0].benefits[0].continuity"
    #expect(
      errors("{ fromYear: 3, rateIncrease: \"5%\"", "{ fromYear: 1, rateIncrease: \"5%\"") == [
        "\(steps)[0].fromYear from_year_out_of_range"
      ])
    #expect(errors("{ fromYear: 5,", "{ fromYear: 3,") == ["\(steps)[1].fromYear not_ascending"])
    #expect(errors("rateIncrease: \"10%\"", "rateIncrease: \"45%\"") == ["\(steps)[1].rateIncrease rate_above_100"])
    #expect(
      errors("{ fromYear: 3, capIncrease: \"500.00\" }", "{ fromYear: 3, rateIncrease: \"5%\" }")
        == ["products[0].versions[0].benefits[1].continuity[0].rateIncrease rate_increase_not_for_kind"])
    #expect(
      errors("{ fromYear: 3, capIncrease: \"500.00\" }", "{ fromYear: 3 }")
        == ["products[0].versions[0].benefits[1].continuity[0] empty_reward"])
    let misspelt = errors("capIncrease: \"500.00\"", "capIncrese: \"500.00\"")
    #expect(misspelt.contains { $0.hasSuffix("unknown_key") })
  }

  @Test func contributionStepsAreCheckedWhenTheSchemeIsRead() throws {
    func errors(_ old: String, _ new: String) -> [String] { continuityErrors(old, new) }
    let steps = "products[0].versions[0].contribution.continuity"
    #expect(
      errors("{ fromYear: 2, perShare", "{ fromYear: 1, perShare") == ["\(steps)[0].fromYear from_year_out_of_range"])
    #expect(errors("{ fromYear: 5, perShare", "{ fromYear: 2, perShare") == ["\(steps)[1].fromYear not_ascending"])
    #expect(errors("perShare: \"55.00\"", "perShare: \"65.00\"") == ["\(steps)[0].perShare price_raised"])
    #expect(errors("perShare: \"50.00\"", "perShare: \"56.00\"") == ["\(steps)[1].perShare price_raised"])
    #expect(errors("perShare: \"50.00\"", "perShare: \"-1.00\"").contains("\(steps)[1].perShare negative_amount"))
    let misspelt = errors("{ fromYear: 5, perShare", "{ fromYear: 5, perShar")
    #expect(misspelt.contains { $0.hasPrefix("\(steps)[1]") }, "\(misspelt)")
    // The price by year, the longest step reached.
    let version = try #require(Schemes.continuity.product("continuity-medical")?.versions.first)
    #expect(
      (1...7).map { version.contributionPerShare(inYear: $0)?.decimalString } == [
        "60.00", "55.00", "55.00", "55.00", "50.00", "50.00", "50.00",
      ])
  }

  /// The simulator offers each price step; the projection prices first-time members at the
  /// first year's price and renewing members at the second year's.
  @Test func theWhatIfProjectsChangedPricesForNewAndRenewingMembers() throws {
    let definition = try SchemeFile.decode(
      SchemeDefinition.self,
      yaml: try String(contentsOfFile: RepositoryFiles.path("schemes/examples/continuity.yaml"), encoding: .utf8),
      file: "continuity.yaml")
    let version = definition.products[0].versions[0]
    let offered = RuleParameters.list(version).filter { $0.key.hasPrefix("contribution.") }
    #expect(
      offered.map { "\($0.key)=\($0.value)" } == [
        "contribution.perShare=60.00", "contribution.continuity.0.perShare=55.00",
        "contribution.continuity.1.perShare=50.00",
      ])
    var changed = definition
    changed.products[0].versions[0] = try RuleParameters.apply(
      ["contribution.perShare": "70.00", "contribution.continuity.0.perShare": "50.00"], to: version)
    #expect(
      changed.products[0].versions[0].contribution?.continuity?.map(\.perShare.decimalString) == ["50.00", "50.00"])
    let start = date("2025-01-01")
    // 10 persons, 4 of them renewing: 6 × (70 − 60) + 4 × (50 − 55).
    let cover = [
      ContributionProjection.Cover(product: "continuity-medical", periodStart: start, persons: 10, renewing: 4)
    ]
    #expect(
      ContributionProjection.change(cover, current: Schemes.continuity, changed: try SchemeCompiler.compile(changed))
        == Money(yuan: 40))
    // A step dearer than the one before is refused by the compiler, so the what-if never runs it.
    #expect(throws: ValidationFailure.self) {
      try RuleParameters.apply(["contribution.continuity.1.perShare": "abc"], to: version)
    }
  }

  @Test func settingsAreForHospitalAndAllowanceBenefitsAndAVisitIsOneDay() throws {
    let text = try String(contentsOfFile: RepositoryFiles.path("schemes/examples/settings.yaml"), encoding: .utf8)
    func errors(_ yaml: String) -> [String] {
      let failure = #expect(throws: SchemeFileError.self) { try SchemeFile.compile(yaml: yaml, file: "settings.yaml") }
      return failure?.errors.map { "\($0.field) \($0.code)" } ?? []
    }
    #expect(
      errors(text.replacingOccurrences(of: "settings: [outpatient]", with: "settings: []"))
        == ["products[0].versions[0].benefits[1].settings empty_list"])
    #expect(
      errors(text.replacingOccurrences(of: "settings: [outpatient]", with: "settings: [outpatient, outpatient]"))
        == ["products[0].versions[0].benefits[1].settings duplicate_setting"])
    #expect(
      errors(text.replacingOccurrences(of: "settings: [outpatient]", with: "settings: [clinic]")).first?
        .hasPrefix("products[0].versions[0].benefits[1].settings") == true)
    let features = try String(
      contentsOfFile: RepositoryFiles.path("schemes/examples/features.yaml"), encoding: .utf8)
    let lumpSum = features.replacingOccurrences(
      of: "            kind: lump_sum\n            lumpSum:\n              list: critical",
      with:
        "            kind: lump_sum\n            settings: [inpatient]\n            lumpSum:\n              list: critical"
    )
    #expect(lumpSum != features)
    #expect(errors(lumpSum).contains { $0.hasSuffix(".settings settings_not_for_kind") })

    // At intake: a visit is one day, without admission or discharge.
    let today = date("2025-04-01")
    func problems(_ event: ClaimEvent) -> [String] {
      ClaimIntake(event: event).validate(today: today).map { "\($0.field) \($0.code)" }
    }
    #expect(problems(ClaimEvent(claimDate: today, visitDate: date("2025-03-01"))).isEmpty)
    #expect(
      problems(ClaimEvent(admissionDate: date("2025-03-01"), claimDate: today, visitDate: date("2025-03-01")))
        == ["event.visitDate visit_and_stay"])
    #expect(
      problems(ClaimEvent(claimDate: today, setting: .outpatient)) == [
        "event no_event_date", "event.visitDate missing",
      ])
    #expect(
      problems(ClaimEvent(claimDate: today, hospitalDays: 3, visitDate: date("2025-03-01"), setting: .dayCase))
        == ["event.hospitalDays days_for_a_visit"])
    #expect(problems(ClaimEvent(claimDate: today, visitDate: date("2025-04-02"))) == ["event.visitDate future_date"])
  }

  @Test func aTreatmentBelongsToOneBenefitOfAKind() throws {
    let text = try String(contentsOfFile: RepositoryFiles.path("schemes/examples/treatments.yaml"), encoding: .utf8)
    let twice = text.replacingOccurrences(
      of: "treatments: [dialysis]", with: "treatments: [dialysis, special_outpatient]")
    let failure = #expect(throws: SchemeFileError.self) { try SchemeFile.compile(yaml: twice, file: "t.yaml") }
    #expect(failure?.errors.map(\.code) == ["treatment_in_two_benefits"])
    #expect(failure?.errors.first?.field == "products[0].versions[0].benefits[2].treatments[1]")
    let empty = text.replacingOccurrences(of: "treatments: [dialysis]", with: "treatments: []")
    let refused = #expect(throws: SchemeFileError.self) { try SchemeFile.compile(yaml: empty, file: "t.yaml") }
    #expect(refused?.errors.map(\.code) == ["empty_list"])
  }

  @Test func theLargerOfTwoFiguresAndDayOrYearDeadlines() throws {
    let yaml = """
      scheme: { code: m, name: 较大者 }
      products:
        - code: p
          name: 产品
          versions:
            - version: "1"
              coverageStarting: { from: 2024-01-01 }
              claimDeadline: { from: settlement, days: 90 }
              benefits:
                - code: b
                  name: 住院
                  kind: hospital
                  hospital: { base: { max: [self_paid_in_scope, self_funded] }, schedule: { flat: "10%" } }
        - code: q
          name: 产品二
          versions:
            - version: "1"
              coverageStarting: { from: 2024-01-01 }
              claimDeadline: { from: discharge, years: 1 }
              benefits:
                - code: c
                  name: 住院
                  kind: hospital
                  hospital: { base: total_cost, schedule: { flat: "10%" } }
      """
    let scheme = try SchemeFile.compile(yaml: yaml)
    var claim = stay(
      product: "p", start: "2024-01-01", admission: "2024-03-01", discharge: "2024-03-10", claim: "2024-06-08",
      figures: [.selfPaidInScope: "800.00", .selfFunded: "1200.00", .totalCost: "5000.00"])
    claim.member.cover.append(CoverFacts(product: "q", start: date("2024-01-01"), end: date("2024-12-31")))
    let onTime = try Adjudicator.adjudicate(claim, under: scheme)
    #expect(onTime.outcome("b").total == yuan("120.00"))  // the larger: 1,200 × 10%
    #expect(onTime.outcome("c").total == yuan("500.00"))
    claim.event.claimDate = date("2024-06-09")  // settlement 2024-03-10 + 90 days = 2024-06-08
    #expect(try Adjudicator.adjudicate(claim, under: scheme).outcome("b").reasons == [.deadlinePassed])
    claim.event.claimDate = date("2025-03-11")  // discharge + 1 year = 2025-03-10
    #expect(try Adjudicator.adjudicate(claim, under: scheme).outcome("c").reasons == [.deadlinePassed])
  }

  @Test func severalProductsPayForOneEvent() throws {
    // A woman holding Yichun's hospital + critical product and the female product: a
    // cervical-cancer stay pays the hospital benefit and the female lump sum; the general
    // critical-illness list does not include it.
    let claim = ClaimCase(
      member: MemberFacts(
        birthDate: date("1980-05-05"), gender: .female,
        cover: [
          CoverFacts(product: "yc-comprehensive", start: date("2022-01-01"), end: date("2022-12-31")),
          CoverFacts(product: "yc-female", start: date("2022-01-01"), end: date("2022-12-31"), shares: 2),
        ]),
      event: ClaimEvent(
        admissionDate: date("2022-09-01"), dischargeDate: date("2022-09-20"), diagnosisDate: date("2022-09-02"),
        claimDate: date("2022-10-01"),
        figures: SettlementFigures([.selfPaidInScope: yuan("10000.00"), .pooledFundPaid: yuan("30000.00")]),
        diagnoses: [Diagnosis(class: "cervical_cancer")]))
    let explanation = try Adjudicator.adjudicate(claim, under: Schemes.yichun)
    #expect(explanation.outcome("yc2-hospital").total == yuan("1200.00"))
    #expect(explanation.outcome("yc2-critical").reasons == [.notInList])
    #expect(explanation.outcome("yc3-female-disease").total == yuan("16000.00"))
    #expect(explanation.total == yuan("17200.00"))
  }
}
