import HuzhuCore

/// Finding a worker: by name, ID number or phone, within the operator's scope.
enum WorkerSearchPage {
  struct Model {
    let query: String
    let results: PagedResult<Worker>?

    static func load(query: String?, page: PageQuery, registry: any RegistryStore) async throws -> Model {
      let text = query?.trimmingCharacters(in: .whitespaces) ?? ""
      guard !text.isEmpty else { return Model(query: "", results: nil) }
      return Model(query: text, results: try await registry.searchWorkers(matching: text, page: page))
    }
  }
}

/// A worker for staff: identity (masked unless revealed), cover and certificates, claims.
enum WorkerPage {
  struct Model {
    let worker: Worker
    let unit: WorkUnit?
    let enrollments: [Enrollment]
    let claims: [ClaimRecord]
    /// The bills of the person's individual enrollments (a unit's bills are on its page).
    let bills: [Bill]
    let payments: [Bill.ID: [Payment]]
    /// Product names of every scheme, by product code.
    let productNames: [String: LocalizedText]
    /// Whether the full ID number, phone and bank account are shown (and so audited).
    let revealed: Bool
    let today: CalendarDate

    static func load(
      _ id: Worker.ID, revealed: Bool, today: CalendarDate, registry: any RegistryStore,
      enrollments: any EnrollmentStore, claims: any ClaimStore, schemes: any SchemeStore
    ) async throws -> Model? {
      guard let worker = try await registry.worker(id) else { return nil }
      async let unit = worker.unitID.asyncMap { try await registry.unit($0) } ?? nil
      async let cover = enrollments.enrollments(worker: id)
      async let history = claims.claims(worker: id)
      let bills = try await enrollments.bills(individual: id)
      return Model(
        worker: worker, unit: try await unit, enrollments: try await cover, claims: try await history,
        bills: bills, payments: try await enrollments.payments(bills: bills.map(\.id)),
        productNames: UnitPage.Model.productNames(try await schemes.schemes()), revealed: revealed, today: today)
    }
  }
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
