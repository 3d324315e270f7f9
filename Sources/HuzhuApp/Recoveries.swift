import Foundation
import HuzhuCore
import HuzhuPersistence

/// Recoveries (追回) of paid claims found wrong: whoever approves claims, or finance, opens one
/// with the amount due and what was found; whoever records payments records the money as it
/// comes back, which credits the fund. A recovery belongs to its claim's node; another area's
/// do not exist for the actor.
public struct Recoveries: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var contexts: ClaimContexts { ClaimContexts(services: services, actor: actor) }

  /// Opens the recovery of a paid claim (the whole payment when `amount` is nil), dated today.
  public func open(claim id: ClaimRecord.ID, amount: Money?, reason: Recovery.Reason, note: String) async throws
    -> Recovery
  {
    guard actor.may(.approveClaims) || actor.may(.keepFundLedger) else { throw UseCaseError.forbidden }
    guard let claim = try await claimStore.claim(id) else { throw UseCaseError.notFound }
    let recovery = try await claimStore.openRecovery(
      of: id, amount: amount, reason: reason, note: note, context: try await contexts.context(scheme: claim.schemeCode))
    try await audit.record(
      .dataChange, subject: "claim:\(claim.number)",
      detail: "recovery opened: \(recovery.amountDue.decimalString) (\(reason.rawValue)) \(recovery.note)")
    return recovery
  }

  /// The same, by the claim's number.
  public func open(claimNumber: String, amount: Money?, reason: Recovery.Reason, note: String) async throws
    -> Recovery
  {
    guard actor.may(.approveClaims) || actor.may(.keepFundLedger) else { throw UseCaseError.forbidden }
    guard let claim = try await claimStore.claim(number: claimNumber.trimmingCharacters(in: .whitespaces).uppercased())
    else { throw UseCaseError.notFound }
    return try await open(claim: claim.id, amount: amount, reason: reason, note: note)
  }

  /// Records money paid back (the reference makes it once only) and credits the fund.
  public func recordRepayment(_ id: Recovery.ID, amount: Money, reference: String) async throws
    -> (recovery: Recovery, recorded: Bool)
  {
    try actor.require(.recordPayments)
    guard let found = try await claimStore.recovery(id) else { throw UseCaseError.notFound }
    let outcome = try await claimStore.recordRepayment(
      id, amount: amount, reference: reference, context: try await contexts.context(scheme: found.schemeCode))
    if outcome.recorded {
      try await audit.record(
        .dataChange, subject: "claim:\(found.claimNumber)",
        detail: "recovery repaid: \(amount.decimalString) (\(reference.trimmingCharacters(in: .whitespaces))), "
          + "outstanding \(outcome.recovery.outstanding.decimalString)")
    }
    return outcome
  }

  /// A recovery with its repayments.
  public func recovery(_ id: Recovery.ID) async throws -> (recovery: Recovery, repayments: [RecoveryRepayment]) {
    try requireReader()
    guard let recovery = try await claimStore.recovery(id) else { throw UseCaseError.notFound }
    return (recovery, try await claimStore.repayments(of: id))
  }

  /// The recovery of a claim, if any.
  public func recovery(ofClaim id: ClaimRecord.ID) async throws -> Recovery? {
    try requireReader()
    return try await claimStore.recovery(ofClaim: id)
  }

  /// The recoveries in the actor's area, newest first.
  public func list(status: Recovery.Status?, page: PageQuery) async throws -> PagedResult<Recovery> {
    try requireReader()
    return try await claimStore.recoveries(status: status, page: page)
  }

  private func requireReader() throws {
    guard actor.may(.viewClaims) || actor.may(.viewFund) else { throw UseCaseError.forbidden }
  }
}
