import Foundation
import HuzhuApp
import HuzhuCore

/// One claim for staff: the facts, the explanation of benefit line by line, documents,
/// history and the messages sent.
enum ClaimPage {
  struct Model {
    let detail: Claims.Detail
    let today: CalendarDate

    var claim: ClaimRecord { detail.claim }
    var worker: Worker? { detail.worker }
    var documents: [ClaimDocument] { detail.documents }
    var history: [ClaimHistoryEntry] { detail.history }
    var outbox: [OutboxMessage] { detail.outbox }
    var actions: [ClaimActionName] { detail.actions }
    var takesDocuments: Bool { detail.takesDocuments }
    var mayAdjust: Bool { detail.mayAdjust }
  }

  /// An adjustment form sent back refused, as typed.
  struct TypedAdjustment {
    var amount = ""
    var justification = ""
  }
}

/// The work queue: running claims with whose and which unit's they are, filtered by stage,
/// deadline and a search, in the order asked for (soonest due by default).
enum ClaimQueuePage {
  /// The step of the workflow a queue shows: the claims waiting on one role.
  enum Stage: String, CaseIterable {
    /// Every running claim (drafts, returned, submitted, reviewed, approved and not yet paid).
    case all
    /// Drafts and claims returned for papers: the window's.
    case intake
    /// Submitted, waiting for review.
    case review
    /// Reviewed, waiting for approval.
    case approval
    /// Approved, waiting for a payment batch.
    case payment

    var states: Set<ClaimState> {
      switch self {
      case .all: ClaimDeadline.running.union([.draft, .returned])
      case .intake: [.draft, .returned]
      case .review: [.submitted]
      case .approval: [.reviewed]
      case .payment: [.approved]
      }
    }

    var label: LocalizedText {
      switch self {
      case .all: LocalizedText(zh: "全部办理中", en: "All open")
      case .intake: LocalizedText(zh: "草稿/待补正", en: "Drafts and returned")
      case .review: LocalizedText(zh: "待审核", en: "To review")
      case .approval: LocalizedText(zh: "待审批", en: "To approve")
      case .payment: LocalizedText(zh: "待支付", en: "To pay")
      }
    }

    /// The stage a viewer works on, when the address names none: an approver who does not
    /// review sees what waits for approval, a reviewer who does not approve what waits for
    /// review; anyone else every running claim.
    static func usual(for viewer: Viewer?) -> Stage {
      guard let viewer else { return .all }
      switch (viewer.may(.reviewClaims), viewer.may(.approveClaims)) {
      case (false, true): return .approval
      case (true, false): return .review
      default: return .all
      }
    }
  }

  enum Deadline: String, CaseIterable {
    case overdue
    case dueToday = "due_today"
    case dueSoon = "due_soon"
    case expedited

    var label: LocalizedText {
      switch self {
      case .overdue: LocalizedText(zh: "已超期", en: "Overdue")
      case .dueToday: LocalizedText(zh: "今日到期", en: "Due today")
      case .dueSoon: LocalizedText(zh: "三日内到期", en: "Due within 3 days")
      case .expedited: LocalizedText(zh: "加急", en: "Expedited")
      }
    }

    func narrowing(today: CalendarDate) -> QueueNarrowing {
      switch self {
      case .overdue: .overdue(today: today)
      case .dueToday: .dueOn(today)
      case .dueSoon: .dueWithin(today: today, days: 3)
      case .expedited: .expedited
      }
    }
  }

  /// Whose claims: those given to the viewer, or those given to nobody yet (``ClaimAssignment``).
  enum Who: String, CaseIterable {
    case mine
    case nobody

    var label: LocalizedText {
      switch self {
      case .mine: LocalizedText(zh: "分给我的", en: "Assigned to me")
      case .nobody: LocalizedText(zh: "未分派", en: "Not assigned")
      }
    }
  }

  /// What the address asks for. Unknown values read as none, so an old or mistyped link
  /// still shows the queue.
  struct Filter {
    var stage: Stage
    var deadline: Deadline?
    var search: String
    var order: QueueOrder
    var who: Who?

    init(stage: Stage, deadline: Deadline? = nil, search: String = "", order: QueueOrder = .due, who: Who? = nil) {
      self.stage = stage
      self.deadline = deadline
      self.search = search
      self.order = order
      self.who = who
    }

    init(stage: String?, deadline: String?, search: String?, order: String?, who: String? = nil, viewer: Viewer?) {
      self.stage = stage.flatMap(Stage.init(rawValue:)) ?? .usual(for: viewer)
      self.deadline = deadline.flatMap(Deadline.init(rawValue:))
      self.search = String((search ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(40))
      self.order = order.flatMap(QueueOrder.init(rawValue:)) ?? .due
      self.who = who.flatMap(Who.init(rawValue:))
    }

    /// The address's query for this filter (what the pager's links and the dashboard carry).
    var parameters: [(String, String)] {
      [("stage", stage.rawValue)] + (deadline.map { [("due", $0.rawValue)] } ?? [])
        + (search.isEmpty ? [] : [("q", search)]) + (order == .due ? [] : [("sort", order.rawValue)])
        + (who.map { [("who", $0.rawValue)] } ?? [])
    }

    var path: String {
      var components = URLComponents()
      components.path = SiteURL.claimQueue.path
      components.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
      return components.string ?? SiteURL.claimQueue.path
    }
  }

  struct Model {
    let filter: Filter
    let page: Claims.QueuePage
    let today: CalendarDate
    /// Whom the viewer may give claims to (empty unless they share out review).
    var reviewers: [UserAccount] = []
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil

    var claims: PagedResult<Claims.QueueEntry> { page.entries }

    /// `viewerID` is the signed-in account, whose claims "mine" lists.
    static func load(
      filter: Filter, page: PageQuery, today: CalendarDate, viewerID: UserAccount.ID?, mayAssign: Bool, claims: Claims
    ) async throws -> Model {
      // A deadline is chased only while staff hold the claim (the dashboard counts the same).
      let states =
        filter.deadline == .overdue || filter.deadline == .dueToday
        ? filter.stage.states.intersection(ClaimDeadline.chased) : filter.stage.states
      var query = ClaimQueueQuery(
        states: states, narrowing: filter.deadline?.narrowing(today: today), order: filter.order)
      switch filter.who {
      case .mine: query.assignee = viewerID.map { .account($0) } ?? .nobody
      case .nobody: query.assignee = .nobody
      case nil: break
      }
      return Model(
        filter: filter, page: try await claims.queue(query, search: filter.search, page: page), today: today,
        reviewers: mayAssign ? try await claims.reviewers() : [])
    }
  }
}

/// The document kinds an upload form offers: what is still missing first, then the rest.
enum ClaimAssessmentDocuments {
  static func kinds(missingFirst missing: [String]) -> [String] {
    missing + RequiredDocument.knownCodes.filter { !missing.contains($0) }
  }
}
