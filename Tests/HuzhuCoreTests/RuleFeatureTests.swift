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
    #expect(table.contains("0.00–1000.00 部分 × 30%"))
    #expect(table.contains("1000.00 以上部分 × 50%"))
    #expect(table.contains("统筹范围内合规费用 − 统筹基金支付 − 大病保险支付"))
    #expect(table.contains("1300.00"))
    #expect(report.table(in: .en).contains("part above 1000.00 × 50%"))
    let json = String(decoding: try JSONEncoder().encode(report.document), as: UTF8.self)
    #expect(json.contains(#""total":"1300.00""#))
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
