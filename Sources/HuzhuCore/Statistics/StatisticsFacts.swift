/// The period a report covers: whole calendar days in the scheme's time zone, both ends
/// included.
public struct ReportPeriod: Hashable, Sendable, Codable {
  public let from: CalendarDate
  public let to: CalendarDate

  public init?(from: CalendarDate, to: CalendarDate) {
    guard from <= to else { return nil }
    self.from = from
    self.to = to
  }

  public static func year(_ year: Int) -> ReportPeriod {
    ReportPeriod(from: CalendarDate(year: year, month: 1, day: 1)!, to: CalendarDate(year: year, month: 12, day: 31)!)!
  }

  /// Every month the period touches, as `YYYY-MM` (the key of the monthly series).
  public var months: [String] {
    var result: [String] = []
    var year = from.year
    var month = from.month
    while (year, month) <= (to.year, to.month) {
      result.append(Self.monthKey(year: year, month: month))
      month += 1
      if month > 12 { (year, month) = (year + 1, 1) }
    }
    return result
  }

  /// The period cut into at most `count` consecutive periods of whole days, as even as days
  /// allow, together covering it exactly once (fewer when it has fewer days).
  public func parts(_ count: Int) -> [ReportPeriod] {
    let days = from.days(until: to) + 1
    let count = max(1, min(count, days))
    return (0..<count).map { part in
      ReportPeriod(
        from: from.adding(days: days * part / count), to: from.adding(days: days * (part + 1) / count - 1))!
    }
  }

  public static func monthKey(year: Int, month: Int) -> String {
    "\(year)-\(month < 10 ? "0" : "")\(month)"
  }

  public var description: String { "\(from) – \(to)" }

  /// Whether the period runs `years` whole years or longer. A report's cost grows with its
  /// months and days, so a period from year 1 to 9999 is refused rather than computed.
  public func isLonger(thanYears years: Int) -> Bool {
    to >= from.adding(years: years)
  }

  /// The field error for a period longer than `years` (reported on its end, `to`).
  public static func tooLong(years: Int) -> FieldError {
    FieldError(
      field: "to", code: "period_too_long",
      message: LocalizedText(
        zh: "统计期间不能超过 \(years) 年，请缩短起止日期", en: "a report covers at most \(years) years; shorten the period"))
  }
}

/// What a report asks: one organisation node's subtree (nil: everything the reader may see),
/// one period, optionally one scheme.
public struct StatisticsQuery: Sendable, Equatable {
  /// The nodes whose units count (the chosen node and everything under it); nil for all.
  public var organisations: Set<Organisation.ID>?
  public var period: ReportPeriod
  public var schemeCode: String?
  /// For "overdue now".
  public var today: CalendarDate
  /// How many units to list one by one, the most insured first (nil: every unit). The sums
  /// by area and sector always count every unit.
  public var unitLimit: Int?

  public init(
    organisations: Set<Organisation.ID>?, period: ReportPeriod, schemeCode: String?, today: CalendarDate,
    unitLimit: Int? = nil
  ) {
    self.organisations = organisations
    self.period = period
    self.schemeCode = schemeCode
    self.today = today
    self.unitLimit = unitLimit
  }
}

/// One unit's figures for a period, as the statistics store counts them.
public struct UnitFigures: Sendable, Equatable {
  public let unitID: WorkUnit.ID
  public let name: String
  public let organisationID: Organisation.ID
  public let sector: Sector
  /// The latest headcount the unit reported on or before the period's end (0: none reported).
  public var headcount = 0
  public var femaleHeadcount = 0
  /// Distinct members with paid cover overlapping the period, and their person-products.
  public var insuredPersons = 0
  public var personProducts = 0
  /// Person-products whose period starts in the report period: first-time, and renewals.
  public var newPersonProducts = 0
  public var renewedPersonProducts = 0
  /// Person-products whose period ended in the report period without a renewal.
  public var lapsedPersonProducts = 0
  /// The first day of the unit's earliest paid cover up to the period's end (入保日期).
  public var firstEnrolledOn: CalendarDate?
  public var contributionsDue = Money.zero
  public var collected = Money.zero
  public var paidClaims = 0
  public var paidAmount = Money.zero

  public init(unitID: WorkUnit.ID, name: String, organisationID: Organisation.ID, sector: Sector) {
    self.unitID = unitID
    self.name = name
    self.organisationID = organisationID
    self.sector = sector
  }

  public var hasActivity: Bool {
    insuredPersons > 0 || personProducts > 0 || collected.fen != 0 || paidClaims > 0 || lapsedPersonProducts > 0
  }
}

/// The figures of every unit under one organisation node in one sector, added up: what the
/// area and sector tables are made of. The database adds them, so a province of 20,000 units
/// comes back as a few hundred of these.
public struct GroupFigures: Sendable, Equatable {
  public let organisationID: Organisation.ID
  public let sector: Sector
  public var figures: StatisticsReport.Figures

  public init(organisationID: Organisation.ID, sector: Sector, figures: StatisticsReport.Figures = .init()) {
    self.organisationID = organisationID
    self.sector = sector
    self.figures = figures
  }

  /// Units' own figures added up by node and sector (what the store does in SQL).
  public static func adding(_ units: [UnitFigures]) -> [GroupFigures] {
    var groups: [String: GroupFigures] = [:]
    for unit in units {
      groups[
        "\(unit.organisationID)/\(unit.sector.rawValue)",
        default: GroupFigures(
          organisationID: unit.organisationID, sector: unit.sector)
      ].figures.add(unit)
    }
    return groups.keys.sorted().compactMap { groups[$0] }
  }
}

/// Money paid under one benefit of one product in the period.
public struct BenefitFigures: Sendable, Equatable {
  public let product: String
  public let benefit: String
  public var claims: Int
  public var amount: Money

  public init(product: String, benefit: String, claims: Int, amount: Money) {
    self.product = product
    self.benefit = benefit
    self.claims = claims
    self.amount = amount
  }
}

/// Paid claims that took the same number of working days from complete documents to payment
/// (counted when each was paid, by the holiday calendar of the day), how many, and how many
/// by their due date. (The database keeps them counted by month, so a province's year is a few
/// thousand rows, not hundreds of thousands.)
public struct ServiceSample: Sendable, Equatable {
  /// nil: the calendar could not count them (a year whose holidays were not yet published).
  public let workingDays: Int?
  public let claims: Int
  public let onTime: Int

  public init(workingDays: Int?, claims: Int = 1, onTime: Int) {
    self.workingDays = workingDays
    self.claims = claims
    self.onTime = onTime
  }
}

/// One month of the series.
public struct MonthFigures: Sendable, Equatable {
  public let month: String
  public var newPersonProducts = 0
  public var collected = Money.zero
  public var paidClaims = 0
  public var paidAmount = Money.zero

  public init(month: String) { self.month = month }
}

/// Everything the statistics store counts for one query; ``StatisticsReport`` turns it into
/// indicators. Sums over the groups equal the totals for unit-owned records; claims and
/// payments of members without a unit (gig workers) appear only in the totals.
public struct StatisticsFacts: Sendable, Equatable {
  /// Every unit with a headcount or cover in the period, added up by node and sector.
  public var groups: [GroupFigures] = []
  /// The units listed one by one: the most insured first, as many as the query's limit.
  public var units: [UnitFigures] = []
  public var collectedByPayer: [PayerType: Money] = [:]
  public var dueByPayer: [PayerType: Money] = [:]
  public var insuredByGender: [Gender: Int] = [:]
  public var insuredPersons = 0
  public var benefits: [BenefitFigures] = []
  public var paidClaims = 0
  public var personsPaid = 0
  public var paidAmount = Money.zero
  public var largestClaim = Money.zero
  public var rejections: [RejectionReason: Int] = [:]
  public var service: [ServiceSample] = []
  public var overdueNow = 0
  public var monthly: [MonthFigures] = []

  public init() {}
}

/// What the provincial office counts an agency's target in.
public enum TargetMeasure: String, Sendable, Codable, CaseIterable {
  /// Contributions collected (yuan, kept in fen).
  case collected
  /// Insured persons.
  case members

  public var label: LocalizedText {
    switch self {
    case .collected: LocalizedText(zh: "筹集金额", en: "amount collected")
    case .members: LocalizedText(zh: "参保人数", en: "insured persons")
    }
  }
}

/// A target the provincial office set an agency for a period, usually its scheme year
/// (年度预定目标).
public struct AgencyTarget: Sendable, Equatable, Identifiable {
  public typealias ID = Identifier<AgencyTarget>
  public let id: ID
  public let organisationID: Organisation.ID
  public let period: ReportPeriod
  public let measure: TargetMeasure
  /// Fen for `collected`, persons for `members`.
  public let target: Int64

  public init(
    id: ID = ID(), organisationID: Organisation.ID, period: ReportPeriod, measure: TargetMeasure, target: Int64
  ) {
    self.id = id
    self.organisationID = organisationID
    self.period = period
    self.measure = measure
    self.target = target
  }

  public func validate() -> [FieldError] {
    guard target <= 0 else { return [] }
    return [
      FieldError(
        field: "target", code: "invalid_target", message: LocalizedText(zh: "目标应大于零", en: "a target is above zero"))
    ]
  }
}

/// What an agency achieved towards its target: the running total day by day, so the day
/// the target was reached is known ("met in 1 month 20 days").
public struct TargetAchievement: Sendable, Equatable {
  public let target: AgencyTarget
  /// Each day with something collected (or enrolled), in order, with that day's amount.
  public let daily: [(date: CalendarDate, amount: Int64)]

  public init(target: AgencyTarget, daily: [(date: CalendarDate, amount: Int64)]) {
    self.target = target
    self.daily = daily.sorted { $0.date < $1.date }
  }

  public static func == (lhs: TargetAchievement, rhs: TargetAchievement) -> Bool {
    lhs.target == rhs.target && lhs.daily.map(\.date) == rhs.daily.map(\.date)
      && lhs.daily.map(\.amount) == rhs.daily.map(\.amount)
  }

  public var achieved: Int64 { daily.reduce(0) { $0 + $1.amount } }
  public var share: Share { Share(achieved, of: target.target) }
  /// The first day the running total reached the target, if it did.
  public var reachedOn: CalendarDate? {
    var total: Int64 = 0
    for day in daily {
      total += day.amount
      if total >= target.target { return day.date }
    }
    return nil
  }
}
