import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing

/// Random sequences of claims, batches, the bank's answers and returns, account corrections,
/// payments voided (four eyes) and paid again, members' cover withdrawn and their contributions
/// refunded and transferred, recoveries opened and repaid in parts, and a period's close, on
/// every database: after every step the ledger balances (contributions − refunds − claims paid
/// + reversals + recoveries), each claim has left the fund exactly once if it is paid and not
/// at all otherwise, each payment is in the fund once unless voided, each refund has left it
/// once and no bill has given back more than it took, what came back on a recovery is in the
/// fund once and never more than was due, a closed period never changes, and no cap ledger is
/// negative.
extension ClaimStoreContractTests {
  enum Step: CaseIterable {
    case openClaim, makeBatch, answerPaid, answerFailed, bankReturn, correctAccount, closePeriod, voidPayment, payBill
    case openRecovery, repay, withdrawMember, transferRefund
  }

  @Test(arguments: kinds, [7, 5])
  func theLedgerHoldsOverRandomCorrections(kind: TestDatabaseKind, seed: UInt64) async throws {
    try await withMigratedDatabase(kind) { db in
      var random = SplitMix64(seed: seed)
      let world = try await world(db)
      let store = world.store
      let registry = FluentRegistryStore(database: db.database)
      let unit = try #require(
        try await registry.units(in: nil, page: PageQuery(per: 200)).items.first { $0.name == "河南安彩高科股份有限公司" })
      let workers = try await registry.workers(in: unit.id, page: PageQuery(per: 20)).items
      #expect(workers.count >= 3)
      for (index, worker) in workers.enumerated() {
        try await db.sql.update("workers").set("bank_name", to: "中国银行安阳分行")
          .set("bank_account", to: "62166102000\(String(format: "%08d", index))").where(
            "id", .equal, worker.id.rawValue
          )
          .run()
      }
      var day = CalendarDate(year: 2020, month: 4, day: 10)!
      var claims: [ClaimRecord.ID] = []
      var closedBalance: FundBalance?
      var done: [Step: Int] = [:]
      var invoice = 0

      func lines(_ status: PaymentBatch.Line.Status, returned: Bool) async throws -> [(PaymentBatch.ID, ClaimRecord.ID)]
      {
        var found: [(PaymentBatch.ID, ClaimRecord.ID)] = []
        for batch in try await store.batches(page: PageQuery(per: 100)).items {
          for line in batch.lines where line.status == status && (line.returned != nil) == returned {
            found.append((batch.id, line.claimID))
          }
        }
        return found
      }

      // Claims, batches and answers often; a close only in the second half, so that it meets
      // both unsettled claims (refused) and a settled period.
      let weighted: [Step] = [
        .openClaim, .openClaim, .openClaim, .makeBatch, .makeBatch, .makeBatch, .answerPaid, .answerPaid, .answerPaid,
        .answerFailed, .bankReturn, .bankReturn, .correctAccount, .voidPayment, .payBill, .payBill, .openRecovery,
        .repay, .repay, .withdrawMember, .transferRefund,
      ]
      let enrollments = FluentEnrollmentStore(database: db.database)
      let bills = try await enrollments.bills(unit: unit.id).map(\.id)
      // Members whose cover may be withdrawn: another Anyang unit's, not those the claims are
      // made for.
      var otherBills: [Bill.ID] = []
      var others: [Enrollment] = []
      for candidate in try await registry.units(in: nil, page: PageQuery(per: 200)).items where candidate.id != unit.id
      {
        otherBills = try await enrollments.bills(unit: candidate.id).filter { $0.schemeCode == "anyang" }.map(\.id)
        for bill in otherBills { others += try await enrollments.enrollments(bill: bill) }
        if others.count >= 4 { break }
      }
      #expect(others.count >= 4)
      for index in 0..<96 {
        // A void before any claim uses the cover (afterwards most are refused, rightly), then
        // the bill paid again.
        let step: Step =
          switch index {
          case 0: .voidPayment
          case 1: .payBill
          case let later where later >= 32 && later % 8 == 0: .closePeriod
          // A recovery and repayments in each half, whatever the draw.
          case 28, 52, 76: .openRecovery
          case 29, 30, 53, 54, 77, 78: .repay
          case 18, 19, 42, 66: .bankReturn
          // Cover withdrawn before and after the close (its refunds then go to the next period).
          case 10, 60: .withdrawMember
          case 11, 61: .transferRefund
          default: weighted.randomElement(using: &random)!
          }
        let at = context(world, clerk, on: day)
        do {
          switch step {
          case .openClaim:
            invoice += 1
            let worker = workers.randomElement(using: &random)!
            let fen = Int64.random(in: 50_000...900_000, using: &random)
            var claim = try await store.open(
              stay(selfPaid: fen, invoice: "P-\(invoice)", sheet: "PS-\(invoice)", admitted: (3, invoice % 20 + 1)),
              for: worker.id, channel: .window, expedited: false, context: at)
            for kind in claim.progress.missingDocuments {
              claim = try await store.attach(
                ClaimDocument(
                  claimID: claim.id, kind: kind, fileName: "\(kind).pdf", format: .pdf, size: 10,
                  sha256: String(repeating: "c", count: 64), uploadedBy: "clerk", uploadedAt: Date()),
                to: claim.id, context: at)
            }
            claim = try await store.perform(.submit, on: claim.id, context: at).record
            claim = try await store.perform(.review, on: claim.id, context: at).record
            claim = try await store.perform(.approve, on: claim.id, context: context(world, approver, on: day)).record
            claims.append(claim.id)
          case .makeBatch:
            _ = try await store.createBatch(scheme: "anyang", context: at)
          case .answerPaid, .answerFailed:
            guard let (batch, claim) = try await lines(.pending, returned: false).randomElement(using: &random) else {
              continue
            }
            _ = try await store.settle(
              claim, in: batch, paid: step == .answerPaid, note: step == .answerPaid ? "BOC" : "户名不符", context: at)
          case .bankReturn:
            guard let (batch, claim) = try await lines(.paid, returned: false).randomElement(using: &random) else {
              continue
            }
            _ = try await store.returnPayment(claim, in: batch, reason: "账户冻结", context: at)
          case .correctAccount:
            let worker = workers.randomElement(using: &random)!
            try await db.sql.update("workers")
              .set("bank_account", to: "6228\(UInt32.random(in: 10_000_000...99_999_999, using: &random))0000")
              .where("id", .equal, worker.id.rawValue).run()
          case .voidPayment:
            let payments = try await enrollments.payments(bills: bills).values.flatMap { $0 }
            let live = try await enrollments.corrections(ofPayments: payments.map(\.id))
            guard let payment = payments.filter({ live[$0.id] == nil }).randomElement(using: &random) else { continue }
            let asked = try await enrollments.requestVoid(
              of: payment.id, reason: "记错", by: CorrectionActor(accountID: clerk.accountID, name: clerk.name), on: day,
              scheme: world.scheme)
            _ = try await enrollments.decide(
              asked.id, approve: true, note: nil,
              by: CorrectionActor(accountID: approver.accountID, name: approver.name),
              on: day, scheme: world.scheme)
          case .payBill:
            var owing: [Bill] = []
            for id in bills {
              if let bill = try await enrollments.bill(id), !bill.outstanding.isEmpty { owing.append(bill) }
            }
            guard let bill = owing.randomElement(using: &random) else { continue }
            // Every part owed, recorded with the day the money really came (the bill's day, as
            // a supervisor may enter it), so the cover runs as it did before the void.
            for part in bill.outstanding {
              _ = try await enrollments.record(
                PaymentRequest(
                  payer: part.payer, payerName: part.payerName, amount: part.amount, paidOn: bill.issuedOn,
                  reference: "BANK-\(day)"),
                on: bill.id, recordedBy: "窗口", idempotencyKey: nil, scheme: world.scheme)
            }
          case .openRecovery:
            var paid: [ClaimRecord] = []
            for id in claims {
              if let claim = try await store.claim(id), claim.state == .paid,
                try await store.recovery(ofClaim: id) == nil
              {
                paid.append(claim)
              }
            }
            guard let claim = paid.randomElement(using: &random) else { continue }
            let id = claim.id
            // Half of them for the whole payment, half for a part (an overpayment).
            let part = (claim.approvedTotal?.fen ?? 0) / 3
            _ = try await store.openRecovery(
              of: id, amount: Bool.random(using: &random) && part > 0 ? Money(fen: part) : nil,
              reason: .duplicate, note: "同一住院已由其他申请支付", context: context(world, approver, on: day))
          case .repay:
            guard
              let recovery = try await store.recoveries(status: .open, page: PageQuery(per: 100)).items
                .randomElement(using: &random)
            else { continue }
            // Sometimes more than is owed (refused), sometimes a reference sent twice (nothing).
            let fen = Int64.random(in: 1...(recovery.outstanding.fen + 5_000), using: &random)
            let reference = Bool.random(using: &random) ? "HK-\(index)" : "HK-\(index - 1)"
            _ = try await store.recordRepayment(
              recovery.id, amount: Money(fen: fen), reference: reference, context: at)
          case .withdrawMember:
            guard let member = others.randomElement(using: &random) else { continue }
            let asked = try await enrollments.requestWithdrawal(
              .enrollmentVoid, certificate: member.certificateNumber, reason: "录错人员", refundAccount: nil,
              by: CorrectionActor(accountID: clerk.accountID, name: clerk.name), on: day, scheme: world.scheme)
            _ = try await enrollments.decide(
              asked.id, approve: true, note: nil,
              by: CorrectionActor(accountID: approver.accountID, name: approver.name), on: day, scheme: world.scheme)
          case .transferRefund:
            guard let refund = try await enrollments.refundsDue().randomElement(using: &random) else { continue }
            // Sometimes a reference sent twice (nothing), sometimes another (refused).
            for reference in ["TF-\(index)", Bool.random(using: &random) ? "TF-\(index)" : "TF-X"] {
              _ = try await enrollments.markRefundPaid(refund.id, reference: reference, by: "财务", on: day)
            }
          case .closePeriod:
            _ = try await FluentFundStore(database: db.database).close(
              scheme: world.scheme, version: "2019", reference: "结账", closedOn: day, closedBy: "财务")
            closedBalance = try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang")
              .first { $0.versionLabel == "2019" }
          }
          done[step, default: 0] += 1
        } catch is ValidationFailure {
          // A refusal (nothing to pay, claims unsettled, a closed period): it must leave the
          // ledger as it was, which the checks below see.
        }
        day = day.adding(days: 1)
        try await expectLedgerBalances(db)
        try await expectEachClaimPaidOnceAtMost(claims, db)
        try await expectEachPaymentInTheFundUnlessVoided(bills, db)
        try await expectEachRecoveryInTheFundOnce(store, db)
        try await expectEachRefundInTheFundOnce(bills + otherBills, db)
        if let closedBalance {
          let now = try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "anyang")
            .first { $0.versionLabel == "2019" }
          #expect(now == closedBalance)
        }
        // No cap ledger is negative, in its amount column or in any figure of its history.
        struct LedgerRow: Decodable {
          let paid_amount: Int64
          let history: String
        }
        for row in try await db.sql.select().columns("paid_amount", "history").from("benefit_ledger")
          .all(decoding: LedgerRow.self)
        {
          let history = try JSONDecoder().decode(BenefitHistory.self, from: Data(row.history.utf8))
          #expect(row.paid_amount >= 0 && row.paid_amount == history.paidAmount.fen)
          #expect(history.paidClaims >= 0 && history.stays >= 0 && history.allowanceDays >= 0)
          #expect(history.accidentSumPaid.fen >= 0)
        }
      }
      // Seed 5 draws debts withheld from later transfers and a return undoing one: every kind
      // of money towards a recovery is in its sequence.
      if seed == 5 {
        struct Count: Decodable { let n: Int64 }
        let kinds = try await db.sql.raw("SELECT COUNT(DISTINCT kind) AS n FROM recovery_repayments")
          .first(decoding: Count.self)?.n
        #expect(kinds == Int64(RecoveryRepayment.Kind.allCases.count))
      }
      // The sequence did real work, not only refusals.
      for step in [
        Step.openClaim, .makeBatch, .answerPaid, .bankReturn, .voidPayment, .openRecovery, .repay, .withdrawMember,
        .transferRefund,
      ] {
        #expect(done[step, default: 0] > 0, "\(step) never succeeded: \(done)")
      }
    }
  }

  /// What came back on each recovery is in the fund once, by its repayments' sources, and never
  /// more than was due.
  func expectEachRecoveryInTheFundOnce(
    _ store: FluentClaimStore, _ db: MigratedDatabase, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws {
    struct Row: Decodable {
      let source_id: String
      let amount: Int64
    }
    let rows = try await db.sql.select().columns("source_id", "amount").from("fund_entries")
      .where("kind", .equal, "recovery").all(decoding: Row.self)
    let recoveries = try await store.recoveries(status: nil, page: PageQuery(per: PageQuery.maximumPerPage)).items
    var credited: Int64 = 0
    for recovery in recoveries {
      #expect(recovery.recovered <= recovery.amountDue, sourceLocation: sourceLocation)
      var sum: Int64 = 0
      for repayment in try await store.repayments(of: recovery.id) {
        let entries = rows.filter { $0.source_id.hasPrefix("recovery:\(repayment.id):") }
        #expect(entries.reduce(0) { $0 + $1.amount } == repayment.amount.fen, sourceLocation: sourceLocation)
        sum += repayment.amount.fen
      }
      #expect(sum == recovery.recovered.fen, sourceLocation: sourceLocation)
      credited += sum
    }
    #expect(rows.reduce(0) { $0 + $1.amount } == credited, sourceLocation: sourceLocation)
  }

  /// Each refund has left the fund once, by its own entry, and no bill has given back more than
  /// its payers paid (what it still counts as paid is never negative, and never above its due).
  func expectEachRefundInTheFundOnce(
    _ bills: [Bill.ID], _ db: MigratedDatabase, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws {
    struct Row: Decodable {
      let source_id: String
      let amount: Int64
    }
    let entries = try await db.sql.select().columns("source_id", "amount").from("fund_entries")
      .where("kind", .equal, "refund").all(decoding: Row.self)
    struct Refunded: Decodable {
      let id: UUID
      let amount: Int64
    }
    let refunds = try await db.sql.select().columns("id", "amount").from("refunds").all(decoding: Refunded.self)
    #expect(entries.count == refunds.count, sourceLocation: sourceLocation)
    for refund in refunds {
      #expect(
        entries.filter { $0.source_id == "refund:\(refund.id.uuidString.lowercased())" }.map(\.amount) == [
          -refund.amount
        ],
        sourceLocation: sourceLocation)
    }
    let enrollments = FluentEnrollmentStore(database: db.database)
    for id in bills {
      let bill = try #require(try await enrollments.bill(id))
      #expect(bill.paid.allSatisfy { $0.amount.fen > 0 }, sourceLocation: sourceLocation)
      #expect(bill.totalPaid <= bill.totalDue, "\(bill.number)", sourceLocation: sourceLocation)
    }
  }

  /// A payment standing is in the fund once (its posting); a voided one nets to nothing.
  func expectEachPaymentInTheFundUnlessVoided(
    _ bills: [Bill.ID], _ db: MigratedDatabase, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws {
    let enrollments = FluentEnrollmentStore(database: db.database)
    let payments = try await enrollments.payments(bills: bills).values.flatMap { $0 }
    let corrections = try await enrollments.corrections(ofPayments: payments.map(\.id))
    struct Row: Decodable {
      let source_id: String
      let amount: Int64
    }
    let rows = try await db.sql.select().columns("source_id", "amount").from("fund_entries")
      .where("kind", .in, ["contribution", "subsidy", "reversal"]).all(decoding: Row.self)
    var net: [String: Int64] = [:]
    for row in rows { net[row.source_id.replacingOccurrences(of: "void:", with: ""), default: 0] += row.amount }
    for payment in payments {
      let voided = corrections[payment.id]?.status == .applied
      #expect(
        net[payment.id.description, default: 0] == (voided ? 0 : payment.amount.fen), "\(payment.receiptNumber)",
        sourceLocation: sourceLocation)
    }
  }

  /// A paid claim has left the fund exactly its approved amount, net of returns; any other
  /// claim nothing.
  func expectEachClaimPaidOnceAtMost(
    _ claims: [ClaimRecord.ID], _ db: MigratedDatabase, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws {
    struct Row: Decodable {
      let source_id: String
      let amount: Int64
    }
    let rows = try await db.sql.select().columns("source_id", "amount").from("fund_entries")
      .where("kind", .in, ["claim_payment", "reversal"]).all(decoding: Row.self)
    for id in claims {
      let claim = try #require(try await FluentClaimStore(database: db.database).claim(id))
      let net = -rows.filter { $0.source_id.contains(id.description) }.reduce(0) { $0 + $1.amount }
      let expected = claim.state == .paid ? claim.approvedTotal?.fen ?? 0 : 0
      #expect(net == expected, "\(claim.number) \(claim.state)", sourceLocation: sourceLocation)
    }
  }
}
