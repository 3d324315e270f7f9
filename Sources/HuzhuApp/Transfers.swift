import Foundation
import HuzhuCore
import HuzhuPersistence

/// Transfer requests between areas: a roster naming someone employed or kept outside the
/// importer's area asks for them; the side keeping them confirms (the person moves, with the
/// roster's details) or declines; the asking side may withdraw while it waits.
public struct Transfers: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  /// One request as the actor may see it. The asking side learns nothing of where the person
  /// is: `keptBy` and `worker` are nil for it.
  public struct Listing: Sendable {
    public let request: TransferRequest
    /// The actor keeps the person now and answers the request.
    public let isIncoming: Bool
    /// The unit that asks (its name is the actor's, or the asking side's to know).
    public let askingUnitName: String
    /// The person as the keeping side knows them.
    public let worker: Worker?
    /// What the actor may do with it now.
    public let decisions: [TransferRequest.Decision]
  }

  public func list(status: TransferRequest.Status?, page: PageQuery) async throws -> PagedResult<Listing> {
    try actor.require(.manageUnits)
    return try await listings(try await registryStore.transferRequests(status: status, page: page))
  }

  /// One request as the actor sees it; nil outside their area.
  public func listing(_ id: TransferRequest.ID) async throws -> Listing? {
    try actor.require(.manageUnits)
    guard let request = try await registryStore.transferRequest(id) else { return nil }
    return try await listings(PagedResult(items: [request], request: PageQuery(), total: 1)).items.first
  }

  private func listings(_ found: PagedResult<TransferRequest>) async throws -> PagedResult<Listing> {
    // The asking units' names: the keeping side reads the other area's unit by design (it is
    // where its worker is going), so these are read apart from the actor's scope.
    let units = try await FluentRegistryStore(database: services.database).units(
      Array(Set(found.items.map(\.toUnitID))))
    let workers = try await registryStore.workers(found.items.filter { $0.isKeptWithin(actor.scope) }.map(\.workerID))
    return PagedResult(
      items: found.items.map { request in
        let incoming = request.isKeptWithin(actor.scope)
        return Listing(
          request: request, isIncoming: incoming, askingUnitName: units[request.toUnitID]?.name ?? "",
          worker: incoming ? workers[request.workerID] : nil,
          decisions: TransferRequest.Decision.allCases.filter { request.refusal(of: $0, by: actor.scope) == nil })
      }, request: found.request, total: found.total)
  }

  /// Confirms, declines or withdraws a request; a confirmation moves the person now.
  @discardableResult
  public func decide(_ id: TransferRequest.ID, _ decision: TransferRequest.Decision, note: String?) async throws
    -> TransferRequest
  {
    try actor.require(.manageUnits)
    guard let request = try await registryStore.transferRequest(id) else { throw UseCaseError.notFound }
    if let refusal = request.refusal(of: decision, by: actor.scope) {
      throw ValidationFailure([FieldError(field: "decision", code: "not_allowed", message: refusal)])
    }
    if let note, note.count > 200 { throw ValidationFailure(FieldError.tooLong([("note", note, 200)])) }
    let today = services.today
    guard let decided = request.deciding(decision, by: actor.displayName, on: today, note: note, scope: actor.scope)
    else { throw UseCaseError.notFound }
    let before = decision == .confirm ? try await registryStore.worker(request.workerID) : nil
    try await registryStore.record(decided, on: today)
    let after =
      before == nil ? nil : try await FluentRegistryStore(database: services.database).worker(request.workerID)
    let from = request.fromUnitID.map { "unit:\($0)" } ?? "organisation:\(request.fromOrganisationID)"
    try await audit.record(
      .dataChange, subject: "worker:\(request.workerID)",
      detail: "transfer \(decision.rawValue): from \(from) to unit:\(request.toUnitID)"
        + (before.flatMap { before in after.map { "; " + FieldChanges.summary(before, $0) } } ?? "")
        + (note.map { "; note: \($0)" } ?? ""))
    return decided
  }
}
