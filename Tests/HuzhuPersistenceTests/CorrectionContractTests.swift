import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing

/// A contribution payment recorded in error, voided with four eyes, on every database.
extension ClaimStoreContractTests {
  @Test(arguments: kinds)
  func aPaymentVoidNeedsASecondPersonAndLeavesTheBillOwing(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let enrollments = FluentEnrollmentStore(database: db.database)
      let cover = try #require(
        try await enrollments.enrollments(worker: world.worker.id).first { $0.status == .active })
      let bill = try #require(try await enrollments.bill(cover.billID))
      #expect(bill.status == .paid)
      let payment = try #require(try await enrollments.payments(bill: bill.id).first)
      let clerkAsks = CorrectionActor(accountID: clerk.accountID, name: clerk.name)
      let financeDecides = CorrectionActor(accountID: approver.accountID, name: approver.name)
      let day = CalendarDate(year: 2020, month: 4, day: 15)!
      let before = try #require(try await enrollments.fundBalances(scheme: "anyang").first)
      func collected() async throws -> Int64 {
        struct Sum: Decodable { let total: Int64? }
        return try await db.sql.raw("SELECT CAST(SUM(amount) AS BIGINT) AS total FROM stat_collected_months")
          .first(decoding: Sum.self)?.total ?? 0
      }
      let collectedBefore = try await collected()

      // Asked for: nothing moves yet; a second request for the same payment is refused.
      let asked = try await enrollments.requestVoid(
        of: payment.id, reason: "记错缴费单", by: clerkAsks, on: day, scheme: world.scheme)
      #expect(asked.status == .requested)
      #expect(try await enrollments.fundBalances(scheme: "anyang").first == before)
      #expect(try await enrollments.bill(bill.id)?.status == .paid)
      let twice = await #expect(throws: ValidationFailure.self) {
        try await enrollments.requestVoid(
          of: payment.id, reason: "再来一次", by: clerkAsks, on: day, scheme: world.scheme)
      }
      #expect(twice?.errors.map(\.code) == ["correction_pending"])
      #expect(try await enrollments.corrections(status: .requested, page: PageQuery()).items.map(\.id) == [asked.id])

      // Not by the one who asked; a refusal needs its reason.
      let own = await #expect(throws: ValidationFailure.self) {
        try await enrollments.decide(
          asked.id, approve: true, note: nil, by: clerkAsks, on: day, scheme: world.scheme)
      }
      #expect(own?.errors.map(\.code) == ["own_request"])

      // A claim uses the cover the payment bought: the void waits until it is dealt with.
      var claim = try await world.store.open(
        stay(selfPaid: 300_000, invoice: "V-1", sheet: "VS-1"), for: world.worker.id, channel: .window,
        expedited: false, context: context(world, clerk))
      claim = try await attachAll(world, to: claim)
      claim = try await world.store.perform(.submit, on: claim.id, context: context(world, clerk)).record
      let inUse = await #expect(throws: ValidationFailure.self) {
        try await enrollments.decide(
          asked.id, approve: true, note: nil, by: financeDecides, on: day, scheme: world.scheme)
      }
      #expect(inUse?.errors.map(\.code) == ["cover_in_use"])
      #expect(try await enrollments.correction(asked.id)?.status == .requested)
      _ = try await world.store.perform(
        .reject(reason: .other, note: "缴费有误，待更正"), on: claim.id, context: context(world, clerk))

      let (applied, changed) = try await enrollments.decide(
        asked.id, approve: true, note: "已核对银行流水", by: financeDecides, on: day, scheme: world.scheme)
      #expect(changed && applied.status == .applied && applied.decidedBy == approver.name)
      let again = try await enrollments.decide(
        asked.id, approve: true, note: nil, by: financeDecides, on: day, scheme: world.scheme)
      #expect(!again.changed)

      // The money left the fund by a reversal; the payment stays, the bill owes it again, the
      // members' cover waits for payment, the collected statistics no longer count it.
      let after = try #require(try await enrollments.fundBalances(scheme: "anyang").first)
      #expect(after.reversals == before.reversals - payment.amount)
      #expect(after.balance == before.balance - payment.amount)
      #expect(after.contributions + after.subsidies == before.contributions + before.subsidies)
      try await expectLedgerBalances(db)
      #expect(try await enrollments.payments(bill: bill.id).first { $0.id == payment.id }?.voided == true)
      #expect(try await enrollments.payment(receiptNumber: payment.receiptNumber)?.voided == true)
      let owing = try #require(try await enrollments.bill(bill.id))
      #expect(owing.status != .paid && owing.settledOn == nil)
      #expect(owing.totalPaid == bill.totalPaid - payment.amount)
      #expect(
        try await enrollments.enrollments(worker: world.worker.id).first { $0.id == cover.id }?.status
          == .awaitingPayment)
      #expect(try await collected() == collectedBefore - payment.amount.fen)
      #expect(try await enrollments.corrections(ofPayments: [payment.id])[payment.id]?.status == .applied)
      // Decided once, fixed for good: the database itself refuses a changed amount, a second
      // decision and a deletion.
      for statement in [
        "UPDATE corrections SET amount = 1", "UPDATE corrections SET status = 'refused'",
        "UPDATE corrections SET decision_note = 'x'", "DELETE FROM corrections",
      ] {
        await #expect(throws: (any Error).self, "\(statement)") {
          try await db.sql.raw(SQLQueryString(stringLiteral: statement)).run()
        }
      }
      #expect(try await enrollments.correction(asked.id)?.amount == payment.amount)

      // Paid again (correctly this time): settled, cover back, the ledger still balancing.
      let outcome = try await enrollments.record(
        PaymentRequest(
          payer: payment.payer, payerName: payment.payerName, amount: payment.amount, paidOn: day,
          reference: "BANK-RIGHT"),
        on: bill.id, recordedBy: "窗口", idempotencyKey: nil, scheme: world.scheme)
      #expect(outcome.bill.status == .paid)
      #expect(try await enrollments.enrollments(worker: world.worker.id).first { $0.id == cover.id }?.status == .active)
      try await expectLedgerBalances(db)
      #expect(try await collected() == collectedBefore)

      // Another request for the voided payment: it already has one applied.
      await #expect(throws: ValidationFailure.self) {
        try await enrollments.requestVoid(of: payment.id, reason: "又错了", by: clerkAsks, on: day, scheme: world.scheme)
      }
      // A refused request leaves the way open for a new one.
      let second = try #require(try await enrollments.payments(bill: bill.id).first { $0.reference == "BANK-RIGHT" })
      let wrong = try await enrollments.requestVoid(
        of: second.id, reason: "怀疑重复", by: clerkAsks, on: day, scheme: world.scheme)
      let refused = try await enrollments.decide(
        wrong.id, approve: false, note: "银行流水无误", by: financeDecides, on: day, scheme: world.scheme)
      #expect(refused.correction.status == .refused && refused.correction.decisionNote == "银行流水无误")
      #expect(try await enrollments.bill(bill.id)?.status == .paid)
      _ = try await enrollments.requestVoid(of: second.id, reason: "再核", by: clerkAsks, on: day, scheme: world.scheme)
      try await expectLedgerBalances(db)

      // The database keeps one live correction per payment, whatever the code does.
      await #expect(throws: (any Error).self) {
        try await db.sql.raw(
          """
          INSERT INTO corrections (id, kind, scheme_code, target_id, target_label, amount, reason, status,
            requested_by, requested_by_id, requested_on, created_at)
          VALUES (\(bind: UUID()), 'payment_void', 'anyang', \(bind: second.id.rawValue), 'x', 1, 'x', 'requested',
            'x', \(bind: UUID()), '2020-04-15', \(bind: Date()))
          """
        ).run()
      }
    }
  }

  /// Two finance officers approving the same void at once: applied once, one reversal.
  @Test(arguments: kinds)
  func aVoidApprovedTwiceAtOnceIsAppliedOnce(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let enrollments = FluentEnrollmentStore(database: db.database)
      let cover = try #require(
        try await enrollments.enrollments(worker: world.worker.id).first { $0.status == .active })
      let payment = try #require(try await enrollments.payments(bill: cover.billID).first)
      let day = CalendarDate(year: 2020, month: 4, day: 15)!
      let asked = try await enrollments.requestVoid(
        of: payment.id, reason: "记错", by: CorrectionActor(accountID: .init(), name: "窗口"), on: day,
        scheme: world.scheme)
      let scheme = world.scheme
      let results = await withTaskGroup(of: Bool.self) { group in
        for index in 0..<4 {
          group.addTask {
            (try? await enrollments.decide(
              asked.id, approve: true, note: nil, by: CorrectionActor(accountID: .init(), name: "财务\(index)"),
              on: day, scheme: scheme
            ).changed) ?? false
          }
        }
        return await group.reduce(into: [Bool]()) { $0.append($1) }
      }
      #expect(results.filter { $0 }.count == 1)
      struct Count: Decodable { let n: Int64 }
      let reversals = try await db.sql.raw(
        "SELECT COUNT(*) AS n FROM fund_entries WHERE source_id = \(bind: CorrectionRules.voidSource(of: payment.id))"
      ).first(decoding: Count.self)?.n
      #expect(reversals == 1)
      try await expectLedgerBalances(db)
    }
  }
}
