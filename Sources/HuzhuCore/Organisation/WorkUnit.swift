import Foundation

/// An employer that enrolls its workers (参保单位: 机关、企事业单位). Called `WorkUnit`
/// because Foundation already has a `Unit` (of measurement).
public struct WorkUnit: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<WorkUnit>

  public let id: ID
  /// The union node the unit belongs to.
  public var organisationID: Organisation.ID
  public var name: String
  /// 统一社会信用代码, when known.
  public var creditCode: String?
  public var sector: Sector

  public init(
    id: ID = ID(), organisationID: Organisation.ID, name: String, creditCode: String? = nil, sector: Sector
  ) {
    self.id = id
    self.organisationID = organisationID
    self.name = name
    self.creditCode = creditCode
    self.sector = sector
  }

  public static func validate(_ candidate: WorkUnit, organisationExists: Bool) -> [FieldError] {
    var errors: [FieldError] = []
    let name = candidate.name.trimmingCharacters(in: .whitespaces)
    if name.isEmpty || name.count > 100 {
      errors.append(
        FieldError(
          field: "name", code: "invalid_name",
          message: LocalizedText(zh: "单位名称不能为空且不超过100字", en: "the unit name must be 1–100 characters")))
    }
    if let error = PlainText.fieldError(name, field: "name", label: LocalizedText(zh: "单位名称", en: "The unit name")) {
      errors.append(error)
    }
    if !organisationExists {
      errors.append(
        FieldError(
          field: "organisationId", code: "unknown_organisation",
          message: LocalizedText(zh: "所属工会组织不存在", en: "the organisation does not exist")))
    }
    if let code = candidate.creditCode, case .failure(let problem) = CreditCode.validate(code) {
      errors.append(FieldError(field: "creditCode", code: "invalid_credit_code", message: problem.message))
    }
    return errors
  }
}

/// The kind of employer, for participation statistics by sector.
public enum Sector: String, Sendable, Codable, CaseIterable {
  /// 机关
  case government
  /// 事业单位
  case publicInstitution = "public_institution"
  /// 国有企业
  case stateEnterprise = "state_enterprise"
  /// 民营及其他企业
  case privateEnterprise = "private_enterprise"
  /// 社会组织
  case socialOrganisation = "social_organisation"

  public var label: LocalizedText {
    switch self {
    case .government: LocalizedText(zh: "机关", en: "Government body")
    case .publicInstitution: LocalizedText(zh: "事业单位", en: "Public institution")
    case .stateEnterprise: LocalizedText(zh: "国有企业", en: "State-owned enterprise")
    case .privateEnterprise: LocalizedText(zh: "民营及其他企业", en: "Private enterprise")
    case .socialOrganisation: LocalizedText(zh: "社会组织", en: "Social organisation")
    }
  }
}

/// A person covered or to be covered; identified across the system by the ID number.
public struct Worker: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<Worker>

  public let id: ID
  public var name: String
  public var idNumber: ResidentIDNumber
  /// The unit the worker is employed by now (history is kept by the store); nil for a person
  /// registered on their own: a gig worker (新就业形态), or someone whose unit has not joined.
  public var unitID: WorkUnit.ID?
  /// For a person registered on their own, the organisation node whose window keeps their
  /// record: it decides who may see them, and where their claims are counted. Nil for people
  /// who came in through a unit's roster (their unit's node decides).
  public var homeOrganisationID: Organisation.ID?
  public var phone: String?
  public var insuranceType: InsuranceType
  public var categories: MemberCategories
  public var bankName: String?
  public var bankAccount: String?

  public init(
    id: ID = ID(), name: String, idNumber: ResidentIDNumber, unitID: WorkUnit.ID?,
    homeOrganisationID: Organisation.ID? = nil, phone: String? = nil, insuranceType: InsuranceType = .urbanEmployee,
    categories: MemberCategories = [], bankName: String? = nil, bankAccount: String? = nil
  ) {
    self.id = id
    self.name = name
    self.idNumber = idNumber
    self.unitID = unitID
    self.homeOrganisationID = homeOrganisationID
    self.phone = phone
    self.insuranceType = insuranceType
    self.categories = categories
    self.bankName = bankName
    self.bankAccount = bankAccount
  }

  public var gender: Gender { idNumber.gender }
  public var birthDate: CalendarDate { idNumber.birthDate }
}
