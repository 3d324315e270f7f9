import Foundation
import HuzhuCore
import HuzhuSchemeFiles
import Testing

/// The ledger's own entries: an opening balance, a period's close and what it carries.
@Suite("Fund ledger rules")
struct FundLedgerRulesTests {
  /// Two products; `hospital` has versions 2024, 2025 and 2026, `gig` only 2024.
  static let scheme: CompiledScheme = {
    func version(_ label: String, from: String, to: String?, benefit: String = "topup") -> String {
      """
          - version: "\(label)"
            coverageStarting: { from: \(from)\(to.map { ", to: \($0)" } ?? "") }
            contribution: { perShare: "60.00", periodMonths: 12 }
            benefits:
              - { code: \(benefit), name: 住院互助金, kind: hospital, hospital: { base: { subtract: [in_scope_cost, pooled_fund_paid] }, schedule: { flat: "30%" } } }
      """
    }
    let yaml = """
      scheme: { code: test, name: 测试, rounding: half_up }
      products:
        - code: hospital
          name: 住院互助
          versions:
      \(version("2024", from: "2024-01-01", to: "2024-12-31"))
      \(version("2025", from: "2025-01-01", to: "2025-12-31"))
      \(version("2026", from: "2026-01-01", to: nil))
        - code: gig
          name: 新就业形态
          versions:
      \(version("2024", from: "2024-01-01", to: nil, benefit: "gig-topup"))
      """
    return try! SchemeFile.compile(yaml: yaml)
  }()

  let day = CalendarDate(year: 2025, month: 3, day: 1)!

  @Test func aCloseCarriesEachProductToItsNextVersion() throws {
    let result = try FundLedgerRules.close(
      scheme: Self.scheme, version: "2024", balances: ["hospital": Money(yuan: 900), "gig": .zero],
      unsettledClaims: 0, reference: "  结账凭证 1 ", closedOn: day, closedBy: "finance", closed: [])
    #expect(result.close.reference == "结账凭证 1")
    #expect(result.entries.map(\.kind) == [.carriedForward, .broughtForward])
    #expect(result.entries.map(\.versionLabel) == ["2024", "2025"])
    #expect(result.entries.map(\.amount) == [Money(yuan: -900), Money(yuan: 900)])
    #expect(result.entries.reduce(Money.zero) { $0 + $1.amount } == .zero)
    #expect(Set(result.entries.map(\.sourceID)).count == 1)
    // A deficit is carried as well.
    let deficit = try FundLedgerRules.close(
      scheme: Self.scheme, version: "2025", balances: ["hospital": Money(yuan: -5)], unsettledClaims: 0,
      reference: "R", closedOn: day, closedBy: "f", closed: ["2024"])
    #expect(deficit.entries.map(\.amount) == [Money(yuan: 5), Money(yuan: -5)])
  }

  @Test func aCloseIsRefusedForEveryReasonAtOnce() {
    #expect(throws: ValidationFailure.self) {
      try FundLedgerRules.close(
        scheme: Self.scheme, version: "2024", balances: [:], unsettledClaims: 0, reference: "R", closedOn: day,
        closedBy: "f", closed: ["2024"])
    }
    do {
      _ = try FundLedgerRules.close(
        scheme: Self.scheme, version: "2024", balances: ["hospital": Money(yuan: 1), "gig": Money(yuan: 2)],
        unsettledClaims: 3, reference: "", closedOn: day, closedBy: "f", closed: ["2025"])
      Issue.record("refused")
    } catch {
      // 2025 is closed already (out of order), gig has no later version, claims wait, no reference.
      #expect(
        Set(error.errors.map(\.code)) == ["claims_unsettled", "invalid_reference", "no_next_version", "period_closed"])
      #expect(error.errors.contains { $0.message.zh.contains("3 件") })
    }
    #expect(throws: ValidationFailure.self) {
      try FundLedgerRules.close(
        scheme: Self.scheme, version: "1999", balances: [:], unsettledClaims: 0, reference: "R", closedOn: day,
        closedBy: "f", closed: [])
    }
  }

  @Test func anOpeningBalanceIsCheckedWhole() throws {
    let entry = try FundLedgerRules.openingBalance(
      Money(yuan: 2_000_000), scheme: Self.scheme, product: "hospital", version: "2025", reference: "决算",
      postedOn: day, closed: false, alreadyOpened: false)
    #expect(entry.sourceID == "opening:test:hospital:2025" && entry.amount == Money(yuan: 2_000_000))
    do {
      _ = try FundLedgerRules.openingBalance(
        Money(fen: FundLedgerRules.largestOpeningBalance.fen + 1), scheme: Self.scheme, product: "hospital",
        version: "2023", reference: String(repeating: "x", count: 65), postedOn: day, closed: true,
        alreadyOpened: true)
      Issue.record("refused")
    } catch {
      #expect(
        error.errors.map(\.code) == [
          "unknown_version", "invalid_amount", "invalid_reference", "period_closed", "opening_balance_exists",
        ])
    }
  }

  @Test func balancesCountOpeningAndCarriedMoney() {
    var balance = FundBalance(schemeCode: "test", versionLabel: "2024")
    balance.add(kind: .openingBalance, amount: Money(yuan: 100))
    balance.add(kind: .contribution, amount: Money(yuan: 50))
    balance.add(kind: .claimPayment, amount: Money(yuan: -30))
    balance.add(kind: .carriedForward, amount: Money(yuan: -120))
    #expect(balance.opening == Money(yuan: 100) && balance.carriedForward == Money(yuan: 120))
    #expect(balance.balance == .zero)
    var next = FundBalance(schemeCode: "test", versionLabel: "2025")
    next.add(kind: .broughtForward, amount: Money(yuan: 120))
    #expect(next.balance == Money(yuan: 120))
    #expect(FundBalance.total(of: [balance, next]).balance == Money(yuan: 120))
  }

  /// A correction of a closed period's money goes to the product's next open period, named in
  /// the memo; an open period takes its own.
  @Test func aCorrectionPostsToTheOpenPeriod() throws {
    let scheme = Self.scheme
    #expect(
      try FundLedgerRules.openPeriod(scheme: scheme, product: "hospital", from: "2025", closed: ["2024"]) == "2025")
    #expect(
      try FundLedgerRules.openPeriod(scheme: scheme, product: "hospital", from: "2024", closed: ["2024", "2025"])
        == "2026")
    let none = #expect(throws: ValidationFailure.self) {
      try FundLedgerRules.openPeriod(scheme: scheme, product: "gig", from: "2024", closed: ["2024"])
    }
    #expect(none?.errors.map(\.code) == ["no_open_period"])

    let claim = ClaimRecord.ID()
    let payments = [
      FundEntry(
        schemeCode: "test", productCode: "hospital", versionLabel: "2024", postedOn: day, kind: .claimPayment,
        payer: nil, amount: Money(fen: -130_000),
        sourceID: ClaimPaymentPosting.source(claim: claim, product: "hospital", attempt: 0), memo: "LP-1"),
      FundEntry(
        schemeCode: "test", productCode: "gig", versionLabel: "2024", postedOn: day, kind: .claimPayment,
        payer: nil, amount: Money(fen: -20_000),
        sourceID: ClaimPaymentPosting.source(claim: claim, product: "gig", attempt: 0), memo: "LP-1"),
    ]
    let open = try FundLedgerRules.reversals(of: payments, scheme: scheme, closed: [], postedOn: day, memo: "退汇 LP-1")
    #expect(open.map(\.amount) == [Money(fen: 130_000), Money(fen: 20_000)])
    #expect(open.allSatisfy { $0.kind == .reversal && $0.versionLabel == "2024" && $0.memo == "退汇 LP-1" })
    #expect(open.map(\.sourceID) == payments.map { "return:\($0.sourceID)" })
    // The payment and its reversal sum to nothing.
    #expect(zip(payments, open).allSatisfy { ($0.amount + $1.amount).isZero })

    let hospitalOnly = Array(payments.prefix(1))
    let afterClose = try FundLedgerRules.reversals(
      of: hospitalOnly, scheme: scheme, closed: ["2024"], postedOn: day, memo: "退汇 LP-1")
    #expect(afterClose.map(\.versionLabel) == ["2025"])
    #expect(afterClose.first?.memo == "退汇 LP-1（冲 2024 期间）")
    // Nowhere open to take the gig product's money: refused, nothing posted.
    #expect(throws: ValidationFailure.self) {
      try FundLedgerRules.reversals(of: payments, scheme: scheme, closed: ["2024"], postedOn: day, memo: "x")
    }
    // A second payment after a return has a source of its own.
    #expect(
      ClaimPaymentPosting.source(claim: claim, product: "hospital", attempt: 1)
        != ClaimPaymentPosting.source(claim: claim, product: "hospital", attempt: 0))
  }

  @Test func theBanksReasonIsChecked() throws {
    #expect(try PaymentReturn.checkReason("  账户已销户 ") == "账户已销户")
    for (reason, code) in [("", "reason_required"), (String(repeating: "a", count: 201), "reason_too_long")] {
      let failure = #expect(throws: ValidationFailure.self) { try PaymentReturn.checkReason(reason) }
      #expect(failure?.errors.map(\.code) == [code])
    }
  }
}
