import Foundation
import HuzhuCore
import HuzhuPersistence

/// Corrections of money recorded in error: whoever records payments asks for a void with a
/// reason; finance (another person, unless the scheme waives four eyes) approves or refuses.
/// A correction belongs to the node of the record it corrects; another area's do not exist.
public struct Corrections: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var contexts: ClaimContexts { ClaimContexts(services: services, actor: actor) }

  var correctionActor: CorrectionActor {
    CorrectionActor(accountID: actor.claimActor.accountID, name: actor.name)
  }

  /// Asks for the void of a payment by its receipt number (dated today, the server's day).
  public func requestPaymentVoid(receipt: String, reason: String) async throws -> Correction {
    try actor.require(.recordPayments)
    guard let payment = try await enrollmentStore.payment(receiptNumber: receipt),
      let bill = try await enrollmentStore.bill(payment.billID)
    else { throw UseCaseError.notFound }
    let correction = try await enrollmentStore.requestVoid(
      of: payment.id, reason: reason, by: correctionActor, on: services.today,
      scheme: try await contexts.scheme(bill.schemeCode))
    try await audit.record(
      .dataChange, subject: "payment:\(payment.receiptNumber)",
      detail: correction.status == .applied
        ? "void applied (the scheme needs no second person): \(correction.amount.decimalString), \(correction.reason)"
        : "void requested: \(correction.amount.decimalString), \(correction.reason)")
    return correction
  }

  /// The second person's decision; approving carries the correction out.
  public func decide(_ id: Correction.ID, approve: Bool, note: String?) async throws -> Correction {
    try actor.require(.keepFundLedger)
    guard let found = try await enrollmentStore.correction(id) else { throw UseCaseError.notFound }
    let (correction, changed) = try await enrollmentStore.decide(
      id, approve: approve, note: note, by: correctionActor, on: services.today,
      scheme: try await contexts.scheme(found.schemeCode))
    if changed {
      try await audit.record(
        .dataChange, subject: "payment:\(correction.targetLabel)",
        detail:
          "\(correction.kind.rawValue) \(approve ? "approved" : "refused"), requested by \(correction.requestedBy)"
          + (correction.decisionNote.map { ": \($0)" } ?? ""))
    }
    return correction
  }

  /// One correction in the actor's area (whoever may see the queue may see its entries).
  public func correction(_ id: Correction.ID) async throws -> Correction {
    guard actor.may(.viewFund) || actor.may(.recordPayments) else { throw UseCaseError.forbidden }
    guard let found = try await enrollmentStore.correction(id) else { throw UseCaseError.notFound }
    return found
  }

  /// The corrections in the actor's area, newest first: the four-eyes queue with `.requested`.
  public func list(status: Correction.Status?, page: PageQuery) async throws -> PagedResult<Correction> {
    guard actor.may(.viewFund) || actor.may(.recordPayments) else { throw UseCaseError.forbidden }
    return try await enrollmentStore.corrections(status: status, page: page)
  }
}
