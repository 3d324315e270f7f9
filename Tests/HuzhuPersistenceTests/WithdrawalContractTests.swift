import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing

/// A member's cover withdrawn by a correction, and its contributions refunded, on every database.
extension EnrollmentStoreContractTests {
  @Test(arguments: kinds)
  func aMemberEnrolledInErrorIsWithdrawnAndEachPayerRefundedWhatTheyPaidBeyondTheirDue(
    kind: TestDatabaseKind
  ) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      // 60 each: employer and worker half each, the city union 30 on top.
      let split = PayerSplitRule(
        employer: .percent(Rate(text: "50%")!),
        unionSubsidies: [.init(payer: .unionCity, perPerson: Money(fen: 3000), onTop: true)])
      let plan = try await store.enroll(
        order(world, Array(world.workers.prefix(3)), split: split), scheme: world.scheme)
      let paidOn = CalendarDate(year: 2024, month: 1, day: 5)!
      for (payer, fen) in [(PayerType.employer, 9000), (.worker, 6000), (.unionCity, 9000)] {
        _ = try await store.record(
          PaymentRequest(payer: payer, amount: Money(fen: Int64(fen)), paidOn: paidOn, reference: "BANK-\(payer)"),
          on: plan.bill.id, recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      }
      #expect(try await store.bill(plan.bill.id)?.status == .partiallyPaid)
      let wrong = plan.enrollments[0]
      let clerk = CorrectionActor(accountID: .init(), name: "窗口")
      let finance = CorrectionActor(accountID: .init(), name: "财务")
      let day = CalendarDate(year: 2024, month: 1, day: 10)!
      let before = try #require(try await store.fundBalances(scheme: "test").first)

      // Asked for: nothing moves; a second request for the same cover is refused, and a
      // withdrawal is too late 21 days after enrolling (the version allows 15).
      let asked = try await store.requestWithdrawal(
        .enrollmentVoid, certificate: wrong.certificateNumber.lowercased(), reason: "录错人员", refundAccount: nil,
        by: clerk, on: day, scheme: world.scheme)
      #expect(
        asked.status == .requested && asked.amount == Money(fen: 9000) && asked.targetLabel == wrong.certificateNumber)
      #expect(try await store.fundBalances(scheme: "test").first == before)
      let twice = await #expect(throws: ValidationFailure.self) {
        try await store.requestWithdrawal(
          .withdrawal, certificate: wrong.certificateNumber, reason: "退保", refundAccount: nil, by: clerk, on: day,
          scheme: world.scheme)
      }
      #expect(twice?.errors.map(\.code) == ["correction_pending"])
      let late = await #expect(throws: ValidationFailure.self) {
        try await store.requestWithdrawal(
          .withdrawal, certificate: plan.enrollments[1].certificateNumber, reason: "退保", refundAccount: nil,
          by: clerk, on: day, scheme: world.scheme)
      }
      #expect(late?.errors.map(\.code) == ["withdrawal_too_late"])
      let unknown = await #expect(throws: ValidationFailure.self) {
        try await store.requestWithdrawal(
          .enrollmentVoid, certificate: "TEST-2024-999999", reason: "x", refundAccount: nil, by: clerk, on: day,
          scheme: world.scheme)
      }
      #expect(unknown?.errors.map(\.code) == ["unknown_certificate"])

      // Approved by another person: the cover is withdrawn, the bill owes 30 less from each
      // payer; the employer and the union paid in full and get 30 back each; the worker had
      // paid for two members only, so owes nothing more and gets nothing back; the bill is now
      // paid, and the two others' cover begins.
      let (applied, changed) = try await store.decide(
        asked.id, approve: true, note: nil, by: finance, on: day, scheme: world.scheme)
      #expect(changed && applied.status == .applied)
      let members = try await store.enrollments(bill: plan.bill.id)
      #expect(members.map(\.status) == [.withdrawn, .active, .active])
      #expect(members[1].coverFrom == paidOn)
      let certificate = try #require(try await store.certificate(number: wrong.certificateNumber))
      #expect(certificate.enrollment.coverState(on: day) == .withdrawn)
      let bill = try #require(try await store.bill(plan.bill.id))
      #expect(bill.due.map(\.amount.fen) == [6000, 6000, 6000])
      #expect(bill.totalPaid == Money(fen: 18000) && bill.status == .paid && bill.memberCount == 2)
      let refunds = try await store.refunds(correction: asked.id)
      #expect(refunds.map(\.number) == ["TF-TEST-2024-000001", "TF-TEST-2024-000002"])
      #expect(refunds.map(\.payer) == [.employer, .unionCity])
      #expect(refunds.allSatisfy { $0.amount == Money(fen: 3000) && $0.status == .due })
      #expect(refunds[0].payeeName == "伊春森工集团")
      let after = try #require(try await store.fundBalances(scheme: "test").first)
      #expect(after.refunds == Money(fen: 6000))
      #expect(after.balance == before.balance - Money(fen: 6000))
      struct Sum: Decodable { let total: Int64 }
      let sum = try await db.sql.raw("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM fund_entries")
        .first(decoding: Sum.self)?.total
      #expect(after.balance.fen == sum)
      #expect(
        !(try await store.decide(asked.id, approve: true, note: nil, by: finance, on: day, scheme: world.scheme))
          .changed)

      // The bank's transfer, once: the same reference again changes nothing, another is refused.
      let paid = try await store.markRefundPaid(refunds[0].id, reference: "BANK-R1", by: "财务", on: day)
      #expect(paid.changed && paid.refund.status == .paid)
      #expect(!(try await store.markRefundPaid(refunds[0].id, reference: "BANK-R1", by: "财务", on: day)).changed)
      let other = await #expect(throws: ValidationFailure.self) {
        try await store.markRefundPaid(refunds[0].id, reference: "BANK-R2", by: "财务", on: day)
      }
      #expect(other?.errors.map(\.code) == ["already_paid"])
      #expect(try await store.refundsDue().map(\.id) == [refunds[1].id])
      #expect(try await store.refunds(status: .paid, page: PageQuery()).items.map(\.id) == [refunds[0].id])

      // Money already refunded: the bill's payments can no longer be voided.
      let payment = try #require(try await store.payments(bill: plan.bill.id).first)
      let refused = await #expect(throws: ValidationFailure.self) {
        try await store.requestVoid(of: payment.id, reason: "记错", by: clerk, on: day, scheme: world.scheme)
      }
      #expect(refused?.errors.map(\.code) == ["bill_refunded"])

      // The right enrollment can be made after the wrong one was withdrawn.
      let again = try await store.enroll(order(world, [world.workers[0]], split: split), scheme: world.scheme)
      #expect(again.enrollments.count == 1)

      // Adjustments, refunds and transfers are never changed or deleted.
      for statement in [
        "UPDATE refunds SET amount = 1", "DELETE FROM refunds", "UPDATE bill_adjustments SET amount = -1",
        "DELETE FROM bill_adjustments", "UPDATE refund_transfers SET reference = 'x'", "DELETE FROM refund_transfers",
      ] {
        await #expect(throws: (any Error).self, "\(statement)") {
          try await db.sql.raw(SQLQueryString(stringLiteral: statement)).run()
        }
      }
    }
  }

  /// A withdrawal within the days the version allows, of an unpaid member: nothing to refund,
  /// the bill simply owes less; the other members' payment then settles it.
  @Test(arguments: kinds)
  func aWithdrawalInTimeOfAnUnpaidMemberLeavesTheBillOwingLess(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      let plan = try await store.enroll(order(world, Array(world.workers.prefix(3))), scheme: world.scheme)
      let day = CalendarDate(year: 2023, month: 12, day: 30)!
      let asked = try await store.requestWithdrawal(
        .withdrawal, certificate: plan.enrollments[2].certificateNumber, reason: "本人申请退保", refundAccount: nil,
        by: CorrectionActor(accountID: .init(), name: "窗口"), on: day, scheme: world.scheme)
      _ = try await store.decide(
        asked.id, approve: true, note: nil, by: CorrectionActor(accountID: .init(), name: "财务"), on: day,
        scheme: world.scheme)
      #expect(try await store.refunds(correction: asked.id).isEmpty)
      let bill = try #require(try await store.bill(plan.bill.id))
      #expect(bill.totalDue == Money(fen: 12000) && bill.memberCount == 2)
      let overpaid = await #expect(throws: ValidationFailure.self) {
        try await store.record(
          PaymentRequest(payer: .worker, amount: Money(fen: 18000), paidOn: day, reference: "B1"), on: bill.id,
          recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      }
      #expect(overpaid?.errors.map(\.code) == ["overpayment"])
      let outcome = try await store.record(
        PaymentRequest(payer: .worker, amount: Money(fen: 12000), paidOn: day, reference: "B1"), on: bill.id,
        recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      #expect(outcome.bill.status == .paid && outcome.activated == 2)
      #expect(try await store.enrollments(bill: bill.id).map(\.status) == [.active, .active, .withdrawn])
    }
  }
}

extension EnrollmentStoreContractTests {
  /// A receipt reissued under a new number: the payment found by both, only the one in force
  /// reissued again, a voided payment's never; the reissue is never changed.
  @Test(arguments: kinds)
  func aReceiptIsReissuedUnderANewNumberAndTheOldOneStaysReplaced(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      let plan = try await store.enroll(order(world, Array(world.workers.prefix(2))), scheme: world.scheme)
      let day = CalendarDate(year: 2024, month: 1, day: 5)!
      let paid = try await store.record(
        PaymentRequest(payer: .worker, amount: Money(fen: 12000), paidOn: day, reference: "B1"), on: plan.bill.id,
        recordedBy: "clerk", idempotencyKey: nil, scheme: world.scheme)
      let first = paid.payment.receiptNumber
      let reissue = try await store.reissueReceipt(first.lowercased(), reason: "收据遗失", by: "窗口", on: day)
      #expect(reissue.replaces == first && reissue.number == "SJ-TEST-2024-000002")
      #expect(try await store.payment(receiptNumber: reissue.number)?.id == paid.payment.id)
      #expect(try await store.payment(receiptNumber: first)?.id == paid.payment.id)
      let replaced = await #expect(throws: ValidationFailure.self) {
        try await store.reissueReceipt(first, reason: "再开", by: "窗口", on: day)
      }
      #expect(replaced?.errors.map(\.code) == ["receipt_replaced"])
      let second = try await store.reissueReceipt(reissue.number, reason: "抬头写错", by: "窗口", on: day)
      #expect(try await store.reissues(of: paid.payment.id).map(\.number) == [reissue.number, second.number])
      // No money moved: the fund has the one payment.
      #expect(try await store.fundBalances(scheme: "test").first?.balance == Money(fen: 12000))
      // Concurrent reissues of the receipt in force: one wins, the others are refused.
      let results = await withTaskGroup(of: Bool.self) { group in
        for _ in 0..<4 {
          group.addTask {
            (try? await store.reissueReceipt(second.number, reason: "并发", by: "窗口", on: day)) != nil
          }
        }
        return await group.reduce(into: [Bool]()) { $0.append($1) }
      }
      #expect(results.filter { $0 }.count == 1)
      for statement in ["UPDATE receipt_reissues SET reason = 'x'", "DELETE FROM receipt_reissues"] {
        await #expect(throws: (any Error).self, "\(statement)") {
          try await db.sql.raw(SQLQueryString(stringLiteral: statement)).run()
        }
      }
      // A voided payment's receipt is not reissued.
      let clerk = CorrectionActor(accountID: .init(), name: "窗口")
      let void = try await store.requestVoid(
        of: paid.payment.id, reason: "记错", by: clerk, on: day, scheme: world.scheme)
      _ = try await store.decide(
        void.id, approve: true, note: nil, by: CorrectionActor(accountID: .init(), name: "财务"), on: day,
        scheme: world.scheme)
      let current = try #require(try await store.reissues(of: paid.payment.id).last).number
      let voided = await #expect(throws: ValidationFailure.self) {
        try await store.reissueReceipt(current, reason: "再开", by: "窗口", on: day)
      }
      #expect(voided?.errors.map(\.code) == ["payment_void"])
    }
  }
}
