import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing

/// Transfers the bank sends back after they were marked paid (退汇), on every database.
extension ClaimStoreContractTests {
  /// A claim of the world's worker, approved and paid in a batch: Anyang's 3,000 yuan stay,
  /// 1,300.00 paid.
  func paidClaim(_ world: World, invoice: String = "INV-R1") async throws -> (ClaimRecord, PaymentBatch) {
    let store = world.store
    var claim = try await store.open(
      stay(selfPaid: 300_000, invoice: invoice, sheet: "JS-\(invoice)"), for: world.worker.id, channel: .window,
      expedited: false, context: context(world, clerk))
    claim = try await attachAll(world, to: claim)
    for (action, actor) in [(ClaimAction.submit, clerk), (.review, clerk), (.approve, approver)] {
      claim = try await store.perform(action, on: claim.id, context: context(world, actor)).record
    }
    try await giveBankAccount(world)
    let batch = try await store.createBatch(scheme: "anyang", context: context(world, clerk))
    _ = try await store.settle(claim.id, in: batch.id, paid: true, note: "BOC-1", context: context(world, clerk))
    return (try #require(try await store.claim(claim.id)), batch)
  }

  /// The fund's entries of the claim, by kind, as (source, amount in fen).
  func entries(of claim: ClaimRecord, _ db: MigratedDatabase) async throws -> [String: [String: Int64]] {
    struct Row: Decodable {
      let kind: String
      let source_id: String
      let amount: Int64
    }
    let rows = try await db.sql.select().columns("kind", "source_id", "amount").from("fund_entries")
      .where("source_id", .like, "%\(claim.id)%").all(decoding: Row.self)
    return rows.reduce(into: [:]) { $0[$1.kind, default: [:]][$1.source_id] = $1.amount }
  }

  /// The identity every step must keep: the period's balance is what its entries sum to, and
  /// equals what came in less what went out net of returns.
  func expectLedgerBalances(_ db: MigratedDatabase, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let balances = try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: nil)
    struct Sum: Decodable { let total: Int64 }
    let sum = try await db.sql.raw("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM fund_entries")
      .first(decoding: Sum.self)?.total
    #expect(FundBalance.total(of: balances).balance.fen == sum, sourceLocation: sourceLocation)
    for balance in balances {
      #expect(
        balance.balance
          == balance.opening + balance.contributions + balance.subsidies - balance.refunds - balance.claimsPaid
          + balance.reversals
          + balance.recoveries - balance.carriedForward, sourceLocation: sourceLocation)
    }
  }

  enum FundEntryModelProbe {
    struct Entry: Decodable {
      let version: String
      let memo: String
    }

    static func entry(kind: String, source: String, _ db: MigratedDatabase) async throws -> Entry? {
      try await db.sql.select().column("version_label", as: "version").column("memo").from("fund_entries")
        .where("kind", .equal, kind).where("source_id", .equal, source).first(decoding: Entry.self)
    }
  }

  @Test(arguments: kinds)
  func aTransferTheBankReturnsIsReversedAndPaidAgainOnce(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      let (claim, batch) = try await paidClaim(world)
      #expect(claim.state == .paid)
      try await expectLedgerBalances(db)
      let before = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang").first)

      // The bank's reason is required; a pending or failed line cannot be "returned".
      let unexplained = await #expect(throws: ValidationFailure.self) {
        try await store.returnPayment(claim.id, in: batch.id, reason: "  ", context: self.context(world, self.clerk))
      }
      #expect(unexplained?.errors.map(\.code) == ["reason_required"])
      let tooLong = await #expect(throws: ValidationFailure.self) {
        try await store.returnPayment(
          claim.id, in: batch.id, reason: String(repeating: "账", count: 201), context: self.context(world, self.clerk))
      }
      #expect(tooLong?.errors.map(\.code) == ["reason_too_long"])

      let returnDay = CalendarDate(year: 2020, month: 4, day: 20)!
      let (returned, recorded) = try await store.returnPayment(
        claim.id, in: batch.id, reason: "账户已销户", context: context(world, clerk, on: returnDay))
      #expect(recorded)
      let line = try #require(returned.lines.first { $0.claimID == claim.id })
      #expect(line.status == .paid)
      #expect(line.returned?.reason == "账户已销户")
      #expect(line.returned?.returnedOn == returnDay)
      #expect(line.returned?.amount == Money(fen: 130_000))
      #expect(line.outcome.zh == "已退汇")
      let waiting = try #require(try await store.claim(claim.id))
      #expect(waiting.state == .approved)
      #expect(waiting.paidOn == nil)
      #expect(waiting.approvedTotal == Money(fen: 130_000))

      // The fund has the money back by a reversal; the payment itself stays.
      let source = ClaimPaymentPosting.source(claim: claim.id, product: "anyang-hospital", attempt: 0)
      var posted = try await entries(of: claim, db)
      #expect(posted["claim_payment"] == [source: -130_000])
      #expect(posted["reversal"] == [ClaimPaymentPosting.returnSource(of: source): 130_000])
      var balance = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang").first)
      #expect(balance.claimsPaid == Money(fen: 130_000))
      #expect(balance.reversals == Money(fen: 130_000))
      #expect(balance.balance == before.balance + Money(fen: 130_000))
      try await expectLedgerBalances(db)

      // The same answer again changes nothing.
      let again = try await store.returnPayment(
        claim.id, in: batch.id, reason: "账户已销户", context: context(world, clerk, on: returnDay))
      #expect(again.batch == returned && !again.recorded)
      #expect(try await entries(of: claim, db) == posted)

      // The statistics no longer count it as paid.
      struct Count: Decodable { let n: Int64 }
      func payouts() async throws -> Int64 {
        try await db.sql.raw("SELECT COUNT(*) AS n FROM claim_payouts WHERE claim_id = \(bind: claim.id.rawValue)")
          .first(decoding: Count.self)?.n ?? -1
      }
      #expect(try await payouts() == 0)

      // While the account is the one the money bounced from, no batch takes the claim.
      let refused = await #expect(throws: ValidationFailure.self) {
        try await store.createBatch(scheme: "anyang", context: self.context(world, self.clerk, on: returnDay))
      }
      #expect(refused?.errors.map(\.code) == ["nothing_to_pay"])
      try await db.sql.update("workers").set("bank_account", to: "6216610200007654321")
        .where("id", .equal, world.worker.id.rawValue).run()
      let second = try await store.createBatch(scheme: "anyang", context: context(world, clerk, on: returnDay))
      #expect(second.lines.map(\.bankAccount) == ["6216610200007654321"])
      _ = try await store.settle(
        claim.id, in: second.id, paid: true, note: "BOC-2", context: context(world, clerk, on: returnDay))
      // The old line's answer, sent again, posts nothing; it cannot be turned into a failure.
      let repeated = try await store.settle(
        claim.id, in: batch.id, paid: true, note: "BOC-1", context: context(world, clerk))
      #expect(repeated.lines.first?.returned != nil)
      let turned = await #expect(throws: ValidationFailure.self) {
        try await store.settle(
          claim.id, in: batch.id, paid: false, note: "退票", context: self.context(world, self.clerk))
      }
      #expect(turned?.errors.map(\.code) == ["already_settled"])
      #expect(try await store.claim(claim.id)?.state == .paid)
      #expect(try await payouts() > 0)

      // Paid a second time under a distinct source: once net.
      posted = try await entries(of: claim, db)
      let repaid = ClaimPaymentPosting.source(claim: claim.id, product: "anyang-hospital", attempt: 1)
      #expect(posted["claim_payment"] == [source: -130_000, repaid: -130_000])
      balance = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang").first)
      #expect(balance.claimsPaid - balance.reversals == Money(fen: 130_000))
      #expect(balance.balance == before.balance)
      try await expectLedgerBalances(db)

      // Returned once more (the new account was wrong too): the second payment is reversed.
      _ = try await store.returnPayment(
        claim.id, in: second.id, reason: "户名不符", context: context(world, clerk, on: returnDay))
      posted = try await entries(of: claim, db)
      #expect(posted["reversal"]?[ClaimPaymentPosting.returnSource(of: repaid)] == 130_000)
      #expect(try await store.claim(claim.id)?.state == .approved)
      try await expectLedgerBalances(db)

      let history = try await store.history(of: claim.id).map(\.action)
      #expect(history.suffix(4) == ["payment_returned", "start_payment", "mark_paid", "payment_returned"])
      #expect(history.filter { $0 == "payment_returned" }.count == 2)
      let notices = try await store.outbox(claim: claim.id)
      #expect(notices.map(\.notice).suffix(3) == [.paymentReturned, .paid, .paymentReturned])
      #expect(notices.last?.text.contains("户名不符") == true)
      #expect(try await store.returns(of: claim.id).map(\.reason) == ["账户已销户", "户名不符"])
      #expect(try await store.returns(worker: world.worker.id).map(\.reason) == ["户名不符", "账户已销户"])
      // Another federation's staff see none of them, by the claim or by the member.
      let elsewhere = FluentClaimStore(database: db.database, scope: .organisations([Organisation.ID()]))
      #expect(try await elsewhere.returns(of: claim.id).isEmpty)
      #expect(try await elsewhere.returns(worker: world.worker.id).isEmpty)

      // The returns are append-only like the ledger.
      await #expect(throws: (any Error).self) {
        try await db.sql.raw("DELETE FROM payment_returns").run()
      }
    }
  }

  /// A transfer returned after its period was closed: the closed period does not change, the
  /// reversal goes to the product's next open period, and so does the payment made again.
  @Test(arguments: kinds)
  func aReturnAfterTheCloseGoesToTheOpenPeriod(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let (claim, batch) = try await paidClaim(world)
      let version = try #require(claim.explanation?.outcomes.first?.version)
      let fund = FluentFundStore(database: db.database)
      let closeDay = CalendarDate(year: 2021, month: 1, day: 15)!
      #expect(version == "2019")
      _ = try await fund.close(
        scheme: world.scheme, version: version, reference: "年终凭证 1", closedOn: closeDay, closedBy: "财务")
      func balance(_ label: String) async throws -> FundBalance? {
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang")
          .first { $0.versionLabel == label }
      }
      let closed = try #require(try await balance(version))
      #expect(closed.balance == .zero)
      _ = try await world.store.returnPayment(
        claim.id, in: batch.id, reason: "账户冻结", context: context(world, clerk, on: closeDay))
      let after = try #require(try await balance(version))
      #expect(after == closed)
      let next = try #require(try await balance("2020"))
      #expect(next.reversals == Money(fen: 130_000))
      let source = ClaimPaymentPosting.source(claim: claim.id, product: "anyang-hospital", attempt: 0)
      let reversal = try #require(
        try await FundEntryModelProbe.entry(kind: "reversal", source: ClaimPaymentPosting.returnSource(of: source), db))
      #expect(reversal.version == "2020")
      #expect(reversal.memo.contains("冲 2019 期间"))
      try await expectLedgerBalances(db)

      // Paid again to a corrected account: into 2020 as well, the closed 2019 untouched.
      try await db.sql.update("workers").set("bank_account", to: "6216610200007654321")
        .where("id", .equal, world.worker.id.rawValue).run()
      let again = try await world.store.createBatch(scheme: "anyang", context: context(world, clerk, on: closeDay))
      _ = try await world.store.settle(
        claim.id, in: again.id, paid: true, note: "BOC-3", context: context(world, clerk, on: closeDay))
      #expect(try await balance(version) == closed)
      #expect(try await balance("2020")?.claimsPaid == Money(fen: 130_000))
      try await expectLedgerBalances(db)
    }
  }
}
