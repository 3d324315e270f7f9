import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing

/// Recoveries (追回) of paid claims found wrong, on every database.
extension ClaimStoreContractTests {
  /// The member's cap ledger, summed over benefits: amount and counts.
  func caps(of worker: Worker.ID, _ db: MigratedDatabase) async throws -> (paid: Int64, claims: Int, stays: Int) {
    struct Row: Decodable { let history: String }
    let rows = try await db.sql.select().column("history").from("benefit_ledger")
      .where("worker_id", .equal, worker.rawValue).all(decoding: Row.self)
    var total: (paid: Int64, claims: Int, stays: Int) = (0, 0, 0)
    for row in rows {
      let history = try JSONDecoder().decode(BenefitHistory.self, from: Data(row.history.utf8))
      total.paid += history.paidAmount.fen
      total.claims += history.paidClaims
      total.stays += history.stays
    }
    return total
  }

  func codes(_ work: () async throws -> Void) async -> [String] {
    do {
      try await work()
      return []
    } catch let failure as ValidationFailure {
      return failure.errors.map(\.code)
    } catch {
      return ["\(error)"]
    }
  }

  /// A claim paid twice for one stay: the whole payment recovered, the caps given back, the
  /// money repaid in two parts (each reference once), the fund credited exactly what came back.
  @Test(arguments: kinds)
  func aDuplicateIsRecoveredInPartsAndItsCapsGivenBack(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      let (claim, batch) = try await paidClaim(world)
      #expect(try await caps(of: world.worker.id, db) == (130_000, 1, 1))
      let at = context(world, approver)

      // Refused: more than was paid, no note; a claim not paid cannot be recovered.
      #expect(
        await codes {
          _ = try await store.openRecovery(
            of: claim.id, amount: Money(fen: 130_001), reason: .duplicate, note: "重复", context: at)
        } == ["amount_out_of_range"])
      #expect(
        await codes {
          _ = try await store.openRecovery(of: claim.id, amount: nil, reason: .duplicate, note: " ", context: at)
        } == ["reason_required"])
      #expect(try await caps(of: world.worker.id, db) == (130_000, 1, 1))

      let recovery = try await store.openRecovery(
        of: claim.id, amount: nil, reason: .duplicate, note: "同一住院已由 LP-1 支付", context: at)
      #expect(recovery.amountDue == Money(fen: 130_000) && recovery.status == .open)
      // The duplicate took nothing it may keep: amount, count and stay are free again.
      #expect(try await caps(of: world.worker.id, db) == (0, 0, 0))
      #expect(
        await codes {
          _ = try await store.openRecovery(of: claim.id, amount: nil, reason: .overpaid, note: "再次", context: at)
        } == ["recovery_exists"])
      #expect(try await store.history(of: claim.id).last?.action == "recovery_opened")
      let notice = try #require(try await store.outbox(claim: claim.id).last)
      #expect(notice.notice == .recoveryOpened && notice.text.contains("1300.00"))
      // The bank cannot now return the transfer: the money is the recovery's.
      #expect(
        await codes {
          _ = try await store.returnPayment(claim.id, in: batch.id, reason: "账户冻结", context: at)
        } == ["recovery_open"])

      let window = context(world, clerk)
      let first = try await store.recordRepayment(
        recovery.id, amount: Money(fen: 50_000), reference: "HK-001", context: window)
      #expect(first.recorded && first.recovery.outstanding == Money(fen: 80_000))
      let again = try await store.recordRepayment(
        recovery.id, amount: Money(fen: 50_000), reference: " HK-001 ", context: window)
      #expect(!again.recorded && again.recovery.recovered == Money(fen: 50_000))
      #expect(
        await codes {
          _ = try await store.recordRepayment(
            recovery.id, amount: Money(fen: 80_001), reference: "HK-002", context: window)
        } == ["amount_out_of_range"])
      #expect(
        await codes {
          _ = try await store.recordRepayment(recovery.id, amount: .zero, reference: "HK-002", context: window)
        } == ["amount_out_of_range"])
      let rest = try await store.recordRepayment(
        recovery.id, amount: Money(fen: 80_000), reference: "HK-002", context: window)
      #expect(rest.recovery.status == .settled)
      #expect(
        await codes {
          _ = try await store.recordRepayment(recovery.id, amount: Money(fen: 1), reference: "HK-003", context: window)
        } == ["already_recovered"])

      let balance = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang")
          .first { $0.versionLabel == "2019" })
      #expect(balance.recoveries == Money(fen: 130_000))
      try await expectLedgerBalances(db)
      #expect(try await store.repayments(of: recovery.id).map(\.reference) == ["HK-001", "HK-002"])
      #expect(try await store.recoveries(status: .settled, page: PageQuery()).items.map(\.id) == [recovery.id])
      #expect(try await store.recoveries(status: .open, page: PageQuery()).total == 0)
      #expect(try await store.recovery(ofClaim: claim.id)?.recovered == Money(fen: 130_000))

      // Nothing is edited: the case and its repayments are append-only.
      await #expect(throws: (any Error).self) {
        try await db.sql.raw("UPDATE recoveries SET amount_due = 1").run()
      }
      await #expect(throws: (any Error).self) {
        try await db.sql.raw("DELETE FROM recovery_repayments").run()
      }
    }
  }

  /// An overpayment: only the excess is recovered and freed in the caps; once the claim's
  /// period has closed, the money goes to the next open period, naming the closed one.
  @Test(arguments: kinds)
  func anOverpaymentIsRecoveredIntoTheOpenPeriod(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      let (claim, _) = try await paidClaim(world)
      let recovery = try await store.openRecovery(
        of: claim.id, amount: Money(fen: 30_000), reason: .overpaid, note: "自付部分算错",
        context: context(world, approver))
      // The claim still rightly paid 1,000.00: it keeps its count and stay.
      #expect(try await caps(of: world.worker.id, db) == (100_000, 1, 1))

      let closeDay = CalendarDate(year: 2021, month: 1, day: 15)!
      _ = try await FluentFundStore(database: db.database).close(
        scheme: world.scheme, version: "2019", reference: "年终凭证 1", closedOn: closeDay, closedBy: "财务")
      let closed = try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang")
        .first { $0.versionLabel == "2019" }
      _ = try await store.recordRepayment(
        recovery.id, amount: Money(fen: 30_000), reference: "窗口收据 77", context: context(world, clerk, on: closeDay))
      let balances = try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang")
      #expect(balances.first { $0.versionLabel == "2019" } == closed)
      #expect(balances.first { $0.versionLabel == "2020" }?.recoveries == Money(fen: 30_000))
      struct Entry: Decodable {
        let version_label: String
        let memo: String
      }
      let entry = try #require(
        try await db.sql.select().columns("version_label", "memo").from("fund_entries").where(
          "kind", .equal, "recovery"
        )
        .first(decoding: Entry.self))
      #expect(entry.version_label == "2020" && entry.memo.contains("冲 2019 期间"))
      try await expectLedgerBalances(db)
    }
  }

  /// What a member owes is withheld from their next claim's transfer (追回抵扣): the batch line
  /// transfers the rest, the window cannot take money already withheld, the recovery is credited
  /// when the bank confirms; a return of that transfer undoes the withholding, and the next
  /// batch withholds it again.
  @Test(arguments: kinds)
  func aDebtIsWithheldFromTheNextTransfer(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      let (first, _) = try await paidClaim(world)
      let recovery = try await store.openRecovery(
        of: first.id, amount: nil, reason: .duplicate, note: "重复", context: context(world, approver))
      _ = try await store.recordRepayment(
        recovery.id, amount: Money(fen: 30_000), reference: "HK-1", context: context(world, clerk))

      var second = try await store.open(
        stay(selfPaid: 300_000, invoice: "INV-R9", sheet: "JS-R9", admitted: (3, 15)), for: world.worker.id,
        channel: .window, expedited: false, context: context(world, clerk))
      second = try await attachAll(world, to: second)
      for (action, actor) in [(ClaimAction.submit, clerk), (.review, clerk), (.approve, approver)] {
        second = try await store.perform(action, on: second.id, context: context(world, actor)).record
      }
      #expect(second.payable == Money(fen: 130_000))
      let batch = try await store.createBatch(scheme: "anyang", context: context(world, clerk))
      let line = try #require(batch.lines.first { $0.claimID == second.id })
      #expect(line.offset == Money(fen: 100_000) && line.amount == Money(fen: 30_000))
      // The money withheld is spoken for: the window cannot take it as well.
      #expect(
        await codes {
          _ = try await store.recordRepayment(
            recovery.id, amount: Money(fen: 1), reference: "HK-2", context: context(world, clerk))
        } == ["amount_out_of_range"])
      #expect(try await store.recovery(recovery.id)?.recovered == Money(fen: 30_000))

      _ = try await store.settle(second.id, in: batch.id, paid: true, note: "BOC-9", context: context(world, clerk))
      #expect(try await store.recovery(recovery.id)?.status == .settled)
      var balance = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang").first)
      #expect(balance.claimsPaid == Money(fen: 260_000) && balance.recoveries == Money(fen: 130_000))
      #expect(try await store.outbox(claim: second.id).last?.text.contains("其中1000.00元抵扣") == true)
      try await expectLedgerBalances(db)
      try await expectEachRecoveryInTheFundOnce(store, db)

      // The bank returns the 300.00 it was sent: the claim's payment is reversed whole and the
      // 1,000.00 withheld is owed again.
      _ = try await store.returnPayment(second.id, in: batch.id, reason: "账户冻结", context: context(world, clerk))
      let reopened = try #require(try await store.recovery(recovery.id))
      #expect(reopened.status == .open && reopened.outstanding == Money(fen: 100_000))
      balance = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang").first)
      #expect(balance.recoveries == Money(fen: 30_000) && balance.reversals == Money(fen: 130_000))
      #expect(try await store.returns(of: second.id).first?.amount == Money(fen: 30_000))
      try await expectLedgerBalances(db)
      try await expectEachRecoveryInTheFundOnce(store, db)

      try await db.sql.update("workers").set("bank_account", to: "6216610200007654321")
        .where("id", .equal, world.worker.id.rawValue).run()
      let again = try await store.createBatch(scheme: "anyang", context: context(world, clerk))
      #expect(again.lines.first?.offset == Money(fen: 100_000))
      _ = try await store.settle(second.id, in: again.id, paid: true, note: "BOC-10", context: context(world, clerk))
      #expect(try await store.recovery(recovery.id)?.status == .settled)
      #expect(
        try await store.repayments(of: recovery.id).map(\.kind) == [.repayment, .offset, .offsetUndone, .offset])
      try await expectLedgerBalances(db)
      try await expectEachRecoveryInTheFundOnce(store, db)
    }
  }

  /// A debt as large as the next claim takes all of it: the line transfers nothing, so the bank
  /// can return nothing, and confirming it settles the debt.
  @Test(arguments: kinds)
  func aDebtAsLargeAsTheClaimWithholdsItAll(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      let (first, _) = try await paidClaim(world)
      let recovery = try await store.openRecovery(
        of: first.id, amount: nil, reason: .falseDocuments, note: "发票不实", context: context(world, approver))
      var second = try await store.open(
        stay(selfPaid: 300_000, invoice: "INV-R8", sheet: "JS-R8", admitted: (3, 18)), for: world.worker.id,
        channel: .window, expedited: false, context: context(world, clerk))
      second = try await attachAll(world, to: second)
      for (action, actor) in [(ClaimAction.submit, clerk), (.review, clerk), (.approve, approver)] {
        second = try await store.perform(action, on: second.id, context: context(world, actor)).record
      }
      let batch = try await store.createBatch(scheme: "anyang", context: context(world, clerk))
      #expect(batch.lines.map(\.amount) == [.zero] && batch.lines.map(\.offset) == [Money(fen: 130_000)])
      #expect(batch.total == .zero)
      _ = try await store.settle(second.id, in: batch.id, paid: true, note: "全额抵扣", context: context(world, clerk))
      #expect(try await store.recovery(recovery.id)?.status == .settled)
      #expect(
        await codes {
          _ = try await store.returnPayment(second.id, in: batch.id, reason: "x", context: context(world, clerk))
        } == ["nothing_transferred"])
      try await expectLedgerBalances(db)
      try await expectEachRecoveryInTheFundOnce(store, db)
    }
  }

  /// Another federation's staff find no recovery to read, list or repay, and cannot open one
  /// on a claim they cannot see.
  @Test(arguments: kinds)
  func anotherFederationGetsNothingOfARecovery(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let (claim, _) = try await paidClaim(world)
      let recovery = try await world.store.openRecovery(
        of: claim.id, amount: nil, reason: .falseDocuments, note: "发票不实", context: context(world, approver))
      let elsewhere = FluentClaimStore(database: db.database, scope: .organisations([Organisation.ID()]))
      #expect(try await elsewhere.recovery(recovery.id) == nil)
      #expect(try await elsewhere.recovery(ofClaim: claim.id) == nil)
      #expect(try await elsewhere.recoveries(status: nil, page: PageQuery()).total == 0)
      #expect(try await elsewhere.repayments(of: recovery.id).isEmpty)
      #expect(
        await codes {
          _ = try await elsewhere.recordRepayment(
            recovery.id, amount: Money(fen: 100), reference: "X", context: context(world, clerk))
        } == ["unknown_recovery"])
      #expect(
        await codes {
          _ = try await elsewhere.openRecovery(
            of: claim.id, amount: nil, reason: .duplicate, note: "x", context: context(world, approver))
        } == ["unknown_claim"])
      #expect(try await world.store.recovery(recovery.id)?.recovered == .zero)
    }
  }
}
