import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet

/// Going live: the members' cover and the current period's paid claims taken over from the
/// spreadsheets of the old system (``TakeOver``), each sheet checked row by row and written
/// whole or not at all. The cover is the window's (it enrolls); the paid claims finance's,
/// with the fund's opening balance (``FundLedger``).
public struct TakeOvers: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  public typealias CoverPreview = RegistryImportPreview<CoverTakeOverRow>
  public typealias PaidClaimPreview = RegistryImportPreview<PaidClaimTakeOverRow>

  /// The scheme in the actor's reach that serves their node, and the node running it.
  func scheme(_ code: String) async throws -> (scheme: CompiledScheme, owner: Organisation.ID) {
    guard let stored = try await schemeStore.scheme(code: code),
      actor.scope == .unrestricted
        || actor.organisation.map({ actor.hierarchy.scheme(runBy: stored.organisationID, serves: $0.id) }) == true
    else { throw ClaimContexts.unknownScheme(code) }
    return (try stored.compiled(), stored.organisationID)
  }

  /// Checks the cover sheet; with `commit`, takes it over when every row is right.
  public func cover(_ bytes: Data, scheme code: String, commit: Bool) async throws -> CoverPreview {
    try actor.require(.enroll)
    let cells = try RosterImports.sheet(bytes, limits: services.limits.sheet).rosterCells
    let (scheme, owner) = try await scheme(code)
    // The system actor of a test may carry no tree: then every node counts as served.
    let served =
      actor.organisations.isEmpty
      ? nil : Set(actor.organisations.map(\.id).filter { actor.hierarchy.scheme(runBy: owner, serves: $0) })
    let preview = try await enrollmentStore.takeOverCover(
      cells, scheme: scheme, servedNodes: served, today: services.today, commit: commit)
    if commit {
      guard preview.canCommit else { throw RegistryImports.refusal(preview.allErrors) }
      try await audit.record(
        .dataChange, subject: "takeover:cover:\(code)",
        detail: "took over the cover of \(preview.rows.count) members (sheet \(Documents.checksum(bytes).prefix(16)))")
    }
    return preview
  }

  /// Checks the paid-claims sheet; with `commit`, takes it over when every row is right.
  public func paidClaims(_ bytes: Data, scheme code: String, commit: Bool) async throws -> PaidClaimPreview {
    try actor.require(.keepFundLedger)
    let cells = try RosterImports.sheet(bytes, limits: services.limits.sheet).rosterCells
    let scheme = try await scheme(code).scheme
    let preview = try await enrollmentStore.takeOverPaidClaims(
      cells, scheme: scheme, today: services.today, takenOverBy: actor.name, commit: commit)
    if commit {
      guard preview.canCommit else { throw RegistryImports.refusal(preview.allErrors) }
      let total = preview.rows.reduce(Money.zero) { $0 + $1.amount }
      try await audit.record(
        .dataChange, subject: "takeover:claims:\(code)",
        detail:
          "took over \(preview.rows.count) paid claims, \(total.decimalString) in all (sheet \(Documents.checksum(bytes).prefix(16)))"
      )
    }
    return preview
  }

  // MARK: Templates

  public static func coverTemplate() throws -> Data {
    try XLSXWriter.write(
      rows: [
        CoverColumn.allCases.map(\.label.zh),
        ["（18位统一社会信用代码）", "（18位身份证号）", "示例姓名", "PRODUCT", "2026-01-01", "", "2025-12-31", "1", ""],
      ], sheetName: "在保人员")
  }

  public static func paidClaimTemplate() throws -> Data {
    try XLSXWriter.write(
      rows: [
        PaidClaimColumn.allCases.map(\.label.zh),
        ["（18位身份证号）", "示例姓名", "PRODUCT", "2026-01-01", "BENEFIT", "1200.00", "2026-03-15", "1", "0", "OLD-0001"],
      ], sheetName: "本期已给付")
  }
}
