import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet

/// Payment batches: every approved claim of a scheme sent to the bank together, the bank file,
/// and the bank's answer line by line. A batch belongs to the node of whoever made it; another
/// area's batch, and its bank file, do not exist for the actor.
public struct Payments: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var contexts: ClaimContexts { ClaimContexts(services: services, actor: actor) }

  /// What the payments page shows: the batches a page at a time, the schemes a batch may be
  /// made for, and how many approved claims wait.
  public struct Overview: Sendable {
    public let batches: PagedResult<PaymentBatch>
    public let schemes: [StoredScheme]
    public let approved: Int
  }

  public func overview(page: PageQuery) async throws -> Overview {
    try actor.require(.managePayments)
    let schemes = try await schemeStore.schemes()
    return Overview(
      batches: try await claimStore.batches(page: page), schemes: schemes,
      approved: try await claimStore.summary(today: services.today)[.approved])
  }

  /// Puts every approved claim of the scheme (in the actor's area) into a new batch.
  public func createBatch(scheme code: String) async throws -> PaymentBatch {
    try actor.require(.managePayments)
    return try await claimStore.createBatch(scheme: code, context: try await contexts.context(scheme: code))
  }

  /// A batch with its payees' names and bank accounts: reading it is audited.
  public func batch(_ id: PaymentBatch.ID) async throws -> PaymentBatch {
    let batch = try await found(id)
    try await audit.record(
      .personalDataView, subject: "payment_batch:\(id)",
      detail: "\(batch.number): \(batch.lines.count) payees' names and bank accounts")
    return batch
  }

  private func found(_ id: PaymentBatch.ID) async throws -> PaymentBatch {
    try actor.require(.managePayments)
    guard let batch = try await claimStore.batch(id) else { throw UseCaseError.notFound }
    return batch
  }

  /// The bank's answer for one line: paid (the money posts to the fund) or failed (the claim
  /// goes back to the queue). Repeating an answer changes nothing.
  public func settle(_ claim: ClaimRecord.ID, in batch: PaymentBatch.ID, paid: Bool, note: String?) async throws
    -> PaymentBatch
  {
    let found = try await self.found(batch)
    return try await claimStore.settle(
      claim, in: batch, paid: paid, note: note, context: try await contexts.context(scheme: found.schemeCode))
  }

  /// Every line still waiting for the bank's answer recorded paid, in one transaction: for a
  /// bank that confirms a whole batch at once. Lines already answered keep their answer.
  public func settleAllPending(_ id: PaymentBatch.ID) async throws -> (batch: PaymentBatch, settled: Int) {
    let found = try await self.found(id)
    let pending = found.lines.filter { $0.status == .pending }
    guard !pending.isEmpty else { return (found, 0) }
    let updated = try await claimStore.settle(
      pending.map { PaymentAnswer(claimID: $0.claimID, paid: true, note: nil) }, in: id,
      context: try await contexts.context(scheme: found.schemeCode))
    try await audit.record(
      .dataChange, subject: "payment_batch:\(id)",
      detail:
        "\(found.number): \(pending.count) lines marked paid at once, total \(pending.reduce(Money.zero) { $0 + $1.amount }.decimalString)"
    )
    return (updated, pending.count)
  }

  /// Keeps the bank's answer file for a batch by its SHA-256 between its check and its
  /// recording (nothing is kept for a batch the actor cannot see).
  public func keepAnswerFile(_ bytes: Data, for batch: PaymentBatch.ID) async throws -> String {
    _ = try await found(batch)
    return try await Documents(services).keepSheet(
      bytes, empty: LocalizedText(zh: "请选择银行回盘文件（XLSX 或 CSV）", en: "choose the bank's answer file"))
  }

  /// A kept answer file read against the batch: what each row would record.
  public func answerPlan(_ id: PaymentBatch.ID, file: String) async throws -> (
    batch: PaymentBatch, plan: BankAnswerPlan
  ) {
    let batch = try await found(id)
    let bytes = try Documents(services).kept(file)
    let cells = try RosterImports.sheet(bytes, limits: services.limits.sheet).rosterCells
    return (batch, BankAnswerReader.plan(cells, batch: batch))
  }

  /// Records a kept answer file: read again against the batch as it is now, and recorded only
  /// if every row is in order, all in one transaction. Recording the same file again changes
  /// nothing.
  public func applyAnswers(_ id: PaymentBatch.ID, file: String) async throws
    -> (batch: PaymentBatch, plan: BankAnswerPlan)
  {
    let (batch, plan) = try await answerPlan(id, file: file)
    guard plan.canApply else {
      let errors =
        plan.fileErrors.isEmpty
        ? [
          FieldError(
            field: "file", code: plan.errorCount > 0 ? "rows_in_error" : "nothing_to_record",
            message: plan.errorCount > 0
              ? LocalizedText(
                zh: "文件有 \(plan.errorCount) 行有误，未登记任何结果",
                en: "\(plan.errorCount) rows are in error; nothing was recorded")
              : LocalizedText(zh: "文件中的结果都已登记过", en: "every answer in the file is already recorded"))
        ] : plan.fileErrors
      throw ValidationFailure(errors)
    }
    let updated = try await claimStore.settle(
      plan.answers, in: id, context: try await contexts.context(scheme: batch.schemeCode))
    let paid = plan.count { $0 == .paid }
    let failed = plan.count { if case .failed = $0 { true } else { false } }
    try await audit.record(
      .dataChange, subject: "payment_batch:\(id)",
      detail:
        "\(batch.number): bank answer file \(file.prefix(16)): \(paid.lines) paid (\(paid.total.decimalString)), \(failed.lines) failed, \(plan.confirmedWithFile.count) withheld lines confirmed"
    )
    try await Documents(services).forget(file)
    return (updated, plan)
  }

  /// The bank sent back a transfer it had confirmed (退汇), with its reason: the fund takes the
  /// money back, the claim waits for the next batch, and the member's account stays out of
  /// batches until it is corrected. Recording it twice changes nothing.
  public func returnPayment(_ claim: ClaimRecord.ID, in batch: PaymentBatch.ID, reason: String) async throws
    -> PaymentBatch
  {
    try await returnPayment(claim, in: try await found(batch), reason: reason)
  }

  private func returnPayment(_ claim: ClaimRecord.ID, in found: PaymentBatch, reason: String) async throws
    -> PaymentBatch
  {
    let batch = found.id
    let (updated, recorded) = try await claimStore.returnPayment(
      claim, in: batch, reason: reason, context: try await contexts.context(scheme: found.schemeCode))
    if recorded, let line = updated.lines.first(where: { $0.claimID == claim }), let returned = line.returned {
      try await audit.record(
        .dataChange, subject: "payment_batch:\(batch)",
        detail: "\(line.claimNumber) returned by the bank (\(returned.amount.decimalString)): \(returned.reason)")
    }
    return updated
  }

  /// The same, by the numbers a bank's return list quotes: the batch's and the claim's.
  public func returnPayment(claimNumber: String, batchNumber: String, reason: String) async throws -> PaymentBatch {
    try actor.require(.managePayments)
    guard let batch = try await claimStore.batch(number: batchNumber),
      let line = batch.lines.first(where: {
        $0.claimNumber == claimNumber.trimmingCharacters(in: .whitespaces).uppercased()
      })
    else { throw UseCaseError.notFound }
    return try await returnPayment(line.claimID, in: batch, reason: reason)
  }

  public enum BankFileFormat: String, Sendable, CaseIterable {
    case csv, xlsx

    public var contentType: String {
      switch self {
      case .csv: "text/csv; charset=utf-8"
      case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
      }
    }
  }

  /// The bank transfer file: CSV (UTF-8 with BOM, which Excel and bank portals read) or XLSX.
  /// Reading it changes nothing, so it can be exported again at will.
  public func bankFile(_ id: PaymentBatch.ID, format: BankFileFormat) async throws -> (name: String, data: Data) {
    let batch = try await found(id)
    let data =
      switch format {
      case .csv: BankTransferFile.csv(batch)
      case .xlsx: try BankTransferFile.xlsx(batch)
      }
    try await audit.record(
      .export, subject: "payment_batch:\(id)",
      detail:
        "bank file \(batch.number).\(format.rawValue): \(batch.lines.count) payees, total \(batch.total.decimalString)")
    return ("\(batch.number).\(format.rawValue)", data)
  }
}
