import HuzhuCore
import Vapor

/// `/api/v1` endpoints for unit details and headcounts, outreach visits and the hardship
/// pairing ledger.
struct UnionWorkController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.get(.api(.unitDetails(.key)), requires: .viewRegistry, use: showDetails)
    routes.get(.api(.unitHeadcounts(.key)), requires: .viewRegistry, use: listHeadcounts)
    routes.get(.api(.unitOutreach(.key)), requires: .viewRegistry, use: listOutreach)
    routes.get(.api(.outreachSummary), requires: .viewRegistry, use: outreachSummary)
    routes.get(.api(.pairings), requires: .managePairings, use: listPairings)
    routes.get(.api(.pairing(.key)), requires: .managePairings, use: showPairing)
    routes.get(.api(.pairingVisits(.key)), requires: .managePairings, use: listPairingVisits)
    routes.put(.api(.unitDetails(.key)), requires: .manageUnits, use: updateDetails)
    routes.post(.api(.unitHeadcounts(.key)), requires: .manageUnits, use: recordHeadcount)
    routes.post(.api(.unitOutreach(.key)), requires: .recordOutreach, use: recordOutreach)
    routes.post(.api(.pairings), requires: .managePairings, use: createPairing)
    routes.post(.api(.pairingVisits(.key)), requires: .managePairings, use: recordPairingVisit)
  }

  // MARK: Unit details

  @Sendable func showDetails(_ request: Request) async throws -> UnitDetails {
    guard let details = try await request.registry.details(of: try request.identifier()) else {
      throw APIError.notFound
    }
    return details
  }

  @Sendable func updateDetails(_ request: Request) async throws -> UnitDetails {
    let unit: WorkUnit.ID = try request.identifier()
    guard try await request.registry.unit(unit) != nil else { throw APIError.notFound }
    try await request.registry.update(try request.content.decode(UnitDetails.self), of: unit)
    return try await request.registry.details(of: unit) ?? UnitDetails()
  }

  @Sendable func listHeadcounts(_ request: Request) async throws -> ListResource<HeadcountReport> {
    let unit: WorkUnit.ID = try request.identifier()
    guard try await request.registry.unit(unit) != nil else { throw APIError.notFound }
    return ListResource(items: try await request.registry.headcounts(of: unit))
  }

  @Sendable func recordHeadcount(_ request: Request) async throws -> Response {
    let unit: WorkUnit.ID = try request.identifier()
    guard try await request.registry.unit(unit) != nil else { throw APIError.notFound }
    let report = try request.content.decode(HeadcountReport.self)
    try await request.registry.record(report, for: unit)
    return try await created(report, at: .api(.unitHeadcounts(.value(unit))), for: request)
  }

  // MARK: Outreach

  @Sendable func listOutreach(_ request: Request) async throws -> ListResource<OutreachVisitResource> {
    let unit: WorkUnit.ID = try request.identifier()
    guard try await request.registry.unit(unit) != nil else { throw APIError.notFound }
    return ListResource(items: try await request.unionWork.outreachVisits(unit: unit).map(OutreachVisitResource.init))
  }

  @Sendable func recordOutreach(_ request: Request) async throws -> Response {
    let unit: WorkUnit.ID = try request.identifier()
    guard try await request.registry.unit(unit) != nil else { throw APIError.notFound }
    let input = try request.content.decode(NewOutreachVisit.self)
    let visit = OutreachVisit(
      unitID: unit, visitedOn: input.visitedOn, visitor: input.visitor.trimmingCharacters(in: .whitespaces),
      contact: input.contact, materials: input.materials, outcome: input.outcome, declineReason: input.declineReason,
      note: input.note)
    try await request.unionWork.record(visit, today: request.today)
    return try await created(OutreachVisitResource(visit), at: .api(.unitOutreach(.value(unit))), for: request)
  }

  @Sendable func outreachSummary(_ request: Request) async throws -> OutreachSummaryResource {
    OutreachSummaryResource(
      try await request.unionWork.outreachSummary(under: try request.scopedOrganisationFilter()))
  }

  // MARK: Pairing ledger

  @Sendable func listPairings(_ request: Request) async throws -> ListResource<PairingResource> {
    ListResource(
      items: try await request.unionWork.pairings(under: try request.scopedOrganisationFilter()).map(
        PairingResource.init))
  }

  @Sendable func showPairing(_ request: Request) async throws -> PairingResource {
    guard let pairing = try await request.visiblePairing(try request.identifier()) else { throw APIError.notFound }
    return PairingResource(pairing)
  }

  @Sendable func createPairing(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewPairing.self)
    let pairing = HardshipPairing(
      organisationID: .init(input.organisationId), cadreName: input.cadreName.trimmingCharacters(in: .whitespaces),
      cadrePhone: input.cadrePhone, workerID: .init(input.workerId), hardshipLevel: input.hardshipLevel,
      startedOn: input.startedOn, endedOn: input.endedOn, cadrePaysContribution: input.cadrePaysContribution ?? false)
    // The pairing is kept by a node of the operator's area, for a worker they can see.
    guard request.accessScope.contains(organisation: pairing.organisationID),
      try await request.registry.worker(pairing.workerID) != nil
    else { throw APIError.notFound }
    try await request.unionWork.create(pairing)
    return try await created(PairingResource(pairing), at: .api(.pairing(.value(pairing.id))), for: request)
  }

  @Sendable func listPairingVisits(_ request: Request) async throws -> ListResource<PairingVisitResource> {
    let id: HardshipPairing.ID = try request.identifier()
    guard try await request.unionWork.pairing(id) != nil else { throw APIError.notFound }
    return ListResource(items: try await request.unionWork.visits(pairing: id).map(PairingVisitResource.init))
  }

  @Sendable func recordPairingVisit(_ request: Request) async throws -> Response {
    let id: HardshipPairing.ID = try request.identifier()
    guard try await request.unionWork.pairing(id) != nil else { throw APIError.notFound }
    let input = try request.content.decode(NewPairingVisit.self)
    let visit = PairingVisit(pairingID: id, visitedOn: input.visitedOn, note: input.note)
    try await request.unionWork.record(visit, today: request.today)
    return try await created(PairingVisitResource(visit), at: .api(.pairingVisits(.value(id))), for: request)
  }
}

extension UnitDetails: Content {}
extension HeadcountReport: Content {}

struct NewOutreachVisit: Content {
  let visitedOn: CalendarDate
  let visitor: String
  let contact: String?
  let materials: String?
  let outcome: OutreachOutcome
  let declineReason: DeclineReason?
  let note: String?
}

struct OutreachVisitResource: Content {
  let id: UUID
  let unitId: UUID
  let visitedOn: CalendarDate
  let visitor: String
  let contact: String?
  let materials: String?
  let outcome: OutreachOutcome
  let outcomeLabel: LocalizedText
  let declineReason: DeclineReason?
  let declineReasonLabel: LocalizedText?
  let note: String?

  init(_ visit: OutreachVisit) {
    id = visit.id.rawValue
    unitId = visit.unitID.rawValue
    visitedOn = visit.visitedOn
    visitor = visit.visitor
    contact = visit.contact
    materials = visit.materials
    outcome = visit.outcome
    outcomeLabel = visit.outcome.label
    declineReason = visit.declineReason
    declineReasonLabel = visit.declineReason?.label
    note = visit.note
  }
}

struct OutreachSummaryResource: Content {
  struct Count: Content {
    let code: String
    let label: LocalizedText
    let units: Int
  }

  let visits: Int
  let unitsVisited: Int
  let outcomes: [Count]
  let declineReasons: [Count]

  init(_ summary: OutreachSummary) {
    visits = summary.visits
    unitsVisited = summary.unitsVisited
    outcomes = OutreachOutcome.allCases.map {
      Count(code: $0.rawValue, label: $0.label, units: summary.byOutcome[$0] ?? 0)
    }
    declineReasons = DeclineReason.allCases.map {
      Count(code: $0.rawValue, label: $0.label, units: summary.declineReasons[$0] ?? 0)
    }
  }
}

struct NewPairing: Content {
  let organisationId: UUID
  let cadreName: String
  let cadrePhone: String?
  let workerId: UUID
  let hardshipLevel: HardshipLevel
  let startedOn: CalendarDate
  let endedOn: CalendarDate?
  let cadrePaysContribution: Bool?
}

struct PairingResource: Content {
  let id: UUID
  let organisationId: UUID
  let cadreName: String
  let cadrePhone: String?
  let workerId: UUID
  let hardshipLevel: HardshipLevel
  let hardshipLevelLabel: LocalizedText
  let startedOn: CalendarDate
  let endedOn: CalendarDate?
  let cadrePaysContribution: Bool
  /// The payer name to use in a unit's payer split when the cadre pays.
  let payerName: String

  init(_ pairing: HardshipPairing) {
    id = pairing.id.rawValue
    organisationId = pairing.organisationID.rawValue
    cadreName = pairing.cadreName
    cadrePhone = pairing.cadrePhone
    workerId = pairing.workerID.rawValue
    hardshipLevel = pairing.hardshipLevel
    hardshipLevelLabel = pairing.hardshipLevel.label
    startedOn = pairing.startedOn
    endedOn = pairing.endedOn
    cadrePaysContribution = pairing.cadrePaysContribution
    payerName = pairing.payerName
  }
}

struct PairingVisitResource: Content {
  let id: UUID
  let pairingId: UUID
  let visitedOn: CalendarDate
  let note: String

  init(_ visit: PairingVisit) {
    id = visit.id.rawValue
    pairingId = visit.pairingID.rawValue
    visitedOn = visit.visitedOn
    note = visit.note
  }
}

struct NewPairingVisit: Content {
  let visitedOn: CalendarDate
  let note: String
}

extension Request {
  /// The union-work store is not scoped by itself: these narrow its answers to the
  /// operator's area. A node outside it is "not found"; no node means the operator's own.
  func scopedOrganisationFilter() throws -> Organisation.ID? {
    let requested = try organisationFilter()
    guard let signedIn = operatorAccount else { throw APIError.unauthorized }
    switch signedIn.scope {
    case .unrestricted: return requested
    case .organisations(let ids):
      guard let requested else { return signedIn.organisation.id }
      guard ids.contains(requested) else { throw APIError.notFound }
      return requested
    case .unit, .nothing: throw APIError.forbidden
    }
  }

  func visiblePairing(_ id: HardshipPairing.ID) async throws -> HardshipPairing? {
    guard let pairing = try await unionWork.pairing(id), accessScope.contains(organisation: pairing.organisationID)
    else { return nil }
    return pairing
  }

  /// `?organisationId=`: a subtree to narrow a list to; a 400 naming it when not a UUID.
  func organisationFilter() throws -> Organisation.ID? {
    guard let text = query[String.self, at: "organisationId"] else { return nil }
    guard let id = Organisation.ID(text) else {
      throw APIError.invalidQuery(
        "organisationId", code: "invalid_type", expected: LocalizedText(zh: "应为UUID", en: "must be a UUID"))
    }
    return id
  }
}
