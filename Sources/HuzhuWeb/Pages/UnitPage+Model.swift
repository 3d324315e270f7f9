import HuzhuCore

/// One unit: its details and headcount, members, cover, bills and the outreach log.
enum UnitPage {
  struct Model {
    let unit: WorkUnit
    let organisation: Organisation?
    let details: UnitDetails
    let headcount: HeadcountReport?
    let workers: PagedResult<Worker>
    let enrollments: PagedResult<Enrollment>
    let bills: [Bill]
    /// The bills' payments, for their receipts.
    let payments: [Bill.ID: [Payment]]
    /// People covered today, each once.
    let covered: Int
    let outreach: [OutreachVisit]
    /// Product names of every scheme, by product code.
    let productNames: [String: LocalizedText]
    /// Names of the people on this page's lists, by id.
    let names: [Worker.ID: String]
    let today: CalendarDate

    static func load(
      _ id: WorkUnit.ID, today: CalendarDate, registry: any RegistryStore, enrollments store: any EnrollmentStore,
      unionWork: any UnionWorkStore, schemes: any SchemeStore
    ) async throws -> Model? {
      guard let unit = try await registry.unit(id) else { return nil }
      async let organisation = registry.organisation(unit.organisationID)
      async let details = registry.details(of: id)
      async let headcounts = registry.headcounts(of: id)
      async let workers = registry.workers(in: id, page: PageQuery(per: 100))
      async let enrollments = store.enrollments(unit: id, page: PageQuery(per: 100))
      async let bills = store.bills(unit: id)
      async let outreach = unionWork.outreachVisits(unit: id)
      async let covered = store.coveredCount(unit: id, on: today)
      async let schemeList = schemes.schemes()
      let people = try await workers
      var names = Dictionary(uniqueKeysWithValues: people.items.map { ($0.id, $0.name) })
      let cover = try await enrollments
      // Members who have since left the unit still show by name on its enrollments.
      let missing = Set(cover.items.map(\.workerID)).filter { names[$0] == nil }
      for (id, worker) in try await registry.workers(Array(missing)) { names[id] = worker.name }
      let unitBills = try await bills
      return Model(
        unit: unit, organisation: try await organisation, details: try await details ?? UnitDetails(),
        headcount: HeadcountReport.inForce(on: today, among: try await headcounts), workers: people,
        enrollments: cover, bills: unitBills, payments: try await store.payments(bills: unitBills.map(\.id)),
        covered: try await covered, outreach: try await outreach,
        productNames: Self.productNames(try await schemeList), names: names, today: today)
    }

    static func productNames(_ schemes: [StoredScheme]) -> [String: LocalizedText] {
      var names: [String: LocalizedText] = [:]
      for scheme in schemes {
        for product in scheme.definition.products {
          names[product.code] = LocalizedText(zh: product.name, en: product.nameEn ?? product.name)
        }
      }
      return names
    }
  }
}
