import HuzhuCore
import Testing

@Suite("Contribution bills and payer splits")
struct ContributionBillTests {
  func members(_ count: Int, shares: Int = 1) -> [BillMember] {
    (0..<count).map { _ in BillMember(worker: .init(), shares: shares) }
  }

  @Test func anyangSixtyFromUnitAndWorkerPlusThirtyUnionSubsidyReproducesTheFirstYear() {
    // Seed 000: 49,231 insured, 4,430,790 yuan raised, of which 1,476,930 union subsidy.
    let rule = PayerSplitRule(
      employer: .percent(Rate(percent: 50)),
      unionSubsidies: [.init(payer: .unionCity, perPerson: Money(yuan: 30), onTop: true)])
    let bill = ContributionBill(members: members(49_231), pricePerShare: Money(yuan: 60), rule: rule)
    #expect(bill.totalCollected == Money(yuan: 4_430_790))
    #expect(bill.total(for: .unionCity) == Money(yuan: 1_476_930))
    #expect(bill.totalPrice == Money(yuan: 2_953_860))
    #expect(bill.total(for: .employer) + bill.total(for: .worker) == bill.totalPrice)
  }

  @Test(arguments: [
    // Seed 001: the forestry group pays 75%, some city units 50%, some county units 30 yuan.
    (PayerSplitRule.EmployerShare.percent(Rate(percent: 75)), Int64(90), Int64(30)),
    (.percent(Rate(percent: 50)), 60, 60),
    (.fixedPerPerson(Money(yuan: 30)), 30, 90),
    (.none, 0, 120),
  ])
  func yichunEmployerShares(employer: PayerSplitRule.EmployerShare, employerYuan: Int64, workerYuan: Int64) {
    let bill = ContributionBill(
      members: members(10), pricePerShare: Money(yuan: 120), rule: PayerSplitRule(employer: employer))
    #expect(bill.total(for: .employer) == Money(yuan: employerYuan * 10))
    #expect(bill.total(for: .worker) == Money(yuan: workerYuan * 10))
    #expect(bill.totalCollected == Money(yuan: 1_200))
  }

  @Test func aCadrePaysAPairedHardshipWorkersOwnShare() {
    let hardship = Worker.ID()
    let others = members(3)
    let rule = PayerSplitRule(employer: .percent(Rate(percent: 50)), thirdParties: [hardship: "张干部"])
    let bill = ContributionBill(
      members: others + [BillMember(worker: hardship)], pricePerShare: Money(yuan: 120), rule: rule)
    let line = bill.lines.last!
    #expect(line.parts.map(\.payer) == [.employer, .thirdParty])
    #expect(line.parts.last?.payerName == "张干部")
    #expect(line.parts.last?.amount == Money(yuan: 60))
    #expect(bill.total(for: .thirdParty) == Money(yuan: 60))
    #expect(bill.total(for: .worker) == Money(yuan: 180))
  }

  @Test func subsidiesInsideThePriceComeFirstAndSharesMultiplyThePrice() {
    let rule = PayerSplitRule(
      employer: .percent(Rate(percent: 75)),
      unionSubsidies: [.init(payer: .unionCounty, perPerson: Money(yuan: 20), onTop: false)])
    let bill = ContributionBill(members: members(1, shares: 3), pricePerShare: Money(fen: 3333), rule: rule)
    let line = bill.lines[0]
    #expect(line.price == Money(fen: 9999))
    // 99.99 − 20 = 79.99; 75% = 59.9925 → 59.99 (half-up); the worker pays 20.00.
    #expect(line.parts.map(\.amount) == [Money(yuan: 20), Money(fen: 5999), Money(fen: 2000)])
    #expect(line.collected == line.price)
  }

  @Test func invalidRulesAreRejectedNamingTheField() {
    let rule = PayerSplitRule(
      employer: .percent(Rate(150, over: 100)),
      unionSubsidies: [.init(payer: .employer, perPerson: Money(yuan: -5), onTop: true)])
    #expect(rule.validate().map(\.field) == ["employer", "unionSubsidies[0].payer", "unionSubsidies[0].perPerson"])
  }
}
