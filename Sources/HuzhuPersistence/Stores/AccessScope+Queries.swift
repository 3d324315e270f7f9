import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// How an ``AccessScope`` reads as query conditions. A claim carries its unit and
/// organisation node, so its visibility is one indexed condition.
extension AccessScope {
  /// Whether the scope shows something owned by this unit and organisation node.
  func shows(unit: UUID?, organisation: UUID?) -> Bool {
    switch self {
    case .unrestricted: true
    case .organisations(let ids): organisation.map { ids.contains(.init($0)) } ?? false
    case .unit(let id): unit == id.rawValue
    case .nothing: false
    }
  }

  var isUnrestricted: Bool {
    if case .unrestricted = self { return true }
    return false
  }
}

extension QueryBuilder where Model == ClaimModel {
  /// Only the claims `scope` shows.
  func scoped(_ scope: AccessScope) -> Self {
    switch scope {
    case .unrestricted: self
    case .organisations(let ids): filter(\.$organisationID ~~ ids.map { Optional($0.rawValue) })
    case .unit(let id): filter(\.$unitID == id.rawValue)
    case .nothing: filter(\.$id == UUID())
    }
  }
}

extension SQLPredicateBuilder {
  /// The same condition on the `claims` table, for SQLKit statements.
  func scopedClaims(_ scope: AccessScope) -> Self {
    switch scope {
    case .unrestricted: self
    case .organisations(let ids): `where`("organisation_id", .in, ids.map(\.rawValue))
    case .unit(let id): `where`("unit_id", .equal, id.rawValue)
    case .nothing: `where`(SQLLiteral.boolean(false))
    }
  }

  /// The same, for the claims table under the name `table` in a join.
  func scopedClaims(_ scope: AccessScope, table: String) -> Self {
    switch scope {
    case .unrestricted: self
    case .organisations(let ids):
      `where`(SQLColumn("organisation_id", table: table), .in, SQLBind.group(ids.map(\.rawValue)))
    case .unit(let id): `where`(SQLColumn("unit_id", table: table), .equal, SQLBind(id.rawValue))
    case .nothing: `where`(SQLLiteral.boolean(false))
    }
  }
}

/// A record owned by an organisation node alone (a correction, a recovery, a refund, a payment
/// batch): an area's account sees its nodes' records; a unit's account, none.
protocol NodeOwned: Model {
  static var ownerKey: any KeyPath<Self, OptionalFieldProperty<Self, UUID>> & Sendable { get }
}

extension QueryBuilder where Model: NodeOwned {
  /// Only the records `scope` shows.
  func scoped(_ scope: AccessScope) -> Self {
    switch scope {
    case .unrestricted: self
    case .organisations(let ids): filter(Model.ownerKey ~~ ids.map { Optional($0.rawValue) })
    case .unit, .nothing: filter(Model.ownerKey ~~ [UUID?]())
    }
  }
}
