import HuzhuCore
import Vapor

// The JSON shapes of the registry API. Kept apart from the domain types so that the API
// stays stable when the domain grows, and so that personal data is masked by construction.

struct OrganisationResource: Content {
  let id: UUID
  let parentId: UUID?
  let kind: String
  let kindLabel: LocalizedText
  let code: String
  let name: String
  let nameEn: String?
  let unitCount: Int?

  init(_ organisation: Organisation, unitCount: Int? = nil) {
    id = organisation.id.rawValue
    parentId = organisation.parentID?.rawValue
    kind = organisation.kind.rawValue
    kindLabel = organisation.kind.label
    code = organisation.code
    name = organisation.name
    nameEn = organisation.nameEn
    self.unitCount = unitCount
  }
}

struct NewOrganisation: Content {
  let parentId: UUID?
  let kind: OrganisationKind
  let code: String
  let name: String
  let nameEn: String?
}

struct UnitResource: Content {
  let id: UUID
  let organisationId: UUID
  let name: String
  let creditCode: String?
  let sector: String
  let sectorLabel: LocalizedText

  init(_ unit: WorkUnit) {
    id = unit.id.rawValue
    organisationId = unit.organisationID.rawValue
    name = unit.name
    creditCode = unit.creditCode
    sector = unit.sector.rawValue
    sectorLabel = unit.sector.label
  }
}

struct NewUnit: Content {
  let organisationId: UUID
  let name: String
  let creditCode: String?
  let sector: Sector
}

/// A worker in a list: the ID number is masked (`410502********1234`).
struct NewIndividual: Content {
  let name: String
  let idNumber: String
  let phone: String
  let insuranceType: String?
  let categories: [String]?
  let bankName: String?
  let bankAccount: String?
  /// The node keeping the record; the caller's own when absent.
  let organisationId: UUID?
}

struct WorkerListItem: Content {
  let id: UUID
  let name: String
  let idNumberMasked: String
  let gender: Gender
  let birthYear: Int

  init(_ worker: Worker) {
    id = worker.id.rawValue
    name = worker.name
    idNumberMasked = worker.idNumber.masked
    gender = worker.gender
    birthYear = worker.birthDate.year
  }
}

/// A member's account for transfers, masked as every page shows it.
struct WorkerBankAccountResource: Content {
  let workerId: UUID
  let bankName: String?
  let accountMasked: String?

  init(_ worker: Worker) {
    workerId = worker.id.rawValue
    bankName = worker.bankName
    accountMasked = worker.bankAccount.map(BankAccountMask.masked)
  }
}

struct PageResource<Item: Content>: Content {
  let items: [Item]
  let page: Int
  let per: Int
  let total: Int
  let pageCount: Int

  init<Source>(_ page: PagedResult<Source>, map transform: (Source) -> Item) {
    items = page.items.map(transform)
    self.page = page.request.page
    per = page.request.per
    total = page.total
    pageCount = page.pageCount
  }
}

struct ListResource<Item: Content>: Content {
  let items: [Item]
}

extension Request {
  /// `?page=&per=` with defaults; a value that is not a whole number within its range (as the
  /// API's document states it) is a 400 naming it, never quietly changed. (Pages clamp instead:
  /// a person typing `per=500` into the address bar gets the largest page.)
  /// `?status=` narrowing a list to one of `Status`'s values; absent, nil; anything else, a 400
  /// naming the values it takes.
  func statusFilter<Status: RawRepresentable & CaseIterable>(_: Status.Type) throws -> Status?
  where Status.RawValue == String {
    guard let text = query[String.self, at: "status"] else { return nil }
    guard let status = Status(rawValue: text) else {
      let names = Status.allCases.map(\.rawValue)
      let zh = names.dropLast().joined(separator: "、") + " 或 " + (names.last ?? "")
      let en = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
      throw APIError.invalidQuery("status", expected: LocalizedText(zh: "应为 \(zh)", en: "takes \(en)"))
    }
    return status
  }

  func pageRequest() throws -> PageQuery {
    func number(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
      guard let text = query[String.self, at: name] else { return value }
      guard let number = Int(text) else {
        throw APIError.invalidQuery(
          name, code: "invalid_type", expected: LocalizedText(zh: "应为整数", en: "must be an integer"))
      }
      guard range.contains(number) else {
        throw APIError.invalidQuery(
          name, code: "out_of_range",
          expected: LocalizedText(
            zh: "应为 \(range.lowerBound) 到 \(range.upperBound) 之间的整数",
            en: "must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
      }
      return number
    }
    return PageQuery(
      page: try number("page", default: 1, in: 1...PageQuery.maximumPage),
      per: try number("per", default: 50, in: 1...PageQuery.maximumPerPage))
  }

  /// Refuses a JSON object body with a key `allowed` does not name (a misspelt field would
  /// otherwise be dropped without a word): for bodies whose schema allows no other properties.
  func rejectUnknownKeys(allowing allowed: Set<String>) throws {
    guard let buffer = body.data,
      let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]
    else { return }
    if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
      throw APIError.validation(
        ValidationFailure([
          FieldError(
            field: unknown, code: "unknown_field",
            message: LocalizedText(zh: "不认识的字段“\(unknown)”", en: "unknown field \"\(unknown)\""))
        ]))
    }
  }
}
