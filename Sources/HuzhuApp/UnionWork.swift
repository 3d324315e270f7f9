import Foundation
import HuzhuCore
import HuzhuPersistence

/// The union's own work with units and people: a unit's details and headcounts, outreach
/// visits, and the hardship pairing ledger (包联台账) with its visits. Everything within the
/// actor's area; a list without a node is the actor's own node's.
public struct UnionWork: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  func unit(_ id: WorkUnit.ID) async throws -> WorkUnit {
    guard let unit = try await registryStore.unit(id) else { throw UseCaseError.notFound }
    return unit
  }

  /// The subtree a list is narrowed to: the node asked for when the actor sees it (not found
  /// otherwise), else the actor's own node. Someone who sees a single unit keeps no such lists.
  public func node(_ requested: Organisation.ID?) throws -> Organisation.ID? {
    switch actor.scope {
    case .unrestricted: return requested
    case .organisations(let ids):
      guard let requested else { return actor.organisation?.id }
      guard ids.contains(requested) else { throw UseCaseError.notFound }
      return requested
    case .unit, .nothing: throw UseCaseError.forbidden
    }
  }

  // MARK: Units

  public func details(of unit: WorkUnit.ID) async throws -> UnitDetails {
    try actor.require(.viewRegistry)
    guard let details = try await registryStore.details(of: unit) else { throw UseCaseError.notFound }
    return details
  }

  public func update(_ details: UnitDetails, of unit: WorkUnit.ID) async throws -> UnitDetails {
    try actor.require(.manageUnits)
    _ = try await self.unit(unit)
    try await registryStore.update(details, of: unit)
    return try await registryStore.details(of: unit) ?? UnitDetails()
  }

  public func headcounts(of unit: WorkUnit.ID) async throws -> [HeadcountReport] {
    try actor.require(.viewRegistry)
    _ = try await self.unit(unit)
    return try await registryStore.headcounts(of: unit)
  }

  /// Records a headcount report; one dated after the server's day is refused (a count of the
  /// future would decide participation before it is true), from the page or the API alike.
  public func record(_ report: HeadcountReport, for unit: WorkUnit.ID) async throws {
    try actor.require(.manageUnits)
    _ = try await self.unit(unit)
    if report.asOf > services.today {
      throw ValidationFailure([.futureDate("asOf", LocalizedText(zh: "人数截至日期", en: "headcount date"))])
    }
    try await registryStore.record(report, for: unit)
  }

  // MARK: Outreach

  public func outreachVisits(unit: WorkUnit.ID) async throws -> [OutreachVisit] {
    try actor.require(.viewRegistry)
    _ = try await self.unit(unit)
    return try await unionWorkStore.outreachVisits(unit: unit)
  }

  public func record(_ visit: OutreachVisit) async throws {
    try actor.require(.recordOutreach)
    _ = try await unit(visit.unitID)
    try await unionWorkStore.record(visit, today: services.today)
  }

  public func outreachSummary(under node: Organisation.ID?) async throws -> OutreachSummary {
    try actor.require(.viewRegistry)
    return try await unionWorkStore.outreachSummary(under: try self.node(node))
  }

  // MARK: Pairings

  /// A pairing with the worker's name and the visits, as the ledger shows it.
  public struct LedgerEntry: Sendable {
    public let pairing: HardshipPairing
    public let workerName: String
    public let visits: [PairingVisit]
  }

  public func pairings(under node: Organisation.ID?) async throws -> [HardshipPairing] {
    try actor.require(.managePairings)
    return try await unionWorkStore.pairings(under: try self.node(node))
  }

  public func ledger(under node: Organisation.ID?) async throws -> [LedgerEntry] {
    var entries: [LedgerEntry] = []
    for pairing in try await pairings(under: node) {
      entries.append(
        LedgerEntry(
          pairing: pairing, workerName: try await registryStore.worker(pairing.workerID)?.name ?? "—",
          visits: try await unionWorkStore.visits(pairing: pairing.id)))
    }
    return entries
  }

  public func pairing(_ id: HardshipPairing.ID) async throws -> HardshipPairing {
    try actor.require(.managePairings)
    guard let pairing = try await unionWorkStore.pairing(id) else { throw UseCaseError.notFound }
    return pairing
  }

  /// A pairing kept by a node of the actor's area, for a worker they can see.
  public func create(_ pairing: HardshipPairing) async throws {
    try actor.require(.managePairings)
    guard actor.scope.contains(organisation: pairing.organisationID),
      try await registryStore.worker(pairing.workerID) != nil
    else { throw UseCaseError.notFound }
    try await unionWorkStore.create(pairing)
  }

  public func visits(pairing id: HardshipPairing.ID) async throws -> [PairingVisit] {
    _ = try await pairing(id)
    return try await unionWorkStore.visits(pairing: id)
  }

  public func record(_ visit: PairingVisit) async throws {
    _ = try await pairing(visit.pairingID)
    try await unionWorkStore.record(visit, today: services.today)
  }
}
