/// A worker a unit (or an individual) asks to enroll in a product for a coverage period.
public struct EnrollmentCandidate: Sendable, Equatable {
  public let worker: Worker.ID
  public let name: String
  public let birthDate: CalendarDate
  public let gender: Gender
  public let insuranceType: InsuranceType
  public let inService: Bool
  public let shares: Int
  /// Products the worker already holds for the period (for exclusivity).
  public let heldProducts: [String]
  /// When the worker was hired, for late joiners.
  public let hireDate: CalendarDate?

  public init(
    worker: Worker.ID, name: String, birthDate: CalendarDate, gender: Gender,
    insuranceType: InsuranceType = .urbanEmployee,
    inService: Bool = true, shares: Int = 1, heldProducts: [String] = [], hireDate: CalendarDate? = nil
  ) {
    self.worker = worker
    self.name = name
    self.birthDate = birthDate
    self.gender = gender
    self.insuranceType = insuranceType
    self.inService = inService
    self.shares = shares
    self.heldProducts = heldProducts
    self.hireDate = hireDate
  }
}

public struct EnrollmentRequest: Sendable {
  public let product: String
  /// The first day of the coverage period.
  public let periodStart: CalendarDate
  /// The day the enrollment is made.
  public let requestDate: CalendarDate
  /// The unit's headcount on the request date; nil for an individual enrollment.
  public let unitHeadcount: Int?
  /// Its female workers, when known: a product for one gender measures participation
  /// against the workers of that gender.
  public let unitFemaleHeadcount: Int?
  /// The unit's members already enrolled in this product for the period.
  public let alreadyEnrolled: Int
  /// The shares those members hold, when the rule wants the same for everyone.
  public let unitShares: Int?
  public let candidates: [EnrollmentCandidate]

  public init(
    product: String, periodStart: CalendarDate, requestDate: CalendarDate, unitHeadcount: Int?,
    unitFemaleHeadcount: Int? = nil, alreadyEnrolled: Int = 0,
    unitShares: Int? = nil, candidates: [EnrollmentCandidate]
  ) {
    self.product = product
    self.periodStart = periodStart
    self.requestDate = requestDate
    self.unitHeadcount = unitHeadcount
    self.unitFemaleHeadcount = unitFemaleHeadcount
    self.alreadyEnrolled = alreadyEnrolled
    self.unitShares = unitShares
    self.candidates = candidates
  }
}

/// The enrollment rules of a product's rule version, applied to a request. Every failed
/// check is reported, each offending worker by row and name, so that a union officer can
/// fix a whole roster at once.
public enum EnrollmentCheck {
  /// The headcount participation is measured against, and who it counts: the unit's workers,
  /// or, for a product only one gender may hold, the unit's workers of that gender (when the
  /// unit reported them). Nil for an individual enrollment.
  static func participationBase(_ request: EnrollmentRequest, genders: [Gender]?) -> (Int, LocalizedText)? {
    guard let total = request.unitHeadcount else { return nil }
    let workers = LocalizedText(zh: "职工", en: "workers")
    guard let genders, genders.count == 1, let female = request.unitFemaleHeadcount else { return (total, workers) }
    return genders[0] == .female
      ? (female, LocalizedText(zh: "女职工", en: "female workers"))
      : (max(0, total - female), LocalizedText(zh: "男职工", en: "male workers"))
  }

  public static func check(_ request: EnrollmentRequest, in scheme: CompiledScheme) -> [FieldError] {
    guard let product = scheme.product(request.product) else {
      return [
        FieldError(
          field: "product", code: "unknown_product",
          message: LocalizedText(
            zh: "方案中没有产品“\(request.product)”", en: "the scheme has no product \"\(request.product)\""))
      ]
    }
    guard let version = product.version(forCoverageStartingOn: request.periodStart) else {
      return [
        FieldError(
          field: "periodStart", code: "no_rule_version",
          message: LocalizedText(
            zh: "\(request.periodStart) 开始的保障期没有适用的规则版本",
            en: "no rule version covers a period starting \(request.periodStart)"))
      ]
    }
    let rules = version.enrollment
    var errors: [FieldError] = []
    func unitError(_ field: String, _ code: String, zh: String, en: String) {
      errors.append(FieldError(field: field, code: code, message: LocalizedText(zh: zh, en: en)))
    }

    let isLate = request.periodStart < request.requestDate
    if request.unitHeadcount == nil && rules?.individualEnrollment != true {
      unitError(
        "unitHeadcount", "individual_not_allowed", zh: "该产品不接受个人参保，须由单位集体参保",
        en: "this product takes unit enrollments only")
    }
    if !isLate, let window = rules?.window,
      request.requestDate < window.from || (window.to.map { $0 < request.requestDate } ?? false)
    {
      let range = "\(window.from)–\(window.to.map(\.description) ?? "")"
      unitError(
        "requestDate", "outside_enrollment_window", zh: "不在参保办理期（\(range)）内",
        en: "outside the enrollment window (\(range))")
    }
    // The unit's size picks the rule (small units, size bands); the share is of the workers
    // the product is for.
    if !isLate, let size = request.unitHeadcount,
      let (headcount, whom) = participationBase(request, genders: version.eligibility?.genders)
    {
      let total = request.alreadyEnrolled + request.candidates.count
      if let smallUnit = rules?.everyoneWhenHeadcountBelow, size < smallUnit, total < headcount {
        unitError(
          "candidates", "everyone_must_enroll",
          zh: "职工不足 \(smallUnit) 人的单位须全员参保（\(whom.zh) \(headcount) 人，已报 \(total) 人）",
          en: "units under \(smallUnit) workers enroll everyone (\(headcount) \(whom.en), \(total) enrolled)")
      } else if let share = rules?.participation(forHeadcount: size) {
        let needed = Int(RoundingRule.up.divide(Int64(headcount) * share.numerator, by: share.denominator))
        if total < needed {
          unitError(
            "candidates", "participation_too_low",
            zh: "参保人数须达到\(whom.zh)人数的 \(share.percentText)（\(headcount) 人中至少 \(needed) 人，已报 \(total) 人）",
            en:
              "at least \(share.percentText) of the \(headcount) \(whom.en) must enroll: \(needed) needed, \(total) given"
          )
        }
      }
    }

    let eligibility = version.compiledEligibility
    let exclusive = Set(rules?.exclusiveWith ?? [])
    // Exclusivity holds both ways: a product that names this one excludes it too.
    let excludedBy = Set(
      scheme.products.filter { other in
        other.code != product.code
          && (other.version(forCoverageStartingOn: request.periodStart)?.enrollment?.exclusiveWith ?? []).contains(
            product.code)
      }.map(\.code))
    let expectedShares =
      (rules?.sameSharesInUnit == true) ? (request.unitShares ?? request.candidates.first?.shares) : nil
    var seen: Set<Worker.ID> = []
    for (index, candidate) in request.candidates.enumerated() {
      let row = index + 1
      func fail(_ field: String, _ code: String, zh: String, en: String) {
        errors.append(
          FieldError(
            field: "candidates[\(index)].\(field)", code: code,
            message: LocalizedText(zh: "第\(row)行 \(candidate.name)：\(zh)", en: "row \(row), \(candidate.name): \(en)"),
            row: row))
      }
      if !seen.insert(candidate.worker).inserted {
        fail("worker", "duplicate_candidate", zh: "同一职工重复出现", en: "the same worker appears twice")
      }
      if !candidate.inService {
        fail("inService", "not_in_service", zh: "非在职职工", en: "not an in-service worker")
      }
      if let eligibility {
        let age = candidate.birthDate.age(on: request.periodStart)
        let limit = candidate.gender == .male ? eligibility.ageUnderMale : eligibility.ageUnderFemale
        if let from = eligibility.ageFrom, age < from {
          fail(
            "birthDate", "age_not_eligible", zh: "保障期开始时 \(age) 岁，未满 \(from) 岁",
            en: "aged \(age) at the start of cover, under \(from)")
        } else if let limit, age >= limit {
          fail(
            "birthDate", "age_not_eligible", zh: "保障期开始时 \(age) 岁，须小于 \(limit) 岁",
            en: "aged \(age) at the start of cover; must be under \(limit)")
        }
        if eligibility.genders != 0,
          eligibility.genders & CompiledEligibility.bit(candidate.gender, in: Gender.allCases) == 0
        {
          fail(
            "gender", "gender_not_eligible", zh: "该产品不接受\(candidate.gender.label.zh)性参保",
            en: "this product is not for \(candidate.gender.label.en) workers")
        }
        if eligibility.insuranceTypes != 0,
          eligibility.insuranceTypes & CompiledEligibility.bit(candidate.insuranceType, in: InsuranceType.allCases) == 0
        {
          fail(
            "insuranceType", "insurance_type_not_eligible", zh: "\(candidate.insuranceType.label.zh)人员不能参加",
            en: "workers in \(candidate.insuranceType.label.en) cannot join")
        }
      }
      if !version.shares.contains(candidate.shares) {
        fail(
          "shares", "invalid_shares", zh: "份数应为 \(version.shares.lowerBound)–\(version.shares.upperBound) 份",
          en: "shares must be \(version.shares.lowerBound)–\(version.shares.upperBound)")
      } else if let expectedShares, candidate.shares != expectedShares {
        fail(
          "shares", "shares_differ", zh: "同一单位须统一为 \(expectedShares) 份",
          en: "everyone in the unit holds \(expectedShares) shares")
      }
      if let clash = candidate.heldProducts.first(where: { exclusive.contains($0) || excludedBy.contains($0) }) {
        fail(
          "heldProducts", "exclusive_product", zh: "已参加互斥产品“\(clash)”",
          en: "already holds the exclusive product \"\(clash)\"")
      }
      if isLate {
        let window = rules?.lateJoinerDays ?? 0
        let allowed =
          candidate.hireDate.map { hire in
            request.periodStart <= hire && request.requestDate <= hire.adding(days: window)
          } ?? false
        if !allowed {
          fail(
            "hireDate", "late_enrollment",
            zh: "保障期已开始，仅期内新入职职工可在入职 \(window) 天内补充参保",
            en: "the period has started: only workers hired since may join, within \(window) days of hire")
        }
      }
    }
    return errors
  }
}
