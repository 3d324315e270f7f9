import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet

/// Refunds of contributions (退费) made when a member's cover was withdrawn: finance transfers
/// them from the refunds' bank file and records the bank's reference for each, once. A refund
/// belongs to its correction's node; another area's do not exist for the actor.
public struct Refunds: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  private func requireViewing() throws {
    guard actor.may(.viewFund) || actor.may(.recordPayments) else { throw UseCaseError.forbidden }
  }

  public func list(status: Refund.Status?, page: PageQuery) async throws -> PagedResult<Refund> {
    try requireViewing()
    return try await enrollmentStore.refunds(status: status, page: page)
  }

  public func refund(_ id: Refund.ID) async throws -> Refund {
    try requireViewing()
    guard let found = try await enrollmentStore.refund(id) else { throw UseCaseError.notFound }
    return found
  }

  /// The refunds a correction made (none while it waits for a second person).
  public func refunds(of correction: Correction.ID) async throws -> [Refund] {
    try requireViewing()
    return try await enrollmentStore.refunds(correction: correction)
  }

  /// Records the bank's transfer of a refund (the same reference again changes nothing).
  public func markPaid(_ id: Refund.ID, reference: String) async throws -> (refund: Refund, changed: Bool) {
    try actor.require(.keepFundLedger)
    guard try await enrollmentStore.refund(id) != nil else { throw UseCaseError.notFound }
    let outcome = try await enrollmentStore.markRefundPaid(
      id, reference: reference, by: actor.name, on: services.today)
    if outcome.changed {
      try await audit.record(
        .dataChange, subject: "refund:\(outcome.refund.number)",
        detail: "refund paid: \(outcome.refund.amount.decimalString) (\(outcome.refund.paidReference ?? ""))")
    }
    return outcome
  }

  /// The bank file of every refund still owed in the actor's area: CSV (UTF-8 with BOM) or
  /// XLSX, named `refunds-<day>` (without the extension). Reading it changes nothing.
  public func bankFile(format: Payments.BankFileFormat) async throws -> (name: String, data: Data) {
    try actor.require(.keepFundLedger)
    let due = try await enrollmentStore.refundsDue()
    let rows = BankTransferFile.rows(due)
    let name = "refunds-\(services.today)"
    let data =
      switch format {
      case .csv: BankTransferFile.csv(rows: rows)
      case .xlsx: try BankTransferFile.xlsx(rows: rows, sheetName: name)
      }
    let transferred = BankTransferFile.transferred(due)
    try await audit.record(
      .export, subject: "refunds",
      detail:
        "refund bank file \(format.rawValue): \(transferred.count) payees, total \(transferred.reduce(Money.zero) { $0 + $1.amount }.decimalString)"
    )
    return (name, data)
  }
}
