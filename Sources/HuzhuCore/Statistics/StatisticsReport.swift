/// The indicators leaders read, computed from ``StatisticsFacts``: pure arithmetic, so every
/// figure on a dashboard, in an export and in a test comes from the same function.
public struct StatisticsReport: Sendable {
  /// Additive figures for a group of units (an area, a sector, the whole report).
  public struct Figures: Sendable, Equatable {
    public var units = 0
    public var participatingUnits = 0
    public var headcount = 0
    public var femaleHeadcount = 0
    public var insuredPersons = 0
    public var personProducts = 0
    public var newPersonProducts = 0
    public var renewedPersonProducts = 0
    public var lapsedPersonProducts = 0
    public var contributionsDue = Money.zero
    public var collected = Money.zero
    public var paidClaims = 0
    public var paidAmount = Money.zero

    public init() {}

    public mutating func add(_ other: Figures) {
      units += other.units
      participatingUnits += other.participatingUnits
      headcount += other.headcount
      femaleHeadcount += other.femaleHeadcount
      insuredPersons += other.insuredPersons
      personProducts += other.personProducts
      newPersonProducts += other.newPersonProducts
      renewedPersonProducts += other.renewedPersonProducts
      lapsedPersonProducts += other.lapsedPersonProducts
      contributionsDue += other.contributionsDue
      collected += other.collected
      paidClaims += other.paidClaims
      paidAmount += other.paidAmount
    }

    public mutating func add(_ unit: UnitFigures) {
      units += 1
      if unit.insuredPersons > 0 { participatingUnits += 1 }
      headcount += unit.headcount
      femaleHeadcount += unit.femaleHeadcount
      insuredPersons += unit.insuredPersons
      personProducts += unit.personProducts
      newPersonProducts += unit.newPersonProducts
      renewedPersonProducts += unit.renewedPersonProducts
      lapsedPersonProducts += unit.lapsedPersonProducts
      contributionsDue += unit.contributionsDue
      collected += unit.collected
      paidClaims += unit.paidClaims
      paidAmount += unit.paidAmount
    }

    /// Insured persons over reported headcount (参保率).
    public var participation: Share { Share(insuredPersons, of: headcount) }
    /// Renewed over those who could have renewed (renewed + lapsed).
    public var renewal: Share { Share(renewedPersonProducts, of: renewedPersonProducts + lapsedPersonProducts) }
    /// Paid out over collected (赔付率).
    public var lossRatio: Share { Share(paidAmount, of: collected) }
  }

  /// A labelled group of units: an organisation node below the report's node (the node's own
  /// units form the group with an empty key), or a sector.
  public struct Group: Sendable, Equatable {
    public let key: String
    public let label: LocalizedText
    public var figures: Figures
  }

  public struct Service: Sendable, Equatable {
    public let paidClaims: Int
    /// Working days from complete documents to payment, in tenths (3.4 days is 34).
    public let averageTenths: Int?
    public let percentile90: Int?
    public let withinDeadline: Share
    public let overdueNow: Int
    /// Samples whose working days the holiday calendar cannot count (a year not yet published).
    public let uncounted: Int

    public var averageText: String {
      guard let tenths = averageTenths else { return "—" }
      return "\(tenths / 10).\(tenths % 10)"
    }
  }

  public let period: ReportPeriod
  /// The units listed one by one (the query may have limited them), the most insured first.
  public let units: [UnitFigures]
  /// The whole report. Its insured persons are distinct across units and products; its claims
  /// and money include members without a unit.
  public let totals: Figures
  /// Every unit's figures added up: the total row of the area, sector and unit tables.
  public let unitSums: Figures
  public let byArea: [Group]
  public let bySector: [Group]
  public let insuredByGender: [Gender: Int]
  public let collectedByPayer: [(payer: PayerType, amount: Money)]
  public let dueByPayer: [(payer: PayerType, amount: Money)]
  public let benefits: [BenefitFigures]
  public let personsPaid: Int
  public let largestClaim: Money
  public let rejections: [(reason: RejectionReason, count: Int)]
  public let service: Service
  public let monthly: [MonthFigures]

  /// - Parameters:
  ///   - root: the node the report is for; areas are its children (nil: the top-level nodes).
  ///   - organisations: every node the reader may see, for the grouping.
  public init(_ facts: StatisticsFacts, period: ReportPeriod, root: Organisation.ID?, organisations: [Organisation]) {
    self.period = period
    self.units = facts.units.sorted {
      ($0.insuredPersons, $1.name) > ($1.insuredPersons, $0.name)
    }
    var sums = Figures()
    for group in facts.groups { sums.add(group.figures) }
    self.unitSums = sums
    var totals = sums
    // Members without a unit add to the money and claims, not to any unit's row.
    totals.insuredPersons = facts.insuredPersons
    totals.collected = facts.collectedByPayer.values.reduce(.zero, +)
    totals.contributionsDue = facts.dueByPayer.values.reduce(.zero, +)
    totals.paidClaims = facts.paidClaims
    totals.paidAmount = facts.paidAmount
    self.totals = totals

    // Areas: the child of `root` each unit's node sits under.
    let byID = Dictionary(organisations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    func area(of node: Organisation.ID) -> Organisation? {
      var current = byID[node]
      var steps = 0
      while let organisation = current, steps < 64 {
        if organisation.parentID == root { return organisation }
        current = organisation.parentID.flatMap { byID[$0] }
        steps += 1
      }
      return nil
    }
    var areas: [Organisation.ID: Group] = [:]
    var sectors: [Sector: Group] = [:]
    for group in facts.groups {
      if let node = area(of: group.organisationID) {
        areas[
          node.id,
          default: Group(
            key: node.code, label: LocalizedText(zh: node.name, en: node.nameEn ?? node.name), figures: Figures())
        ]
        .figures.add(group.figures)
      } else if let root, group.organisationID == root, let node = byID[root] {
        // Units attached to the report's own node: a group of their own, listed first.
        areas[
          root,
          default: Group(
            key: "", label: LocalizedText(zh: "\(node.name)（本级）", en: "\(node.nameEn ?? node.name) (direct)"),
            figures: Figures())
        ]
        .figures.add(group.figures)
      }
      sectors[group.sector, default: Group(key: group.sector.rawValue, label: group.sector.label, figures: Figures())]
        .figures.add(group.figures)
    }
    self.byArea = areas.values.sorted { $0.key < $1.key }
    self.bySector = Sector.allCases.compactMap { sectors[$0] }
    self.insuredByGender = facts.insuredByGender
    self.collectedByPayer = PayerType.allCases.compactMap { payer in facts.collectedByPayer[payer].map { (payer, $0) } }
    self.dueByPayer = PayerType.allCases.compactMap { payer in facts.dueByPayer[payer].map { (payer, $0) } }
    self.benefits = facts.benefits.sorted { ($0.product, $0.benefit) < ($1.product, $1.benefit) }
    self.personsPaid = facts.personsPaid
    self.largestClaim = facts.largestClaim
    self.rejections = RejectionReason.allCases.compactMap { reason in facts.rejections[reason].map { (reason, $0) } }
    self.service = Self.service(facts.service, overdueNow: facts.overdueNow)
    let months = Dictionary(facts.monthly.map { ($0.month, $0) }, uniquingKeysWith: { first, _ in first })
    self.monthly = period.months.map { months[$0] ?? MonthFigures(month: $0) }
  }

  /// Union money (every level) collected: the subsidy total (各级工会补贴).
  public var unionSubsidy: Money {
    collectedByPayer.filter { [.unionProvince, .unionCity, .unionCounty].contains($0.payer) }.reduce(.zero) {
      $0 + $1.amount
    }
  }

  /// Average paid per claim, rounded half up to the fen.
  public var averagePerClaim: Money {
    guard totals.paidClaims > 0 else { return .zero }
    let count = Int64(totals.paidClaims)
    return Money(fen: (totals.paidAmount.fen * 2 + count) / (count * 2))
  }

  /// Participation by gender: women over the female headcount, men over the rest.
  public func participation(of gender: Gender) -> Share {
    let insured = insuredByGender[gender] ?? 0
    let headcount = gender == .female ? totals.femaleHeadcount : totals.headcount - totals.femaleHeadcount
    return Share(insured, of: headcount)
  }

  public static func service(_ samples: [ServiceSample], overdueNow: Int) -> Service {
    // Working days with the number of claims that took them.
    var days: [(days: Int, claims: Int)] = []
    var uncounted = 0
    var onTime = 0
    var claims = 0
    for sample in samples {
      claims += sample.claims
      onTime += sample.onTime
      if let workingDays = sample.workingDays {
        days.append((workingDays, sample.claims))
      } else {
        uncounted += sample.claims
      }
    }
    days.sort { $0.days < $1.days }
    let counted = days.reduce(0) { $0 + $1.claims }
    let total = days.reduce(0) { $0 + $1.days * $1.claims }
    let average = counted == 0 ? nil : (total * 20 + counted) / (counted * 2)
    // Nearest rank: the smallest value with at least 90% of the claims at or below it.
    var p90: Int?
    if counted > 0 {
      let rank = (counted * 9 + 9) / 10
      var seen = 0
      for entry in days {
        seen += entry.claims
        if seen >= rank {
          p90 = entry.days
          break
        }
      }
    }
    return Service(
      paidClaims: claims, averageTenths: average, percentile90: p90, withinDeadline: Share(onTime, of: claims),
      overdueNow: overdueNow, uncounted: uncounted)
  }
}

/// The agencies' ranking in the province: the largest share of the target first; among equal
/// shares, whoever reached the target earlier.
public enum TargetRanking {
  public static func rank(_ achievements: [TargetAchievement]) -> [TargetAchievement] {
    achievements.sorted { lhs, rhs in
      if lhs.share != rhs.share { return rhs.share < lhs.share }
      switch (lhs.reachedOn, rhs.reachedOn) {
      case (let left?, let right?) where left != right: return left < right
      case (.some, nil): return true
      default: return lhs.target.organisationID.description < rhs.target.organisationID.description
      }
    }
  }
}
