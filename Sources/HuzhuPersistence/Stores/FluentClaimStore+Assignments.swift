import Fluent
import FluentSQL
import Foundation
import HuzhuCore
import SQLKit

/// Claims given to reviewers: the rows beside the claims, the claims' history entries, and
/// the queue's filter by whose work a claim is.
extension FluentClaimStore {
  /// Gives the claims to `assignee`, or takes them back with nil, all in one transaction: a
  /// claim the scope does not show, or one no longer waiting for review, refuses the whole
  /// request. A claim already given to that reviewer is left as it is. Returns how many changed.
  public func assign(_ ids: [ClaimRecord.ID], to assignee: ClaimAssignee?, by actor: ClaimActor, address: String?)
    async throws -> Int
  {
    try await database.writeTransaction { transaction in
      var changed = 0
      // In one order whoever assigns, so that two assignments at once wait instead of deadlocking.
      for id in Set(ids).sorted(by: { $0.rawValue.uuidString < $1.rawValue.uuidString }) {
        let (row, record) = try await Self.locked(id, scope: scope, on: transaction)
        if let refusal = ClaimAssignment.refusal(record.state, number: record.number) {
          throw ValidationFailure([FieldError(field: "claims", code: "not_assignable", message: refusal)])
        }
        let existing = try await ClaimAssignmentModel.find(id.rawValue, on: transaction)
        if existing?.assigneeID == assignee?.accountID.rawValue { continue }
        if let existing { try await existing.delete(on: transaction) }
        if let assignee {
          try await ClaimAssignmentModel(claim: id.rawValue, organisation: row.organisationID, assignee)
            .create(on: transaction)
        }
        try await ClaimHistoryModel(
          claimID: id.rawValue,
          ClaimHistoryEntry(
            at: Date(), actor: actor.name, address: address, action: assignee == nil ? "unassign" : "assign",
            from: record.state, to: record.state, note: assignee?.name ?? existing?.assigneeName)
        ).create(on: transaction)
        changed += 1
      }
      return changed
    }
  }

  /// Who each of these claims (those the scope shows) was given to.
  public func assignees(of ids: [ClaimRecord.ID]) async throws -> [ClaimRecord.ID: ClaimAssignee] {
    guard !ids.isEmpty else { return [:] }
    var found: [ClaimRecord.ID: ClaimAssignee] = [:]
    for chunk in ids.map(\.rawValue).chunks(of: Self.bulkChunk) {
      let visible = try await ClaimModel.query(on: database).filter(\.$id ~~ chunk).scoped(scope).all(\.$id)
      guard !visible.isEmpty else { continue }
      for row in try await ClaimAssignmentModel.query(on: database).filter(\.$id ~~ visible).all() {
        if let id = row.id { found[.init(id)] = row.domain() }
      }
    }
    return found
  }

  /// The queue's condition for ``ClaimQueueQuery/assignee``.
  static func assigneeFilter(_ filter: QueueAssignee) -> DatabaseQuery.Filter {
    switch filter {
    case .account(let id):
      .sql(
        embed:
          "\(ident: ClaimModel.schema).\(ident: "id") IN (SELECT \(ident: "id") FROM \(ident: ClaimAssignmentModel.schema) WHERE \(ident: "assignee_id") = \(bind: id.rawValue))"
      )
    case .nobody:
      .sql(
        embed:
          "\(ident: ClaimModel.schema).\(ident: "id") NOT IN (SELECT \(ident: "id") FROM \(ident: ClaimAssignmentModel.schema))"
      )
    }
  }
}
