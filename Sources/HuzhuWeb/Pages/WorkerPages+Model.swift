import HuzhuApp
import HuzhuCore

/// Finding a worker: by name, ID number or phone, within the operator's scope.
enum WorkerSearchPage {
  typealias Match = Registry.SearchListing.Match

  struct Model {
    let query: String
    let results: Registry.SearchListing?

    static func load(query: String?, page: PageQuery, registry: Registry) async throws -> Model {
      let text = String((query?.trimmingCharacters(in: .whitespaces) ?? "").prefix(40))
      guard !text.isEmpty else { return Model(query: "", results: nil) }
      return Model(query: text, results: try await registry.searchListing(text, page: page))
    }
  }
}

/// A worker for staff: identity (masked unless revealed), cover and certificates, claims.
enum WorkerPage {
  typealias Model = Registry.WorkerOverview
}

/// How personal data reads where it is not revealed.
enum PersonalDataMask {
  static func phone(_ phone: String?) -> String {
    guard let phone, phone.count >= 7 else { return phone ?? "—" }
    return String(phone.prefix(3)) + "****" + String(phone.suffix(4))
  }

  static func bankAccount(_ account: String?) -> String {
    account.map(BankAccountMask.masked) ?? "—"
  }
}
