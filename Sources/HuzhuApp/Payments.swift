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
