/// One member's cover in one product for one coverage period: what the certificate
/// (互助金保障书) states and what a claim is judged against.
///
/// Cover is bought for a whole period: a member who leaves the unit keeps the cover to the
/// period's end (nothing here changes when the person's employment does). Only a correction
/// withdraws it: an enrollment made in error, or a withdrawal within the days the rule version
/// allows (``Correction/Kind/withdrawal``), with the contributions refunded.
public struct Enrollment: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<Enrollment>

  public let id: ID
  public let schemeCode: String
  public let productCode: String
  /// The rule version that priced the cover and will judge its claims.
  public let versionLabel: String
  public let workerID: Worker.ID
  /// The enrolling unit; nil for an individual (e.g. gig-worker) enrollment.
  public let unitID: WorkUnit.ID?
  public let period: CoveragePeriod
  public let shares: Int
  public var status: EnrollmentStatus
  /// The first day of cover, once the contribution is paid in full.
  public var coverFrom: CalendarDate?
  /// The end of the period this one renews; the engine decides continuity from it.
  public let previousCoverEnd: CalendarDate?
  public let certificateNumber: String
  public let enrolledOn: CalendarDate
  public let billID: Bill.ID
  /// The member's own price per share when the rules gave them another than the bill's (a
  /// long-standing member's lower price); nil: the bill's.
  public let pricePerShare: Money?

  public init(
    id: ID = ID(), schemeCode: String, productCode: String, versionLabel: String, workerID: Worker.ID,
    unitID: WorkUnit.ID?, period: CoveragePeriod, shares: Int, status: EnrollmentStatus = .awaitingPayment,
    coverFrom: CalendarDate? = nil, previousCoverEnd: CalendarDate? = nil, certificateNumber: String,
    enrolledOn: CalendarDate, billID: Bill.ID, pricePerShare: Money? = nil
  ) {
    self.id = id
    self.schemeCode = schemeCode
    self.productCode = productCode
    self.versionLabel = versionLabel
    self.workerID = workerID
    self.unitID = unitID
    self.period = period
    self.shares = shares
    self.status = status
    self.coverFrom = coverFrom
    self.previousCoverEnd = previousCoverEnd
    self.certificateNumber = certificateNumber
    self.enrolledOn = enrolledOn
    self.billID = billID
    self.pricePerShare = pricePerShare
  }

  /// Whether the member is covered on `date`.
  public func covers(_ date: CalendarDate) -> Bool {
    guard status == .active, let coverFrom else { return false }
    return coverFrom <= date && date <= period.end
  }

  /// Where the cover stands on `date`, for people reading a certificate or a list.
  public func coverState(on date: CalendarDate) -> CoverState {
    if status == .withdrawn { return .withdrawn }
    guard status == .active, let coverFrom else { return .awaitingPayment }
    if date < coverFrom { return .notYetStarted }
    return date <= period.end ? .inForce : .expired
  }

  /// What the rules engine needs to know of this cover.
  public var coverFacts: CoverFacts {
    CoverFacts(
      product: productCode, start: coverFrom ?? period.start, end: period.end, shares: shares,
      previousCoverEnd: previousCoverEnd)
  }
}

public enum EnrollmentStatus: String, Hashable, Sendable, Codable, CaseIterable {
  /// Enrolled, contribution not yet paid in full: no cover yet.
  case awaitingPayment = "awaiting_payment"
  /// Paid: covered from `coverFrom` to the period's end.
  case active
  /// Withdrawn by a correction (enrolled in error, or the member withdrew in time): no cover,
  /// the certificate is void; the record stays, linked to its correction.
  case withdrawn

  public var label: LocalizedText {
    switch self {
    case .awaitingPayment: LocalizedText(zh: "待缴费", en: "awaiting payment")
    case .active: LocalizedText(zh: "已缴费", en: "paid")
    case .withdrawn: LocalizedText(zh: "已撤销", en: "withdrawn")
    }
  }
}

public enum CoverState: String, Hashable, Sendable, Codable, CaseIterable {
  case awaitingPayment = "awaiting_payment"
  case notYetStarted = "not_yet_started"
  case inForce = "in_force"
  case expired
  /// Withdrawn by a correction; the certificate is void.
  case withdrawn

  public var label: LocalizedText {
    switch self {
    case .withdrawn: LocalizedText(zh: "已撤销（保障书作废）", en: "withdrawn (certificate void)")
    case .awaitingPayment: LocalizedText(zh: "待缴费", en: "awaiting payment")
    case .notYetStarted: LocalizedText(zh: "未到生效日", en: "not yet started")
    case .inForce: LocalizedText(zh: "保障中", en: "in force")
    case .expired: LocalizedText(zh: "已到期", en: "expired")
    }
  }
}

/// A coverage period: first and last day, inclusive.
public struct CoveragePeriod: Hashable, Sendable, Codable {
  public let start: CalendarDate
  public let end: CalendarDate

  public init(start: CalendarDate, end: CalendarDate) {
    self.start = start
    self.end = end
  }

  /// The period of `months` months starting on `start` (2019-10-16 for 12 months ends
  /// 2020-10-15).
  public init(start: CalendarDate, months: Int) {
    self.start = start
    let sameDay = start.adding(months: months)
    // From 29 February or a 31st the target month may be shorter: the period then ends on
    // its last day (2024-02-29 for a year ends 2025-02-28), never a day early.
    self.end = sameDay.day < start.day ? sameDay : sameDay.adding(days: -1)
  }

  /// The period that renews this one: it starts the day after this one ends.
  public func next(months: Int) -> CoveragePeriod {
    CoveragePeriod(start: end.adding(days: 1), months: months)
  }

  public func overlaps(_ other: CoveragePeriod) -> Bool {
    start <= other.end && other.start <= end
  }
}

/// When paid cover begins, a rule of the product's version (`contribution.activation`).
public enum CoverActivation: String, Hashable, Sendable, Codable, CaseIterable {
  /// From the period's start, or from the day of full payment when that is later.
  case onPayment = "on_payment"
  /// From the period's start, or from the day after full payment when that is later.
  case dayAfterPayment = "day_after_payment"

  /// The first day of cover for a period starting `start`, paid in full on `paidOn`.
  public func coverFrom(periodStart start: CalendarDate, paidOn: CalendarDate) -> CalendarDate {
    let earliest =
      switch self {
      case .onPayment: paidOn
      case .dayAfterPayment: paidOn.adding(days: 1)
      }
    return max(start, earliest)
  }
}
