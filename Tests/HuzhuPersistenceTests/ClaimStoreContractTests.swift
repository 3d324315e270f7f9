import FluentKit
import Foundation
import HuzhuCore
import HuzhuTestSupport
import SQLKit
import Testing

@testable import HuzhuPersistence

/// Claims from intake to money posted, on every database the tests have.
@Suite("Claim store contract")
struct ClaimStoreContractTests {
  static let kinds = TestDatabaseKind.available

  let today = CalendarDate(year: 2020, month: 4, day: 10)!
  let clerk = ClaimActor(accountID: .init(), name: "窗口 李", organisationKind: .cityFederation)
  let approver = ClaimActor(accountID: .init(), name: "市总 王", organisationKind: .cityFederation)

  struct World {
    let store: FluentClaimStore
    let scheme: CompiledScheme
    let worker: Worker
    let db: MigratedDatabase
  }

  /// The demo data: Anyang's first unit enrolled on 2019-12-15 and paid; its first worker.
  func world(_ db: MigratedDatabase) async throws -> World {
    _ = try await DemoSeeder.seedIfEmpty(
      database: db.database, hasher: PlainTestHasher(), schemes: try DemoScheme.bundled)
    let registry = FluentRegistryStore(database: db.database)
    let unit = try #require(
      try await registry.units(in: nil, page: PageQuery(per: 200)).items.first { $0.name == "河南安彩高科股份有限公司" })
    let worker = try #require(try await registry.workers(in: unit.id, page: PageQuery()).items.first)
    let scheme = try #require(try await FluentSchemeStore(database: db.database).scheme(code: "anyang")).compiled()
    return World(store: FluentClaimStore(database: db.database), scheme: scheme, worker: worker, db: db)
  }

  func context(_ world: World, _ actor: ClaimActor, on day: CalendarDate? = nil) -> ClaimContext {
    ClaimContext(
      actor: actor, address: "10.0.0.7", today: day ?? today, scheme: world.scheme,
      calendar: .publishedChina)
  }

  func stay(selfPaid fen: Int64, invoice: String, sheet: String, admitted: (Int, Int) = (3, 1)) -> ClaimIntake {
    ClaimIntake(
      hospital: "安阳市人民医院",
      event: ClaimEvent(
        admissionDate: CalendarDate(year: 2020, month: admitted.0, day: admitted.1)!,
        dischargeDate: CalendarDate(year: 2020, month: admitted.0, day: admitted.1 + 9)!, claimDate: today,
        hospitalDays: 9,
        figures: SettlementFigures([
          .inScopeCost: Money(fen: fen), .pooledFundPaid: .zero, .criticalIllnessInsurancePaid: .zero,
        ])),
      invoiceNumbers: [invoice], settlementSheetNumber: sheet)
  }

  func attachAll(_ world: World, to claim: ClaimRecord) async throws -> ClaimRecord {
    var record = claim
    for kind in claim.progress.missingDocuments {
      record = try await world.store.attach(
        ClaimDocument(
          claimID: claim.id, kind: kind, fileName: "\(kind).pdf", format: .pdf, size: 1024,
          sha256: String(repeating: "a", count: 64), uploadedBy: "clerk", uploadedAt: Date()),
        to: claim.id, context: context(world, clerk))
    }
    return record
  }

  /// A claim of the world's worker opened at the window with every paper and submitted: a stay
  /// admitted on the first of `month`, numbered by `tag`.
  func submitted(_ world: World, selfPaid fen: Int64, tag: String, month: Int) async throws -> ClaimRecord {
    var claim = try await world.store.open(
      stay(selfPaid: fen, invoice: "INV-\(tag)", sheet: "JS-\(tag)", admitted: (month, 1)), for: world.worker.id,
      channel: .window, expedited: false, context: context(world, clerk))
    claim = try await attachAll(world, to: claim)
    return try await world.store.perform(.submit, on: claim.id, context: context(world, clerk)).record
  }

  func giveBankAccount(_ world: World) async throws {
    try await world.db.sql.update("workers").set("bank_name", to: "中国银行安阳分行")
      .set("bank_account", to: "6216610200001234567").where("id", .equal, world.worker.id.rawValue).run()
  }

  @Test(arguments: kinds)
  func aClaimGoesFromIntakeToMoneyPosted(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      // Anyang's example: 3,000 yuan self-paid → 1,300.00.
      var claim = try await store.open(
        stay(selfPaid: 300_000, invoice: "INV-1", sheet: "JS-1"), for: world.worker.id, channel: .window,
        expedited: false, context: context(world, clerk))
      #expect(claim.number == "LP-ANYANG-2020-000001")
      #expect(claim.state == .draft)
      #expect(claim.calculatedTotal == Money(fen: 130_000))
      #expect(claim.progress.missingDocuments == ["certificate", "diagnosis", "invoice", "settlement_sheet"])
      #expect(claim.progress.requiredLevels == [.cityFederation])

      let refused = await #expect(throws: ValidationFailure.self) {
        try await store.perform(.submit, on: claim.id, context: self.context(world, self.clerk))
      }
      #expect(refused?.errors.map(\.code) == ["documents_missing"])
      claim = try await attachAll(world, to: claim)
      #expect(claim.progress.missingDocuments.isEmpty)
      claim = try await store.perform(.submit, on: claim.id, context: context(world, clerk)).record
      #expect(claim.state == .submitted)
      // Ten working days from Friday 2020-04-10.
      #expect(claim.dueOn == CalendarDate(year: 2020, month: 4, day: 24)!)

      // The same invoice again is flagged, naming the first claim.
      let second = try await store.open(
        stay(selfPaid: 100_000, invoice: "inv-1", sheet: "JS-2", admitted: (4, 1)), for: world.worker.id,
        channel: .unit, expedited: false, context: context(world, clerk))
      #expect(second.duplicates.map(\.kind) == [.sameInvoice])
      #expect(second.duplicates.first?.earlierClaimNumber == claim.number)

      claim = try await store.perform(.review, on: claim.id, context: context(world, clerk)).record
      let own = await #expect(throws: ValidationFailure.self) {
        try await store.perform(.approve, on: claim.id, context: self.context(world, self.clerk))
      }
      #expect(own?.errors.map(\.code) == ["own_submission"])
      claim = try await store.perform(.approve, on: claim.id, context: context(world, approver)).record
      #expect(claim.state == .approved)
      #expect(claim.approvedTotal == Money(fen: 130_000))
      let again = try await store.perform(.approve, on: claim.id, context: context(world, approver))
      #expect(again.transition == .alreadyDone)

      // No bank account: nothing to pay. Then a batch, a failure, a second batch, the payment.
      try await world.db.sql.update("workers").set("bank_account", to: SQLLiteral.null)
        .where("id", .equal, world.worker.id.rawValue).run()
      await #expect(throws: ValidationFailure.self) {
        try await store.createBatch(scheme: "anyang", context: self.context(world, self.clerk))
      }
      try await giveBankAccount(world)
      let batch = try await store.createBatch(scheme: "anyang", context: context(world, clerk))
      #expect(batch.lines.map(\.amount) == [Money(fen: 130_000)])
      #expect(try await store.claim(claim.id)?.state == .inPayment)
      let failed = try await store.settle(
        claim.id, in: batch.id, paid: false, note: "户名不符", context: context(world, clerk))
      #expect(failed.lines.first?.status == .failed)
      #expect(try await store.claim(claim.id)?.state == .approved)
      let retry = try await store.createBatch(scheme: "anyang", context: context(world, clerk))
      #expect(retry.number != batch.number)
      _ = try await store.settle(claim.id, in: retry.id, paid: true, note: "BOC-88", context: context(world, clerk))
      _ = try await store.settle(claim.id, in: retry.id, paid: true, note: "BOC-88", context: context(world, clerk))
      let paid = try #require(try await store.claim(claim.id))
      #expect(paid.state == .paid && paid.paidOn == today)

      // The fund paid out exactly once; the ledger balances.
      let enrollments = FluentEnrollmentStore(database: db.database)
      let balance = try #require(try await enrollments.fundBalances(scheme: "anyang").first)
      #expect(balance.claimsPaid == Money(fen: 130_000))
      #expect(balance.balance == balance.contributions + balance.subsidies - Money(fen: 130_000))
      #expect(
        try await store.outbox(claim: claim.id).map(\.notice) == [.submitted, .approved, .paid])
      #expect(try await store.outbox(claim: claim.id).last?.text.contains("1300.00元") == true)
      let history = try await store.history(of: claim.id)
      #expect(
        history.map(\.action) == [
          "open", "attach", "attach", "attach", "attach", "submit", "review", "approve", "start_payment",
          "mark_payment_failed", "start_payment", "mark_paid",
        ])
      #expect(history.allSatisfy { $0.address == "10.0.0.7" })
      #expect(
        try await store.queue(states: [.submitted], scheme: "anyang", narrowedTo: nil, page: PageQuery()).total == 0)
    }
  }

  /// Two large claims of one member approved at the same moment: Anyang's 100,000 cap holds
  /// for the two together.
  @Test(arguments: kinds)
  func concurrentApprovalsNeverExceedACapTogether(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      var ids: [ClaimRecord.ID] = []
      for (index, month) in [1, 2, 3].enumerated() {
        var claim = try await world.store.open(
          stay(selfPaid: 20_000_000, invoice: "INV-\(index)", sheet: "JS-\(index)", admitted: (month, 1)),
          for: world.worker.id, channel: .window, expedited: false, context: context(world, clerk))
        #expect(claim.calculatedTotal == Money(fen: 9_980_000))
        claim = try await attachAll(world, to: claim)
        _ = try await world.store.perform(.submit, on: claim.id, context: context(world, clerk))
        _ = try await world.store.perform(.review, on: claim.id, context: context(world, clerk))
        ids.append(claim.id)
      }
      let store = world.store
      let approverContext = context(world, approver)
      let approved = try await withThrowingTaskGroup(of: Money.self) { group in
        for id in ids {
          group.addTask { try await store.perform(.approve, on: id, context: approverContext).record.payable }
        }
        return try await group.reduce(into: [Money]()) { $0.append($1) }
      }
      #expect(approved.reduce(.zero, +) == Money(fen: 10_000_000))
      #expect(approved.sorted() == [.zero, Money(fen: 20_000), Money(fen: 9_980_000)])
    }
  }

  /// Five clerks record the bank's "paid" for the same line at once: one payment posts.
  @Test(arguments: kinds)
  func aClaimIsNeverPaidTwice(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      var claim = try await world.store.open(
        stay(selfPaid: 80_000, invoice: "INV-9", sheet: "JS-9"), for: world.worker.id, channel: .window,
        expedited: true, context: context(world, clerk))
      claim = try await attachAll(world, to: claim)
      claim = try await world.store.perform(.submit, on: claim.id, context: context(world, clerk)).record
      #expect(claim.dueOn == today)  // expedited: the same day
      _ = try await world.store.perform(.review, on: claim.id, context: context(world, clerk))
      _ = try await world.store.perform(.approve, on: claim.id, context: context(world, approver))
      try await giveBankAccount(world)
      let store = world.store
      let clerkContext = context(world, clerk)
      // Three clerks make a batch at the same moment: the claim lands in exactly one.
      let batches = await withTaskGroup(of: PaymentBatch?.self) { group in
        for _ in 0..<3 {
          group.addTask { try? await store.createBatch(scheme: "anyang", context: clerkContext) }
        }
        return await group.reduce(into: [PaymentBatch]()) { if let batch = $1 { $0.append(batch) } }
      }
      #expect(batches.count == 1)
      let batch = try #require(batches.first)
      let claimID = claim.id
      await withTaskGroup(of: Void.self) { group in
        for _ in 0..<5 {
          group.addTask {
            _ = try? await store.settle(claimID, in: batch.id, paid: true, note: "BOC-1", context: clerkContext)
          }
        }
      }
      let balance = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang").first)
      #expect(balance.claimsPaid == Money(fen: 24_000))  // 800 × 30%
      #expect(try await store.outbox(claim: claimID).filter { $0.notice == .paid }.count == 1)
    }
  }

  /// A bank's answers for a whole batch in one transaction: an answer the store refuses
  /// (a failure without its reason) leaves every line as it was; the same answers again post
  /// nothing more; another area's store does not find the batch.
  @Test(arguments: kinds)
  func aBatchsAnswersAreRecordedTogetherOrNotAtAll(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      try await giveBankAccount(world)
      let store = world.store
      var claims: [ClaimRecord] = []
      for (index, fen) in [Int64(80_000), 120_000].enumerated() {
        let claim = try await submitted(world, selfPaid: fen, tag: "B\(index)", month: index + 1)
        _ = try await store.perform(.review, on: claim.id, context: context(world, clerk))
        claims.append(try await store.perform(.approve, on: claim.id, context: context(world, approver)).record)
      }
      let batch = try await store.createBatch(scheme: "anyang", context: context(world, clerk))
      #expect(batch.lines.count == 2)
      let enrollments = FluentEnrollmentStore(database: db.database)
      let before = try #require(try await enrollments.fundBalances(scheme: "anyang").first).claimsPaid

      let refused = await #expect(throws: ValidationFailure.self) {
        try await store.settle(
          [
            PaymentAnswer(claimID: claims[0].id, paid: true, note: nil),
            PaymentAnswer(claimID: claims[1].id, paid: false, note: " "),
          ], in: batch.id, context: self.context(world, self.clerk))
      }
      #expect(refused?.errors.map(\.code) == ["reason_required"])
      #expect(try await store.batch(batch.id)?.lines.map(\.status) == [.pending, .pending])
      #expect(try await store.claim(claims[0].id)?.state == .inPayment)
      #expect(try #require(try await enrollments.fundBalances(scheme: "anyang").first).claimsPaid == before)

      let answers = [
        PaymentAnswer(claimID: claims[0].id, paid: true, note: nil),
        PaymentAnswer(claimID: claims[1].id, paid: false, note: "户名与账号不符"),
      ]
      let settled = try await store.settle(answers, in: batch.id, context: context(world, clerk))
      let paidLine = try #require(settled.lines.first { $0.claimID == claims[0].id })
      #expect(paidLine.status == .paid)
      #expect(settled.lines.first { $0.claimID == claims[1].id }?.note == "户名与账号不符")
      _ = try await store.settle(answers, in: batch.id, context: context(world, clerk))
      let after = try #require(try await enrollments.fundBalances(scheme: "anyang").first)
      #expect(after.claimsPaid == before + paidLine.amount)
      #expect(after.balance == after.contributions + after.subsidies - after.claimsPaid)
      #expect(try await store.claim(claims[1].id)?.state == .approved)

      let elsewhere = FluentClaimStore(database: db.database, scope: .organisations([Organisation.ID()]))
      let hidden = await #expect(throws: ValidationFailure.self) {
        try await elsewhere.settle(answers, in: batch.id, context: self.context(world, self.clerk))
      }
      #expect(hidden?.errors.map(\.code) == ["unknown_batch"])
    }
  }

  /// Two finance officers record the same bank answers at once, in opposite orders: neither
  /// request fails, and each claim is paid once.
  @Test(arguments: kinds)
  func aBatchAnsweredTwiceAtOnceIsPaidOnce(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      try await giveBankAccount(world)
      let store = world.store
      for index in 0..<3 {
        let claim = try await submitted(world, selfPaid: 50_000, tag: "C\(index)", month: index + 1)
        _ = try await store.perform(.review, on: claim.id, context: context(world, clerk))
        _ = try await store.perform(.approve, on: claim.id, context: context(world, approver))
      }
      let batch = try await store.createBatch(scheme: "anyang", context: context(world, clerk))
      let answers = batch.lines.map { PaymentAnswer(claimID: $0.claimID, paid: true, note: nil) }
      let before = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang").first
      ).claimsPaid
      let finance = context(world, clerk)
      try await withThrowingTaskGroup(of: Void.self) { group in
        for order in [answers, answers.reversed()] {
          group.addTask { _ = try await store.settle(order, in: batch.id, context: finance) }
        }
        try await group.waitForAll()
      }
      let after = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang").first)
      #expect(after.claimsPaid == before + batch.lines.reduce(.zero) { $0 + $1.amount })
      #expect(try await store.batch(batch.id)?.lines.allSatisfy { $0.status == .paid } == true)
    }
  }

  /// Claims waiting for review given to a reviewer: found under their name, given to another,
  /// taken back, each step in the claim's history; a request naming a claim past review
  /// changes nothing; another area's store finds none of them.
  @Test(arguments: kinds)
  func claimsAreGivenToReviewersAndFoundUnderTheirName(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let store = world.store
      var waiting: [ClaimRecord] = []
      for index in 0..<3 {
        waiting.append(try await submitted(world, selfPaid: 60_000, tag: "A\(index)", month: index + 1))
      }
      let accounts = FluentAccountStore(database: db.database)
      let reviewer = try #require(try await accounts.account(username: "ay-reviewer"))
      let other = try #require(try await accounts.account(username: "ay-approver"))
      func given(to account: UserAccount) -> ClaimAssignee {
        ClaimAssignee(accountID: account.id, name: account.displayName, assignedBy: "市总 王", assignedAt: Date())
      }
      func queue(_ assignee: QueueAssignee) async throws -> [String] {
        try await store.queue(ClaimQueueQuery(states: [.submitted], assignee: assignee), page: PageQuery()).items
          .map(\.number).sorted()
      }
      let ids = waiting.map(\.id)
      #expect(try await store.assign(Array(ids.prefix(2)), to: given(to: reviewer), by: approver, address: nil) == 2)
      #expect(try await store.assign(Array(ids.prefix(2)), to: given(to: reviewer), by: approver, address: nil) == 0)
      #expect(try await queue(.account(reviewer.id)) == waiting.prefix(2).map(\.number).sorted())
      #expect(try await queue(.nobody) == [waiting[2].number])
      #expect(try await store.assignees(of: ids)[ids[0]]?.name == reviewer.displayName)

      // Past review, a claim cannot be given out: the whole request is refused.
      _ = try await store.perform(.review, on: ids[2], context: context(world, clerk))
      let refused = await #expect(throws: ValidationFailure.self) {
        try await store.assign([ids[0], ids[2]], to: given(to: other), by: self.approver, address: nil)
      }
      #expect(refused?.errors.map(\.code) == ["not_assignable"])
      #expect(try await store.assignees(of: [ids[0]])[ids[0]]?.accountID == reviewer.id)

      #expect(try await store.assign([ids[0]], to: given(to: other), by: approver, address: nil) == 1)
      #expect(try await store.assign([ids[1]], to: nil, by: approver, address: "10.0.0.9") == 1)
      #expect(try await queue(.account(reviewer.id)).isEmpty)
      #expect(try await queue(.account(other.id)) == [waiting[0].number])
      #expect(
        try await store.history(of: ids[0]).filter { $0.action == "assign" }.map(\.note) == [
          reviewer.displayName, other.displayName,
        ])
      let takenBack = try #require(try await store.history(of: ids[1]).last)
      #expect(takenBack.action == "unassign" && takenBack.note == reviewer.displayName && takenBack.to == .submitted)

      let elsewhere = FluentClaimStore(database: db.database, scope: .organisations([Organisation.ID()]))
      #expect(try await elsewhere.assignees(of: ids).isEmpty)
      let hidden = await #expect(throws: ValidationFailure.self) {
        try await elsewhere.assign([ids[1]], to: given(to: reviewer), by: self.approver, address: nil)
      }
      #expect(hidden?.errors.map(\.code) == ["unknown_claim"])
      #expect(try await store.assignees(of: [ids[1]]).isEmpty)
    }
  }

  /// Persons paid follow each payment: a member paid at a second node counts once, and a
  /// payment recorded with an earlier day than one already counted moves "first of the year"
  /// to it (the later month is recounted). The maintained rows equal a rebuild throughout.
  @Test(arguments: kinds)
  func personsPaidFollowPaymentsAcrossNodes(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      try await giveBankAccount(world)
      let store = world.store
      func pay(_ invoice: String, admitted: (Int, Int), on day: CalendarDate) async throws -> ClaimRecord {
        var claim = try await store.open(
          stay(selfPaid: 50_000, invoice: invoice, sheet: "JS-\(invoice)", admitted: admitted), for: world.worker.id,
          channel: .window, expedited: false, context: context(world, clerk, on: day))
        claim = try await attachAll(world, to: claim)
        _ = try await store.perform(.submit, on: claim.id, context: context(world, clerk, on: day))
        _ = try await store.perform(.review, on: claim.id, context: context(world, clerk, on: day))
        _ = try await store.perform(.approve, on: claim.id, context: context(world, approver, on: day))
        let batch = try await store.createBatch(scheme: "anyang", context: context(world, clerk, on: day))
        _ = try await store.settle(
          claim.id, in: batch.id, paid: true, note: "BOC", context: context(world, clerk, on: day))
        return try #require(try await store.claim(claim.id))
      }
      let organisations = try await FluentRegistryStore(database: db.database).organisations()
      let statistics = FluentStatisticsStore(database: db.database)
      func persons(_ scope: Set<Organisation.ID>?, to: String = "2020-12-31") async throws -> Int {
        try await statistics.personsPaid(
          StatisticsQuery(
            organisations: scope, period: ReportPeriod(from: CalendarDate("2020-01-01")!, to: CalendarDate(to)!)!,
            schemeCode: "anyang", today: today))
      }
      let first = try await pay("P-1", admitted: (1, 5), on: today)
      let home = try #require(first.organisationID)
      // As if the member had been paid at another node before moving here.
      let elsewhere = try #require(organisations.first { $0.id != home })
      try await db.sql.raw(
        "UPDATE claims SET organisation_id = \(bind: elsewhere.id.rawValue) WHERE id = \(bind: first.id.rawValue)"
      ).run()
      try await StatisticsAggregates.rebuildAll(on: db.database)
      #expect(try await persons([home]) == 0)

      _ = try await pay("P-2", admitted: (2, 1), on: CalendarDate(year: 2020, month: 6, day: 15)!)
      #expect(try await persons(nil) == 1)
      #expect(try await persons([home]) == 1)
      #expect(try await persons([elsewhere.id]) == 1)
      #expect(try await persons([home, elsewhere.id]) == 1)
      #expect(try await persons([home, elsewhere.id], to: "2020-05-31") == 1)
      try await StatisticsContractTests.expectAggregatesEqualARecount(db)

      // Recorded with an earlier day than the June payment.
      _ = try await pay("P-3", admitted: (3, 1), on: CalendarDate(year: 2020, month: 5, day: 6)!)
      #expect(try await persons([home], to: "2020-05-31") == 1)
      #expect(try await persons([home, elsewhere.id]) == 1)
      try await StatisticsContractTests.expectAggregatesEqualARecount(db)
    }
  }

  /// Documents complete on Friday 2026-02-13, before Spring Festival: Saturday the 14th is
  /// worked, the 15th–23rd are off, Saturday the 28th is worked: 10 working days end on
  /// Thursday 5 March. A return stops the clock; resubmission starts it again.
  @Test(arguments: kinds)
  func theClockRunsInWorkingDaysAcrossSpringFestival(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let friday = CalendarDate(year: 2026, month: 2, day: 13)!
      var claim = try await world.store.open(
        stay(selfPaid: 300_000, invoice: "INV-SF", sheet: "JS-SF"), for: world.worker.id, channel: .window,
        expedited: false, context: context(world, clerk, on: friday))
      claim = try await attachAll(world, to: claim)
      claim = try await world.store.perform(.submit, on: claim.id, context: context(world, clerk, on: friday)).record
      #expect(claim.documentsCompleteOn == friday)
      #expect(claim.dueOn == CalendarDate(year: 2026, month: 3, day: 5)!)
      claim = try await world.store.perform(
        .returnForDocuments(reason: "结算单不清晰"), on: claim.id, context: context(world, clerk, on: friday)
      ).record
      #expect(claim.dueOn == nil)
      let monday = CalendarDate(year: 2026, month: 3, day: 2)!
      claim = try await world.store.perform(.submit, on: claim.id, context: context(world, clerk, on: monday)).record
      #expect(claim.dueOn == CalendarDate(year: 2026, month: 3, day: 16)!)
      #expect(try await world.store.outbox(claim: claim.id).map(\.notice) == [.submitted, .returned, .submitted])
      #expect(try await world.store.outbox(claim: claim.id)[1].text.contains("结算单不清晰"))
      // The queue's narrow views are decided by the database.
      func count(_ narrowing: QueueNarrowing) async throws -> Int {
        try await world.store.queue(states: [.submitted], scheme: "anyang", narrowedTo: narrowing, page: PageQuery())
          .total
      }
      #expect(try await count(.dueOn(CalendarDate(year: 2026, month: 3, day: 16)!)) == 1)
      #expect(try await count(.overdue(today: CalendarDate(year: 2026, month: 3, day: 17)!)) == 1)
      #expect(try await count(.overdue(today: CalendarDate(year: 2026, month: 3, day: 16)!)) == 0)
      #expect(try await count(.expedited) == 0)
      // Due within three days: from the 13th (the 16th is three days on), not from the 12th or the 17th.
      #expect(try await count(.dueWithin(today: CalendarDate(year: 2026, month: 3, day: 13)!, days: 3)) == 1)
      #expect(try await count(.dueWithin(today: CalendarDate(year: 2026, month: 3, day: 16)!, days: 3)) == 1)
      #expect(try await count(.dueWithin(today: CalendarDate(year: 2026, month: 3, day: 12)!, days: 3)) == 0)
      #expect(try await count(.dueWithin(today: CalendarDate(year: 2026, month: 3, day: 17)!, days: 3)) == 0)
      // Near the end of 2026 the clock needs 2027, which is not published: it says so.
      let late = CalendarDate(year: 2026, month: 12, day: 24)!
      claim = try await world.store.perform(
        .returnForDocuments(reason: "补充发票"), on: claim.id, context: context(world, clerk, on: late)
      ).record
      claim = try await world.store.perform(.submit, on: claim.id, context: context(world, clerk, on: late)).record
      #expect(claim.dueOn == nil)
      #expect(claim.deadlineProblem?.zh.contains("2027") == true)
    }
  }

  @Test(arguments: kinds)
  func rejectedClaimsCanBeAppealedOnce(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      var claim = try await world.store.open(
        stay(selfPaid: 300_000, invoice: "INV-R", sheet: "JS-R"), for: world.worker.id, channel: .unit,
        expedited: false, context: context(world, clerk))
      claim = try await attachAll(world, to: claim)
      _ = try await world.store.perform(.submit, on: claim.id, context: context(world, clerk))
      claim = try await world.store.perform(
        .reject(reason: .documentsFalse, note: "发票与医院记录不符"), on: claim.id, context: context(world, approver)
      ).record
      #expect(claim.state == .rejected)
      claim = try await world.store.perform(.appeal(reason: "医院已出具更正说明"), on: claim.id, context: context(world, clerk))
        .record
      #expect(claim.state == .submitted && claim.progress.appealed)
      _ = try await world.store.perform(.review, on: claim.id, context: context(world, clerk))
      claim = try await world.store.perform(.approve, on: claim.id, context: context(world, approver)).record
      #expect(claim.state == .approved)
      #expect(
        try await world.store.history(of: claim.id).map(\.action).suffix(4) == [
          "reject", "appeal", "review", "approve",
        ])
      let rejectedText = try await world.store.outbox(claim: claim.id).first { $0.notice == .rejected }?.text
      #expect(rejectedText?.contains("材料不实") == true)
    }
  }

  /// A claim refused by a rule is replayed by the what-if from the day it was refused, and
  /// counted as now paying under rules that would pay it; an appeal takes it out of the
  /// replay, and a refusal on other grounds never enters it. The what-ifs share kept cases,
  /// as a server's do: each change of the decided claims is in the next what-if.
  @Test(arguments: kinds)
  func aRefusalByTheRulesIsReplayedUntilAppealed(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      // A member in the urban-rural residents' insurance, whom the 2019 rules do not cover.
      try await db.sql.update("workers").set("insurance_type", to: InsuranceType.urbanRuralResident.rawValue)
        .where("id", .equal, world.worker.id.rawValue).run()
      var claim = try await world.store.open(
        stay(selfPaid: 300_000, invoice: "INV-U", sheet: "JS-U"), for: world.worker.id, channel: .window,
        expedited: false, context: context(world, clerk))
      #expect(claim.calculatedTotal == .zero)
      claim = try await attachAll(world, to: claim)
      _ = try await world.store.perform(.submit, on: claim.id, context: context(world, clerk))
      let refusedOn = CalendarDate(year: 2020, month: 4, day: 14)!
      let versionBefore = try await ClaimReplays.version(scheme: "anyang", on: db.database)
      claim = try await world.store.perform(
        .reject(reason: .outsideScope, note: "城乡居民医保不在保障范围"), on: claim.id,
        context: context(world, approver, on: refusedOn)
      ).record
      // The refusal's row came with a new version of the scheme's rows.
      #expect(try await ClaimReplays.version(scheme: "anyang", on: db.database) > versionBefore)
      struct Day: Decodable { let rejected_on: String? }
      #expect(
        try await db.sql.raw("SELECT rejected_on FROM claims WHERE id = \(bind: claim.id.rawValue)")
          .first(decoding: Day.self)?.rejected_on == "2020-04-14")

      // "Admit urban-rural resident insurance": the refusal would now pay, as a new claim would.
      let stored = try #require(try await FluentSchemeStore(database: db.database).scheme(code: "anyang"))
      var admitting = stored.definition
      admitting.products[0].versions[0].eligibility?.insuranceTypes = [.urbanEmployee, .urbanRuralResident]
      let period = try #require(
        ReportPeriod(
          from: CalendarDate(year: 2020, month: 4, day: 14)!, to: CalendarDate(year: 2020, month: 12, day: 31)!))
      let kept = KeptReplayCases()
      func whatIf(_ period: ReportPeriod) async throws -> WhatIf.Result {
        try await Simulation.run(
          changed: admitting, period: period, organisations: nil, database: db.database, kept: kept, today: period.to)
      }
      let admitted = try await whatIf(period)
      #expect(admitted.claims == 1 && admitted.refused == 1)
      #expect(kept.isHolding)
      // The kept cases are used while the scheme's version is the same: with the row taken
      // away behind the store's back, the next what-if still has it; with the version raised
      // (as every change in the store raises it), it has not.
      try await db.sql.raw("DELETE FROM claim_replays").run()
      #expect(try await whatIf(period).claims == 1)
      try await ClaimReplays.changed(scheme: "anyang", on: db.database)
      #expect(try await whatIf(period).claims == 0)
      try await StatisticsAggregates.rebuildReplays(on: db.database)
      #expect(try await whatIf(period).claims == 1)
      #expect(admitted.refusedNowPaying == 1)
      // 1,000 at 30% and 2,000 at 50%.
      #expect(admitted.refusedNowPayingAmount == Money(yuan: 1_300))
      #expect(admitted.before == .zero && admitted.after == Money(yuan: 1_300))
      // Decided on the 14th: a period ending the day before has no such claim.
      let before = try #require(
        ReportPeriod(
          from: CalendarDate(year: 2020, month: 1, day: 1)!, to: CalendarDate(year: 2020, month: 4, day: 13)!))
      #expect(try await whatIf(before).claims == 0)

      // Appealed, the claim is undecided again: out of the replay, and its day of refusal gone.
      _ = try await world.store.perform(.appeal(reason: "已补充参保证明"), on: claim.id, context: context(world, clerk))
      #expect(try await whatIf(period).claims == 0)
      #expect(
        try await db.sql.raw("SELECT rejected_on FROM claims WHERE id = \(bind: claim.id.rawValue)")
          .first(decoding: Day.self)?.rejected_on == nil)
      // Refused again, for false papers: a refusal the rules do not decide is not replayed.
      _ = try await world.store.perform(.review, on: claim.id, context: context(world, clerk))
      _ = try await world.store.perform(
        .reject(reason: .documentsFalse, note: "发票不实"), on: claim.id, context: context(world, approver, on: refusedOn))
      #expect(try await whatIf(period).claims == 0)
      // The rows made again from the records are the same.
      try await StatisticsAggregates.rebuildReplays(on: db.database)
      #expect(try await whatIf(period).claims == 0)
    }
  }

  /// A batch of many members' claims is calculated member by member on both cores; its
  /// numbers and flags still follow the batch's order, as if each claim had been opened before
  /// the next: a member's claim repeating another member's invoice from earlier in the batch is
  /// flagged, the earlier one is not.
  @Test(arguments: kinds)
  func aBatchOfManyMembersKeepsItsOrder(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let unit = try #require(world.worker.unitID)
      let workers = try await FluentRegistryStore(database: db.database).workers(in: unit, page: PageQuery()).items
      try #require(workers.count >= 3)
      // Three stays each, the members taking turns; then the first repeats the third's invoice.
      var requests = (0..<9).map { index in
        ClaimRequest(
          workerID: workers[index % 3].id,
          intake: stay(
            selfPaid: 50_000 + Int64(index), invoice: "M-\(index)", sheet: "MS-\(index)", admitted: (1 + index / 3, 1)),
          channel: .unit)
      }
      requests.append(
        ClaimRequest(
          workerID: workers[0].id, intake: stay(selfPaid: 60_000, invoice: "M-5", sheet: "MS-99", admitted: (3, 15)),
          channel: .unit))
      let opened = try await world.store.open(requests, submitWhenComplete: false, context: context(world, clerk))
      #expect(opened.map(\.number) == (1...10).map { String(format: "LP-ANYANG-2020-%06d", $0) })
      #expect(opened.map(\.workerID) == requests.map(\.workerID))
      #expect(opened.last?.duplicates.map(\.kind) == [.sameInvoice])
      #expect(opened.dropLast().allSatisfy { $0.duplicates.isEmpty })
    }
  }

  /// A file of claims with their scans: complete ones are submitted with their clock, a
  /// repeated invoice inside the file is flagged, and one bad row stops the whole file.
  @Test(arguments: kinds)
  func manyClaimsOpenInOneTransaction(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let scans = ["certificate", "diagnosis", "invoice", "settlement_sheet"].map {
        ClaimRequest.Document(
          kind: $0, fileName: "\($0).pdf", format: .pdf, size: 10, sha256: String(repeating: "c", count: 64))
      }
      let requests = [
        ClaimRequest(
          workerID: world.worker.id, intake: stay(selfPaid: 300_000, invoice: "B-1", sheet: "S-1", admitted: (1, 1)),
          channel: .unit, documents: scans),
        ClaimRequest(
          workerID: world.worker.id, intake: stay(selfPaid: 80_000, invoice: "B-1", sheet: "S-2", admitted: (2, 1)),
          channel: .unit, documents: scans),
        ClaimRequest(
          workerID: world.worker.id, intake: stay(selfPaid: 80_000, invoice: "B-3", sheet: "S-3", admitted: (3, 1)),
          channel: .unit),
      ]
      let opened = try await world.store.open(requests, submitWhenComplete: true, context: context(world, clerk))
      #expect(opened.map(\.state) == [.submitted, .submitted, .draft])
      #expect(opened.map(\.number) == ["LP-ANYANG-2020-000001", "LP-ANYANG-2020-000002", "LP-ANYANG-2020-000003"])
      #expect(opened[1].duplicates.map(\.kind) == [.sameInvoice])
      #expect(opened[0].dueOn == CalendarDate(year: 2020, month: 4, day: 24)!)
      #expect(opened.map(\.calculatedTotal) == [Money(fen: 130_000), Money(fen: 24_000), Money(fen: 24_000)])
      #expect(try await world.store.documents(of: opened[0].id).count == 4)
      #expect(try await world.store.history(of: opened[0].id).map(\.action) == ["open_submit"])
      #expect(try await world.store.history(of: opened[2].id).map(\.action) == ["open"])
      // The queue by amount (ties by number), and narrowed to members or to one number.
      func queue(_ query: ClaimQueueQuery) async throws -> [String] {
        try await world.store.queue(query, page: PageQuery()).items.map(\.number)
      }
      let states: Set<ClaimState> = [.draft, .submitted]
      #expect(
        try await queue(ClaimQueueQuery(states: states, order: .amount))
          == ["LP-ANYANG-2020-000001", "LP-ANYANG-2020-000002", "LP-ANYANG-2020-000003"])
      #expect(
        try await queue(ClaimQueueQuery(states: states, order: .due))
          == ["LP-ANYANG-2020-000001", "LP-ANYANG-2020-000002", "LP-ANYANG-2020-000003"])
      #expect(try await queue(ClaimQueueQuery(states: states, members: [world.worker.id])).count == 3)
      #expect(try await queue(ClaimQueueQuery(states: states, members: [])).isEmpty)
      #expect(
        try await queue(ClaimQueueQuery(states: states, number: "LP-ANYANG-2020-000002")) == ["LP-ANYANG-2020-000002"])
      #expect(try await world.store.outbox(claim: opened[0].id).map(\.notice) == [.submitted])

      let bad = [
        ClaimRequest(
          workerID: world.worker.id, intake: stay(selfPaid: 1, invoice: "B-9", sheet: "S-9"), channel: .unit),
        ClaimRequest(workerID: .init(), intake: stay(selfPaid: 1, invoice: "B-10", sheet: "S-10"), channel: .unit),
      ]
      let refused = await #expect(throws: ValidationFailure.self) {
        try await world.store.open(bad, submitWhenComplete: true, context: self.context(world, self.clerk))
      }
      #expect(refused?.errors.map(\.row) == [2])
      #expect(refused?.errors.first?.field == "claims[1].workerId")
      #expect(
        try await world.store.queue(states: Set(ClaimState.allCases), scheme: nil, narrowedTo: nil, page: PageQuery())
          .total == 3)
    }
  }

  /// Yichun: an accident claim also needs the accident report, and goes through the city
  /// agency, then the provincial office.
  @Test(arguments: kinds)
  func aBenefitCanNeedItsOwnDocumentsAndTwoLevelsApprove(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      _ = try await DemoSeeder.seedIfEmpty(
        database: db.database, hasher: PlainTestHasher(), schemes: try DemoScheme.bundled)
      let registry = FluentRegistryStore(database: db.database)
      let unit = try #require(
        try await registry.units(in: nil, page: PageQuery(per: 200)).items.first { $0.name == "伊春市第一中学" })
      let worker = try #require(try await registry.workers(in: unit.id, page: PageQuery()).items.first)
      let scheme = try #require(try await FluentSchemeStore(database: db.database).scheme(code: "hlj-yichun"))
        .compiled()
      let day = CalendarDate(year: 2022, month: 4, day: 1)!
      func context(_ kind: OrganisationKind, _ name: String) -> ClaimContext {
        ClaimContext(
          actor: ClaimActor(accountID: .init(), name: name, organisationKind: kind), address: nil, today: day,
          scheme: scheme, calendar: .publishedChina)
      }
      let store = FluentClaimStore(database: db.database)
      var claim = try await store.open(
        ClaimIntake(
          event: ClaimEvent(
            accidentDate: CalendarDate(year: 2022, month: 3, day: 1)!, claimDate: day,
            accident: AccidentFacts(outcome: .disability, disabilityGrade: 5))),
        for: worker.id, channel: .window, expedited: false, context: context(.cityAgency, "代办处 张"))
      #expect(claim.calculatedTotal == Money(fen: 1_200_000))  // grade 5: 60% of 20,000
      #expect(claim.progress.missingDocuments.last == "accident_report")
      #expect(claim.progress.requiredLevels == [.cityAgency, .provincialOffice])
      for kind in claim.progress.missingDocuments {
        claim = try await store.attach(
          ClaimDocument(
            claimID: claim.id, kind: kind, fileName: kind, format: .png, size: 1,
            sha256: String(repeating: "e", count: 64),
            uploadedBy: "张", uploadedAt: Date()), to: claim.id, context: context(.cityAgency, "代办处 张"))
      }
      _ = try await store.perform(.submit, on: claim.id, context: context(.cityAgency, "代办处 张"))
      claim = try await store.perform(.review, on: claim.id, context: context(.cityAgency, "代办处 张")).record
      // Three working days (Yichun's promise) from Friday 2022-04-01, over Qingming (3–5 April,
      // with Saturday 2 April worked): 2, 6 and 7 April.
      #expect(claim.dueOn == CalendarDate(year: 2022, month: 4, day: 7)!)
      claim = try await store.perform(.approve, on: claim.id, context: context(.cityAgency, "代办处 王")).record
      #expect(claim.state == .reviewed && claim.progress.nextLevel == .provincialOffice)
      claim = try await store.perform(.approve, on: claim.id, context: context(.provincialOffice, "办事处 赵")).record
      #expect(claim.state == .approved && claim.approvedTotal == Money(fen: 1_200_000))
    }
  }

  /// An approval appealed before payment gives its share of the cap back: another claim of the
  /// member can then use it, and the appealed claim is judged again against what is left.
  @Test(arguments: kinds)
  func anAppealedApprovalGivesItsCapBack(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      var ids: [ClaimRecord.ID] = []
      for (index, month) in [1, 2].enumerated() {
        var claim = try await world.store.open(
          stay(selfPaid: 20_000_000, invoice: "AP-\(index)", sheet: "APJ-\(index)", admitted: (month, 1)),
          for: world.worker.id, channel: .window, expedited: false, context: context(world, clerk))
        claim = try await attachAll(world, to: claim)
        _ = try await world.store.perform(.submit, on: claim.id, context: context(world, clerk))
        _ = try await world.store.perform(.review, on: claim.id, context: context(world, clerk))
        ids.append(claim.id)
      }
      let first = try await world.store.perform(.approve, on: ids[0], context: context(world, approver)).record
      #expect(first.approvedTotal == Money(fen: 9_980_000))
      let appealed = try await world.store.perform(
        .appeal(reason: "应先支付第二次住院"), on: ids[0], context: context(world, clerk)
      ).record
      #expect(appealed.state == .submitted && appealed.approvedTotal == nil)
      let second = try await world.store.perform(.approve, on: ids[1], context: context(world, approver)).record
      #expect(second.approvedTotal == Money(fen: 9_980_000))
      _ = try await world.store.perform(.review, on: ids[0], context: context(world, clerk))
      let again = try await world.store.perform(.approve, on: ids[0], context: context(world, approver)).record
      #expect(again.approvedTotal == Money(fen: 20_000))
    }
  }

  @Test(arguments: kinds)
  func holidayYearsAreEditable(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentClaimStore(database: db.database)
      let year = HolidayYear(
        year: 2027, daysOff: [CalendarDate(year: 2027, month: 1, day: 1)!], workingWeekendDays: [], source: "通知")
      try await store.save(year, by: "admin")
      try await store.save(year, by: "admin")
      #expect(try await store.holidayYears() == [year])
      let bad = HolidayYear(
        year: 2027, daysOff: [], workingWeekendDays: [CalendarDate(year: 2027, month: 1, day: 4)!], source: "")
      await #expect(throws: ValidationFailure.self) { try await store.save(bad, by: "admin") }
    }
  }
}

extension ClaimStoreContractTests {
  /// A claim belongs to the member's unit and its organisation node: a store bound to another
  /// area's scope neither sees it nor acts on it, and cannot open one for that area's workers.
  @Test(arguments: kinds)
  func claimsStayInsideTheScopeThatOwnsThem(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await world(db)
      let claim = try await world.store.open(
        stay(selfPaid: 300_000, invoice: "INV-S1", sheet: "JS-S1"), for: world.worker.id, channel: .window,
        expedited: false, context: context(world, clerk))
      let organisations = try await FluentRegistryStore(database: db.database).organisations()
      let anyang = try #require(organisations.first { $0.code == "HA-AY" })
      #expect(claim.organisationID == anyang.id)
      #expect(claim.unitID == world.worker.unitID)
      let wenfeng = try #require(organisations.first { $0.code == "HA-AY-WF" })
      let harbin = try #require(organisations.first { $0.code == "HLJ" })
      let city = FluentClaimStore(
        database: db.database, scope: .organisations(OrganisationTree.subtreeIDs(of: anyang.id, in: organisations)))
      let county = FluentClaimStore(
        database: db.database, scope: .organisations(OrganisationTree.subtreeIDs(of: wenfeng.id, in: organisations)))
      let province = FluentClaimStore(
        database: db.database, scope: .organisations(OrganisationTree.subtreeIDs(of: harbin.id, in: organisations)))
      let ownUnit = FluentClaimStore(database: db.database, scope: .unit(world.worker.unitID!))

      #expect(try await city.claim(claim.id)?.number == claim.number)
      #expect(try await ownUnit.claim(number: claim.number)?.id == claim.id)
      for outsider in [county, province] {
        #expect(try await outsider.claim(claim.id) == nil)
        #expect(try await outsider.claim(number: claim.number) == nil)
        #expect(try await outsider.claims(worker: world.worker.id).isEmpty)
        #expect(try await outsider.history(of: claim.id).isEmpty)
        #expect(
          try await outsider.queue(states: Set(ClaimState.allCases), scheme: nil, narrowedTo: nil, page: PageQuery())
            .total == 0)
        #expect(
          try await outsider.queue(
            ClaimQueueQuery(states: Set(ClaimState.allCases), members: [world.worker.id], number: claim.number),
            page: PageQuery()
          ).total == 0)
        #expect(try await outsider.summary(today: today) == ClaimSummary())
        await #expect(throws: ValidationFailure.self) {
          _ = try await outsider.perform(.submit, on: claim.id, context: context(world, clerk))
        }
        await #expect(throws: ValidationFailure.self) {
          _ = try await outsider.open(
            stay(selfPaid: 100_000, invoice: "INV-S2", sheet: "JS-S2"), for: world.worker.id, channel: .window,
            expedited: false, context: context(world, clerk))
        }
      }
      #expect(try await city.summary(today: today)[.draft] == 1)
      #expect(try await world.store.claim(claim.id)?.state == .draft)
    }
  }
}
