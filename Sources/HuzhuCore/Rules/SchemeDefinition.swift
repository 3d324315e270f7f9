/// A scheme as union administrators write it (see docs/schemes.md): plain data, decoded from
/// YAML or JSON, validated and compiled by ``SchemeCompiler`` before anything is calculated.
///
/// Shape: scheme → disease lists → products → rule versions (chosen by the start of the
/// member's coverage period) → benefits (hospital, lump sum, allowance, accident).
public struct SchemeDefinition: Codable, Sendable, Equatable {
  /// The most any amount of a scheme may be (a price, a cap, a band's edge or fixed amount):
  /// a billion yuan, beyond any benefit. Checked when the scheme is compiled.
  public static let largestAmount = Money(fen: 100_000_000_000)

  public var scheme: SchemeHeader
  public var diseaseLists: [DiseaseListDefinition]?
  public var products: [ProductDefinition]

  public init(scheme: SchemeHeader, diseaseLists: [DiseaseListDefinition]? = nil, products: [ProductDefinition]) {
    self.scheme = scheme
    self.diseaseLists = diseaseLists
    self.products = products
  }
}

public struct SchemeHeader: Codable, Sendable, Equatable {
  public var code: String
  public var name: String
  public var nameEn: String?
  /// How fractions of a fen are rounded everywhere in this scheme; half-up by default.
  public var rounding: RoundingRule?
  /// Caps across every product of the scheme, per person and period.
  public var limits: SchemeLimitsDefinition?
  /// How claims are handled: the service promise and who approves.
  public var claims: ClaimsPolicyDefinition?
  /// How corrections of money are decided.
  public var corrections: CorrectionsPolicyDefinition?
}

public struct CorrectionsPolicyDefinition: Codable, Sendable, Equatable {
  /// A second person approves every correction of money (true by default); false lets the one
  /// who asks carry it out, for an office of one.
  public var fourEyes: Bool?
}

public struct ClaimsPolicyDefinition: Codable, Sendable, Equatable {
  /// Working days from complete documents to payment that the scheme promises (10 by default).
  public var workingDays: Int?
  /// Approval levels, lowest first; none means a review approves.
  public var approval: [OrganisationKind]?
  /// Levels by benefit kind, where they differ (a county approves hospital claims, the city
  /// approves lump sums).
  public var approvalByKind: [String: [OrganisationKind]]?
  /// Claims made from medical-insurance settlements (docs/settlements.md).
  public var oneStop: OneStopDefinition?
}

/// How claims from settlement data go: which papers the settlement stands for, and which
/// claims are approved without a person.
public struct OneStopDefinition: Codable, Sendable, Equatable {
  /// Documents the settlement record stands for (`settlement_sheet` and `invoice` when absent);
  /// any other the claim needs is asked for, and holds the claim until it comes.
  public var supplies: [String]?
  public var straightThrough: StraightThroughDefinition?
}

/// Claims paying at most `upTo`, with nothing flagged, are approved without a person; a
/// `sample` share of them still goes to a reviewer, for audit.
public struct StraightThroughDefinition: Codable, Sendable, Equatable {
  public var upTo: Money
  public var sample: Rate?
}

public struct SchemeLimitsDefinition: Codable, Sendable, Equatable {
  public var perPeriod: Money?
}

public struct DiseaseListDefinition: Codable, Sendable, Equatable {
  public var code: String
  public var name: String
  public var classes: [DiseaseClassDefinition]
}

public struct DiseaseClassDefinition: Codable, Sendable, Equatable {
  public var code: String
  public var name: String
  public var nameEn: String?
}

public struct ProductDefinition: Codable, Sendable, Equatable {
  public var code: String
  public var name: String
  public var nameEn: String?
  public var versions: [RuleVersionDefinition]

  /// Whether some rule version takes people enrolling on their own.
  public var takesIndividuals: Bool { versions.contains { $0.enrollment?.individualEnrollment == true } }
}

public struct RuleVersionDefinition: Codable, Sendable, Equatable {
  /// A label such as `2019` or `2021-修订`.
  public var version: String
  /// Coverage periods that start in this range are judged by this version.
  public var coverageStarting: DateRangeDefinition
  public var contribution: ContributionDefinition?
  /// Who may enroll and how: participation, windows, exclusivity.
  public var enrollment: EnrollmentDefinition?
  public var shares: SharesDefinition?
  public var eligibility: EligibilityDefinition?
  public var waitingPeriod: WaitingPeriodDefinition?
  public var claimDeadline: DeadlineDefinition?
  /// Caps across the benefits of this product.
  public var limits: LimitsDefinition?
  /// Documents a claim needs (codes such as `certificate`, `diagnosis`, `invoice`, `settlement_sheet`).
  public var requiredDocuments: [String]?
  public var benefits: [BenefitDefinition]
  /// Benefits not both paid on one event ("重大疾病救助与住院津贴不重复给付"): of each group, the
  /// one chosen by `pay` is paid, the others nothing.
  public var exclusive: [ExclusiveBenefitsDefinition]?
}

public struct ExclusiveBenefitsDefinition: Codable, Sendable, Equatable {
  public enum Choice: String, Codable, Sendable {
    /// The one that pays the most (on a tie, the first listed).
    case larger
    /// The first listed that pays anything.
    case first
  }

  /// Codes of two or more benefits of the version.
  public var benefits: [String]
  /// Which one is paid (`larger` when absent).
  public var pay: Choice?

  public init(benefits: [String], pay: Choice? = nil) {
    self.benefits = benefits
    self.pay = pay
  }
}

public struct DateRangeDefinition: Codable, Sendable, Equatable {
  public var from: CalendarDate
  /// Inclusive; open-ended when absent.
  public var to: CalendarDate?
}

public struct ContributionDefinition: Codable, Sendable, Equatable {
  /// Price per person (per share) for one coverage period.
  public var perShare: Money
  /// Length of a coverage period in months (12 by default).
  public var periodMonths: Int?
  /// When paid cover begins (`on_payment` by default).
  public var activation: CoverActivation?
  /// Lower prices for long-standing members ("from the third consecutive year 80 yuan"): the
  /// step of the longest membership reached sets the price per share.
  public var continuity: [ContributionStepDefinition]?
}

/// The price per share from a member's `fromYear`-th consecutive coverage period of the product
/// (the period being bought counted as one; 2 is a renewing member's price).
public struct ContributionStepDefinition: Codable, Sendable, Equatable {
  public var fromYear: Int
  public var perShare: Money

  public init(fromYear: Int, perShare: Money) {
    self.fromYear = fromYear
    self.perShare = perShare
  }
}

public struct EnrollmentDefinition: Codable, Sendable, Equatable {
  /// Units may enroll for a period only between these dates.
  public var window: DateRangeDefinition?
  /// A unit must enroll at least this share of its headcount (of the genders the product is
  /// for: a female workers' product counts the unit's female workers)…
  public var minParticipation: Rate?
  /// …or a share that depends on the unit's size ("95% below 50 workers, 80% from 50"), in
  /// place of `minParticipation`…
  public var minParticipationBySize: [ParticipationBandDefinition]?
  /// …and everyone when it has fewer than this many workers.
  public var everyoneWhenHeadcountBelow: Int?
  /// Everyone in a unit holds the same number of shares.
  public var sameSharesInUnit: Bool?
  /// After the period starts, new hires may still join within this many days of hire.
  public var lateJoinerDays: Int?
  /// Products that cannot be held together with this one in a period.
  public var exclusiveWith: [String]?
  /// Individuals (gig workers, workers whose unit has not joined) may enroll on their own.
  public var individualEnrollment: Bool?
  /// A member may withdraw within this many days of their cover's first day (of enrolling,
  /// while unpaid), and what was paid for them is refunded; absent: no withdrawal.
  public var withdrawalDays: Int?
}

/// The participation a unit of a size needs: units whose headcount is below `headcountBelow`
/// (the last band has none: every larger unit).
public struct ParticipationBandDefinition: Codable, Sendable, Equatable {
  public var headcountBelow: Int?
  public var share: Rate

  public init(headcountBelow: Int? = nil, share: Rate) {
    self.headcountBelow = headcountBelow
    self.share = share
  }
}

public struct SharesDefinition: Codable, Sendable, Equatable {
  public var min: Int
  public var max: Int
}

public struct EligibilityDefinition: Codable, Sendable, Equatable {
  /// Minimum age at the start of cover (inclusive).
  public var ageFrom: Int?
  /// Age at the start of cover must be below this.
  public var ageUnder: Int?
  /// A different upper limit per gender (e.g. men under 60, women under 55).
  public var ageUnderByGender: AgeByGenderDefinition?
  public var genders: [Gender]?
  public var insuranceTypes: [InsuranceType]?
}

public struct AgeByGenderDefinition: Codable, Sendable, Equatable {
  public var male: Int?
  public var female: Int?
}

public struct WaitingPeriodDefinition: Codable, Sendable, Equatable {
  /// Events in the first `days` days of cover are not covered.
  public var days: Int
  /// No waiting period when the member renews within this many days of the last cover's end.
  public var waivedOnRenewalWithinDays: Int?
}

public struct DeadlineDefinition: Codable, Sendable, Equatable {
  public enum Anchor: String, Codable, Sendable { case discharge, settlement, event }
  /// The date the deadline counts from (discharge by default).
  public var from: Anchor?
  public var days: Int?
  public var years: Int?
  /// A fixed date in the year after the anchor, as `MM-DD` (e.g. `03-31`).
  public var nextYearBy: String?
}

public struct LimitsDefinition: Codable, Sendable, Equatable {
  public var perClaim: Money?
  /// The least a claim pays (per share) when the benefit pays anything ("不足100元的按100元
  /// 给付"); the caps still apply after it. A benefit only.
  public var minimumPerClaim: Money?
  public var perPeriod: Money?
  /// At most this many paid claims per period.
  public var maxPaidClaims: Int?
  /// Caps for treatment categories such as dialysis or transplant.
  public var categories: [CategoryLimitDefinition]?
}

public struct CategoryLimitDefinition: Codable, Sendable, Equatable {
  public var category: String
  public var perPeriod: Money?
  public var maxPaidClaims: Int?
}

public struct BenefitDefinition: Codable, Sendable, Equatable {
  public enum Kind: String, Codable, Sendable, CaseIterable {
    case hospital
    case lumpSum = "lump_sum"
    case allowance
    case accident
    /// On the member's death from any cause (身故互助金).
    case death
  }

  /// Unique within the scheme: history and reports are kept per benefit code.
  public var code: String
  public var name: String
  public var nameEn: String?
  public var kind: Kind
  /// Only members of these genders can receive this benefit (e.g. a female-disease benefit
  /// inside a product open to everyone).
  public var genders: [Gender]?
  /// Only events of these treatment categories (`dialysis`, `special_outpatient`, …): a
  /// benefit with its own base, rate and caps for them. A benefit of the same kind in the
  /// version that names no treatments leaves these events to it, so one event is never paid
  /// under both.
  public var treatments: [String]?
  /// The care settings whose events a hospital or allowance benefit pays (`inpatient`,
  /// `day_case`, `outpatient`). Absent: stays and day cases, and every setting for a benefit
  /// that names its treatments.
  public var settings: [CareSetting]?
  /// Only events at these hospitals ("一级医院除外", "在三级医院确诊"): levels and locations.
  public var hospitals: HospitalsDefinition?
  public var limits: LimitsDefinition?
  /// Rewards for unbroken membership ("连续参保满3年的，报销比例提高5个百分点"), the
  /// longest first reached applying.
  public var continuity: [ContinuityRewardDefinition]?
  /// Documents a claim for this benefit needs beyond the version's list (an accident
  /// report, a pathology report).
  public var requiredDocuments: [String]?
  public var hospital: HospitalBenefitDefinition?
  public var lumpSum: LumpSumDefinition?
  public var allowance: AllowanceDefinition?
  public var accident: AccidentDefinition?
  public var death: DeathDefinition?
}

/// A benefit on the member's death from any cause (因病或意外身故): a fixed `amount` per share
/// ("给付身故互助金5000元"), or the product's payments of the period `madeUpTo` a floor per share
/// ("身故的，当年已获互助金不足1000元的，补足1000元"). Paid once: the benefit's cover ends.
public struct DeathDefinition: Codable, Sendable, Equatable {
  public var amount: Money?
  public var madeUpTo: Money?

  public init(amount: Money? = nil, madeUpTo: Money? = nil) {
    self.amount = amount
    self.madeUpTo = madeUpTo
  }
}

/// One step of a continuity reward: from the member's `fromYear`th consecutive period of the
/// product on, a hospital benefit's every rate is `rateIncrease` higher (percentage points)
/// and the benefit's caps (per claim and per period) are `capIncrease` higher. Each step
/// states its whole reward: a longer step does not add to a shorter one.
public struct ContinuityRewardDefinition: Codable, Sendable, Equatable {
  public var fromYear: Int
  public var rateIncrease: Rate?
  public var capIncrease: Money?

  public init(fromYear: Int, rateIncrease: Rate? = nil, capIncrease: Money? = nil) {
    self.fromYear = fromYear
    self.rateIncrease = rateIncrease
    self.capIncrease = capIncrease
  }
}

// MARK: Hospital top-up

public struct HospitalBenefitDefinition: Codable, Sendable, Equatable {
  public var base: BaseDefinition
  public var deductible: DeductibleDefinition?
  public var schedule: ScheduleDefinition
  /// Different deductibles or schedules for member categories; the first that applies wins.
  public var categoryOverrides: [CategoryOverrideDefinition]?
  /// Different deductibles or schedules by the hospital's level or location ("三级医院起付
  /// 800元、报销50%"); the first that applies wins, and a member category's override after it.
  public var hospitalOverrides: [HospitalOverrideDefinition]?
}

public struct HospitalOverrideDefinition: Codable, Sendable, Equatable {
  public var hospitals: HospitalsDefinition
  public var deductible: DeductibleDefinition?
  public var schedule: ScheduleDefinition?
}

/// Which settlement figure the benefit is computed on.
public indirect enum BaseDefinition: Codable, Sendable, Equatable {
  case figure(SettlementFigure)
  case min([BaseDefinition])
  case max([BaseDefinition])
  /// The first minus the others, never below zero.
  case subtract([BaseDefinition])

  private enum CodingKeys: String, CodingKey { case min, max, subtract }

  public init(from decoder: any Decoder) throws {
    if let single = try? decoder.singleValueContainer(), let figure = try? single.decode(SettlementFigure.self) {
      self = .figure(figure)
      return
    }
    let container = try decoder.container(keyedBy: CodingKeys.self)
    guard container.allKeys.count == 1, let key = container.allKeys.first else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription:
            "expected a settlement figure (\(SettlementFigure.allCases.map(\.rawValue).joined(separator: ", "))) or one of min, max, subtract"
        ))
    }
    let parts = try container.decode([BaseDefinition].self, forKey: key)
    switch key {
    case .min: self = .min(parts)
    case .max: self = .max(parts)
    case .subtract: self = .subtract(parts)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    switch self {
    case .figure(let figure):
      var container = encoder.singleValueContainer()
      try container.encode(figure)
    case .min(let parts):
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(parts, forKey: .min)
    case .max(let parts):
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(parts, forKey: .max)
    case .subtract(let parts):
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(parts, forKey: .subtract)
    }
  }
}

/// The figures of a medical-insurance settlement sheet (医保结算单).
public enum SettlementFigure: String, Codable, Sendable, CaseIterable {
  /// 医疗费用总额
  case totalCost = "total_cost"
  /// 纳入基本医疗保险统筹支付范围的合规费用
  case inScopeCost = "in_scope_cost"
  /// 统筹基金支付
  case pooledFundPaid = "pooled_fund_paid"
  /// 大病保险支付
  case criticalIllnessInsurancePaid = "critical_illness_insurance_paid"
  /// 个人自付（自付一）: the member's share of in-scope costs.
  case selfPaidInScope = "self_paid_in_scope"
  /// 个人自费: costs outside the insurance scope.
  case selfFunded = "self_funded"
  // Cases are only ever added at the end: the what-if's stored cases write the figures in
  // this order (ReplayFacts).
  /// 起付金额: the basic insurance's deductible the member paid (`act_pay_dedc`).
  case deductiblePaid = "deductible_paid"
  /// 补充医疗保险支付: enterprise supplementary insurance and the civil servants' medical
  /// subsidy (`hifes_pay` + `cvlserv_pay`).
  case supplementaryInsurancePaid = "supplementary_insurance_paid"
  /// 医疗救助支付: medical assistance for households in difficulty (`maf_pay`).
  case medicalAssistancePaid = "medical_assistance_paid"

  public var label: LocalizedText {
    switch self {
    case .totalCost: LocalizedText(zh: "医疗费用总额", en: "total cost")
    case .inScopeCost: LocalizedText(zh: "统筹范围内合规费用", en: "cost within the pooled scope")
    case .pooledFundPaid: LocalizedText(zh: "统筹基金支付", en: "paid by the pooled fund")
    case .criticalIllnessInsurancePaid: LocalizedText(zh: "大病保险支付", en: "paid by critical-illness insurance")
    case .selfPaidInScope: LocalizedText(zh: "个人自付", en: "self-paid within scope")
    case .selfFunded: LocalizedText(zh: "个人自费", en: "self-funded outside scope")
    case .deductiblePaid: LocalizedText(zh: "基本医保起付金额", en: "basic-insurance deductible paid")
    case .supplementaryInsurancePaid:
      LocalizedText(zh: "补充医疗保险支付", en: "paid by supplementary insurance")
    case .medicalAssistancePaid: LocalizedText(zh: "医疗救助支付", en: "paid by medical assistance")
    }
  }

  /// The figure's bit in ``SettlementFigures``' mask of those present.
  var bit: UInt16 {
    switch self {
    case .totalCost: 1
    case .inScopeCost: 2
    case .pooledFundPaid: 4
    case .criticalIllnessInsurancePaid: 8
    case .selfPaidInScope: 16
    case .selfFunded: 32
    case .deductiblePaid: 64
    case .supplementaryInsurancePaid: 128
    case .medicalAssistancePaid: 256
    }
  }
}

public struct DeductibleDefinition: Codable, Sendable, Equatable {
  /// Per stay: the first stay in the period…
  public var firstStay: Money
  /// …and each later stay (the same as the first when absent).
  public var laterStays: Money?
}

/// How the base becomes a benefit.
public indirect enum ScheduleDefinition: Codable, Sendable, Equatable {
  /// Each slice of the base at its own band's rate.
  case progressive([BandDefinition])
  /// The band the whole base falls in sets one rate for all of it.
  case wholeAmount([BandDefinition])
  case flat(Rate)
  /// By the stay's sequence number in the period; the last entry applies to later stays.
  case byStay([StayScheduleDefinition])

  private enum CodingKeys: String, CodingKey { case progressive, wholeAmount, flat, byStay }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    guard container.allKeys.count == 1, let key = container.allKeys.first else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription: "expected exactly one of progressive, wholeAmount, flat, byStay"))
    }
    switch key {
    case .progressive: self = .progressive(try container.decode([BandDefinition].self, forKey: key))
    case .wholeAmount: self = .wholeAmount(try container.decode([BandDefinition].self, forKey: key))
    case .flat: self = .flat(try container.decode(Rate.self, forKey: key))
    case .byStay: self = .byStay(try container.decode([StayScheduleDefinition].self, forKey: key))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .progressive(let bands): try container.encode(bands, forKey: .progressive)
    case .wholeAmount(let bands): try container.encode(bands, forKey: .wholeAmount)
    case .flat(let rate): try container.encode(rate, forKey: .flat)
    case .byStay(let stays): try container.encode(stays, forKey: .byStay)
    }
  }
}

public struct BandDefinition: Codable, Sendable, Equatable {
  /// Optional, for readability: must equal the previous band's `upTo` (0 for the first).
  public var from: Money?
  /// The band's upper bound (inclusive); only the last band may leave it open.
  public var upTo: Money?
  /// What the band pays: a rate, or (in a whole-amount schedule only) a fixed `amount` for a
  /// base that falls in it ("10,000–20,000: 1,000 yuan"); exactly one of the two.
  public var rate: Rate?
  public var amount: Money?
  /// The band starts at `from` itself ("10,000元（含）以上至20,000元"): the edge belongs to this
  /// band, and the band before it ends just below it. `from` must then be written.
  public var includesFrom: Bool?

  public init(
    from: Money? = nil, upTo: Money? = nil, rate: Rate? = nil, amount: Money? = nil, includesFrom: Bool? = nil
  ) {
    self.from = from
    self.upTo = upTo
    self.rate = rate
    self.amount = amount
    self.includesFrom = includesFrom
  }
}

public struct StayScheduleDefinition: Codable, Sendable, Equatable {
  public var stay: Int
  public var schedule: ScheduleDefinition
}

public struct CategoryOverrideDefinition: Codable, Sendable, Equatable {
  public var category: MemberCategory
  public var deductible: DeductibleDefinition?
  public var schedule: ScheduleDefinition?
}

// MARK: Lump sums, allowances, accidents

public struct LumpSumDefinition: Codable, Sendable, Equatable {
  /// The disease list whose classes this benefit pays for.
  public var list: String
  /// The amount per share unless a class or severity says otherwise.
  public var amount: Money
  public var classAmounts: [ClassAmountDefinition]?
  /// Amount by severity when the diagnosis states one (mild/severe).
  public var severityAmounts: SeverityAmountsDefinition?
  /// From the start of cover: events up to `untilDay` pay `pay`; `coverEnds` ends this
  /// benefit for the period. Beyond the last step the full amount is paid.
  public var observation: [ObservationStepDefinition]?
  /// After a paid lump sum the benefit ends for the period (true by default).
  public var coverEndsAfterPayment: Bool?
}

public struct ClassAmountDefinition: Codable, Sendable, Equatable {
  public var `class`: String
  public var amount: Money
}

public struct SeverityAmountsDefinition: Codable, Sendable, Equatable {
  public var mild: Money?
  public var severe: Money?
}

public struct ObservationStepDefinition: Codable, Sendable, Equatable {
  public var untilDay: Int
  public var pay: Money
  public var coverEnds: Bool?
}

public struct AllowanceDefinition: Codable, Sendable, Equatable {
  /// The most a day may pay: 100,000 yuan, beyond any allowance.
  public static let largestPerDay = Money(fen: 10_000_000)
  /// The longest stay counted: a century. Longer is nonsense in the facts, and counted as it
  /// stands it could pass 64 bits times the daily amount.
  public static let longestStay = 36_525

  public var perDay: Money
  /// Days are counted from this day of the stay (1 = from the first day).
  public var fromDay: Int?
  /// Only stays longer than this many days qualify, and then every day is paid ("住院超过3天的，
  /// 按实际住院天数给付"), where `fromDay` would leave the first days unpaid.
  public var staysLongerThan: Int?
  /// Days paid set by the stay's length ("住院1–10天的按5天给付，11–20天的按12天给付，21天以上
  /// 的按20天给付"): the first band whose `upTo` the stay's days do not pass pays its `days`,
  /// instead of counting the days from `fromDay`. Only the last band is open.
  public var paidDaysByStay: [PaidDaysBandDefinition]?
  public var maxDaysPerStay: Int?
  public var maxDaysPerPeriod: Int?
  /// Diagnosis classes (from the scheme's lists) that the allowance does not cover.
  public var excludedClasses: [String]?
}

public struct PaidDaysBandDefinition: Codable, Sendable, Equatable {
  /// The longest stay in the band, in days (inclusive); absent on the last band.
  public var upTo: Int?
  /// The days paid for a stay in the band (0: the stay does not qualify).
  public var days: Int

  public init(upTo: Int? = nil, days: Int) {
    self.upTo = upTo
    self.days = days
  }

  /// The band a stay of `days` days falls in.
  static func band(of days: Int, in bands: [PaidDaysBandDefinition]) -> Int {
    bands.firstIndex { days <= ($0.upTo ?? .max) } ?? bands.count - 1
  }

  /// "1–10 天" / "1–10 days", "21 天以上" / "21 days or more".
  static func range(_ index: Int, of bands: [PaidDaysBandDefinition], in language: DisplayLanguage) -> String {
    let from = index == 0 ? 1 : (bands[index - 1].upTo ?? 0) + 1
    guard let upTo = bands[index].upTo else { return language == .en ? "\(from) days or more" : "\(from) 天以上" }
    return language == .en ? "\(from)–\(upTo) days" : "\(from)–\(upTo) 天"
  }
}

public struct AccidentDefinition: Codable, Sendable, Equatable {
  /// The sum insured per share.
  public var sumInsured: Money
  /// A different sum by occupational risk class (tiers).
  public var sumInsuredByRiskClass: [RiskClassSumDefinition]?
  /// Share of the sum paid on accidental death (100% by default).
  public var death: Rate?
  /// Share of the sum per disability grade (1 most severe … 10).
  public var disabilityGrades: [DisabilityGradeDefinition]?
  public var medical: AccidentMedicalDefinition?
}

public struct RiskClassSumDefinition: Codable, Sendable, Equatable {
  public var riskClass: Int
  public var sumInsured: Money
}

public struct DisabilityGradeDefinition: Codable, Sendable, Equatable {
  public var grade: Int
  public var rate: Rate
}

public struct AccidentMedicalDefinition: Codable, Sendable, Equatable {
  public var deductible: Money?
  public var rate: Rate
  public var cap: Money
}

// MARK: Member facts used by rules

public enum InsuranceType: String, Codable, Sendable, CaseIterable {
  /// 城镇职工基本医疗保险
  case urbanEmployee = "urban_employee"
  /// 城乡居民基本医疗保险
  case urbanRuralResident = "urban_rural_resident"

  public var label: LocalizedText {
    switch self {
    case .urbanEmployee: LocalizedText(zh: "城镇职工医保", en: "urban employee insurance")
    case .urbanRuralResident: LocalizedText(zh: "城乡居民医保", en: "urban-rural resident insurance")
    }
  }
}

public enum MemberCategory: String, Codable, Sendable, CaseIterable {
  /// 困难职工
  case hardship
  /// 特困职工
  case extremeHardship = "extreme_hardship"
  /// 劳动模范
  case modelWorker = "model_worker"
  /// 新就业形态劳动者
  case gigWorker = "gig_worker"

  public var label: LocalizedText {
    switch self {
    case .hardship: LocalizedText(zh: "困难职工", en: "hardship worker")
    case .extremeHardship: LocalizedText(zh: "特困职工", en: "extreme-hardship worker")
    case .modelWorker: LocalizedText(zh: "劳动模范", en: "model worker")
    case .gigWorker: LocalizedText(zh: "新就业形态劳动者", en: "gig worker")
    }
  }

  var bit: UInt8 {
    switch self {
    case .hardship: 1
    case .extremeHardship: 2
    case .modelWorker: 4
    case .gigWorker: 8
    }
  }
}

/// A member's categories as a bit set: checked for every claim, so no hashing.
public struct MemberCategories: Hashable, Sendable, Codable, ExpressibleByArrayLiteral {
  public private(set) var bits: UInt8

  public init(_ categories: [MemberCategory] = []) {
    bits = categories.reduce(0) { $0 | $1.bit }
  }

  public init(arrayLiteral elements: MemberCategory...) {
    self.init(elements)
  }

  public func contains(_ category: MemberCategory) -> Bool { bits & category.bit != 0 }

  public var all: [MemberCategory] { MemberCategory.allCases.filter(contains) }

  public init(from decoder: any Decoder) throws {
    self.init(try decoder.singleValueContainer().decode([MemberCategory].self))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(all)
  }
}

/// The treatment categories events carry (`ClaimEvent.treatmentCategory`) that benefits and
/// caps are written for; a scheme may name others, shown by their code.
public enum TreatmentCategory {
  public static func label(_ code: String) -> LocalizedText {
    switch code {
    case "dialysis": LocalizedText(zh: "透析", en: "dialysis")
    case "transplant": LocalizedText(zh: "器官移植", en: "transplant")
    case "special_outpatient": LocalizedText(zh: "门诊特殊病（慢性病）", en: "special outpatient care")
    default: LocalizedText(zh: code, en: code)
    }
  }
}

extension EnrollmentDefinition {
  /// The share of its headcount a unit of `headcount` workers must enroll, if any.
  public func participation(forHeadcount headcount: Int) -> Rate? {
    if let bands = minParticipationBySize {
      return bands.first { band in band.headcountBelow.map { headcount < $0 } ?? true }?.share
    }
    return minParticipation
  }
}
