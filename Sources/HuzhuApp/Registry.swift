import Foundation
import HuzhuCore
import HuzhuPersistence

/// The organisation tree, units and people, within the actor's area: what the tree, unit,
/// worker and search pages show, and the registry's writes (nodes, units, people on their own).
public struct Registry: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  // MARK: The tree

  /// The tree the actor sees with each node's unit count, and totals.
  public struct Overview: Sendable {
    public let tree: OrganisationTree
    public let counts: RegistryCounts
  }

  public func overview() async throws -> Overview {
    try actor.require(.viewRegistry)
    async let organisations = registryStore.organisations()
    async let unitCounts = registryStore.unitCounts()
    async let counts = registryStore.counts()
    return Overview(
      tree: OrganisationTree(organisations: try await organisations, unitCounts: try await unitCounts),
      counts: try await counts)
  }

  public func organisations() async throws -> [Organisation] { try await registryStore.organisations() }

  public func unitCounts() async throws -> [Organisation.ID: Int] { try await registryStore.unitCounts() }

  public func organisation(_ id: Organisation.ID) async throws -> Organisation {
    guard let organisation = try await registryStore.organisation(id) else { throw UseCaseError.notFound }
    return organisation
  }

  /// One node: where it sits, the nodes below it, and the units of its subtree (a page).
  public struct NodeOverview: Sendable {
    public let organisation: Organisation
    /// From the root down to the parent.
    public let ancestors: [Organisation]
    public let children: [Organisation]
    public let units: PagedResult<WorkUnit>
    public let organisationNames: [Organisation.ID: Organisation]
    /// The unit-name filter, when one was typed.
    public let search: String?
  }

  public func node(_ id: Organisation.ID, search: String?, page: PageQuery) async throws -> NodeOverview {
    try actor.require(.viewRegistry)
    let all = try await registryStore.organisations()
    let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
    guard let organisation = byID[id] else { throw UseCaseError.notFound }
    var ancestors: [Organisation] = []
    var cursor = organisation.parentID
    while let parentID = cursor, let parent = byID[parentID], !ancestors.contains(parent) {
      ancestors.insert(parent, at: 0)
      cursor = parent.parentID
    }
    let children = all.filter { $0.parentID == id }.sorted { $0.code < $1.code }
    let units = try await registryStore.units(in: id, matching: search, page: page)
    return NodeOverview(
      organisation: organisation, ancestors: ancestors, children: children, units: units, organisationNames: byID,
      search: search)
  }

  public func create(_ organisation: Organisation) async throws {
    try actor.require(.manageOrganisations)
    try await registryStore.create(organisation)
  }

  // MARK: Units

  public func units(in node: Organisation.ID?, matching text: String?, page: PageQuery) async throws
    -> PagedResult<WorkUnit>
  {
    try actor.require(.viewRegistry)
    return try await registryStore.units(in: node, matching: text, page: page)
  }

  public func unit(_ id: WorkUnit.ID) async throws -> WorkUnit {
    guard let unit = try await registryStore.unit(id) else { throw UseCaseError.notFound }
    return unit
  }

  public func create(_ unit: WorkUnit) async throws {
    try actor.require(.manageUnits)
    try await registryStore.create(unit)
  }

  public func workers(in unit: WorkUnit.ID, page: PageQuery) async throws -> PagedResult<Worker> {
    try actor.require(.viewRegistry)
    _ = try await self.unit(unit)
    return try await registryStore.workers(in: unit, page: page)
  }

  public func counts() async throws -> RegistryCounts { try await registryStore.counts() }

  /// One unit: details and headcount, members, cover, bills and the outreach log.
  public struct UnitOverview: Sendable {
    public let unit: WorkUnit
    public let organisation: Organisation?
    public let details: UnitDetails
    public let headcount: HeadcountReport?
    public let workers: PagedResult<Worker>
    public let enrollments: PagedResult<Enrollment>
    public let bills: [Bill]
    /// The bills' payments, for their receipts.
    public let payments: [Bill.ID: [Payment]]
    /// People covered today, each once.
    public let covered: Int
    public let outreach: [OutreachVisit]
    /// Product names of the schemes in reach, by product code.
    public let productNames: [String: LocalizedText]
    /// Names of the people on this page's lists, by id.
    public let names: [Worker.ID: String]
    public let today: CalendarDate
  }

  /// A unit's page: `workers` and `enrollments` are the pages of its two long lists.
  public func unitOverview(
    _ id: WorkUnit.ID, workers workersPage: PageQuery = PageQuery(per: 100),
    enrollments enrollmentsPage: PageQuery = PageQuery(per: 100)
  ) async throws -> UnitOverview {
    try actor.require(.viewRegistry)
    let today = services.today
    let unit = try await self.unit(id)
    let unionWork = unionWorkStore
    async let organisation = registryStore.organisation(unit.organisationID)
    async let details = registryStore.details(of: id)
    async let headcounts = registryStore.headcounts(of: id)
    async let workers = registryStore.workers(in: id, page: workersPage)
    async let cover = enrollmentStore.enrollments(unit: id, page: enrollmentsPage)
    async let bills = enrollmentStore.bills(unit: id)
    async let outreach = unionWork.outreachVisits(unit: id)
    async let covered = enrollmentStore.coveredCount(unit: id, on: today)
    async let schemeList = schemeStore.schemes()
    let people = try await workers
    var names = Dictionary(uniqueKeysWithValues: people.items.map { ($0.id, $0.name) })
    let enrolled = try await cover
    // Members who have since left the unit still show by name on its enrollments.
    let missing = Set(enrolled.items.map(\.workerID)).filter { names[$0] == nil }
    for (id, worker) in try await registryStore.workers(Array(missing)) { names[id] = worker.name }
    let unitBills = try await bills
    return UnitOverview(
      unit: unit, organisation: try await organisation, details: try await details ?? UnitDetails(),
      headcount: HeadcountReport.inForce(on: today, among: try await headcounts), workers: people,
      enrollments: enrolled, bills: unitBills, payments: try await enrollmentStore.payments(bills: unitBills.map(\.id)),
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

  // MARK: People

  /// People the actor sees whose name contains `text`, or whose ID number or phone starts with it.
  public func search(_ text: String, page: PageQuery) async throws -> PagedResult<Worker> {
    try actor.require(.viewRegistry)
    return try await registryStore.searchWorkers(matching: text, page: page)
  }

  /// A search's matches as the search page lists them: each with their unit and their cover
  /// today, so that two people of one name can be told apart.
  public struct SearchListing: Sendable {
    public struct Match: Sendable {
      public let worker: Worker
      public let unitName: String?
      /// The products covering them today.
      public let inForce: [String]
      /// Their latest enrollment's state, when nothing covers them today.
      public let latest: CoverState?
    }

    public let matches: PagedResult<Match>
    public let productNames: [String: LocalizedText]
    public let today: CalendarDate
  }

  public func searchListing(_ text: String, page: PageQuery) async throws -> SearchListing {
    let found = try await search(text, page: page)
    let today = services.today
    async let units = registryStore.units(Array(Set(found.items.compactMap(\.unitID))))
    async let cover = enrollmentStore.enrollments(workers: found.items.map(\.id))
    async let schemeList = schemeStore.schemes()
    let (unitsByID, coverByWorker) = (try await units, try await cover)
    let matches = found.items.map { worker in
      let enrollments = coverByWorker[worker.id] ?? []
      let inForce = enrollments.filter { $0.covers(today) }.map(\.productCode)
      return SearchListing.Match(
        worker: worker, unitName: worker.unitID.flatMap { unitsByID[$0]?.name }, inForce: inForce,
        latest: inForce.isEmpty ? enrollments.first?.coverState(on: today) : nil)
    }
    return SearchListing(
      matches: PagedResult(items: matches, request: page, total: found.total),
      productNames: Self.productNames(try await schemeList), today: today)
  }

  public func worker(_ id: Worker.ID) async throws -> Worker {
    guard let worker = try await registryStore.worker(id) else { throw UseCaseError.notFound }
    return worker
  }

  public func worker(idNumber: ResidentIDNumber) async throws -> Worker? {
    try await registryStore.worker(idNumber: idNumber)
  }

  /// A person for staff: identity, cover and certificates, claims, their own bills.
  public struct WorkerOverview: Sendable {
    public let worker: Worker
    public let unit: WorkUnit?
    public let enrollments: [Enrollment]
    public let claims: [ClaimRecord]
    /// The bills of the person's individual enrollments (a unit's bills are on its page).
    public let bills: [Bill]
    public let payments: [Bill.ID: [Payment]]
    /// Product names of the schemes in reach, by product code.
    public let productNames: [String: LocalizedText]
    /// Whether the full ID number, phone and bank account are shown (and so audited).
    public let revealed: Bool
    public let today: CalendarDate
    /// Transfers to the person the bank sent back, newest first.
    public var returnedTransfers: [PaymentReturn] = []

    /// The return that still holds the person's payments: one to the account registered now.
    public var accountToCorrect: PaymentReturn? {
      returnedTransfers.first { $0.bankAccount == worker.bankAccount }
    }
  }

  /// The person's page; revealing their ID number, phone and bank account in full needs
  /// ``Permission/viewPersonalData`` and is written to the audit log.
  public func workerOverview(_ id: Worker.ID, revealed: Bool) async throws -> WorkerOverview {
    try actor.require(.viewRegistry)
    if revealed { try actor.require(.viewPersonalData) }
    let worker = try await self.worker(id)
    let claims = claimStore
    async let unit = worker.unitID.asyncMap { try await registryStore.unit($0) } ?? nil
    async let cover = enrollmentStore.enrollments(worker: id)
    async let history = claims.claims(worker: id)
    let bills = try await enrollmentStore.bills(individual: id)
    var overview = WorkerOverview(
      worker: worker, unit: try await unit, enrollments: try await cover, claims: try await history,
      bills: bills, payments: try await enrollmentStore.payments(bills: bills.map(\.id)),
      productNames: Self.productNames(try await schemeStore.schemes()), revealed: revealed, today: services.today)
    overview.returnedTransfers = try await claims.returns(worker: id)
    if revealed {
      try await audit.record(
        .personalDataView, subject: "worker:\(id)", detail: "ID number, phone, bank account")
    }
    return overview
  }

  /// Corrects a member's account for transfers (after the bank returned one, or on their
  /// request), audited with both accounts masked. A claim held back by a returned transfer
  /// goes into the next batch once the account differs from the one the money bounced from.
  public func correctBankAccount(of id: Worker.ID, bankName: String, account: String) async throws -> Worker {
    try actor.require(.manageUnits)
    let checked = try MemberBankAccount.checked(bankName: bankName, account: account)
    let before: Worker
    let after: Worker
    do {
      (before, after) = try await registryStore.update(checked, of: id)
    } catch let failure as ValidationFailure where failure.errors.map(\.code) == ["unknown_worker"] {
      // Another area's member does not exist for the actor.
      throw UseCaseError.notFound
    }
    // The log says which account, not the number: the last four digits tell them apart.
    func tail(_ account: String?) -> String { account.map { "****" + $0.suffix(4) } ?? "—" }
    try await audit.record(
      .dataChange, subject: "worker:\(id)",
      detail:
        "bank account \(before.bankName ?? "—") \(tail(before.bankAccount)) → \(checked.bankName) \(tail(checked.account))"
    )
    return after
  }

  /// Registers a person on their own at a node of the actor's area; someone who left their
  /// unit is taken over rather than registered twice (the stored person is returned).
  public func register(individual worker: Worker) async throws -> Worker {
    try actor.require(.enroll)
    guard case .organisations = actor.scope else { throw UseCaseError.forbidden }
    return try await registryStore.register(individual: worker)
  }

  // MARK: Papers

  /// The printable certificate (staff only: it shows the holder in full).
  public func certificate(number: String) async throws -> Certificate {
    try actor.require(.viewPersonalData)
    guard let certificate = try await enrollmentStore.certificate(number: number),
      try await registryStore.worker(certificate.enrollment.workerID) != nil
    else { throw UseCaseError.notFound }
    try await audit.record(
      .personalDataView, subject: "certificate:\(number)", detail: "printable certificate")
    return certificate
  }

  /// The certificates a bill paid for, printed together a page at a time (staff only, as one
  /// certificate; each page read is audited with the numbers it showed).
  public func certificates(bill: Bill.ID, page: PageQuery) async throws -> (
    bill: Bill, certificates: PagedResult<Certificate>
  ) {
    try actor.require(.viewPersonalData)
    guard let found = try await enrollmentStore.bill(bill) else { throw UseCaseError.notFound }
    let certificates = try await enrollmentStore.certificates(bill: bill, page: page)
    if let first = certificates.items.first, let last = certificates.items.last {
      try await audit.record(
        .personalDataView, subject: "bill:\(bill)",
        detail:
          "printable certificates of \(found.number): \(certificates.items.count) (\(first.enrollment.certificateNumber) – \(last.enrollment.certificateNumber))"
      )
    }
    return (found, certificates)
  }

  /// A payment's receipt: who paid what towards which bill.
  public struct Receipt: Sendable {
    public let payment: Payment
    public let bill: Bill
    public let payerDisplayName: String
    public let unitName: String?
    public let schemeName: String
    /// Who recorded the payment as people read it: the account's name, else what was stored.
    public var recordedByName = ""
    /// A void asked for or applied: the receipt is marked with it.
    public var correction: Correction? = nil
    /// The number asked for, and the receipt's reissues, oldest first: a number the last one
    /// does not carry is a replaced receipt, marked so.
    public var askedNumber = ""
    public var reissues: [ReceiptReissue] = []

    /// The number in force.
    public var currentNumber: String { reissues.last?.number ?? payment.receiptNumber }
    /// The reissue that replaced the number asked for, when it is no longer in force.
    public var replacement: ReceiptReissue? { reissues.first { $0.replaces == askedNumber } }
    /// The reissue the number asked for is, when it is one.
    public var reissue: ReceiptReissue? { reissues.first { $0.number == askedNumber } }
  }

  public func receipt(number: String) async throws -> Receipt {
    try actor.require(.viewRegistry)
    guard let payment = try await enrollmentStore.payment(receiptNumber: number),
      let bill = try await enrollmentStore.bill(payment.billID)
    else { throw UseCaseError.notFound }
    let unitName = try await bill.unitID.asyncMap { try await registryStore.unit($0)?.name } ?? nil
    let scheme = try await schemeStore.scheme(code: bill.schemeCode)
    try await audit.record(
      .personalDataView, subject: "receipt:\(number)", detail: "payer and amount of bill:\(bill.id)")
    var receipt = Receipt(
      payment: payment, bill: bill,
      payerDisplayName: payment.payerName ?? (payment.payer == .employer ? unitName : nil) ?? payment.payer.label.zh,
      unitName: unitName, schemeName: scheme?.definition.scheme.name ?? bill.schemeCode)
    // Payments keep the login name (as the audit log does); the receipt names the person.
    receipt.recordedByName =
      try await FluentAccountStore(database: services.database).account(username: payment.recordedBy)?.displayName
      ?? payment.recordedBy
    receipt.correction = try await enrollmentStore.corrections(ofPayments: [payment.id])[payment.id]
    receipt.askedNumber = number.trimmingCharacters(in: .whitespaces).uppercased()
    receipt.reissues = try await enrollmentStore.reissues(of: payment.id)
    return receipt
  }

  // MARK: The dashboard

  /// The work waiting for the actor's roles in their area, and its key figures.
  public struct Dashboard: Sendable {
    public let organisation: Organisation
    public let roles: Set<Role>
    public let claims: ClaimSummary?
    public let registry: RegistryCounts?
    public let unit: WorkUnit?
    public let today: CalendarDate
    /// One-stop claims, once a source of settlements has sent any.
    public let oneStop: OneStopFigures?
  }

  public func dashboard() async throws -> Dashboard {
    guard let account = actor.account, let organisation = actor.organisation else { throw UseCaseError.forbidden }
    let today = services.today
    let permissions = account.permissions
    let claims = claimStore
    async let claimSummary = permissions.contains(.viewClaims) ? claims.summary(today: today) : nil
    async let counts = permissions.contains(.viewRegistry) ? registryStore.counts() : nil
    async let unit = account.unitID.asyncMap { try await registryStore.unit($0) } ?? nil
    async let oneStop = permissions.contains(.viewClaims) ? settlementStore.figures() : nil
    let figures = try await oneStop
    return Dashboard(
      organisation: organisation, roles: account.roles, claims: try await claimSummary,
      registry: try await counts, unit: try await unit, today: today,
      oneStop: figures.flatMap { $0.made > 0 || $0.held > 0 ? $0 : nil })
  }
}
