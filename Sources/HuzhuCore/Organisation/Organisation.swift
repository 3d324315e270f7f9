import Foundation

/// A node of the union hierarchy that runs a scheme: the provincial office of the mutual
/// association, a city federation or its agency, a county/district or industry union.
/// Every record in Huzhu belongs to one node; access is later scoped by its subtree.
public struct Organisation: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<Organisation>

  public let id: ID
  public var parentID: ID?
  public var kind: OrganisationKind
  /// A short stable code, unique in the system (e.g. `HLJ`, `HLJ-YC`, `HA-AY`).
  public var code: String
  /// The official Chinese name.
  public var name: String
  public var nameEn: String?

  public init(
    id: ID = ID(), parentID: ID?, kind: OrganisationKind, code: String, name: String, nameEn: String? = nil
  ) {
    self.id = id
    self.parentID = parentID
    self.kind = kind
    self.code = code
    self.name = name
    self.nameEn = nameEn
  }

  public func displayName(_ language: DisplayLanguage) -> String {
    language == .en ? (nameEn ?? name) : name
  }
}

public enum OrganisationKind: String, Sendable, Codable, CaseIterable {
  /// 中国职工保险互助会某省办事处: sets products, final approval, province statistics.
  case provincialOffice = "provincial_office"
  /// 市总工会: city federation of trade unions.
  case cityFederation = "city_federation"
  /// 代办处: a city agency of the provincial office.
  case cityAgency = "city_agency"
  /// 县区总工会.
  case countyUnion = "county_union"
  /// 产业工会 / 系统工会.
  case industryUnion = "industry_union"

  /// Depth in the hierarchy: a node's parent always has a smaller level.
  public var level: Int {
    switch self {
    case .provincialOffice: 0
    case .cityFederation, .cityAgency: 1
    case .countyUnion, .industryUnion: 2
    }
  }

  public func canBeChild(of parent: OrganisationKind) -> Bool { parent.level < level }

  public var label: LocalizedText {
    switch self {
    case .provincialOffice: LocalizedText(zh: "省办事处", en: "Provincial office")
    case .cityFederation: LocalizedText(zh: "市总工会", en: "City federation of trade unions")
    case .cityAgency: LocalizedText(zh: "市代办处", en: "City agency")
    case .countyUnion: LocalizedText(zh: "县区总工会", en: "County/district union")
    case .industryUnion: LocalizedText(zh: "产业工会", en: "Industry union")
    }
  }
}

extension Organisation {
  /// Checks a new node against the nodes that exist: every problem, not just the first.
  public static func validate(_ candidate: Organisation, existing: [Organisation]) -> [FieldError] {
    var errors: [FieldError] = []
    let code = candidate.code.trimmingCharacters(in: .whitespaces)
    if code.isEmpty || code.count > 32 || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
    {
      errors.append(
        FieldError(
          field: "code", code: "invalid_code",
          message: LocalizedText(
            zh: "编码应为1–32位字母、数字或连字符", en: "the code must be 1–32 letters, digits or hyphens")))
    } else if existing.contains(where: { $0.code.caseInsensitiveCompare(code) == .orderedSame && $0.id != candidate.id }
    ) {
      errors.append(
        FieldError(
          field: "code", code: "duplicate_code",
          message: LocalizedText(zh: "编码“\(code)”已被使用", en: "the code \"\(code)\" is already used")))
    }
    if candidate.name.trimmingCharacters(in: .whitespaces).isEmpty || candidate.name.count > 100 {
      errors.append(
        FieldError(
          field: "name", code: "invalid_name",
          message: LocalizedText(zh: "名称不能为空且不超过100字", en: "the name must be 1–100 characters")))
    }
    if let parentID = candidate.parentID {
      if let parent = existing.first(where: { $0.id == parentID }) {
        if !candidate.kind.canBeChild(of: parent.kind) {
          errors.append(
            FieldError(
              field: "parentId", code: "invalid_parent_kind",
              message: LocalizedText(
                zh: "“\(candidate.kind.label.zh)”不能隶属于“\(parent.kind.label.zh)”",
                en: "a \(candidate.kind.label.en) cannot belong to a \(parent.kind.label.en)")))
        }
      } else {
        errors.append(
          FieldError(
            field: "parentId", code: "unknown_parent",
            message: LocalizedText(zh: "上级组织不存在", en: "the parent organisation does not exist")))
      }
    }
    return errors
  }
}
