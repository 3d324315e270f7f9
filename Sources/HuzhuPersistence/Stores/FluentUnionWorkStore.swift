import Fluent
import Foundation
import HuzhuCore

/// Outreach visits to units and the hardship pairing ledger.
///
/// Every read and write goes through `scope`: a unit's visits, a pairing and its visits outside
/// it do not exist for this store.
public struct FluentUnionWorkStore: UnionWorkStore {
  let database: any Database
  let scope: AccessScope

  /// A store that sees everything: for the command line, the seeder and tests.
  public init(database: any Database) {
    self.init(database: database, scope: .unrestricted)
  }

  public init(database: any Database, scope: AccessScope) {
    self.database = database
    self.scope = scope
  }

  var registry: FluentRegistryStore { FluentRegistryStore(database: database, scope: scope) }

  /// The pairings kept by a node of the scope (a unit officer keeps none).
  func scopedPairings() -> QueryBuilder<HardshipPairingModel> {
    let query = HardshipPairingModel.query(on: database)
    switch scope {
    case .unrestricted: return query
    case .organisations(let ids): return query.filter(\.$organisationID ~~ ids.map(\.rawValue))
    case .unit, .nothing: return query.filter(\.$id == UUID())
    }
  }

  public func record(_ visit: OutreachVisit, today: CalendarDate) async throws {
    var errors = visit.validate(today: today)
    if try await registry.visibleUnit(visit.unitID) == nil {
      errors.append(
        FieldError(
          field: "unitId", code: "unknown_unit", message: LocalizedText(zh: "单位不存在", en: "the unit does not exist")))
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    try await OutreachVisitModel(visit).create(on: database)
  }

  public func outreachVisits(unit: WorkUnit.ID) async throws -> [OutreachVisit] {
    guard try await registry.visibleUnit(unit) != nil else { return [] }
    return try await OutreachVisitModel.query(on: database).filter(\.$unitID == unit.rawValue)
      .sort(\.$visitedOn, .descending).sort(\.$createdAt, .descending).all().map { try $0.domain() }
  }

  public func outreachSummary(under organisation: Organisation.ID?) async throws -> OutreachSummary {
    var query = OutreachVisitModel.query(on: database)
    if let organisation {
      let nodes = try await OrganisationModel.query(on: database).all().map { try $0.domain() }
      let subtree = OrganisationTree.subtreeIDs(of: organisation, in: nodes).map(\.rawValue)
      let units = try await registry.scoped(UnitModel.query(on: database)).filter(\.$organisationID ~~ subtree).all()
        .map { $0.id! }
      query = query.filter(\.$unitID ~~ units)
    } else if !scope.isUnrestricted {
      query = query.filter(\.$unitID ~~ (try await registry.scoped(UnitModel.query(on: database)).all(\.$id)))
    }
    return OutreachSummary(try await query.all().map { try $0.domain() })
  }

  public func create(_ pairing: HardshipPairing) async throws {
    var errors = pairing.validate()
    if try await OrganisationModel.find(pairing.organisationID.rawValue, on: database) == nil
      || !scope.contains(organisation: pairing.organisationID)
    {
      errors.append(
        FieldError(
          field: "organisationId", code: "unknown_organisation",
          message: LocalizedText(zh: "所属工会组织不存在", en: "the organisation does not exist")))
    }
    if try await registry.worker(pairing.workerID) == nil {
      errors.append(
        FieldError(field: "workerId", code: "unknown_worker", message: LocalizedText(zh: "职工不存在", en: "no such worker"))
      )
    } else {
      let open = try await HardshipPairingModel.query(on: database)
        .filter(\.$workerID == pairing.workerID.rawValue).filter(\.$endedOn == nil).first()
      if let open, pairing.endedOn == nil {
        errors.append(
          FieldError(
            field: "workerId", code: "already_paired",
            message: LocalizedText(
              zh: "该职工已与\(open.cadreName)结对，请先结束原结对",
              en: "already paired with \(open.cadreName); end that pairing first")))
      }
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    let raced = ValidationFailure([
      FieldError(
        field: "workerId", code: "already_paired",
        message: LocalizedText(zh: "该职工刚刚已与他人结对", en: "the worker was just paired with someone else"))
    ])
    try await mappingConstraintFailure(to: raced) {
      try await HardshipPairingModel(pairing).create(on: database)
    }
  }

  public func pairings(under organisation: Organisation.ID?) async throws -> [HardshipPairing] {
    var query = scopedPairings()
    if let organisation {
      let nodes = try await OrganisationModel.query(on: database).all().map { try $0.domain() }
      query = query.filter(
        \.$organisationID ~~ OrganisationTree.subtreeIDs(of: organisation, in: nodes).map(\.rawValue))
    }
    return try await query.sort(\.$cadreName).sort(\.$startedOn).all().map { try $0.domain() }
  }

  public func pairing(_ id: HardshipPairing.ID) async throws -> HardshipPairing? {
    try await scopedPairings().filter(\.$id == id.rawValue).first()?.domain()
  }

  public func record(_ visit: PairingVisit, today: CalendarDate) async throws {
    var errors = visit.validate(today: today)
    if try await pairing(visit.pairingID) == nil {
      errors.append(
        FieldError(
          field: "pairingId", code: "unknown_pairing", message: LocalizedText(zh: "结对记录不存在", en: "no such pairing")))
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    try await PairingVisitModel(visit).create(on: database)
  }

  public func visits(pairing id: HardshipPairing.ID) async throws -> [PairingVisit] {
    guard try await pairing(id) != nil else { return [] }
    return try await PairingVisitModel.query(on: database).filter(\.$pairingID == id.rawValue)
      .sort(\.$visitedOn, .descending).all().map { try $0.domain() }
  }
}
