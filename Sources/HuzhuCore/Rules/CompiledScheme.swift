/// A validated scheme, ready to calculate with: codes resolved, versions sorted, bands
/// turned into integer bounds. Built only by ``SchemeCompiler``.
public struct CompiledScheme: Sendable {
  public let definition: SchemeDefinition
  public let rounding: RoundingRule
  public let overallPerPeriod: Money?
  public let products: [CompiledProduct]
  /// Every disease class in the scheme's lists, by code (class codes are unique in a scheme).
  public let diseaseClasses: [String: (list: String, definition: DiseaseClassDefinition)]

  public var code: String { definition.scheme.code }
  public var name: String { definition.scheme.name }

  public func product(_ code: String) -> CompiledProduct? {
    products.first { $0.code == code }
  }
}

public struct CompiledProduct: Sendable {
  public let code: String
  public let name: LocalizedText
  /// Sorted by the start of their coverage range; ranges never overlap.
  public let versions: [CompiledVersion]

  /// The version that judges a coverage period starting on `start`.
  public func version(forCoverageStartingOn start: CalendarDate) -> CompiledVersion? {
    versions.last { $0.from <= start && ($0.to.map { start <= $0 } ?? true) }
  }
}

public struct CompiledVersion: Sendable {
  public let label: String
  public let from: CalendarDate
  public let to: CalendarDate?
  public let contributionPerShare: Money?
  public let periodMonths: Int
  public let shares: ClosedRange<Int>
  public let eligibility: EligibilityDefinition?
  public let waitingPeriod: WaitingPeriodDefinition?
  /// Renewals within this many days keep continuity (no new waiting or observation period).
  public let continuityDays: Int
  public let deadline: DeadlineDefinition?
  public let limits: CompiledLimits
  public let requiredDocuments: [String]
  public let benefits: [CompiledBenefit]
}

public struct CompiledLimits: Sendable {
  public let perClaim: Money?
  public let perPeriod: Money?
  public let maxPaidClaims: Int?
  public let categories: [CategoryLimitDefinition]

  static let none = CompiledLimits(perClaim: nil, perPeriod: nil, maxPaidClaims: nil, categories: [])
}

public struct CompiledBenefit: Sendable {
  public let code: String
  public let name: LocalizedText
  public let genders: [Gender]?
  public let rule: Rule
  public let limits: CompiledLimits

  public enum Rule: Sendable {
    case hospital(HospitalRule)
    case lumpSum(LumpSumRule)
    case allowance(AllowanceDefinition)
    case accident(AccidentRule)
  }

  public var kind: BenefitDefinition.Kind {
    switch rule {
    case .hospital: .hospital
    case .lumpSum: .lumpSum
    case .allowance: .allowance
    case .accident: .accident
    }
  }
}

public struct HospitalRule: Sendable {
  public let base: BaseDefinition
  public let deductible: DeductibleDefinition?
  public let schedule: CompiledSchedule
  public let overrides: [(category: MemberCategory, deductible: DeductibleDefinition?, schedule: CompiledSchedule?)]
}

public indirect enum CompiledSchedule: Sendable {
  case progressive([CompiledBand])
  case wholeAmount([CompiledBand])
  case flat(Rate)
  case byStay([(stay: Int, schedule: CompiledSchedule)])
}

/// A band in fen: amounts above `lower` up to and including `upper`.
public struct CompiledBand: Sendable {
  public let lower: Int64
  /// `Int64.max` for the open last band.
  public let upper: Int64
  public let rate: Rate
}

public struct LumpSumRule: Sendable {
  public let list: String
  public let amount: Money
  public let classAmounts: [String: Money]
  public let severityAmounts: SeverityAmountsDefinition?
  public let observation: [ObservationStepDefinition]
  public let coverEndsAfterPayment: Bool
}

public struct AccidentRule: Sendable {
  public let sumInsured: Money
  public let sumByRiskClass: [Int: Money]
  public let death: Rate
  public let disability: [Int: Rate]
  public let medical: AccidentMedicalDefinition?
}
