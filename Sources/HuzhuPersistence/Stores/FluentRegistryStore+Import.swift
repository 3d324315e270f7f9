import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Bulk imports of the organisation tree and of units (``RegistryImport``): the lookups a
/// preview needs, and commits of all rows in one transaction.
extension FluentRegistryStore {
  /// Every node of the installation: codes are unique across it, so an import must see which
  /// are taken (``RegistryImport`` says only "already used" of those outside the scope).
  public func allOrganisations() async throws -> [Organisation] {
    try await OrganisationModel.query(on: database).sort(\.$code).all().map { try $0.domain() }
  }

  /// The units holding these credit codes, each with its details, latest headcount and
  /// whether the scope holds it.
  public func registeredUnits(creditCodes: [String]) async throws -> [String: RegisteredUnit] {
    var found: [String: RegisteredUnit] = [:]
    // In slices: a sheet of 20,000 units would pass SQLite's limit of bound parameters.
    for slice in stride(from: 0, to: creditCodes.count, by: 500).map({
      Array(creditCodes[$0..<min($0 + 500, creditCodes.count)])
    }) {
      let rows = try await UnitModel.query(on: database).filter(\.$creditCode ~~ slice.map { Optional($0) }).all()
      let ids = try rows.map { try $0.requireID() }
      var latest: [UUID: HeadcountReport] = [:]
      if !ids.isEmpty {
        for report in try await UnitHeadcountModel.query(on: database).filter(\.$unitID ~~ ids).sort(\.$asOf).all() {
          latest[report.unitID] = try report.domain()
        }
      }
      for row in rows {
        guard let code = row.creditCode else { continue }
        let unit = try row.domain()
        found[code] = RegisteredUnit(
          unit: unit, details: row.details, latestHeadcount: latest[try row.requireID()],
          inScope: scope.contains(organisation: unit.organisationID))
      }
    }
    return found
  }

  /// Creates `organisations` (parents first) in one transaction.
  public func importOrganisations(_ organisations: [Organisation]) async throws {
    try await mappingConstraintFailure(to: duplicateOrganisationCode(organisations.first?.code ?? "")) {
      try await database.writeTransaction { transaction in
        for organisation in organisations {
          // A parent of the scope or of the import; a new top node only outside the web.
          let parentKnown =
            organisation.parentID.map { parent in
              scope.contains(organisation: parent) || organisations.contains { $0.id == parent }
            } ?? (scope == .unrestricted)
          guard parentKnown else {
            throw ValidationFailure([
              FieldError(
                field: "parentCode", code: "parent_out_of_scope",
                message: LocalizedText(zh: "只能在本组织及下级组织之下新建", en: "new nodes go under your own organisation"))
            ])
          }
          try await OrganisationModel(organisation).create(on: transaction)
        }
      }
    }
  }

  /// Writes every unit of an import (rows checked by ``RegistryImport``, each created or
  /// updated with its headcount report) in one transaction: all or none.
  public func importUnits(_ units: [UnitImportRow]) async throws {
    let duplicate = ValidationFailure([
      FieldError(
        field: "creditCode", code: "duplicate_credit_code",
        message: LocalizedText(zh: "该统一社会信用代码已登记", en: "this credit code is already registered"))
    ])
    try await mappingConstraintFailure(to: duplicate) {
      try await database.writeTransaction { transaction in
        let store = FluentRegistryStore(database: transaction, scope: scope)
        for item in units {
          guard scope.contains(organisation: item.unit.organisationID) else {
            throw ValidationFailure([Self.unknownUnit])
          }
          let row: UnitModel
          if item.action == .create {
            row = UnitModel(item.unit)
          } else {
            guard let existing = try await store.visibleUnit(item.unit.id, on: transaction) else {
              throw ValidationFailure([Self.unknownUnit])
            }
            row = existing
            row.name = item.unit.name
            row.sector = item.unit.sector.rawValue
          }
          row.details = item.details
          try await row.save(on: transaction)
          if let report = item.headcount { try await store.record(report, for: item.unit.id) }
        }
      }
    }
  }
}
