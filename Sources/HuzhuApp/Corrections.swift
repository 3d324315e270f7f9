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

  /// Asks for the withdrawal of a member's cover by its certificate number: `.enrollmentVoid`
  /// (enrolled in error) or `.withdrawal` (the member withdraws, where the rule version allows
  /// it), dated today, the server's day. Carried out, the bill owes less and each payer who
  /// paid for the member is refunded (to the account given here for payers other than the
  /// member, else the one on file).
  public func requestWithdrawal(
    _ kind: Correction.Kind, certificate: String, reason: String, refundBankName: String?,
    refundBankAccount: String?
  ) async throws -> Correction {
    try actor.require(.recordPayments)
    guard kind.correctsEnrollment else { throw UseCaseError.notFound }
    let account = try RefundAccount.checked(bankName: refundBankName, bankAccount: refundBankAccount)
    guard let found = try await enrollmentStore.certificate(number: certificate) else {
      throw UseCaseError.notFound
    }
    let correction = try await enrollmentStore.requestWithdrawal(
      kind, certificate: found.enrollment.certificateNumber, reason: reason, refundAccount: account,
      by: correctionActor, on: services.today, scheme: try await contexts.scheme(found.enrollment.schemeCode))
    try await audit.record(
      .dataChange, subject: "certificate:\(correction.targetLabel)",
      detail: correction.status == .applied
        ? "\(kind.rawValue) applied (the scheme needs no second person): \(correction.reason)"
        : "\(kind.rawValue) requested: \(correction.reason)")
    return correction
  }

  /// Reissues the receipt in force under a new number (the paper lost, spoilt or made out
  /// wrongly): no money moves, so no second person; the earlier number stays, marked replaced.
  public func reissueReceipt(_ number: String, reason: String) async throws -> ReceiptReissue {
    try actor.require(.recordPayments)
    guard try await enrollmentStore.payment(receiptNumber: number) != nil else { throw UseCaseError.notFound }
    let reissue = try await enrollmentStore.reissueReceipt(
      number, reason: reason, by: actor.name, on: services.today)
    try await audit.record(
      .dataChange, subject: "payment:\(reissue.replaces)",
      detail: "receipt reissued as \(reissue.number): \(reissue.reason)")
    return reissue
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
        .dataChange,
        subject: "\(correction.kind.correctsEnrollment ? "certificate" : "payment"):\(correction.targetLabel)",
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
