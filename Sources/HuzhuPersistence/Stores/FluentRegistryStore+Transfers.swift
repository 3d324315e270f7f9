import Fluent
import Foundation
import HuzhuCore
import SQLKit

final class TransferRequestModel: Model, @unchecked Sendable {
  static let schema = "transfer_requests"

  @ID(key: .id) var id: UUID?
  @Field(key: "worker_id") var workerID: UUID
  @OptionalField(key: "from_unit_id") var fromUnitID: UUID?
  @Field(key: "from_organisation_id") var fromOrganisationID: UUID
  @Field(key: "to_unit_id") var toUnitID: UUID
  @Field(key: "to_organisation_id") var toOrganisationID: UUID
  @Field(key: "details") var details: String
  @Field(key: "status") var status: String
  @Field(key: "requested_by") var requestedBy: String
  @Field(key: "requested_on") var requestedOn: String
  @OptionalField(key: "decided_by") var decidedBy: String?
  @OptionalField(key: "decided_on") var decidedOn: String?
  @OptionalField(key: "note") var note: String?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ request: TransferRequest) throws {
    id = request.id.rawValue
    workerID = request.workerID.rawValue
    fromUnitID = request.fromUnitID?.rawValue
    fromOrganisationID = request.fromOrganisationID.rawValue
    toUnitID = request.toUnitID.rawValue
    toOrganisationID = request.toOrganisationID.rawValue
    try update(from: request)
  }

  func update(from request: TransferRequest) throws {
    details = try JSON.text(request.details)
    status = request.status.rawValue
    requestedBy = request.requestedBy
    requestedOn = request.requestedOn.description
    decidedBy = request.decidedBy
    decidedOn = request.decidedOn?.description
    note = request.note
  }

  func domain() throws -> TransferRequest {
    func date(_ text: String, _ column: String) throws -> CalendarDate {
      guard let date = CalendarDate(text) else { throw CorruptRow(table: Self.schema, column: column) }
      return date
    }
    guard let status = TransferRequest.Status(rawValue: status) else {
      throw CorruptRow(table: Self.schema, column: "status")
    }
    return TransferRequest(
      id: .init(try requireID()), workerID: .init(workerID), fromUnitID: fromUnitID.map { .init($0) },
      fromOrganisationID: .init(fromOrganisationID), toUnitID: .init(toUnitID),
      toOrganisationID: .init(toOrganisationID),
      details: try JSON.value(TransferRequest.Details.self, details, table: Self.schema, column: "details"),
      status: status, requestedBy: requestedBy, requestedOn: try date(requestedOn, "requested_on"),
      decidedBy: decidedBy, decidedOn: try decidedOn.map { try date($0, "decided_on") }, note: note)
  }
}

// MARK: Transfer requests

extension FluentRegistryStore {
  /// Files a request, or refreshes the details of the one already waiting for the same person
  /// and unit (the latest roster is the truth).
  static func file(_ request: TransferRequest, on database: any Database) async throws {
    if let waiting = try await TransferRequestModel.query(on: database)
      .filter(\.$workerID == request.workerID.rawValue).filter(\.$toUnitID == request.toUnitID.rawValue)
      .filter(\.$status == TransferRequest.Status.pending.rawValue).first()
    {
      var refreshed = try waiting.domain()
      refreshed.details = request.details
      try waiting.update(from: refreshed)
      try await waiting.update(on: database)
      return
    }
    try await TransferRequestModel(request).create(on: database)
  }

  /// The requests the scope shows from either side: asked by a unit of it, or for a person it
  /// keeps.
  func scopedTransfers(on database: any Database) -> QueryBuilder<TransferRequestModel> {
    let query = TransferRequestModel.query(on: database)
    switch scope {
    case .unrestricted: return query
    case .organisations(let ids):
      let nodes = ids.map(\.rawValue)
      return query.group(.or) {
        $0.filter(\.$fromOrganisationID ~~ nodes).filter(\.$toOrganisationID ~~ nodes)
      }
    case .unit(let id):
      return query.group(.or) { $0.filter(\.$fromUnitID == id.rawValue).filter(\.$toUnitID == id.rawValue) }
    case .nothing: return query.filter(\.$id == UUID())
    }
  }

  public func transferRequests(status: TransferRequest.Status?, page: PageQuery) async throws
    -> PagedResult<TransferRequest>
  {
    var query = scopedTransfers(on: database)
    if let status { query = query.filter(\.$status == status.rawValue) }
    let total = try await query.count()
    let rows = try await query.sort(\.$requestedOn, .descending).sort(\.$id)
      .range(page.offset..<(page.offset + page.per)).all()
    return PagedResult(items: try rows.map { try $0.domain() }, request: page, total: total)
  }

  public func transferRequest(_ id: TransferRequest.ID) async throws -> TransferRequest? {
    try await scopedTransfers(on: database).filter(\.$id == id.rawValue).first()?.domain()
  }

  static let transferChanged = ValidationFailure([
    FieldError(
      field: "decision", code: "transfer_changed",
      message: LocalizedText(
        zh: "该申请或该职工的登记情况已发生变化，请刷新后再办理", en: "the request or the person changed meanwhile: reload and try again"))
  ])

  public func record(_ decided: TransferRequest, on date: CalendarDate) async throws {
    try await mappingConstraintFailure(to: Self.transferChanged) {
      try await database.writeTransaction { transaction in
        // Answered once: the row must still be waiting, in the scope, when the answer lands.
        guard
          let row = try await scopedTransfers(on: transaction).filter(\.$id == decided.id.rawValue)
            .filter(\.$status == TransferRequest.Status.pending.rawValue).first()
        else { throw Self.transferChanged }
        if decided.status == .confirmed {
          try await Self.move(decided, on: date, database: transaction)
        }
        try row.update(from: decided)
        try await row.update(on: transaction)
      }
    }
  }

  /// The person leaves whoever keeps them now (as the request found them) for the asking unit,
  /// with the details the roster carried.
  private static func move(_ request: TransferRequest, on date: CalendarDate, database: any Database) async throws {
    guard let person = try await WorkerModel.find(request.workerID.rawValue, on: database) else {
      throw transferChanged
    }
    let current = try await EmploymentModel.query(on: database)
      .filter(\.$workerID == request.workerID.rawValue).filter(\.$endDate == nil).first()
    guard current?.unitID == request.fromUnitID?.rawValue,
      current != nil || person.homeOrganisationID == request.fromOrganisationID.rawValue,
      try await UnitModel.find(request.toUnitID.rawValue, on: database) != nil
    else { throw transferChanged }
    if let current {
      current.endDate = date.description
      try await current.update(on: database)
    }
    person.update(from: request.details.applied(to: try person.domain(unitID: request.toUnitID.rawValue)))
    person.homeOrganisationID = nil
    try await person.update(on: database)
    try await EmploymentModel(
      workerID: request.workerID.rawValue, unitID: request.toUnitID.rawValue,
      startDate: max(request.details.hireDate ?? date, date)
    ).create(on: database)
  }
}
