import HuzhuCore
import PropertyBased
import Testing

/// Properties of the engine over generated cases, on the shipped Anyang scheme and the
/// features example (every cap, count limit, category and share rule).
@Suite("Rules engine properties")
struct RuleEnginePropertyTests {
  static let amounts = Gen.int64(in: 0...30_000_000)  // up to 300,000 yuan in fen
  static let paid = Gen.int64(in: 0...12_000_000)

  /// A features-scheme hospital case from generated facts.
  static func featuresCase(
    selfPaid: Int64, alreadyPaid: Int64, claims: Int, shares: Int, categoryBits: Int, treatment: Int
  ) -> ClaimCase {
    let categories = MemberCategory.allCases.enumerated().filter { categoryBits & (1 << $0.offset) != 0 }.map(\.element)
    let treatmentCategory = [nil, "dialysis", "transplant"][treatment % 3]
    var history = BenefitHistory(paidAmount: Money(fen: alreadyPaid), paidClaims: claims, stays: claims)
    if let treatmentCategory {
      history.categories = [
        treatmentCategory: CategoryHistory(paidAmount: Money(fen: alreadyPaid / 2), paidClaims: claims % 2)
      ]
    }
    return stay(
      product: "hospital-plus", start: "2024-01-01", admission: "2024-03-10",
      figures: [.selfPaidInScope: Money(fen: selfPaid).decimalString],
      categories: categories, shares: shares,
      history: ["fx-hospital": history, "fx-allowance": BenefitHistory(allowanceDays: claims * 7)],
      days: claims * 5, diagnoses: [Diagnosis(class: "cancer")], treatment: treatmentCategory,
      productPaid: ["hospital-plus": Money(fen: alreadyPaid)], schemePaid: Money(fen: alreadyPaid * 2))
  }

  @Test func linesAddUpAndZeroTotalsAlwaysCarryAReason() async {
    await propertyCheck(
      count: 400, input: Self.amounts, Self.paid, Gen.int(in: 0...6), Gen.int(in: 1...3), Gen.int(in: 0...15),
      Gen.int(in: 0...2)
    ) { selfPaid, alreadyPaid, claims, shares, categoryBits, treatment in
      let claim = Self.featuresCase(
        selfPaid: selfPaid, alreadyPaid: alreadyPaid, claims: claims, shares: shares, categoryBits: categoryBits,
        treatment: treatment)
      let explanation = try! Adjudicator.adjudicate(claim, under: Schemes.features)
      for outcome in explanation.outcomes {
        #expect(outcome.lines.reduce(.zero) { $0 + $1.amount } == outcome.total, "\(outcome.benefit)")
        #expect(outcome.total >= .zero)
        if outcome.total == .zero {
          #expect(!outcome.reasons.isEmpty, "\(outcome.benefit) paid nothing without a reason")
        }
      }
      #expect(explanation.total == explanation.outcomes.reduce(.zero) { $0 + $1.total })
    }
  }

  @Test func noCapIsEverExceeded() async {
    await propertyCheck(
      count: 400, input: Self.amounts, Self.paid, Gen.int(in: 0...6), Gen.int(in: 1...3), Gen.int(in: 0...15),
      Gen.int(in: 0...2)
    ) { selfPaid, alreadyPaid, claims, shares, categoryBits, treatment in
      let claim = Self.featuresCase(
        selfPaid: selfPaid, alreadyPaid: alreadyPaid, claims: claims, shares: shares, categoryBits: categoryBits,
        treatment: treatment)
      let explanation = try! Adjudicator.adjudicate(claim, under: Schemes.features)
      let hospital = explanation.outcome("fx-hospital").total
      let scale = Int64(shares)
      #expect(hospital <= Money(yuan: 30_000) * scale)  // per claim
      // The period cap, unless the history already exceeds it.
      #expect(hospital + Money(fen: alreadyPaid) <= max(Money(yuan: 80_000) * scale, Money(fen: alreadyPaid)))
      if claims >= 4 { #expect(hospital == .zero) }  // at most 4 paid claims
      if treatment == 2 && claims % 2 == 1 { #expect(hospital == .zero) }  // one transplant a year
      let product = explanation.outcomes.filter { $0.product == "hospital-plus" }.reduce(.zero) { $0 + $1.total }
      #expect(product + Money(fen: alreadyPaid) <= max(Money(yuan: 150_000), Money(fen: alreadyPaid)))
      #expect(explanation.total + Money(fen: alreadyPaid * 2) <= max(Money(yuan: 200_000), Money(fen: alreadyPaid * 2)))
      let allowance = explanation.outcome("fx-allowance").total
      #expect(allowance <= Money(yuan: 50) * Int64(max(0, 30 - claims * 7)) * scale)
    }
  }

  @Test func moreSelfPaidNeverPaysLessUnderProgressiveBands() async {
    await propertyCheck(count: 500, input: Self.amounts, Gen.int64(in: 0...5_000_000), Self.paid) {
      base, extra, alreadyPaid in
      func total(_ selfPaid: Int64) -> Money {
        let claim = stay(
          product: "anyang-hospital", start: "2019-12-15", admission: "2020-02-01",
          figures: [
            .inScopeCost: Money(fen: selfPaid).decimalString, .pooledFundPaid: "0.00",
            .criticalIllnessInsurancePaid: "0.00",
          ],
          history: ["anyang-hospital-topup": BenefitHistory(paidAmount: Money(fen: alreadyPaid))])
        return try! Adjudicator.adjudicate(claim, under: Schemes.anyang).total
      }
      let lower = total(base)
      let higher = total(base + extra)
      #expect(lower <= higher)
      // And the extra never pays more than its top marginal rate (50%), give or take rounding.
      #expect((higher - lower).fen <= extra / 2 + 1)
    }
  }

  @Test func identicalInputGivesIdenticalOutput() async {
    await propertyCheck(count: 200, input: Self.amounts, Self.paid, Gen.int(in: 0...6), Gen.int(in: 1...3)) {
      selfPaid, alreadyPaid, claims, shares in
      let claim = Self.featuresCase(
        selfPaid: selfPaid, alreadyPaid: alreadyPaid, claims: claims, shares: shares, categoryBits: 0, treatment: 0)
      let first = try! Adjudicator.adjudicate(claim, under: Schemes.features)
      let second = try! Adjudicator.adjudicate(claim, under: Schemes.features)
      #expect(first == second)
    }
  }
}
