import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// A member's registered account that a returned transfer went to.
struct ReturnedAccount: Hashable {
  let worker: UUID
  let account: String
}

extension FluentClaimStore {
  /// Records the bank's return of a line already marked paid (退汇), in one transaction: the
  /// return beside the line, the fund's reversal of the payment's entries (into the open
  /// period if the payment's has closed), the claim back in the payment queue with its
  /// approval and caps standing, and the statistics without the payment. The member's account
  /// then keeps their claims out of batches until it is corrected. Recording it again changes
  /// nothing (`recorded` is then false).
  public func returnPayment(
    _ id: ClaimRecord.ID, in batchID: PaymentBatch.ID, reason: String, context: ClaimContext
  ) async throws -> (batch: PaymentBatch, recorded: Bool) {
    let reason = try PaymentReturn.checkReason(reason)
    return try await mappingClosedPeriod {
      try await database.writeTransaction { transaction in
        let (row, current, line) = try await lockedLine(id, in: batchID, on: transaction)
        let lineID = try line.requireID()
        if try await PaymentReturnModel.query(on: transaction).filter(\.$lineID == lineID).count() > 0 {
          return (try await Self.batch(batchID, on: transaction)!, false)
        }
        guard line.amount > 0 else {
          throw ValidationFailure([
            FieldError(
              field: "claimId", code: "nothing_transferred",
              message: LocalizedText(
                zh: "该笔款项全额抵扣追回款，未经银行转账，不能登记退汇",
                en: "this line was wholly withheld towards a recovery: the bank transferred nothing to return"))
          ])
        }
        guard line.status == PaymentBatch.Line.Status.paid.rawValue else {
          throw ValidationFailure([
            FieldError(
              field: "claimId", code: "not_paid",
              message: LocalizedText(
                zh: "只有已登记支付成功的款项才能登记退汇；未到账的请登记支付失败",
                en: "only a line marked paid can be returned; mark a transfer that never arrived as failed"))
          ])
        }
        // The money of a claim being recovered is accounted for by the recovery: a return
        // now would credit the fund twice.
        guard try await RecoveryModel.query(on: transaction).filter(\.$claimID == id.rawValue).count() == 0 else {
          throw ValidationFailure([
            FieldError(
              field: "claimId", code: "recovery_open",
              message: LocalizedText(
                zh: "该申请已在追回中：退回的款项请登记为追回收款", en: "the claim is being recovered: record the money as a repayment"))
          ])
        }
        var record = current
        let from = record.state
        switch ClaimWorkflow.apply(.markReturnedByBank(reason: reason), to: &record.progress, by: context.actor) {
        case .success: break
        case .failure(let refusal):
          throw ValidationFailure([FieldError(field: "claimId", code: refusal.code, message: refusal.message)])
        }
        let paidOn = record.paidOn ?? context.today
        let payments = try await Self.standingPayments(of: record, on: transaction)
        let reversals = try FundLedgerRules.reversals(
          of: payments, scheme: context.scheme,
          closed: try await FluentFundStore.closedVersions(scheme: record.schemeCode, on: transaction),
          postedOn: context.today, memo: "退汇 \(record.number)")
        try await PaymentReturnModel(
          PaymentReturn(
            claimID: id, batchID: batchID, claimNumber: record.number, bankAccount: line.bankAccount,
            amount: Money(fen: line.amount), reason: reason, returnedOn: context.today, recordedBy: context.actor.name),
          line: lineID, worker: row.workerID, organisation: row.organisationID, scheme: row.schemeCode
        ).create(on: transaction)
        for entry in reversals { try await FundEntryModel(entry).create(on: transaction) }
        try await Self.undoOffsets(of: line, claim: record, context: context, on: transaction)

        record.paidOn = nil
        try row.update(from: record)
        row.batchID = nil
        try await row.update(on: transaction)
        let sql = transaction.sqlDatabase
        // The payment's statistics go with it: the claim counts as paid again when it is.
        try await sql.raw("UPDATE claims SET paid_working_days = NULL WHERE id = \(bind: id.rawValue)").run()
        try await sql.raw("DELETE FROM claim_payouts WHERE claim_id = \(bind: id.rawValue)").run()
        try await sql.raw("DELETE FROM \(ident: ClaimReplays.table) WHERE id = \(bind: id.rawValue)").run()
        try await StatisticsAggregates.refreshPaid(
          worker: row.workerID, organisationID: row.organisationID, schemeCode: row.schemeCode, day: paidOn,
          on: transaction)
        try await Self.notify(record, .paymentReturned, note: reason, on: transaction)
        try await Self.log(
          record, action: "payment_returned", from: from, note: reason, context: context, on: transaction)
        return (try await Self.batch(batchID, on: transaction)!, true)
      }
    }
  }

  /// The returns recorded for a claim, oldest first.
  public func returns(of claim: ClaimRecord.ID) async throws -> [PaymentReturn] {
    guard try await ClaimModel.query(on: database).filter(\.$id == claim.rawValue).scoped(scope).count() > 0 else {
      return []
    }
    return try await PaymentReturnModel.query(on: database).filter(\.$claimID == claim.rawValue).sort(\.$createdAt)
      .all().map { try $0.domain() }
  }

  /// The returns of a member's transfers, newest first (the member must be in scope).
  public func returns(worker: Worker.ID) async throws -> [PaymentReturn] {
    // By the claims in scope, not by the worker: a member who moved keeps the returns of
    // claims another federation owns out of this one's sight.
    let claims = try await ClaimModel.query(on: database).filter(\.$workerID == worker.rawValue).scoped(scope)
      .all(\.$id)
    guard !claims.isEmpty else { return [] }
    return try await PaymentReturnModel.query(on: database).filter(\.$claimID ~~ claims)
      .sort(\.$createdAt, .descending).all().map { try $0.domain() }
  }

  /// The accounts of `workers` that a returned transfer went to.
  static func returnedAccounts(of workers: Set<UUID>, on database: any Database) async throws -> Set<ReturnedAccount> {
    guard !workers.isEmpty else { return [] }
    return Set(
      try await PaymentReturnModel.query(on: database).filter(\.$workerID ~~ Array(workers)).all().map {
        ReturnedAccount(worker: $0.workerID, account: $0.bankAccount)
      })
  }

}
