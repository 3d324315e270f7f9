/// A validated scheme, ready to calculate with: codes resolved, versions sorted, bands
/// turned into integer bounds. Built only by ``SchemeCompiler``.
///
/// The compiled types are immutable classes: the engine hands them to every case, and a
/// reference costs one retain where a struct of arrays costs one per array.
public final class CompiledScheme: Sendable {
  public let definition: SchemeDefinition
  public let rounding: RoundingRule
  public let overallPerPeriod: Money?
  public let products: [CompiledProduct]
  /// Every disease class in the scheme's lists, by code (class codes are unique in a scheme).
  public let diseaseClasses: [String: (list: String, definition: DiseaseClassDefinition)]
  /// Disease-class and treatment-category codes, interned for ``ExplanationLine/subject``.
  let subjectCodes: [String]
  public let claimsPolicy: ClaimsPolicy

  init(
    claimsPolicy: ClaimsPolicy = ClaimsPolicy(workingDays: 10, approval: ApprovalPolicy(default: [])),
    definition: SchemeDefinition, rounding: RoundingRule, overallPerPeriod: Money?, products: [CompiledProduct],
    diseaseClasses: [String: (list: String, definition: DiseaseClassDefinition)], subjectCodes: [String]
  ) {
    self.claimsPolicy = claimsPolicy
    self.definition = definition
    self.rounding = rounding
    self.overallPerPeriod = overallPerPeriod
    self.products = products
    self.diseaseClasses = diseaseClasses
    self.subjectCodes = subjectCodes
  }

  /// The code a line's subject stands for.
  public func code(of subject: SubjectCode) -> String { subjectCodes[Int(subject.index)] }

  public var code: String { definition.scheme.code }
  public var name: String { definition.scheme.name }

  /// The same rules in objects of their own (compiled again from the definition, which
  /// compiled once): for work on another core, which would otherwise share every object's
  /// reference count with this one's.
  public func copy() -> CompiledScheme {
    guard let copy = try? SchemeCompiler.compile(definition) else { return self }
    return copy
  }

  public func product(_ code: String) -> CompiledProduct? {
    products.first { $0.code == code }
  }
}

/// How a scheme handles claims.
public struct ClaimsPolicy: Sendable, Equatable {
  /// Working days from complete documents to payment.
  public let workingDays: Int
  public let approval: ApprovalPolicy
  public var oneStop = OneStopPolicy()
}

/// The one-stop channel's rules, compiled: see ``OneStopDefinition``.
public struct OneStopPolicy: Sendable, Equatable {
  public var supplies: [String] = ["settlement_sheet", "invoice"]
  /// Nil: every claim from settlements goes to a reviewer.
  public var straightThroughUpTo: Money?
  public var sample: Rate = Rate(0, over: 1)

  public init() {}
}

public final class CompiledProduct: Sendable {
  public let code: String
  public let name: LocalizedText
  /// Sorted by the start of their coverage range; ranges never overlap.
  public let versions: [CompiledVersion]
  /// Its place among the scheme's products: batch work tallies by it instead of by code.
  let position: Int

  init(code: String, name: LocalizedText, versions: [CompiledVersion], position: Int) {
    self.code = code
    self.name = name
    self.versions = versions
    self.position = position
  }

  /// The version that judges a coverage period starting on `start`.
  public func version(forCoverageStartingOn start: CalendarDate) -> CompiledVersion? {
    versions.last { $0.from <= start && ($0.to.map { start <= $0 } ?? true) }
  }
}

public final class CompiledVersion: Sendable {
  public let label: String
  public let from: CalendarDate
  public let to: CalendarDate?
  public let contributionPerShare: Money?
  /// Lower prices from a consecutive year of membership on, years ascending.
  public let contributionSteps: [(fromYear: Int, perShare: Money)]
  public let enrollment: EnrollmentDefinition?
  public let periodMonths: Int
  public let activation: CoverActivation
  public let shares: ClosedRange<Int>
  public let eligibility: EligibilityDefinition?
  let compiledEligibility: CompiledEligibility?
  public let waitingPeriod: WaitingPeriodDefinition?
  /// Renewals within this many days keep continuity (no new waiting or observation period).
  public let continuityDays: Int
  public let deadline: DeadlineDefinition?
  let compiledDeadline: CompiledDeadline?
  public let limits: CompiledLimits
  public let requiredDocuments: [String]
  public let benefits: [CompiledBenefit]
  /// The scheme's rounding rule and overall cap, copied here so that judging a benefit
  /// needs nothing but its version.
  public let rounding: RoundingRule
  public let schemePerPeriod: Money?
  /// Groups of benefits not both paid on one event, by their places in `benefits`.
  let exclusive: [ExclusiveGroup]

  struct ExclusiveGroup: Sendable {
    let members: [Int]
    let choice: ExclusiveBenefitsDefinition.Choice

    /// Of the members' totals (by place in the version), those not paid: every member that
    /// pays but is not the chosen one.
    func losers(_ totals: [Money]) -> [Int] {
      let paying = members.filter { totals[$0].fen > 0 }
      guard paying.count > 1 else { return [] }
      let winner =
        switch choice {
        case .first: paying[0]
        // The largest; on a tie, the first listed (`max` keeps the first of equals).
        case .larger: paying.max { totals[$0] < totals[$1] }!
        }
      return paying.filter { $0 != winner }
    }
  }

  init(
    label: String, from: CalendarDate, to: CalendarDate?, contributionPerShare: Money?,
    contributionSteps: [(fromYear: Int, perShare: Money)] = [], enrollment: EnrollmentDefinition?, periodMonths: Int,
    activation: CoverActivation,
    shares: ClosedRange<Int>, eligibility: EligibilityDefinition?, waitingPeriod: WaitingPeriodDefinition?,
    continuityDays: Int, deadline: DeadlineDefinition?, limits: CompiledLimits, requiredDocuments: [String],
    benefits: [CompiledBenefit], rounding: RoundingRule, schemePerPeriod: Money?, exclusive: [ExclusiveGroup] = []
  ) {
    self.exclusive = exclusive
    self.rounding = rounding
    self.schemePerPeriod = schemePerPeriod
    self.label = label
    self.from = from
    self.to = to
    self.contributionPerShare = contributionPerShare
    self.contributionSteps = contributionSteps
    self.enrollment = enrollment
    self.periodMonths = periodMonths
    self.activation = activation
    self.shares = shares
    self.eligibility = eligibility
    self.compiledEligibility = eligibility.map(CompiledEligibility.init)
    self.waitingPeriod = waitingPeriod
    self.continuityDays = continuityDays
    self.deadline = deadline
    self.compiledDeadline = deadline.flatMap(CompiledDeadline.init)
    self.limits = limits
    self.requiredDocuments = requiredDocuments
    self.benefits = benefits
  }

  /// The price per share of a member in their `year`-th consecutive period (1: a new member):
  /// the longest step reached, else the version's price; nil when the version sets none.
  public func contributionPerShare(inYear year: Int) -> Money? {
    guard let base = contributionPerShare else { return nil }
    return contributionSteps.last { $0.fromYear <= year }?.perShare ?? base
  }
}

/// Eligibility as plain numbers and bit masks: checked for every case, so nothing in it is
/// reference-counted.
struct CompiledEligibility: Sendable {
  let ageFrom: Int?
  let ageUnderMale: Int?
  let ageUnderFemale: Int?
  /// Bit per `Gender`; 0 means any.
  let genders: UInt8
  /// Bit per `InsuranceType`; 0 means any.
  let insuranceTypes: UInt8

  init(_ definition: EligibilityDefinition) {
    ageFrom = definition.ageFrom
    ageUnderMale = definition.ageUnderByGender?.male ?? definition.ageUnder
    ageUnderFemale = definition.ageUnderByGender?.female ?? definition.ageUnder
    genders = Self.mask(definition.genders, all: Gender.allCases)
    insuranceTypes = Self.mask(definition.insuranceTypes, all: InsuranceType.allCases)
  }

  static func mask<T: Equatable>(_ values: [T]?, all: [T]) -> UInt8 {
    guard let values else { return 0 }
    return all.enumerated().reduce(0) { values.contains($1.element) ? $0 | (1 << $1.offset) : $0 }
  }

  static func bit<T: Equatable>(_ value: T, in all: [T]) -> UInt8 {
    1 << (all.firstIndex(of: value) ?? 0)
  }
}

/// A claim deadline with its `MM-DD` text parsed once.
struct CompiledDeadline: Sendable {
  enum Span: Sendable {
    case days(Int)
    case years(Int)
    case nextYearBy(month: Int, day: Int)
  }

  let anchor: DeadlineDefinition.Anchor
  let span: Span

  init?(_ definition: DeadlineDefinition) {
    anchor = definition.from ?? .discharge
    if let days = definition.days {
      span = .days(days)
    } else if let years = definition.years {
      span = .years(years)
    } else if let text = definition.nextYearBy, let (month, day) = DeadlineDefinition.monthDay(text) {
      span = .nextYearBy(month: month, day: day)
    } else {
      return nil
    }
  }
}

public struct CompiledLimits: Sendable {
  public let perClaim: Money?
  public let perPeriod: Money?
  public let maxPaidClaims: Int?
  public let categories: [CategoryLimitDefinition]
  public var minimumPerClaim: Money? = nil

  static let none = CompiledLimits(perClaim: nil, perPeriod: nil, maxPaidClaims: nil, categories: [])
}

public final class CompiledBenefit: Sendable {
  public let code: String
  public let name: LocalizedText
  public let genders: [Gender]?
  public let rule: Rule
  public let limits: CompiledLimits

  /// Stored, not derived from `rule`: asking the kind must not copy the rule.
  public let kind: BenefitDefinition.Kind
  /// The interned codes this benefit's lines may refer to.
  let subjects: [String: SubjectCode]
  /// Documents a claim paying this benefit needs beyond its version's list.
  public let requiredDocuments: [String]
  /// The treatment categories this benefit is only for (nil: any event).
  public let treatments: [String]?
  /// The treatment categories another benefit of the same kind in the version is for: this
  /// one leaves those events to it.
  public let leavesTreatments: [String]
  /// Whether either of those applies: one flag for the common case, judged for every event.
  let judgesTreatment: Bool
  /// The care settings it pays, as ``CareSetting/bit``s (0: any).
  let settings: UInt8
  /// The hospitals it pays (any, usually).
  let hospitals: CompiledHospitals
  /// Whether the amount is paid per share: not an accident's sum (its tiers say it) nor a
  /// death top-up (its floor is already per share). Stored: asked of every paying benefit.
  let paysPerShare: Bool
  /// Its continuity rewards, the shortest membership first (empty: none).
  public let continuity: [ContinuityReward]
  /// Whether it has any: one flag, read for every event, instead of the array.
  let rewardsContinuity: Bool

  init(
    code: String, name: LocalizedText, genders: [Gender]?, rule: Rule, limits: CompiledLimits,
    subjects: [String: SubjectCode], requiredDocuments: [String] = [], treatments: [String]? = nil,
    leavesTreatments: [String] = [], settings: [CareSetting]? = nil, hospitals: HospitalsDefinition? = nil,
    continuity: [ContinuityReward] = []
  ) {
    self.settings = settings?.reduce(0) { $0 | $1.bit } ?? 0
    self.hospitals = CompiledHospitals(hospitals)
    self.continuity = continuity
    self.rewardsContinuity = !continuity.isEmpty
    self.requiredDocuments = requiredDocuments
    self.treatments = treatments
    self.leavesTreatments = leavesTreatments
    self.judgesTreatment = treatments != nil || !leavesTreatments.isEmpty
    self.subjects = subjects
    self.code = code
    self.name = name
    self.genders = genders
    self.rule = rule
    self.limits = limits
    switch rule {
    case .hospital: kind = .hospital
    case .lumpSum: kind = .lumpSum
    case .allowance: kind = .allowance
    case .accident: kind = .accident
    case .death: kind = .death
    }
    switch rule {
    case .accident: paysPerShare = false
    case .death(let death): paysPerShare = death.madeUpTo == nil
    default: paysPerShare = true
    }
  }

  public enum Rule: Sendable {
    case hospital(HospitalRule)
    case lumpSum(LumpSumRule)
    case allowance(AllowanceDefinition)
    case accident(AccidentRule)
    case death(DeathDefinition)
  }

}

public final class HospitalRule: Sendable {
  public let base: BaseDefinition
  /// The base as a postfix program over the settlement figures.
  let program: [BaseOperation]
  public let deductible: DeductibleDefinition?
  public let schedule: CompiledSchedule
  public let overrides: [(category: MemberCategory, deductible: DeductibleDefinition?, schedule: CompiledSchedule?)]
  /// By hospital level or location, in the file's order (empty: none).
  let hospitalOverrides: [HospitalOverride]

  init(
    base: BaseDefinition, deductible: DeductibleDefinition?, schedule: CompiledSchedule,
    overrides: [(category: MemberCategory, deductible: DeductibleDefinition?, schedule: CompiledSchedule?)],
    hospitalOverrides: [HospitalOverride] = []
  ) {
    self.base = base
    self.program = BaseOperation.program(for: base)
    self.deductible = deductible
    self.schedule = schedule
    self.overrides = overrides
    self.hospitalOverrides = hospitalOverrides
  }
}

/// A hospital rule's deductible or schedule for events at some hospitals.
struct HospitalOverride: Sendable {
  let hospitals: CompiledHospitals
  /// As written, for the explanation.
  let definition: HospitalsDefinition
  let deductible: DeductibleDefinition?
  let schedule: CompiledSchedule?
}

/// One step of a base formula in postfix order: push a figure, or combine the last `n`.
enum BaseOperation: Sendable {
  case figure(SettlementFigure)
  case min(Int)
  case max(Int)
  case subtract(Int)

  static func program(for base: BaseDefinition) -> [BaseOperation] {
    switch base {
    case .figure(let figure): return [.figure(figure)]
    case .min(let parts): return parts.flatMap(program) + [.min(parts.count)]
    case .max(let parts): return parts.flatMap(program) + [.max(parts.count)]
    case .subtract(let parts): return parts.flatMap(program) + [.subtract(parts.count)]
    }
  }
}

/// A continuity reward step as the engine applies it.
public struct ContinuityReward: Sendable, Equatable {
  public let fromYear: Int
  public let rateIncrease: Rate
  public let capIncrease: Money
}

public indirect enum CompiledSchedule: Sendable {
  case progressive([CompiledBand])
  case wholeAmount([CompiledBand])
  case flat(Rate)
  case byStay([(stay: Int, schedule: CompiledSchedule)])

  /// The highest rate anywhere in the schedule.
  var highestRate: Rate {
    switch self {
    case .flat(let rate): rate
    case .progressive(let bands), .wholeAmount(let bands): bands.map(\.rate).max() ?? .zero
    case .byStay(let stays): stays.map(\.schedule.highestRate).max() ?? .zero
    }
  }
}

/// A band in fen: amounts above `lower` up to and including `upper`. An edge the scheme
/// states the other way round ("10,000（含）以上") is moved by one fen here, so the engine has
/// one rule; the band remembers how its edges were written, for the explanation.
public struct CompiledBand: Sendable {
  public let lower: Int64
  /// `Int64.max` for the open last band.
  public let upper: Int64
  /// Zero for a band of a fixed amount.
  public let rate: Rate
  /// The fixed amount a base in this band is paid, in fen (whole-amount schedules), or nil
  /// when the band pays its rate.
  public let amount: Int64?
  /// The written lower edge belongs to the band (`lower` is one fen below it).
  public let includesLower: Bool
  /// The written upper edge belongs to the next band (`upper` is one fen below it).
  public let excludesUpper: Bool

  public init(
    lower: Int64, upper: Int64, rate: Rate, amount: Int64? = nil, includesLower: Bool = false,
    excludesUpper: Bool = false
  ) {
    self.lower = lower
    self.upper = upper
    self.rate = rate
    self.amount = amount
    self.includesLower = includesLower
    self.excludesUpper = excludesUpper
  }

  /// The same band ending just below its written upper edge, which the next band includes.
  func endingBelowUpper() -> CompiledBand {
    CompiledBand(
      lower: lower, upper: upper - 1, rate: rate, amount: amount, includesLower: includesLower, excludesUpper: true)
  }

  /// A line's band edges, as the scheme wrote them.
  func describe(_ line: inout ExplanationLine) {
    line.bandFrom = Money(fen: includesLower ? lower + 1 : lower)
    line.bandTo = upper == .max ? nil : Money(fen: excludesUpper ? upper + 1 : upper)
    line.bandIncludesFrom = includesLower
    line.bandExcludesTo = excludesUpper
  }
}

public final class LumpSumRule: Sendable {
  public let list: String
  /// The codes of the list's classes.
  let classes: Set<String>
  public let amount: Money
  public let classAmounts: [String: Money]
  public let severityAmounts: SeverityAmountsDefinition?
  public let observation: [ObservationStepDefinition]
  public let coverEndsAfterPayment: Bool

  init(
    list: String, classes: Set<String>, amount: Money, classAmounts: [String: Money],
    severityAmounts: SeverityAmountsDefinition?, observation: [ObservationStepDefinition], coverEndsAfterPayment: Bool
  ) {
    self.list = list
    self.classes = classes
    self.amount = amount
    self.classAmounts = classAmounts
    self.severityAmounts = severityAmounts
    self.observation = observation
    self.coverEndsAfterPayment = coverEndsAfterPayment
  }
}

public final class AccidentRule: Sendable {
  public let sumInsured: Money
  public let sumByRiskClass: [Int: Money]
  public let death: Rate
  public let disability: [Int: Rate]
  public let medical: AccidentMedicalDefinition?

  init(
    sumInsured: Money, sumByRiskClass: [Int: Money], death: Rate, disability: [Int: Rate],
    medical: AccidentMedicalDefinition?
  ) {
    self.sumInsured = sumInsured
    self.sumByRiskClass = sumByRiskClass
    self.death = death
    self.disability = disability
    self.medical = medical
  }
}
