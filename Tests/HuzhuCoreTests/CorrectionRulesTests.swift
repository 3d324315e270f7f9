import Foundation
import HuzhuCore
import HuzhuSchemeFiles
import Testing

/// Corrections of money: four eyes, the decision's checks, what a void posts.
@Suite("Correction rules")
struct CorrectionRulesTests {
  let clerk = CorrectionActor(accountID: .init(), name: "窗口 李")
  let finance = CorrectionActor(accountID: .init(), name: "财务 王")
  let day = CalendarDate(year: 2025, month: 3, day: 1)!

  func payment(_ fen: Int64 = 54_000) -> Payment {
    Payment(
      billID: .init(), receiptNumber: "SJ-TEST-2024-000007", payer: .employer, payerName: nil, amount: Money(fen: fen),
      paidOn: CalendarDate(year: 2024, month: 2, day: 1)!, reference: "BANK-7", recordedBy: "窗口 李")
  }

  @Test func aVoidWaitsForASecondPersonWhoIsNotTheOneAsking() throws {
    var correction = try CorrectionRules.requestVoid(
      of: payment(), schemeCode: "test", reason: " 记错缴费单 ", by: clerk, on: day, fourEyes: true)
    #expect(correction.status == .requested)
    #expect(correction.reason == "记错缴费单")
    #expect(correction.amount == Money(fen: 54_000))
    #expect(correction.targetLabel == "SJ-TEST-2024-000007")

    let own = #expect(throws: ValidationFailure.self) {
      try CorrectionRules.decide(&correction, approve: true, note: nil, by: clerk, on: day)
    }
    #expect(own?.errors.map(\.code) == ["own_request"])
    let silent = #expect(throws: ValidationFailure.self) {
      try CorrectionRules.decide(&correction, approve: false, note: " ", by: finance, on: day)
    }
    #expect(silent?.errors.map(\.code) == ["reason_required"])
    #expect(correction.status == .requested)

    #expect(try CorrectionRules.decide(&correction, approve: true, note: "已核对银行流水", by: finance, on: day))
    #expect(correction.status == .applied && correction.decidedBy == "财务 王" && correction.decidedOn == day)
    #expect(correction.decisionNote == "已核对银行流水")
    // The same decision again changes nothing; a different one is refused.
    #expect(try !CorrectionRules.decide(&correction, approve: true, note: nil, by: finance, on: day))
    let turned = #expect(throws: ValidationFailure.self) {
      try CorrectionRules.decide(&correction, approve: false, note: "不对", by: finance, on: day)
    }
    #expect(turned?.errors.map(\.code) == ["already_decided"])
  }

  @Test func aSchemeMayWaiveFourEyes() throws {
    let correction = try CorrectionRules.requestVoid(
      of: payment(), schemeCode: "test", reason: "重复登记", by: clerk, on: day, fourEyes: false)
    #expect(correction.status == .applied && correction.decidedByID == clerk.accountID)
    #expect(FundLedgerRulesTests.scheme.correctionsNeedSecondPerson)
    let waived = try SchemeFile.compile(
      yaml:
        """
        scheme: { code: solo, name: 单人, corrections: { fourEyes: false } }
        products:
          - code: p
            name: 产品
            versions:
              - version: "2024"
                coverageStarting: { from: 2024-01-01 }
                contribution: { perShare: "60.00", periodMonths: 12 }
                benefits:
                  - { code: b, name: 互助金, kind: hospital, hospital: { base: { subtract: [in_scope_cost, pooled_fund_paid] }, schedule: { flat: "30%" } } }
        """)
    #expect(!waived.correctionsNeedSecondPerson)
  }

  @Test func aReasonIsRequiredAndPlain() {
    for (reason, code) in [("", "reason_required"), (String(repeating: "错", count: 201), "reason_too_long")] {
      let failure = #expect(throws: ValidationFailure.self) {
        try CorrectionRules.requestVoid(
          of: payment(), schemeCode: "t", reason: reason, by: clerk, on: day, fourEyes: true)
      }
      #expect(failure?.errors.map(\.code) == [code])
    }
  }

  @Test func aVoidTakesThePaymentsMoneyOutInAnOpenPeriod() throws {
    let scheme = FundLedgerRulesTests.scheme
    let bill = Bill(
      number: "JF-TEST-2024-000003", schemeCode: "test", productCode: "hospital", versionLabel: "2024", unitID: nil,
      period: CoveragePeriod(start: CalendarDate(year: 2024, month: 1, day: 1)!, months: 12),
      issuedOn: CalendarDate(year: 2024, month: 1, day: 1)!, split: PayerSplitRule(), due: [], memberCount: 9)
    let paid = payment()
    let open = try CorrectionRules.voidEntry(of: paid, bill: bill, scheme: scheme, closed: [], postedOn: day)
    #expect(open.kind == .reversal && open.amount == Money(fen: -54_000) && open.versionLabel == "2024")
    #expect(open.sourceID == "void:\(paid.id)")
    #expect(open.memo == "作废 SJ-TEST-2024-000007 JF-TEST-2024-000003")
    let closed = try CorrectionRules.voidEntry(of: paid, bill: bill, scheme: scheme, closed: ["2024"], postedOn: day)
    #expect(closed.versionLabel == "2025" && closed.memo.hasSuffix("（冲 2024 期间）"))
    var balance = FundBalance(schemeCode: "test", versionLabel: "2024")
    balance.add(kind: .contribution, amount: paid.amount)
    balance.add(kind: open.kind, amount: open.amount)
    #expect(balance.balance == .zero)

    #expect(throws: Never.self) { try CorrectionRules.refuseWhileClaimed([]) }
    let used = #expect(throws: ValidationFailure.self) {
      try CorrectionRules.refuseWhileClaimed(["LP-TEST-2024-000001", "LP-TEST-2024-000002"])
    }
    #expect(used?.errors.map(\.code) == ["cover_in_use"])
    #expect(used?.errors.first?.message.zh.contains("LP-TEST-2024-000001 等 2 件") == true)
  }
}
