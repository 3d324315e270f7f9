/// What may be done with a claim in each state, decided once for the pages, the API and the
/// stores: which actions a state offers to whom, and until when its facts and documents may
/// change.
public enum ClaimActionName: String, Hashable, Sendable, Codable, CaseIterable {
  case submit
  case `return`
  case review
  case approve
  case reject
  case appeal
}

extension ClaimAction {
  /// The action an operator asks for by name, with the note and coded reason a form or a
  /// client sends (the note is the reason for a return, a rejection or an appeal).
  public init(_ name: ClaimActionName, note: String, rejectionReason: RejectionReason?) {
    switch name {
    case .submit: self = .submit
    case .return: self = .returnForDocuments(reason: note)
    case .review: self = .review
    case .approve: self = .approve
    case .reject: self = .reject(reason: rejectionReason ?? .other, note: note)
    case .appeal: self = .appeal(reason: note)
    }
  }
}

extension ClaimState {
  /// Whether the claim's facts may still change (and be recalculated): until it is reviewed.
  public var takesIntakeChanges: Bool { [.draft, .returned, .submitted].contains(self) }

  /// Whether documents may still be attached: until a decision (a reviewer or an approver may
  /// ask for one more paper before deciding).
  public var takesDocuments: Bool { [.draft, .returned, .submitted, .reviewed].contains(self) }

  /// Whether a reviewer may set the amount to pay instead of the calculated one (with a
  /// justification): during review, before the approval.
  public var isAdjustable: Bool { [.submitted, .reviewed].contains(self) }

  /// The actions a claim in this state offers to someone holding `permissions`, in the order
  /// a page shows them: a submitted claim is the reviewer's to review, return or reject; a
  /// reviewed one the approver's to approve or reject. (The workflow still checks levels and
  /// that nobody approves their own review when one is taken.)
  public func actions(offeredTo permissions: Set<Permission>) -> [ClaimActionName] {
    let offered: [(ClaimActionName, Permission)] =
      switch self {
      case .draft, .returned: [(.submit, .intakeClaims)]
      case .submitted: [(.review, .reviewClaims), (.return, .reviewClaims), (.reject, .reviewClaims)]
      case .reviewed: [(.approve, .approveClaims), (.reject, .approveClaims)]
      case .rejected, .approved: isAppealable ? [(.appeal, .intakeClaims)] : []
      case .inPayment, .paid: []
      }
    return offered.filter { permissions.contains($0.1) }.map(\.0)
  }
}

/// What an action that moved a claim brings with it, decided once here; the store carries it
/// out in the same transaction (the caps ledger, the clock, the text message, the history).
public struct ClaimEffects: Hashable, Sendable {
  public enum Clock: Hashable, Sendable {
    /// The documents are complete today: the promised working days start counting.
    case start
    /// Back with the claimant: no due date until they resubmit.
    case stop
  }

  public enum Rejection: Hashable, Sendable {
    case record(RejectionReason)
    case clear
  }

  /// An appealed approval gives its share of the caps back to the ledger.
  public var givesBackApproval = false
  /// The facts are judged again against the cover and the ledger as they are now.
  public var recalculates = false
  public var clock: Clock?
  /// The final approval: the member locked, the claim recalculated against the ledger and what
  /// it pays recorded there, before anyone may approve another claim of the member.
  public var settlesApproval = false
  /// The text message to the claimant, with the reason it carries.
  public var notice: ClaimNotice?
  public var noticeNote: String?
  /// The note the history keeps for the step.
  public var historyNote: String?
  public var rejection: Rejection?

  public init() {}

  /// The effects of `action`, which moved a claim from `from` to `to`.
  public static func of(_ action: ClaimAction, from: ClaimState, to: ClaimState) -> ClaimEffects {
    var effects = ClaimEffects()
    switch action {
    case .submit, .appeal:
      effects.givesBackApproval = action != .submit && from == .approved
      effects.recalculates = true
      effects.clock = .start
      effects.notice = .submitted
      if case .appeal(let reason) = action {
        effects.historyNote = reason
        effects.rejection = .clear
      }
    case .returnForDocuments(let reason):
      effects.clock = .stop
      effects.notice = .returned
      effects.noticeNote = reason
      effects.historyNote = reason
    case .reject(let reason, let text):
      let note = "\(reason.label.zh)：\(text)"
      effects.notice = .rejected
      effects.noticeNote = note
      effects.historyNote = note
      effects.rejection = .record(reason)
    case .approve where to == .approved, .review where to == .approved:
      effects.settlesApproval = true
      effects.notice = .approved
    case .withdraw(let text):
      let note = "\(RejectionReason.settlementCancelled.label.zh)：\(text)"
      effects.givesBackApproval = from == .approved
      // A draft was never announced to the worker: nothing to take back in a text.
      effects.notice = from == .draft ? nil : .rejected
      effects.noticeNote = note
      effects.historyNote = note
      effects.rejection = .record(.settlementCancelled)
    case .reopen(let reason):
      effects.givesBackApproval = from == .approved
      effects.recalculates = true
      effects.historyNote = reason
    case .markReturnedByBank(let reason):
      effects.notice = .paymentReturned
      effects.noticeNote = reason
      effects.historyNote = reason
    case .approve, .review, .startPayment, .markPaid, .markPaymentFailed:
      break
    }
    return effects
  }
}
