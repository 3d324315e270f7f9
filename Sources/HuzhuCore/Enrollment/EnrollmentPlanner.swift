/// What a unit officer or the window asks for: these workers, this product, this period.
public struct EnrollmentOrder: Sendable, Codable, Equatable {
  public var schemeCode: String
  public var productCode: String
  /// The first day of the coverage period.
  public var periodStart: CalendarDate
  /// The enrolling unit; nil for an individual enrollment.
  public var unitID: WorkUnit.ID?
  public var workerIDs: [Worker.ID]
  public var shares: Int
  public var split: PayerSplitRule
  /// The day the enrollment is made (today at the window).
  public var requestDate: CalendarDate

  public init(
    schemeCode: String, productCode: String, periodStart: CalendarDate, unitID: WorkUnit.ID?, workerIDs: [Worker.ID],
    shares: Int = 1, split: PayerSplitRule = PayerSplitRule(), requestDate: CalendarDate
  ) {
    self.schemeCode = schemeCode
    self.productCode = productCode
    self.periodStart = periodStart
    self.unitID = unitID
    self.workerIDs = workerIDs
    self.shares = shares
    self.split = split
    self.requestDate = requestDate
  }
}

/// What the store knows about the people and the unit of an order, gathered in the same
/// transaction that will write the plan.
public struct EnrollmentFacts: Sendable {
  public struct Member: Sendable {
    public let worker: Worker
    /// The current employment's start, when the worker is employed by the ordering unit.
    public let hireDate: CalendarDate?
    /// Employed by the ordering unit now (always true for an individual enrollment).
    public let inService: Bool
    /// Enrollments of this person in the scheme whose periods overlap the ordered one.
    public let overlapping: [Enrollment]
    /// The end of the previous period when this enrollment renews one.
    public let previousCoverEnd: CalendarDate?
    /// The person's paid-for cover of the product in periods before the ordered one (read only
    /// when the rule version prices by years of membership).
    public let earlierCover: [HeldCover]

    public init(
      worker: Worker, hireDate: CalendarDate?, inService: Bool, overlapping: [Enrollment] = [],
      previousCoverEnd: CalendarDate? = nil, earlierCover: [HeldCover] = []
    ) {
      self.worker = worker
      self.hireDate = hireDate
      self.inService = inService
      self.overlapping = overlapping
      self.previousCoverEnd = previousCoverEnd
      self.earlierCover = earlierCover
    }

    /// The same person renewing the period that ended on `end`.
    public func renewing(_ end: CalendarDate) -> Member {
      Member(
        worker: worker, hireDate: hireDate, inService: inService, overlapping: overlapping, previousCoverEnd: end,
        earlierCover: earlierCover)
    }

    /// Which consecutive period of `product` the one from `period` would be for this person (1: a
    /// new member), counted as claims count it (``ClaimCaseBuilder/withMembership(_:among:)``;
    /// a renewal within `continuityDays` of the previous period's end continues it).
    public func consecutiveYear(of product: String, in period: CoveragePeriod, continuityDays: Int) -> Int {
      let ordered = HeldCover(
        period: period,
        facts: CoverFacts(product: product, start: period.start, end: period.end, previousCoverEnd: previousCoverEnd))
      let counted = ClaimCaseBuilder.withMembership([ordered], among: [ordered] + earlierCover)[0].facts
      if let years = counted.consecutiveYears { return years }
      guard let end = previousCoverEnd, end < period.start else { return 1 }
      return end.days(until: period.start) - 1 <= continuityDays ? 2 : 1
    }
  }

  /// The unit's total headcount on the request date; nil for an individual.
  public let headcount: Int?
  /// Its female workers on that date, when known.
  public let femaleHeadcount: Int?
  /// Members of the unit already enrolled in the product for an overlapping period.
  public let alreadyEnrolled: [Enrollment]
  /// By worker id; ids of the order that the registry does not know are absent.
  public let members: [Worker.ID: Member]

  public init(
    headcount: Int?, femaleHeadcount: Int? = nil, alreadyEnrolled: [Enrollment], members: [Worker.ID: Member]
  ) {
    self.headcount = headcount
    self.femaleHeadcount = femaleHeadcount
    self.alreadyEnrolled = alreadyEnrolled
    self.members = members
  }
}

/// Numbers the store allocated for a plan (from its sequences, inside the transaction).
public struct DocumentNumbers: Sendable {
  public let bill: String
  public let certificates: [String]

  public init(bill: String, certificates: [String]) {
    self.bill = bill
    self.certificates = certificates
  }

  /// `ANYANG-2019-000123`: scheme, year of the period, running number. Bills and receipts
  /// carry a prefix (`JF-`, `SJ-`) so that no two kinds of paper share a number.
  public static func format(_ kind: DocumentKind, scheme: String, year: Int, sequence: Int) -> String {
    let digits = String(sequence)
    let padded = String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    return "\(kind.prefix)\(scheme.uppercased())-\(year)-\(padded)"
  }
}

public enum DocumentKind: String, Sendable, CaseIterable {
  case certificate
  case bill
  case receipt
  case claim
  case paymentBatch = "payment_batch"
  case refund

  var prefix: String {
    switch self {
    case .certificate: ""
    case .bill: "JF-"
    case .receipt: "SJ-"
    case .claim: "LP-"
    case .paymentBatch: "ZF-"
    case .refund: "TF-"
    }
  }

  /// Whether `text` is written as one of this kind's numbers (its prefix, in either case):
  /// a claim number typed into a search box rather than a name.
  public func looksLikeNumber(_ text: String) -> Bool { !prefix.isEmpty && text.uppercased().hasPrefix(prefix) }

  /// The name of the store's sequence for this kind, scheme and year.
  public func sequenceName(scheme: String, year: Int) -> String { "\(rawValue):\(scheme):\(year)" }
}

/// An accepted order: the enrollments and the bill to write, all or nothing.
public struct EnrollmentPlan: Sendable {
  public let enrollments: [Enrollment]
  public let bill: Bill
  /// Member by member, who pays what: kept with the bill.
  public let lines: [ContributionBill.Line]
}

/// Turns an order and the facts about it into a plan, or every reason it cannot be one.
public enum EnrollmentPlanner {
  /// Every reason the order cannot be accepted; empty when it can. Errors about one worker
  /// carry the worker's 1-based position in `workerIDs` as `row`.
  public static func check(_ order: EnrollmentOrder, facts: EnrollmentFacts, scheme: CompiledScheme) -> [FieldError] {
    var errors: [FieldError] = []
    guard let product = scheme.product(order.productCode),
      let version = product.version(forCoverageStartingOn: order.periodStart)
    else {
      // The check names which of the two is missing.
      return EnrollmentCheck.check(request(order, facts: facts, candidates: []), in: scheme)
    }
    if version.contributionPerShare == nil {
      return [
        FieldError(
          field: "productCode", code: "no_price",
          message: LocalizedText(
            zh: "规则版本 \(version.label) 未规定缴费标准", en: "rule version \(version.label) sets no contribution"))
      ]
    }
    if order.workerIDs.isEmpty {
      errors.append(
        FieldError(
          field: "workerIds", code: "no_workers",
          message: LocalizedText(zh: "请选择参保职工", en: "choose the workers to enroll")))
    }
    if order.unitID == nil && order.workerIDs.count > 1 {
      errors.append(
        FieldError(
          field: "workerIds", code: "individual_is_one_person",
          message: LocalizedText(zh: "个人参保一次只能办理一人", en: "an individual enrollment is for one person")))
    }
    var candidates: [EnrollmentCandidate] = []
    for (index, id) in order.workerIDs.enumerated() {
      guard let member = facts.members[id] else {
        errors.append(
          FieldError(
            field: "workerIds[\(index)]", code: "unknown_worker",
            message: LocalizedText(zh: "第\(index + 1)行：职工不存在", en: "row \(index + 1): no such worker"),
            row: index + 1))
        continue
      }
      if let same = member.overlapping.first(where: { $0.productCode == product.code }) {
        errors.append(
          FieldError(
            field: "workerIds[\(index)]", code: "already_enrolled",
            message: LocalizedText(
              zh:
                "第\(index + 1)行 \(member.worker.name)：已参加本产品（保障书 \(same.certificateNumber)，\(same.period.start)–\(same.period.end)）",
              en:
                "row \(index + 1), \(member.worker.name): already enrolled (certificate \(same.certificateNumber), \(same.period.start)–\(same.period.end))"
            ),
            row: index + 1))
      }
      candidates.append(
        EnrollmentCandidate(
          worker: id, name: member.worker.name, birthDate: member.worker.birthDate, gender: member.worker.gender,
          insuranceType: member.worker.insuranceType, inService: member.inService, shares: order.shares,
          heldProducts: member.overlapping.map(\.productCode).filter { $0 != product.code },
          hireDate: member.hireDate))
    }
    errors += EnrollmentCheck.check(request(order, facts: facts, candidates: candidates), in: scheme)
    errors += order.split.validate().map {
      FieldError(field: "split.\($0.field)", code: $0.code, message: $0.message, row: $0.row)
    }
    for id in order.split.thirdParties.keys where !order.workerIDs.contains(id) {
      errors.append(
        FieldError(
          field: "split.thirdParties", code: "third_party_not_enrolled",
          message: LocalizedText(zh: "代缴对象不在本次参保名单中", en: "a third party pays for someone not in this order")))
    }
    return errors
  }

  /// The plan for an order, or every reason there cannot be one (see ``check(_:facts:scheme:)``).
  public static func plan(
    _ order: EnrollmentOrder, facts: EnrollmentFacts, scheme: CompiledScheme, numbers: DocumentNumbers
  ) throws(ValidationFailure) -> EnrollmentPlan {
    let errors = check(order, facts: facts, scheme: scheme)
    guard errors.isEmpty, let product = scheme.product(order.productCode),
      let version = product.version(forCoverageStartingOn: order.periodStart),
      let price = version.contributionPerShare
    else { throw ValidationFailure(errors) }
    precondition(numbers.certificates.count == order.workerIDs.count, "one certificate number per worker")
    let period = CoveragePeriod(start: order.periodStart, months: version.periodMonths)

    // A long-standing member's own (lower) price, where the version sets one by years.
    let prices: [Worker.ID: Money] =
      version.contributionSteps.isEmpty
      ? [:]
      : Dictionary(
        order.workerIDs.compactMap { id in
          guard let member = facts.members[id],
            let own = version.contributionPerShare(
              inYear: member.consecutiveYear(
                of: product.code, in: period, continuityDays: version.continuityDays)),
            own != price
          else { return nil }
          return (id, own)
        }, uniquingKeysWith: { first, _ in first })
    let contribution = ContributionBill(
      members: order.workerIDs.map { BillMember(worker: $0, shares: order.shares, pricePerShare: prices[$0]) },
      pricePerShare: price, rule: order.split, rounding: scheme.rounding)
    let bill = Bill(
      number: numbers.bill, schemeCode: scheme.code, productCode: product.code, versionLabel: version.label,
      unitID: order.unitID, period: period, issuedOn: order.requestDate, split: order.split,
      due: contribution.dueByPayer, memberCount: order.workerIDs.count)
    let enrollments = order.workerIDs.enumerated().map { index, id in
      Enrollment(
        schemeCode: scheme.code, productCode: product.code, versionLabel: version.label, workerID: id,
        unitID: order.unitID, period: period, shares: order.shares,
        previousCoverEnd: facts.members[id]?.previousCoverEnd, certificateNumber: numbers.certificates[index],
        enrolledOn: order.requestDate, billID: bill.id, pricePerShare: prices[id])
    }
    return EnrollmentPlan(enrollments: enrollments, bill: bill, lines: contribution.lines)
  }

  private static func request(_ order: EnrollmentOrder, facts: EnrollmentFacts, candidates: [EnrollmentCandidate])
    -> EnrollmentRequest
  {
    EnrollmentRequest(
      product: order.productCode, periodStart: order.periodStart, requestDate: order.requestDate,
      unitHeadcount: facts.headcount, unitFemaleHeadcount: facts.femaleHeadcount,
      alreadyEnrolled: facts.alreadyEnrolled.count,
      unitShares: facts.alreadyEnrolled.first?.shares, candidates: candidates)
  }

  /// Cover that a settled bill switches on: every enrollment of the bill becomes active from
  /// the day the rule version says.
  public static func activate(
    _ enrollments: [Enrollment], settledOn: CalendarDate, activation: CoverActivation
  ) -> [Enrollment] {
    enrollments.map { enrollment in
      var active = enrollment
      active.status = .active
      active.coverFrom = activation.coverFrom(periodStart: enrollment.period.start, paidOn: settledOn)
      return active
    }
  }
}

/// Renewal: the members of a unit's period carried over to the next one.
public enum RenewalPlanner {
  public struct LeftOut: Sendable, Equatable, Codable {
    public let workerID: Worker.ID
    public let name: String
    public let reason: LocalizedText

    public init(workerID: Worker.ID, name: String, reason: LocalizedText) {
      self.workerID = workerID
      self.name = name
      self.reason = reason
    }
  }

  /// The order that renews `previous` (one unit's enrollments in one product and period),
  /// and the members left out with why. The new period starts the day after the old one
  /// ends, or on `requestDate` when the renewal comes later (cover is never backdated; the
  /// engine then decides from the gap whether continuity holds).
  public static func order(
    renewing previous: [Enrollment], stillEmployed: Set<Worker.ID>, names: [Worker.ID: String], split: PayerSplitRule,
    requestDate: CalendarDate
  ) -> (order: EnrollmentOrder, leftOut: [LeftOut])? {
    guard let first = previous.first else { return nil }
    let nextStart = first.period.end.adding(days: 1)
    var kept: [Worker.ID] = []
    var leftOut: [LeftOut] = []
    for enrollment in previous.sorted(by: { (names[$0.workerID] ?? "") < (names[$1.workerID] ?? "") }) {
      if stillEmployed.contains(enrollment.workerID) {
        kept.append(enrollment.workerID)
      } else {
        leftOut.append(
          LeftOut(
            workerID: enrollment.workerID, name: names[enrollment.workerID] ?? "",
            reason: LocalizedText(zh: "已不在本单位", en: "no longer works for the unit")))
      }
    }
    let order = EnrollmentOrder(
      schemeCode: first.schemeCode, productCode: first.productCode, periodStart: max(nextStart, requestDate),
      unitID: first.unitID, workerIDs: kept, shares: first.shares,
      split: PayerSplitRule(
        employer: split.employer, unionSubsidies: split.unionSubsidies,
        thirdParties: split.thirdParties.filter { kept.contains($0.key) }),
      requestDate: requestDate)
    return (order, leftOut)
  }
}
