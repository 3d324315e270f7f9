/// Everything the engine needs to judge one event for one member: who they are, what
/// happened, and what has already been paid this period. Documented in docs/schemes.md.
public struct ClaimCase: Codable, Sendable, Equatable {
  public var member: MemberFacts
  public var event: ClaimEvent
  /// What each benefit has already paid this period, by benefit code.
  public var history: [String: BenefitHistory]?
  /// What each product has already paid this period, by product code (for product caps).
  public var productPaid: [String: Money]?
  /// What the whole scheme has already paid this member this period (for the overall cap).
  public var schemePaid: Money?

  public init(
    member: MemberFacts, event: ClaimEvent, history: [String: BenefitHistory]? = nil,
    productPaid: [String: Money]? = nil, schemePaid: Money? = nil
  ) {
    self.member = member
    self.event = event
    self.history = history
    self.productPaid = productPaid
    self.schemePaid = schemePaid
  }
}

public struct MemberFacts: Codable, Sendable, Equatable {
  public var birthDate: CalendarDate
  public var gender: Gender
  public var insuranceType: InsuranceType?
  public var categories: MemberCategories?
  /// Occupational risk class, for accident tiers.
  public var riskClass: Int?
  /// One entry per product the member holds for the period.
  public var cover: [CoverFacts]

  public init(
    birthDate: CalendarDate, gender: Gender, insuranceType: InsuranceType? = nil, categories: MemberCategories? = nil,
    riskClass: Int? = nil, cover: [CoverFacts]
  ) {
    self.birthDate = birthDate
    self.gender = gender
    self.insuranceType = insuranceType
    self.categories = categories
    self.riskClass = riskClass
    self.cover = cover
  }

  /// A worker's facts as the registry holds them, before any cover is known.
  public init(_ worker: Worker, riskClass: Int? = nil) {
    self.init(
      birthDate: worker.birthDate, gender: worker.gender, insuranceType: worker.insuranceType,
      categories: worker.categories, riskClass: riskClass, cover: [])
  }
}

public struct CoverFacts: Codable, Sendable, Equatable {
  public var product: String
  /// First and last day of the coverage period (inclusive).
  public var start: CalendarDate
  public var end: CalendarDate
  public var shares: Int?
  /// The end of the previous period when this one renews it; decides continuity.
  public var previousCoverEnd: CalendarDate?
  /// The periods of unbroken membership in the product up to and including this one (1: the
  /// first), for continuity rewards. Absent: 2 when `previousCoverEnd` continues this
  /// period, else 1.
  public var consecutiveYears: Int?

  public init(
    product: String, start: CalendarDate, end: CalendarDate, shares: Int? = nil, previousCoverEnd: CalendarDate? = nil,
    consecutiveYears: Int? = nil
  ) {
    self.product = product
    self.start = start
    self.end = end
    self.shares = shares
    self.previousCoverEnd = previousCoverEnd
    self.consecutiveYears = consecutiveYears
  }
}

public struct ClaimEvent: Codable, Sendable, Equatable {
  /// A hospital stay's first and last days.
  public var admissionDate: CalendarDate?
  public var dischargeDate: CalendarDate?
  /// An outpatient visit or a day case (门诊、日间手术): its day, without admission or
  /// discharge. A chronic-outpatient settlement's period starts on it.
  public var visitDate: CalendarDate?
  /// Where the care was given; absent, a stay (with an admission date) is inpatient and a
  /// visit outpatient (``careSetting``).
  public var setting: CareSetting?
  public var settlementDate: CalendarDate?
  public var diagnosisDate: CalendarDate?
  public var accidentDate: CalendarDate?
  /// The member's death, from any cause, for death benefits.
  public var deathDate: CalendarDate?
  /// The day the claim was made; deadlines are checked against it.
  public var claimDate: CalendarDate
  /// Days in hospital, for allowances.
  public var hospitalDays: Int?
  public var figures: SettlementFigures?
  public var diagnoses: [Diagnosis]?
  /// A treatment category with its own caps (e.g. `dialysis`, `transplant`).
  public var treatmentCategory: String?
  public var accident: AccidentFacts?
  /// The hospital's grade (一级/二级/三级), for benefits that pay or rate by it.
  public var hospitalLevel: HospitalLevel?
  /// Where the hospital is, seen from the member's insured area (本地/省内异地/省外).
  public var hospitalLocation: HospitalLocation?

  public init(
    admissionDate: CalendarDate? = nil, dischargeDate: CalendarDate? = nil, settlementDate: CalendarDate? = nil,
    diagnosisDate: CalendarDate? = nil, accidentDate: CalendarDate? = nil, claimDate: CalendarDate,
    hospitalDays: Int? = nil, figures: SettlementFigures? = nil, diagnoses: [Diagnosis]? = nil,
    treatmentCategory: String? = nil, accident: AccidentFacts? = nil, visitDate: CalendarDate? = nil,
    setting: CareSetting? = nil, hospitalLevel: HospitalLevel? = nil, hospitalLocation: HospitalLocation? = nil,
    deathDate: CalendarDate? = nil
  ) {
    self.deathDate = deathDate
    self.hospitalLevel = hospitalLevel
    self.hospitalLocation = hospitalLocation
    self.admissionDate = admissionDate
    self.dischargeDate = dischargeDate
    self.visitDate = visitDate
    self.setting = setting
    self.settlementDate = settlementDate
    self.diagnosisDate = diagnosisDate
    self.accidentDate = accidentDate
    self.claimDate = claimDate
    self.hospitalDays = hospitalDays
    self.figures = figures
    self.diagnoses = diagnoses
    self.treatmentCategory = treatmentCategory
    self.accident = accident
  }

  /// The day the event happened (admission, visit, diagnosis, accident or death), for cover.
  public var eventDate: CalendarDate? { admissionDate ?? visitDate ?? diagnosisDate ?? accidentDate ?? deathDate }

  /// Where the care was given: as stated, else inpatient for a stay and outpatient for a
  /// visit; nil for an event that is neither (a diagnosis, an accident).
  public var careSetting: CareSetting? {
    setting ?? (admissionDate != nil ? .inpatient : visitDate != nil ? .outpatient : nil)
  }
}

/// Where care was given, for benefits that pay only some settings: a hospital top-up pays
/// stays and day cases, a special-outpatient benefit visits.
public enum CareSetting: String, Codable, Sendable, CaseIterable {
  /// 住院: a stay, from admission to discharge.
  case inpatient
  /// 日间手术/日间病房: treated and discharged within the day; counted as a stay.
  case dayCase = "day_case"
  /// 门诊 (including chronic and special-disease outpatient care).
  case outpatient

  public var label: LocalizedText {
    switch self {
    case .inpatient: LocalizedText(zh: "住院", en: "inpatient")
    case .dayCase: LocalizedText(zh: "日间手术", en: "day case")
    case .outpatient: LocalizedText(zh: "门诊", en: "outpatient")
    }
  }

  /// Whether an event of this setting counts as a stay (deductibles and rates by stay number).
  public var isStay: Bool { self != .outpatient }

  /// The setting's bit in a benefit's set of settings.
  var bit: UInt8 {
    switch self {
    case .inpatient: 1
    case .dayCase: 2
    case .outpatient: 4
    }
  }
}

/// A hospital's grade under the national classification (医院等级), without its 甲/乙/丙.
public enum HospitalLevel: String, Codable, Sendable, CaseIterable {
  case level1 = "level_1"
  case level2 = "level_2"
  case level3 = "level_3"
  /// 未定级: community clinics and the like.
  case unrated

  public var label: LocalizedText {
    switch self {
    case .level1: LocalizedText(zh: "一级医院", en: "level-1 hospital")
    case .level2: LocalizedText(zh: "二级医院", en: "level-2 hospital")
    case .level3: LocalizedText(zh: "三级医院", en: "level-3 hospital")
    case .unrated: LocalizedText(zh: "未定级医疗机构", en: "unrated provider")
    }
  }

  /// The grade as bureaus write it: "三级", "三级甲等", "未定级"; nil for anything else (a
  /// code, "3" or "05", means what the bureau's code list says, and is not guessed at).
  public init?(settlementText text: String) {
    let text = text.trimmingWhitespace
    if text.hasPrefix("三级") {
      self = .level3
    } else if text.hasPrefix("二级") {
      self = .level2
    } else if text.hasPrefix("一级") {
      self = .level1
    } else if text == "未定级" || text == "无等级" {
      self = .unrated
    } else {
      return nil
    }
  }

  var bit: UInt8 {
    switch self {
    case .level1: 1
    case .level2: 2
    case .level3: 4
    case .unrated: 8
    }
  }
}

/// Where a hospital is, seen from the member's insured area.
public enum HospitalLocation: String, Codable, Sendable, CaseIterable {
  /// 统筹区内: the member's own city.
  case local
  /// 省内异地: elsewhere in the province.
  case inProvince = "in_province"
  /// 省外: outside the province.
  case outOfProvince = "out_of_province"

  public var label: LocalizedText {
    switch self {
    case .local: LocalizedText(zh: "统筹区内", en: "in the member's city")
    case .inProvince: LocalizedText(zh: "省内异地", en: "elsewhere in the province")
    case .outOfProvince: LocalizedText(zh: "省外", en: "outside the province")
    }
  }

  /// From two six-digit region codes (医保区划): the same city (first four digits), the same
  /// province (first two), or neither; nil when either is not such a code.
  public init?(insuredArea: String, hospitalArea: String) {
    func isRegion(_ code: String) -> Bool { code.utf8.count == 6 && code.utf8.allSatisfy { (48...57).contains($0) } }
    guard isRegion(insuredArea), isRegion(hospitalArea) else { return nil }
    if insuredArea.prefix(4) == hospitalArea.prefix(4) {
      self = .local
    } else if insuredArea.prefix(2) == hospitalArea.prefix(2) {
      self = .inProvince
    } else {
      self = .outOfProvince
    }
  }

  var bit: UInt8 {
    switch self {
    case .local: 1
    case .inProvince: 2
    case .outOfProvince: 4
    }
  }
}

/// The hospitals a benefit or a hospital rule applies to: levels and locations (either absent:
/// any). The engine holds them as bit sets.
public struct HospitalsDefinition: Codable, Sendable, Equatable {
  public var levels: [HospitalLevel]?
  public var locations: [HospitalLocation]?

  public init(levels: [HospitalLevel]? = nil, locations: [HospitalLocation]? = nil) {
    self.levels = levels
    self.locations = locations
  }
}

/// ``HospitalsDefinition`` as bits (0: any).
struct CompiledHospitals: Sendable, Equatable {
  let levels: UInt8
  let locations: UInt8

  init(_ definition: HospitalsDefinition?) {
    levels = definition?.levels?.reduce(0) { $0 | $1.bit } ?? 0
    locations = definition?.locations?.reduce(0) { $0 | $1.bit } ?? 0
  }

  var isAny: Bool { levels | locations == 0 }

  /// Whether an event's hospital is one of these; nil when a set is named and the event does
  /// not say.
  func contain(_ event: ClaimEvent) -> Bool? {
    var result = true
    if levels != 0 {
      guard let level = event.hospitalLevel else { return nil }
      result = result && levels & level.bit != 0
    }
    if locations != 0 {
      guard let location = event.hospitalLocation else { return nil }
      result = result && locations & location.bit != 0
    }
    return result
  }
}

/// The settlement sheet's figures; any may be absent. Coded in JSON by the figures' own
/// names (`self_paid_in_scope`, …) so that cases read like the scheme files.
public struct SettlementFigures: Codable, Sendable, Equatable {
  // Stored fields and a mask of those present rather than a dictionary or optionals: read
  // for every claim and held in every what-if case, never allocated, 80 bytes for nine.
  private var totalCost: Int64 = 0, inScopeCost: Int64 = 0, pooledFundPaid: Int64 = 0
  private var criticalIllnessInsurancePaid: Int64 = 0, selfPaidInScope: Int64 = 0, selfFunded: Int64 = 0
  private var deductiblePaid: Int64 = 0, supplementaryInsurancePaid: Int64 = 0, medicalAssistancePaid: Int64 = 0
  private var present: UInt16 = 0

  public init(_ figures: [SettlementFigure: Money] = [:]) {
    for (figure, amount) in figures { self[figure] = amount }
  }

  public subscript(_ figure: SettlementFigure) -> Money? {
    get {
      guard present & figure.bit != 0 else { return nil }
      return switch figure {
      case .totalCost: Money(fen: totalCost)
      case .inScopeCost: Money(fen: inScopeCost)
      case .pooledFundPaid: Money(fen: pooledFundPaid)
      case .criticalIllnessInsurancePaid: Money(fen: criticalIllnessInsurancePaid)
      case .selfPaidInScope: Money(fen: selfPaidInScope)
      case .selfFunded: Money(fen: selfFunded)
      case .deductiblePaid: Money(fen: deductiblePaid)
      case .supplementaryInsurancePaid: Money(fen: supplementaryInsurancePaid)
      case .medicalAssistancePaid: Money(fen: medicalAssistancePaid)
      }
    }
    set {
      // An absent figure is held as 0, so that equal figures compare equal.
      let fen = newValue?.fen ?? 0
      if newValue == nil { present &= ~figure.bit } else { present |= figure.bit }
      switch figure {
      case .totalCost: totalCost = fen
      case .inScopeCost: inScopeCost = fen
      case .pooledFundPaid: pooledFundPaid = fen
      case .criticalIllnessInsurancePaid: criticalIllnessInsurancePaid = fen
      case .selfPaidInScope: selfPaidInScope = fen
      case .selfFunded: selfFunded = fen
      case .deductiblePaid: deductiblePaid = fen
      case .supplementaryInsurancePaid: supplementaryInsurancePaid = fen
      case .medicalAssistancePaid: medicalAssistancePaid = fen
      }
    }
  }

  private struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: Key.self)
    for key in container.allKeys {
      guard let figure = SettlementFigure(rawValue: key.stringValue) else {
        throw DecodingError.dataCorruptedError(
          forKey: key, in: container,
          debugDescription:
            "unknown settlement figure; expected one of \(SettlementFigure.allCases.map(\.rawValue).joined(separator: ", "))"
        )
      }
      self[figure] = try container.decode(Money.self, forKey: key)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    for figure in SettlementFigure.allCases {
      if let value = self[figure] { try container.encode(value, forKey: Key(stringValue: figure.rawValue)) }
    }
  }
}

public struct Diagnosis: Codable, Sendable, Equatable {
  public enum Severity: String, Codable, Sendable { case mild, severe }

  /// A disease class code from one of the scheme's lists.
  public var `class`: String
  public var severity: Severity?
  /// ICD-10 code when known; informational.
  public var icd10: String?

  public init(class diseaseClass: String, severity: Severity? = nil, icd10: String? = nil) {
    self.class = diseaseClass
    self.severity = severity
    self.icd10 = icd10
  }
}

public struct AccidentFacts: Codable, Sendable, Equatable {
  public enum Outcome: String, Codable, Sendable { case injury, disability, death }

  public var outcome: Outcome
  public var disabilityGrade: Int?
  /// Medical costs of the accident, for the accident-medical benefit.
  public var medicalCost: Money?

  public init(outcome: Outcome, disabilityGrade: Int? = nil, medicalCost: Money? = nil) {
    self.outcome = outcome
    self.disabilityGrade = disabilityGrade
    self.medicalCost = medicalCost
  }
}

/// What one benefit has paid the member in the current period.
public struct BenefitHistory: Codable, Sendable, Equatable {
  public var paidAmount: Money
  public var paidClaims: Int
  /// Hospital stays already claimed this period (decides first/later deductibles and rates).
  public var stays: Int
  public var allowanceDays: Int
  /// A lump sum was paid, or an observation step ended cover.
  public var coverEnded: Bool
  /// Accident death and disability already paid: together they never exceed the sum insured.
  public var accidentSumPaid: Money
  /// Per treatment category: amount and count already paid.
  public var categories: [String: CategoryHistory]?

  public init(
    paidAmount: Money = .zero, paidClaims: Int = 0, stays: Int = 0, allowanceDays: Int = 0, coverEnded: Bool = false,
    accidentSumPaid: Money = .zero, categories: [String: CategoryHistory]? = nil
  ) {
    self.accidentSumPaid = accidentSumPaid
    self.paidAmount = paidAmount
    self.paidClaims = paidClaims
    self.stays = stays
    self.allowanceDays = allowanceDays
    self.coverEnded = coverEnded
    self.categories = categories
  }

  public static let none = BenefitHistory()

  private enum CodingKeys: String, CodingKey {
    case paidAmount, paidClaims, stays, allowanceDays, coverEnded, accidentSumPaid, categories
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    paidAmount = try container.decodeIfPresent(Money.self, forKey: .paidAmount) ?? .zero
    paidClaims = try container.decodeIfPresent(Int.self, forKey: .paidClaims) ?? 0
    stays = try container.decodeIfPresent(Int.self, forKey: .stays) ?? 0
    allowanceDays = try container.decodeIfPresent(Int.self, forKey: .allowanceDays) ?? 0
    coverEnded = try container.decodeIfPresent(Bool.self, forKey: .coverEnded) ?? false
    accidentSumPaid = try container.decodeIfPresent(Money.self, forKey: .accidentSumPaid) ?? .zero
    categories = try container.decodeIfPresent([String: CategoryHistory].self, forKey: .categories)
  }
}

public struct CategoryHistory: Codable, Sendable, Equatable {
  public var paidAmount: Money
  public var paidClaims: Int

  public init(paidAmount: Money, paidClaims: Int) {
    self.paidAmount = paidAmount
    self.paidClaims = paidClaims
  }
}
