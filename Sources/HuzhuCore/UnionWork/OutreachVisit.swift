/// A visit to a unit to explain the scheme (走访宣传): the seeds count "902 units visited"
/// and list why units decline, so both the visit and its outcome are recorded.
public struct OutreachVisit: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<OutreachVisit>

  public let id: ID
  public let unitID: WorkUnit.ID
  public var visitedOn: CalendarDate
  /// Who from the union went.
  public var visitor: String
  /// Whom they spoke to at the unit.
  public var contact: String?
  /// Leaflets, posters, briefings… as written by the visitor.
  public var materials: String?
  public var outcome: OutreachOutcome
  /// Why the unit declined; required for `declined`.
  public var declineReason: DeclineReason?
  public var note: String?

  public init(
    id: ID = ID(), unitID: WorkUnit.ID, visitedOn: CalendarDate, visitor: String, contact: String? = nil,
    materials: String? = nil, outcome: OutreachOutcome, declineReason: DeclineReason? = nil, note: String? = nil
  ) {
    self.id = id
    self.unitID = unitID
    self.visitedOn = visitedOn
    self.visitor = visitor
    self.contact = contact
    self.materials = materials
    self.outcome = outcome
    self.declineReason = declineReason
    self.note = note
  }

  public func validate(today: CalendarDate) -> [FieldError] {
    var errors: [FieldError] = []
    if visitor.trimmingWhitespace.isEmpty || visitor.count > 50 {
      errors.append(
        FieldError(
          field: "visitor", code: "invalid_visitor",
          message: LocalizedText(zh: "请填写走访人（不超过50字）", en: "give the visitor's name (at most 50 characters)")))
    }
    if today < visitedOn {
      errors.append(.futureDate("visitedOn", LocalizedText(zh: "走访日期", en: "visit date")))
    }
    if outcome == .declined && declineReason == nil {
      errors.append(
        FieldError(
          field: "declineReason", code: "reason_required",
          message: LocalizedText(zh: "单位暂不参加时请选择原因", en: "give the reason the unit declined")))
    }
    if outcome != .declined && declineReason != nil {
      errors.append(
        FieldError(
          field: "declineReason", code: "reason_without_decline",
          message: LocalizedText(zh: "只有“暂不参加”需要填写原因", en: "a reason is given only when the unit declined")))
    }
    errors += FieldError.tooLong([("contact", contact, 50), ("materials", materials, 200), ("note", note, 500)])
    return errors
  }
}

public enum OutreachOutcome: String, Hashable, Sendable, Codable, CaseIterable {
  case joined
  case interested
  case declined

  public var label: LocalizedText {
    switch self {
    case .joined: LocalizedText(zh: "已参加", en: "joined")
    case .interested: LocalizedText(zh: "有意向", en: "interested")
    case .declined: LocalizedText(zh: "暂不参加", en: "declined")
    }
  }
}

/// The reasons the Yichun article gives for units not joining, plus "other".
public enum DeclineReason: String, Hashable, Sendable, Codable, CaseIterable {
  case cost
  case notUnderstood = "not_understood"
  case slowDocuments = "slow_documents"
  case individualsOnly = "individuals_only"
  case other

  public var label: LocalizedText {
    switch self {
    case .cost: LocalizedText(zh: "费用负担", en: "cost")
    case .notUnderstood: LocalizedText(zh: "对政策不了解", en: "does not understand the scheme")
    case .slowDocuments: LocalizedText(zh: "医院、医保材料办理慢", en: "hospital and insurance documents are slow")
    case .individualsOnly: LocalizedText(zh: "职工希望个人参保", en: "workers want to join individually")
    case .other: LocalizedText(zh: "其他", en: "other")
    }
  }
}

/// Visits summed the way the seeds report them.
public struct OutreachSummary: Hashable, Sendable, Codable {
  public var visits: Int
  public var unitsVisited: Int
  public var byOutcome: [OutreachOutcome: Int]
  public var declineReasons: [DeclineReason: Int]

  /// Each unit counts once, under the outcome of its latest visit.
  public init(_ visits: [OutreachVisit]) {
    self.visits = visits.count
    var latest: [WorkUnit.ID: OutreachVisit] = [:]
    for visit in visits {
      if let seen = latest[visit.unitID], visit.visitedOn < seen.visitedOn { continue }
      latest[visit.unitID] = visit
    }
    unitsVisited = latest.count
    byOutcome = [:]
    declineReasons = [:]
    for visit in latest.values {
      byOutcome[visit.outcome, default: 0] += 1
      if let reason = visit.declineReason { declineReasons[reason, default: 0] += 1 }
    }
  }
}
