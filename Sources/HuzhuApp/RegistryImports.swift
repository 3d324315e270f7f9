import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet

/// A federation's organisation tree and its units from the spreadsheets it kept before Huzhu
/// (XLSX or CSV, UTF-8 or GBK): every row checked and explained (``RegistryImport``), then all
/// rows or none, as with rosters. The tree is the system administrator's; units the window's.
public struct RegistryImports: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  public typealias OrganisationPreview = RegistryImportPreview<OrganisationImportRow>
  public typealias UnitPreview = RegistryImportPreview<UnitImportRow>

  /// What a commit wrote, by action.
  public struct Outcome: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
  }

  // MARK: The organisation tree

  /// Checks an organisation sheet; writes nothing.
  public func reviewOrganisations(_ bytes: Data) async throws -> OrganisationPreview {
    try actor.require(Kind.organisations.permission)
    let sheet = try RosterImports.sheet(bytes, limits: services.limits.sheet)
    return RegistryImport.organisations(
      sheet.rosterCells, existing: try await registryStore.allOrganisations(), scope: actor.scope)
  }

  /// Checks, then creates every new node in one transaction, or nothing when any row is wrong.
  public func importOrganisations(_ bytes: Data) async throws -> (OrganisationPreview, Outcome) {
    let preview = try await reviewOrganisations(bytes)
    guard preview.canCommit else { throw Self.refusal(preview.allErrors) }
    let created = preview.rows.filter { $0.action == .create }.map(\.organisation)
    try await registryStore.importOrganisations(created)
    try await audit.record(
      .dataChange,
      created.map { (subject: "organisation:\($0.code)", detail: "imported: \($0.kind.rawValue) \($0.name)") })
    return (preview, Outcome(created: created.count, unchanged: preview.rows.count - created.count))
  }

  // MARK: Units

  /// Checks a unit sheet; writes nothing.
  public func reviewUnits(_ bytes: Data) async throws -> UnitPreview {
    try actor.require(Kind.units.permission)
    let cells = try RosterImports.sheet(bytes, limits: services.limits.sheet).rosterCells
    // The credit codes the sheet names, read before the check so that it can say which exist.
    let codes = Set(
      cells.flatMap { $0 }.compactMap { cell -> String? in
        let text: String
        switch cell {
        case .text(let value), .number(let value): text = value
        case .empty: return nil
        }
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        return code.count == 18 ? code : nil
      })
    return RegistryImport.units(
      cells, organisations: actor.organisations, scope: actor.scope,
      registered: try await registryStore.registeredUnits(creditCodes: codes.sorted()), today: services.today)
  }

  /// Checks, then writes every new or changed unit (details, a headcount report) in one
  /// transaction, or nothing when any row is wrong.
  public func importUnits(_ bytes: Data) async throws -> (UnitPreview, Outcome) {
    let preview = try await reviewUnits(bytes)
    guard preview.canCommit else { throw Self.refusal(preview.allErrors) }
    let changed = preview.rows.filter { $0.action != .unchanged }
    try await registryStore.importUnits(changed)
    try await audit.record(
      .dataChange,
      changed.map {
        (
          subject: "unit:\($0.unit.creditCode ?? $0.unit.id.description)",
          detail: "\($0.action == .create ? "imported" : "updated by import"): \($0.unit.name)"
            + ($0.headcount.map { "; headcount \($0.total)/\($0.female) as of \($0.asOf)" } ?? "")
        )
      })
    var outcome = Outcome()
    outcome.created = changed.filter { $0.action == .create }.count
    outcome.updated = changed.count - outcome.created
    outcome.unchanged = preview.rows.count - changed.count
    return (preview, outcome)
  }

  // MARK: A file kept between the preview and the import (the page's way)

  /// Keeps an uploaded sheet by its SHA-256 until it is imported; returns that name.
  public func keep(_ bytes: Data, for kind: Kind) async throws -> String {
    try actor.require(kind.permission)
    return try await Documents(services).keepSheet(
      bytes, empty: LocalizedText(zh: "请上传表格文件（XLSX 或 CSV）", en: "send the sheet (XLSX or CSV)"))
  }

  /// The kept sheet `file`.
  public func kept(_ file: String) throws -> Data { try Documents(services).kept(file) }

  /// Forgets the kept sheet `file` after its import.
  public func forget(_ file: String) async throws { try await Documents(services).forget(file) }

  /// The two sheets, and who may import each.
  public enum Kind: String, Sendable, CaseIterable {
    case organisations, units

    public var permission: Permission {
      switch self {
      case .organisations: .manageOrganisations
      case .units: .manageUnits
      }
    }
  }

  static func refusal(_ errors: [FieldError]) -> ValidationFailure {
    ValidationFailure(
      errors.isEmpty
        ? [
          FieldError(
            field: "rows", code: "no_rows",
            message: LocalizedText(zh: "表中没有可导入的行", en: "the sheet has no rows to import"))
        ] : errors)
  }

  // MARK: Templates

  /// The organisation sheet to fill in, with an example row.
  public static func organisationTemplate() throws -> Data {
    try XLSXWriter.write(
      rows: [
        OrganisationColumn.allCases.map(\.label.zh),
        ["SL-D1", "SL", OrganisationKind.countyUnion.label.zh, "示例区总工会", "Example District Federation"],
      ], sheetName: "组织架构")
  }

  /// The unit sheet to fill in, with an example row.
  public static func unitTemplate() throws -> Data {
    try XLSXWriter.write(
      rows: [
        UnitColumn.allCases.map(\.label.zh),
        [
          "SL-D1", "示例有限公司", CreditCode.compose("91000000MA3X0000A").value, Sector.privateEnterprise.label.zh,
          "示例区示例路1号", "张三", "13800000000", "示例银行示例支行", "6216610200001234567", "120", "45", "2026-11-30",
        ],
      ], sheetName: "单位名册")
  }
}
