import HuzhuApp
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
    try await request.unionWork.details(of: try request.identifier())
  }

  @Sendable func updateDetails(_ request: Request) async throws -> UnitDetails {
    try request.rejectUnknownKeys(allowing: ["address", "contactName", "contactPhone", "bankName", "bankAccount"])
    return try await request.unionWork.update(
      try request.content.decode(UnitDetails.self), of: try request.identifier())
  }

  @Sendable func listHeadcounts(_ request: Request) async throws -> ListResource<HeadcountReport> {
    ListResource(items: try await request.unionWork.headcounts(of: try request.identifier()))
  }

  @Sendable func recordHeadcount(_ request: Request) async throws -> Response {
    let unit: WorkUnit.ID = try request.identifier()
    let report = try request.content.decode(HeadcountReport.self)
    try await request.unionWork.record(report, for: unit)
    return try await created(report, at: .api(.unitHeadcounts(.value(unit))), for: request)
  }

  // MARK: Outreach

  @Sendable func listOutreach(_ request: Request) async throws -> ListResource<OutreachVisitResource> {
    ListResource(
      items: try await request.unionWork.outreachVisits(unit: try request.identifier()).map(OutreachVisitResource.init))
  }

  @Sendable func recordOutreach(_ request: Request) async throws -> Response {
    let unit: WorkUnit.ID = try request.identifier()
    let input = try request.content.decode(NewOutreachVisit.self)
    let visit = OutreachVisit(
      unitID: unit, visitedOn: input.visitedOn, visitor: input.visitor.trimmingCharacters(in: .whitespaces),
      contact: input.contact, materials: input.materials, outcome: input.outcome, declineReason: input.declineReason,
      note: input.note)
    try await request.unionWork.record(visit)
    return try await created(OutreachVisitResource(visit), at: .api(.unitOutreach(.value(unit))), for: request)
  }

  @Sendable func outreachSummary(_ request: Request) async throws -> OutreachSummaryResource {
    OutreachSummaryResource(try await request.unionWork.outreachSummary(under: try request.organisationFilter()))
  }

  // MARK: Pairing ledger

  @Sendable func listPairings(_ request: Request) async throws -> ListResource<PairingResource> {
    ListResource(
      items: try await request.unionWork.pairings(under: try request.organisationFilter()).map(PairingResource.init))
  }

  @Sendable func showPairing(_ request: Request) async throws -> PairingResource {
    PairingResource(try await request.unionWork.pairing(try request.identifier()))
  }

  @Sendable func createPairing(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewPairing.self)
    let pairing = HardshipPairing(
      organisationID: .init(input.organisationId), cadreName: input.cadreName.trimmingCharacters(in: .whitespaces),
      cadrePhone: input.cadrePhone, workerID: .init(input.workerId), hardshipLevel: input.hardshipLevel,
      startedOn: input.startedOn, endedOn: input.endedOn, cadrePaysContribution: input.cadrePaysContribution ?? false)
    try await request.unionWork.create(pairing)
    return try await created(PairingResource(pairing), at: .api(.pairing(.value(pairing.id))), for: request)
  }

  @Sendable func listPairingVisits(_ request: Request) async throws -> ListResource<PairingVisitResource> {
    ListResource(
      items: try await request.unionWork.visits(pairing: try request.identifier()).map(PairingVisitResource.init))
  }

  @Sendable func recordPairingVisit(_ request: Request) async throws -> Response {
    let id: HardshipPairing.ID = try request.identifier()
    let input = try request.content.decode(NewPairingVisit.self)
    let visit = PairingVisit(pairingID: id, visitedOn: input.visitedOn, note: input.note)
    try await request.unionWork.record(visit)
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
  var unionWork: UnionWork {
    get throws { UnionWork(services, actor: try actor) }
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
