/// The explanation of benefit: for each benefit the member holds, one line per rule step,
/// and the totals. The amounts of a benefit's lines always add up to its total.
public struct Explanation: Sendable, Equatable {
  public var outcomes: [BenefitOutcome]

  public init(outcomes: [BenefitOutcome]) {
    self.outcomes = outcomes
  }

  public var total: Money { outcomes.reduce(.zero) { $0 + $1.total } }
}

public struct BenefitOutcome: Sendable, Equatable {
  public let product: String
  public let productName: LocalizedText
  public let version: String?
  public let benefit: String
  public let benefitName: LocalizedText
  public let kind: BenefitDefinition.Kind?
  public var lines: [ExplanationLine]
  public var total: Money
  /// The benefit ends for the rest of the period (a lump sum paid, or an observation step).
  public var endsCover: Bool

  public init(
    product: String, productName: LocalizedText, version: String?, benefit: String, benefitName: LocalizedText,
    kind: BenefitDefinition.Kind?, lines: [ExplanationLine], total: Money, endsCover: Bool
  ) {
    self.product = product
    self.productName = productName
    self.version = version
    self.benefit = benefit
    self.benefitName = benefitName
    self.kind = kind
    self.lines = lines
    self.total = total
    self.endsCover = endsCover
  }

  /// Every reason recorded, in order: why a benefit paid nothing or less.
  public var reasons: [Reason] { lines.compactMap(\.reason) }
}

/// One step of a calculation. `amount` is what the step adds to the total (negative for a
/// cap or limit); informational steps add zero.
public struct ExplanationLine: Sendable, Equatable {
  public let step: Step
  public var base: Money?
  public var rate: Rate?
  public var amount: Money
  public var limit: Money?
  public var count: Int?
  /// Band bounds for progressive and whole-amount rates, as the scheme wrote them: above
  /// `bandFrom` (from it, when `bandIncludesFrom`) up to and including `bandTo` (below it, when
  /// `bandExcludesTo`).
  public var bandFrom: Money?
  public var bandTo: Money?
  public var bandIncludesFrom = false
  public var bandExcludesTo = false
  /// The disease class or treatment category the step refers to; its code is
  /// `scheme.code(of:)`. An index rather than a string keeps lines plain data, copied
  /// without reference counting.
  public var subject: SubjectCode?
  public var reason: Reason?

  public init(
    step: Step, base: Money? = nil, rate: Rate? = nil, amount: Money = .zero, limit: Money? = nil, count: Int? = nil,
    bandFrom: Money? = nil, bandTo: Money? = nil, subject: SubjectCode? = nil, reason: Reason? = nil
  ) {
    self.step = step
    self.base = base
    self.rate = rate
    self.amount = amount
    self.limit = limit
    self.count = count
    self.bandFrom = bandFrom
    self.bandTo = bandTo
    self.subject = subject
    self.reason = reason
  }
}

/// A code (disease class or treatment category) interned by the compiled scheme.
public struct SubjectCode: Hashable, Sendable {
  let index: Int32
}

public enum Step: String, Sendable, Codable, CaseIterable {
  case eligibility
  case base
  /// The hospital rule the event's hospital chose (`count`: its place in the file, from 1).
  case hospitalRule = "hospital_rule"
  case deductible
  case band
  case rate
  /// A whole-amount band's fixed payment.
  case bandAmount = "band_amount"
  /// The allowance's days paid chosen by the stay's length (`count`: the stay's days).
  case paidDaysBand = "paid_days_band"
  case lumpSum = "lump_sum"
  case observation
  case allowanceDays = "allowance_days"
  case accidentDeath = "accident_death"
  case accidentDisability = "accident_disability"
  case accidentOffset = "accident_offset"
  case accidentMedical = "accident_medical"
  /// A death benefit's fixed amount.
  case death
  /// A death benefit making the period's payments up to its floor (`base`: paid before,
  /// `limit`: the floor).
  case deathTopUp = "death_top_up"
  case shares
  /// A reward for unbroken membership (informational: the raised rates and caps it states
  /// apply in the lines after it).
  case continuity
  /// An amount below the benefit's minimum payment raised to it.
  case minimumPayment = "minimum_payment"
  case claimCountLimit = "claim_count_limit"
  case categoryLimit = "category_limit"
  case perClaimCap = "per_claim_cap"
  case periodCap = "period_cap"
  case productCap = "product_cap"
  case schemeCap = "scheme_cap"

  public var label: LocalizedText {
    switch self {
    case .eligibility: LocalizedText(zh: "给付条件", en: "Eligibility")
    case .base: LocalizedText(zh: "计算基数", en: "Base")
    case .hospitalRule: LocalizedText(zh: "按医院等级或所在地", en: "By the hospital's level or location")
    case .deductible: LocalizedText(zh: "起付标准", en: "Deductible")
    case .band: LocalizedText(zh: "分段计算", en: "Band")
    case .rate: LocalizedText(zh: "按比例计算", en: "Rate")
    case .bandAmount: LocalizedText(zh: "按档定额", en: "Fixed amount of the band")
    case .paidDaysBand: LocalizedText(zh: "按住院天数分档", en: "Days paid by length of stay")
    case .lumpSum: LocalizedText(zh: "定额给付", en: "Lump sum")
    case .observation: LocalizedText(zh: "观察期", en: "Observation period")
    case .allowanceDays: LocalizedText(zh: "住院津贴", en: "Daily allowance")
    case .accidentDeath: LocalizedText(zh: "意外身故", en: "Accidental death")
    case .accidentDisability: LocalizedText(zh: "意外伤残", en: "Accidental disability")
    case .accidentOffset: LocalizedText(zh: "扣减已付伤残金", en: "Less disability already paid")
    case .accidentMedical: LocalizedText(zh: "意外医疗", en: "Accident medical costs")
    case .death: LocalizedText(zh: "身故互助金", en: "Death benefit")
    case .deathTopUp: LocalizedText(zh: "身故补足", en: "Made up on death")
    case .shares: LocalizedText(zh: "按份数累加", en: "Shares")
    case .continuity: LocalizedText(zh: "连续参保奖励", en: "Continuity reward")
    case .minimumPayment: LocalizedText(zh: "最低给付", en: "Minimum payment")
    case .claimCountLimit: LocalizedText(zh: "给付次数限制", en: "Claim count limit")
    case .categoryLimit: LocalizedText(zh: "类别限额", en: "Category limit")
    case .perClaimCap: LocalizedText(zh: "单次封顶", en: "Per-claim cap")
    case .periodCap: LocalizedText(zh: "年度累计封顶", en: "Period cap")
    case .productCap: LocalizedText(zh: "产品累计封顶", en: "Product cap")
    case .schemeCap: LocalizedText(zh: "方案累计封顶", en: "Scheme cap")
    }
  }
}

/// Why a benefit paid nothing, or less than its formula gave. Stable codes for the API and
/// reports; texts for people.
public enum Reason: String, Sendable, Codable, CaseIterable {
  case noRuleVersion = "no_rule_version"
  case notCoveredOnDate = "not_covered_on_date"
  case waitingPeriod = "waiting_period"
  case ageNotEligible = "age_not_eligible"
  case genderNotEligible = "gender_not_eligible"
  case insuranceTypeNotEligible = "insurance_type_not_eligible"
  case deadlinePassed = "deadline_passed"
  case notApplicable = "not_applicable"
  case treatmentNotCovered = "treatment_not_covered"
  case treatmentPaidElsewhere = "treatment_paid_elsewhere"
  /// Another benefit of the same event, not paid beside this one, pays instead.
  case paidUnderExclusiveBenefit = "paid_under_exclusive_benefit"
  /// A visit to a benefit for stays, or a stay to one for visits.
  case settingNotCovered = "setting_not_covered"
  /// The benefit pays only some hospitals' events, and this one's is not among them.
  case hospitalNotCovered = "hospital_not_covered"
  /// The benefit pays only some hospitals' events, and the claim does not say which.
  case hospitalNotStated = "hospital_not_stated"
  case missingEventData = "missing_event_data"
  case missingFigure = "missing_figure"
  case zeroBase = "zero_base"
  case belowDeductible = "below_deductible"
  case zeroRate = "zero_rate"
  case zeroAmount = "zero_amount"
  case roundedToZero = "rounded_to_zero"
  case notInList = "not_in_list"
  case observationPeriod = "observation_period"
  case observationConsolation = "observation_consolation"
  case coverEnded = "cover_ended"
  case excludedDiagnosis = "excluded_diagnosis"
  case allowanceDaysExhausted = "allowance_days_exhausted"
  case stayTooShort = "stay_too_short"
  case stayNotQualifying = "stay_not_qualifying"
  case deathDisabilityExclusive = "death_disability_exclusive"
  /// A death top-up's floor is already reached by the period's payments.
  case floorReached = "floor_reached"
  case claimCountLimit = "claim_count_limit"
  case categoryCapReached = "category_cap_reached"
  case categoryClaimLimit = "category_claim_limit"
  case perClaimCap = "per_claim_cap"
  case annualCapReached = "annual_cap_reached"
  case productCapReached = "product_cap_reached"
  case schemeCapReached = "scheme_cap_reached"

  public var text: LocalizedText {
    switch self {
    case .noRuleVersion: LocalizedText(zh: "该保障期没有适用的规则版本", en: "no rule version applies to this coverage period")
    case .notCoveredOnDate: LocalizedText(zh: "事故发生日不在保障期内", en: "the event date is outside the coverage period")
    case .waitingPeriod: LocalizedText(zh: "处于新参保等待期内", en: "the event falls in the waiting period for new members")
    case .ageNotEligible: LocalizedText(zh: "参保时年龄不符合条件", en: "age at the start of cover is outside the limits")
    case .genderNotEligible: LocalizedText(zh: "性别不符合该保障的条件", en: "this benefit is not for the member's gender")
    case .insuranceTypeNotEligible:
      LocalizedText(zh: "医保类型不符合条件", en: "the member's basic insurance type is not covered")
    case .deadlinePassed: LocalizedText(zh: "已超过申请时限", en: "the claim deadline has passed")
    case .notApplicable: LocalizedText(zh: "本次事件不属于该保障责任", en: "this event is not one this benefit covers")
    case .treatmentNotCovered:
      LocalizedText(zh: "该保障只适用于规定的治疗类别", en: "this benefit is only for the treatments it names")
    case .paidUnderExclusiveBenefit:
      LocalizedText(
        zh: "与同一事件中不重复给付的另一项保障择一给付，已按另一项给付",
        en: "not paid beside another benefit of the same event, which is paid instead")
    case .treatmentPaidElsewhere:
      LocalizedText(zh: "该类治疗由本产品的专项保障给付", en: "this treatment is paid under the product's benefit for it")
    case .settingNotCovered:
      LocalizedText(
        zh: "该保障不给付此类就诊（住院、日间手术或门诊）",
        en: "this benefit does not pay for this kind of care (inpatient, day case or outpatient)")
    case .hospitalNotCovered:
      LocalizedText(
        zh: "就医医院的等级或所在地不在该保障的范围内", en: "this benefit does not pay for care at this hospital's level or place")
    case .hospitalNotStated:
      LocalizedText(
        zh: "该保障按医院等级或所在地给付，申请未写明",
        en: "this benefit depends on the hospital's level or place, which the claim does not give")
    case .missingEventData: LocalizedText(zh: "缺少计算所需的事件信息", en: "event data needed for the calculation is missing")
    case .missingFigure: LocalizedText(zh: "结算单缺少所需金额", en: "a settlement figure the rule needs is missing")
    case .zeroBase: LocalizedText(zh: "计算基数为零", en: "the base is zero")
    case .belowDeductible: LocalizedText(zh: "未超过起付标准", en: "the base does not exceed the deductible")
    case .zeroRate: LocalizedText(zh: "该金额所在档次给付比例为0%", en: "the band this amount falls in pays 0%")
    case .zeroAmount: LocalizedText(zh: "该金额所在档次定额为0，不予给付", en: "the band this amount falls in pays a fixed 0")
    case .roundedToZero:
      LocalizedText(zh: "计算结果不足0.01元，舍入后为零", en: "the result is under 0.01 yuan and rounds to zero")
    case .notInList: LocalizedText(zh: "诊断不在保障病种目录内", en: "no diagnosis is in the covered list")
    case .observationPeriod: LocalizedText(zh: "处于观察期内，不予给付", en: "within the observation period: nothing is paid")
    case .observationConsolation:
      LocalizedText(zh: "观察期内，仅给付慰问金", en: "within the observation period: a consolation payment only")
    case .coverEnded: LocalizedText(zh: "本期该项保障已终止", en: "this benefit has ended for the period")
    case .excludedDiagnosis: LocalizedText(zh: "诊断属于除外责任", en: "the diagnosis is excluded")
    case .allowanceDaysExhausted: LocalizedText(zh: "津贴天数已达上限", en: "the allowance days are used up")
    case .stayTooShort: LocalizedText(zh: "住院天数未达起算天数", en: "the stay is shorter than the first paid day")
    case .stayNotQualifying:
      LocalizedText(zh: "住院天数未超过规定天数，不予给付", en: "the stay is not longer than the days that qualify")
    case .floorReached:
      LocalizedText(zh: "本期已获给付不低于补足标准", en: "the period's payments already reach the floor")
    case .deathDisabilityExclusive:
      LocalizedText(
        zh: "身故与伤残不重复给付，扣除已付伤残金", en: "death and disability are not both paid: disability already paid is deducted")
    case .claimCountLimit:
      LocalizedText(zh: "已达本期给付次数上限", en: "the maximum number of paid claims for the period is reached")
    case .categoryCapReached: LocalizedText(zh: "已达该类治疗的限额", en: "the cap for this treatment category is reached")
    case .categoryClaimLimit:
      LocalizedText(zh: "已达该类治疗的次数上限", en: "the claim limit for this treatment category is reached")
    case .perClaimCap: LocalizedText(zh: "超过单次给付上限", en: "above the per-claim cap")
    case .annualCapReached: LocalizedText(zh: "已达年度累计给付上限", en: "the period cap is reached")
    case .productCapReached: LocalizedText(zh: "已达产品累计给付上限", en: "the product's cap is reached")
    case .schemeCapReached: LocalizedText(zh: "已达方案累计给付上限", en: "the scheme's overall cap is reached")
    }
  }
}
