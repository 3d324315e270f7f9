import Foundation
import HuzhuCore
import Testing

/// Withdrawing a member's cover: when a withdrawal is allowed, what the bill owes less, what
/// each payer gets back, and the refund's transfer recorded once.
@Suite("Refund rules")
struct RefundRulesTests {
  let start = CalendarDate(year: 2024, month: 1, day: 1)!

  func enrollment(coverFrom: CalendarDate?, shares: Int = 1, worker: Worker.ID = .init()) -> Enrollment {
    Enrollment(
      schemeCode: "test", productCode: "hospital", versionLabel: "2024", workerID: worker, unitID: .init(),
      period: CoveragePeriod(start: start, months: 12), shares: shares,
      status: coverFrom == nil ? .awaitingPayment : .active,
      coverFrom: coverFrom, certificateNumber: "TEST-2024-000001",
      enrolledOn: CalendarDate(year: 2023, month: 12, day: 20)!,
      billID: .init())
  }

  func bill(due: [PayerAmount], paid: [PayerAmount], split: PayerSplitRule = PayerSplitRule(), members: Int = 3) -> Bill
  {
    Bill(
      number: "JF-TEST-2024-000001", schemeCode: "test", productCode: "hospital", versionLabel: "2024", unitID: .init(),
      period: CoveragePeriod(start: start, months: 12), issuedOn: CalendarDate(year: 2023, month: 12, day: 20)!,
      split: split, due: due, paid: paid, memberCount: members)
  }

  @Test func aWithdrawalIsAllowedOnlyWhereTheVersionSaysAndInTime() throws {
    let paid = enrollment(coverFrom: CalendarDate(year: 2024, month: 1, day: 10)!)
    let none = #expect(throws: ValidationFailure.self) {
      try RefundRules.checkWithdrawal(of: paid, allowedDays: nil, on: start)
    }
    #expect(none?.errors.map(\.code) == ["withdrawal_not_allowed"])
    // 15 days from the cover's first day: the 25th is the last day.
    try RefundRules.checkWithdrawal(of: paid, allowedDays: 15, on: CalendarDate(year: 2024, month: 1, day: 25)!)
    let late = #expect(throws: ValidationFailure.self) {
      try RefundRules.checkWithdrawal(of: paid, allowedDays: 15, on: CalendarDate(year: 2024, month: 1, day: 26)!)
    }
    #expect(late?.errors.map(\.code) == ["withdrawal_too_late"])
    #expect(late?.errors.first?.message.zh.contains("2024-01-25") == true)
    // Unpaid cover counts from the day of enrolling.
    let unpaid = enrollment(coverFrom: nil)
    try RefundRules.checkWithdrawal(of: unpaid, allowedDays: 15, on: CalendarDate(year: 2024, month: 1, day: 4)!)
    #expect(throws: ValidationFailure.self) {
      try RefundRules.checkWithdrawal(of: unpaid, allowedDays: 15, on: CalendarDate(year: 2024, month: 1, day: 5)!)
    }
  }

  @Test func aMembersPartsAreTheBillsSplitOfTheirShares() {
    let worker = Worker.ID()
    let split = PayerSplitRule(
      employer: .percent(Rate(text: "75%")!),
      unionSubsidies: [.init(payer: .unionCity, perPerson: Money(fen: 3000), onTop: true)],
      thirdParties: [worker: "王某（包联干部）"])
    let parts = RefundRules.memberParts(
      of: enrollment(coverFrom: start, shares: 2, worker: worker), bill: bill(due: [], paid: [], split: split),
      pricePerShare: Money(fen: 6001), rounding: .halfUp)
    // 120.02 × 75% = 90.015 → 90.02 (half up); the rest 30.00 by the third party; 30 on top.
    #expect(
      parts == [
        PayerAmount(payer: .employer, amount: Money(fen: 9002)),
        PayerAmount(payer: .thirdParty, payerName: "王某（包联干部）", amount: Money(fen: 3000)),
        PayerAmount(payer: .unionCity, amount: Money(fen: 3000)),
      ])
  }

  @Test func eachPayerGetsBackWhatTheyPaidBeyondTheirNewDueNeverMoreThanTheirPart() {
    let parts = [
      PayerAmount(payer: .employer, amount: Money(fen: 3000)), PayerAmount(payer: .worker, amount: Money(fen: 3000)),
      PayerAmount(payer: .thirdParty, payerName: "甲", amount: Money(fen: 3000)),
    ]
    let due = [
      PayerAmount(payer: .employer, amount: Money(fen: 9000)), PayerAmount(payer: .worker, amount: Money(fen: 6000)),
      PayerAmount(payer: .thirdParty, payerName: "甲", amount: Money(fen: 3000)),
      PayerAmount(payer: .thirdParty, payerName: "乙", amount: Money(fen: 3000)),
    ]
    // The employer paid all 90 (refund 30); the worker 40 of 60 (new due 30: refund 10); the
    // third party 甲 nothing; 乙 (not this member's) paid and is untouched.
    let paid = [
      PayerAmount(payer: .employer, amount: Money(fen: 9000)), PayerAmount(payer: .worker, amount: Money(fen: 4000)),
      PayerAmount(payer: .thirdParty, payerName: "乙", amount: Money(fen: 3000)),
    ]
    let (adjustments, refunds) = RefundRules.withdraw(parts, from: bill(due: due, paid: paid))
    #expect(adjustments.map(\.amount.fen) == [-3000, -3000, -3000])
    #expect(
      refunds == [
        PayerAmount(payer: .employer, amount: Money(fen: 3000)), PayerAmount(payer: .worker, amount: Money(fen: 1000)),
      ])
    // The bill as it then stands: every payer square, 甲 owing nothing, 乙 untouched.
    let after = bill(due: due, paid: paid).net(adjustments: adjustments, refunds: refunds, withdrawnMembers: 1)
    #expect(after.due.map(\.amount.fen) == [6000, 3000, 3000])
    #expect(after.paid.map(\.amount.fen) == [6000, 3000, 3000])
    #expect(after.outstanding.isEmpty && after.status == .paid && after.memberCount == 2)
  }

  @Test func aRefundsTransferIsRecordedOnce() throws {
    var refund = Refund(
      number: "TF-TEST-2024-000001", correctionID: .init(), schemeCode: "test", billID: .init(),
      billNumber: "JF-TEST-2024-000001", certificateNumber: "TEST-2024-000001", payer: .employer, payeeName: "单位",
      bankName: nil, bankAccount: nil, amount: Money(fen: 3000), createdOn: start)
    let day = CalendarDate(year: 2024, month: 2, day: 1)!
    #expect(throws: ValidationFailure.self) { try RefundRules.markPaid(&refund, reference: " ", by: "财务", on: day) }
    #expect(try RefundRules.markPaid(&refund, reference: " BANK-1 ", by: "财务", on: day))
    #expect(refund.status == .paid && refund.paidReference == "BANK-1" && refund.paidOn == day)
    #expect(!(try RefundRules.markPaid(&refund, reference: "BANK-1", by: "财务", on: day)))
    let other = #expect(throws: ValidationFailure.self) {
      try RefundRules.markPaid(&refund, reference: "BANK-2", by: "财务", on: day)
    }
    #expect(other?.errors.map(\.code) == ["already_paid"])
  }

  @Test func aRefundAccountIsBothOrNeither() throws {
    #expect(try RefundAccount.checked(bankName: nil, bankAccount: " ") == nil)
    #expect(
      try RefundAccount.checked(bankName: " 中国银行 ", bankAccount: "6216-6102 0000 9999")
        == RefundAccount(bankName: "中国银行", bankAccount: "6216610200009999"))
    let partial = #expect(throws: ValidationFailure.self) {
      try RefundAccount.checked(bankName: nil, bankAccount: "6216610200009999")
    }
    #expect(partial?.errors.map(\.code) == ["invalid_bank"])
    let letters = #expect(throws: ValidationFailure.self) {
      try RefundAccount.checked(bankName: "中国银行", bankAccount: "６２１６６１０２００００９９９９")
    }
    #expect(letters?.errors.map(\.code) == ["invalid_account"])
  }

  @Test func anEnrollmentVoidOfCoverAlreadyWithdrawnIsRefused() {
    var withdrawn = enrollment(coverFrom: start)
    withdrawn.status = .withdrawn
    let refused = #expect(throws: ValidationFailure.self) {
      try CorrectionRules.requestEnrollmentVoid(
        .enrollmentVoid, of: withdrawn, cost: Money(fen: 6000), reason: "x",
        by: CorrectionActor(accountID: .init(), name: "窗口"), on: start, fourEyes: true)
    }
    #expect(refused?.errors.map(\.code) == ["already_withdrawn"])
    #expect(withdrawn.coverState(on: start) == .withdrawn && !withdrawn.covers(start))
  }
}
