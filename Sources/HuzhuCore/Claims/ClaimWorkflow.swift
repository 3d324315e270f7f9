import Foundation

/// Where a claim stands. The path the seeds measure: intake, review, approval at one or two
/// levels, payment; with returns for missing documents, rejection with a coded reason, and
/// one appeal.
public enum ClaimState: String, Hashable, Sendable, Codable, CaseIterable {
  case draft
  case submitted
  /// Sent back for more documents; the clock stops until resubmission.
  case returned
  /// Reviewed; waiting for the approval levels the policy requires.
  case reviewed
  case approved
  /// In a payment batch sent to the bank.
  case inPayment = "in_payment"
  case paid
  case rejected

  public var label: LocalizedText {
    switch self {
    case .draft: LocalizedText(zh: "草稿", en: "draft")
    case .submitted: LocalizedText(zh: "已受理", en: "submitted")
    case .returned: LocalizedText(zh: "退回补件", en: "returned for documents")
    case .reviewed: LocalizedText(zh: "已初审", en: "reviewed")
    case .approved: LocalizedText(zh: "已审批", en: "approved")
    case .inPayment: LocalizedText(zh: "支付中", en: "in payment")
    case .paid: LocalizedText(zh: "已支付", en: "paid")
    case .rejected: LocalizedText(zh: "不予给付", en: "rejected")
    }
  }

  /// A decision (a rejection, or an approval not yet paid) can be appealed once. A paid claim
  /// is closed: more money for the same event is a new claim, which duplicate detection links.
  public var isAppealable: Bool { self == .rejected || self == .approved }

  /// Whether the claim has been decided (approved, in payment or paid, or refused): what a
  /// decision letter can be printed for.
  public var isDecided: Bool { [.approved, .inPayment, .paid, .rejected].contains(self) }
}

/// Who must approve a claim, by the kind of benefit it pays: "a county approves hospital
/// claims, the city approves lump sums", or "the city agency, then the provincial office".
public struct ApprovalPolicy: Hashable, Sendable, Codable {
  /// Approval levels in order, per benefit kind; a kind not listed uses `default`.
  public var byKind: [BenefitDefinition.Kind: [OrganisationKind]]
  public var `default`: [OrganisationKind]

  public init(
    default levels: [OrganisationKind], byKind: [BenefitDefinition.Kind: [OrganisationKind]] = [:]
  ) {
    self.default = levels
    self.byKind = byKind
  }

  /// The levels a claim paying these kinds of benefit needs: every level any of them needs,
  /// lowest first (a claim with a hospital part and a lump sum goes through both).
  public func levels(for kinds: Set<BenefitDefinition.Kind>) -> [OrganisationKind] {
    let needed = Set(kinds.isEmpty ? self.default : kinds.flatMap { byKind[$0] ?? self.default })
    return needed.sorted { $0.level > $1.level }
  }
}

/// Someone acting on a claim: their account, and the organisation node they act for.
public struct ClaimActor: Hashable, Sendable, Codable {
  public let accountID: UserAccount.ID
  public let name: String
  public let organisationKind: OrganisationKind
  /// The node itself: a claim of someone with no unit (a gig worker) belongs to the node
  /// whose window opened it.
  public let organisationID: Organisation.ID?

  public init(
    accountID: UserAccount.ID, name: String, organisationKind: OrganisationKind, organisationID: Organisation.ID? = nil
  ) {
    self.accountID = accountID
    self.name = name
    self.organisationKind = organisationKind
    self.organisationID = organisationID
  }
}

/// What someone does to a claim.
public enum ClaimAction: Hashable, Sendable, Codable {
  case submit
  case returnForDocuments(reason: String)
  case review
  case approve
  case reject(reason: RejectionReason, note: String)
  case startPayment(batch: String)
  case markPaid(reference: String)
  case markPaymentFailed(reason: String)
  /// The bank sent a transfer back after it was marked paid (退汇): the claim waits for payment
  /// again, its approval and its share of the caps standing.
  case markReturnedByBank(reason: String)
  case appeal(reason: String)
  /// The settlement the claim was made from was cancelled before the money left: the claim is
  /// closed as not payable (and an approval gives its share of the caps back).
  case withdraw(reason: String)
  /// The settlement was corrected after review: back to review, the approval given back.
  case reopen(reason: String)
}

public enum RejectionReason: String, Hashable, Sendable, Codable, CaseIterable {
  case notCovered = "not_covered"
  case waitingPeriod = "waiting_period"
  case outsideScope = "outside_scope"
  case deadlinePassed = "deadline_passed"
  case duplicate
  case documentsFalse = "documents_false"
  /// The medical-insurance settlement the claim was made from was cancelled.
  case settlementCancelled = "settlement_cancelled"
  case other

  /// A refusal the scheme's rules decide (cover, waiting period, scope, deadline), which a
  /// change of the rules can undo: the what-if replays these. Duplicates, false papers,
  /// cancelled settlements and other reasons stand whatever the rules say.
  public var isDecidedByRules: Bool {
    switch self {
    case .notCovered, .waitingPeriod, .outsideScope, .deadlinePassed: true
    case .duplicate, .documentsFalse, .settlementCancelled, .other: false
    }
  }

  public var label: LocalizedText {
    switch self {
    case .notCovered: LocalizedText(zh: "事故发生时不在保障期内", en: "not covered when it happened")
    case .waitingPeriod: LocalizedText(zh: "处于等待期", en: "in the waiting period")
    case .outsideScope: LocalizedText(zh: "不属于保障范围", en: "outside the scheme's scope")
    case .deadlinePassed: LocalizedText(zh: "超过申请时限", en: "claimed after the deadline")
    case .duplicate: LocalizedText(zh: "重复申请", en: "a duplicate claim")
    case .documentsFalse: LocalizedText(zh: "材料不实", en: "false documents")
    case .settlementCancelled: LocalizedText(zh: "医保结算已撤销", en: "the insurance settlement was cancelled")
    case .other: LocalizedText(zh: "其他原因", en: "other")
    }
  }
}

/// The parts of a claim the workflow reads and changes.
public struct ClaimProgress: Hashable, Sendable, Codable {
  public var state: ClaimState
  public var submittedBy: UserAccount.ID?
  public var reviewedBy: UserAccount.ID?
  /// Levels that have approved, in order, with who approved.
  public var approvals: [Approval]
  /// The levels this claim needs (from the policy and the benefits it pays).
  public var requiredLevels: [OrganisationKind]
  /// Required documents not yet uploaded; a claim cannot be submitted while any is missing.
  public var missingDocuments: [String]
  public var appealed: Bool

  public struct Approval: Hashable, Sendable, Codable {
    public let level: OrganisationKind
    public let by: UserAccount.ID
  }

  public init(
    state: ClaimState = .draft, submittedBy: UserAccount.ID? = nil, reviewedBy: UserAccount.ID? = nil,
    approvals: [Approval] = [], requiredLevels: [OrganisationKind], missingDocuments: [String] = [],
    appealed: Bool = false
  ) {
    self.state = state
    self.submittedBy = submittedBy
    self.reviewedBy = reviewedBy
    self.approvals = approvals
    self.requiredLevels = requiredLevels
    self.missingDocuments = missingDocuments
    self.appealed = appealed
  }

  /// The level whose approval comes next, while any is outstanding.
  public var nextLevel: OrganisationKind? {
    requiredLevels.count > approvals.count ? requiredLevels[approvals.count] : nil
  }
}

/// The outcome of applying an action.
public enum ClaimTransition: Hashable, Sendable {
  /// The claim moved (or recorded an approval) from `from`.
  case moved(from: ClaimState, to: ClaimState)
  /// The action had already been applied by the same person: nothing changes. Makes double
  /// clicks and retried requests harmless.
  case alreadyDone
}

/// Why an action is refused; each says what to do instead.
public struct ClaimWorkflowError: Error, Hashable, Sendable {
  public let code: String
  public let message: LocalizedText
}

extension ClaimActor {
  /// Who approves a one-stop claim the scheme lets through without a person (its rule
  /// ``OneStopPolicy/straightThroughUpTo``): named so in every history.
  public static func straightThrough(at level: OrganisationKind) -> ClaimActor {
    ClaimActor(
      accountID: .init(UUID(uuidString: "00000000-0000-4000-8000-00000000a001")!), name: "一站式自动审批 straight-through",
      organisationKind: level)
  }
}

/// The claim state machine: every action checked against the state, the actor and the policy.
public enum ClaimWorkflow {
  /// A submitted claim reviewed and approved at every level it needs by the scheme's rule, not
  /// a person: only for one-stop claims that rule lets through (``SettlementTriage``).
  public static func approveStraightThrough(_ progress: inout ClaimProgress, by actor: ClaimActor) -> Bool {
    guard progress.state == .submitted else { return false }
    progress.reviewedBy = actor.accountID
    progress.approvals = progress.requiredLevels.map { .init(level: $0, by: actor.accountID) }
    progress.state = .approved
    return true
  }

  public static func apply(_ action: ClaimAction, to progress: inout ClaimProgress, by actor: ClaimActor)
    -> Result<ClaimTransition, ClaimWorkflowError>
  {
    let from = progress.state
    func refuse(_ code: String, zh: String, en: String) -> Result<ClaimTransition, ClaimWorkflowError> {
      .failure(ClaimWorkflowError(code: code, message: LocalizedText(zh: zh, en: en)))
    }
    func move(_ to: ClaimState) -> Result<ClaimTransition, ClaimWorkflowError> {
      progress.state = to
      return .success(.moved(from: from, to: to))
    }
    func wrongState() -> Result<ClaimTransition, ClaimWorkflowError> {
      refuse(
        "invalid_transition", zh: "当前状态（\(from.label.zh)）下不能执行此操作",
        en: "not possible while the claim is \(from.label.en)")
    }

    switch action {
    case .submit:
      if from == .submitted && progress.submittedBy == actor.accountID { return .success(.alreadyDone) }
      guard from == .draft || from == .returned else { return wrongState() }
      guard progress.missingDocuments.isEmpty else {
        return refuse(
          "documents_missing", zh: "缺少必需材料：\(progress.missingDocuments.joined(separator: "、"))",
          en: "required documents missing: \(progress.missingDocuments.joined(separator: ", "))")
      }
      if progress.submittedBy == nil { progress.submittedBy = actor.accountID }
      return move(.submitted)

    case .returnForDocuments(let reason):
      guard from == .submitted || from == .reviewed else { return wrongState() }
      guard !reason.trimmingWhitespace.isEmpty else {
        return refuse("reason_required", zh: "请说明需补充的材料", en: "say which documents are needed")
      }
      progress.approvals = []
      progress.reviewedBy = nil
      return move(.returned)

    case .review:
      if from == .reviewed && progress.reviewedBy == actor.accountID { return .success(.alreadyDone) }
      guard from == .submitted else { return wrongState() }
      progress.reviewedBy = actor.accountID
      return move(progress.requiredLevels.isEmpty ? .approved : .reviewed)

    case .approve:
      if progress.approvals.contains(where: { $0.by == actor.accountID }) && (from == .reviewed || from == .approved) {
        return .success(.alreadyDone)
      }
      guard from == .reviewed, let level = progress.nextLevel else { return wrongState() }
      guard progress.submittedBy != actor.accountID else {
        return refuse("own_submission", zh: "不能审批自己受理的申请", en: "you cannot approve a claim you submitted")
      }
      // Four eyes: whoever reviewed a claim does not approve it too.
      guard progress.reviewedBy != actor.accountID else {
        return refuse("own_review", zh: "不能审批自己审核的申请", en: "you cannot approve a claim you reviewed")
      }
      guard actor.organisationKind == level else {
        return refuse(
          "wrong_level", zh: "此步须由\(level.label.zh)审批", en: "this approval belongs to the \(level.label.en)")
      }
      progress.approvals.append(.init(level: level, by: actor.accountID))
      return move(progress.nextLevel == nil ? .approved : .reviewed)

    case .reject(_, let note):
      if from == .rejected { return .success(.alreadyDone) }
      guard [.submitted, .reviewed, .returned].contains(from) else { return wrongState() }
      guard !note.trimmingWhitespace.isEmpty else {
        return refuse("reason_required", zh: "请填写不予给付的说明", en: "explain the rejection")
      }
      return move(.rejected)

    case .startPayment:
      guard from == .approved else { return from == .inPayment ? .success(.alreadyDone) : wrongState() }
      return move(.inPayment)

    case .markPaid:
      if from == .paid { return .success(.alreadyDone) }
      guard from == .inPayment else { return wrongState() }
      return move(.paid)

    case .markPaymentFailed:
      // Back to the payment queue: the approval stands, the money did not move.
      guard from == .inPayment else { return wrongState() }
      return move(.approved)

    case .markReturnedByBank(let reason):
      guard from == .paid else { return wrongState() }
      guard !reason.trimmingWhitespace.isEmpty else {
        return refuse("reason_required", zh: "请填写银行的退汇原因", en: "give the bank's reason for the return")
      }
      return move(.approved)

    case .withdraw(let reason):
      if from == .rejected { return .success(.alreadyDone) }
      guard [.draft, .returned, .submitted, .reviewed, .approved].contains(from) else { return wrongState() }
      guard !reason.trimmingWhitespace.isEmpty else {
        return refuse("reason_required", zh: "请说明撤回原因", en: "give the reason for the withdrawal")
      }
      progress.approvals = []
      return move(.rejected)

    case .reopen(let reason):
      guard from == .reviewed || from == .approved else { return wrongState() }
      guard !reason.trimmingWhitespace.isEmpty else {
        return refuse("reason_required", zh: "请说明重新审核的原因", en: "give the reason for another review")
      }
      progress.approvals = []
      progress.reviewedBy = nil
      return move(.submitted)

    case .appeal(let reason):
      guard from.isAppealable else { return wrongState() }
      guard !progress.appealed else {
        return refuse("already_appealed", zh: "每件申请只能申诉一次", en: "a claim can be appealed once")
      }
      guard !reason.trimmingWhitespace.isEmpty else {
        return refuse("reason_required", zh: "请填写申诉理由", en: "give the reason for the appeal")
      }
      progress.appealed = true
      progress.approvals = []
      progress.reviewedBy = nil
      return move(.submitted)
    }
  }
}
