import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles

/// Schemes, their rules and their funds, within the actor's reach (``SchemeReach``): read by
/// every operator the scheme serves or who oversees it, revised only by scheme administrators
/// of the node running it, a new revision checked whole.
public struct Schemes: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  public func schemes() async throws -> [StoredScheme] { try await schemeStore.schemes() }

  /// The people who saved `schemes`, by login name: their display names (a page names people,
  /// not logins); the demo's own revisions are the demo data's.
  public func saverNames(_ schemes: [StoredScheme]) async throws -> [String: LocalizedText] {
    let accounts = FluentAccountStore(database: services.database)
    var names: [String: LocalizedText] = [:]
    for login in Set(schemes.map(\.savedBy)) {
      if login == "demo" {
        names[login] = LocalizedText(zh: "演示数据", en: "demo data")
      } else if let name = try await accounts.account(username: login)?.displayName {
        names[login] = LocalizedText(zh: name, en: name)
      }
    }
    return names
  }

  public func scheme(code: String) async throws -> StoredScheme {
    guard let scheme = try await schemeStore.scheme(code: code) else { throw UseCaseError.notFound }
    return scheme
  }

  /// Validates a scheme file whole (every error names its place in the file) and saves it as
  /// the scheme's next revision. A scheme stays with the node that first saved it: only
  /// administrators of that node's area may revise it; a code run elsewhere is taken.
  public func save(code: String, yaml: String) async throws -> (scheme: StoredScheme, created: Bool) {
    try actor.require(.manageSchemes)
    guard let organisation = actor.organisation, let account = actor.account else { throw UseCaseError.forbidden }
    let definition: SchemeDefinition
    do {
      definition = try SchemeFile.decode(SchemeDefinition.self, yaml: yaml, file: "\(code).yaml")
    } catch {
      throw ValidationFailure(error.errors)
    }
    guard definition.scheme.code == code else {
      throw ValidationFailure([
        FieldError(
          field: "scheme.code", code: "code_mismatch",
          message: LocalizedText(
            zh: "文件中的方案编码“\(definition.scheme.code)”与地址中的“\(code)”不一致",
            en: "the file's scheme code \"\(definition.scheme.code)\" differs from \"\(code)\" in the address"))
      ])
    }
    let existing = try await schemeStore.scheme(code: code)
    if let existing, !actor.scope.contains(organisation: existing.organisationID) { throw UseCaseError.forbidden }
    let stored = try await schemeStore.save(
      definition, source: yaml, organisationID: existing?.organisationID ?? organisation.id, savedBy: account.username)
    return (stored, existing == nil)
  }

  // MARK: Funds

  /// Each fund in reach by scheme and period: what came in by kind, what went out, the balance.
  public func fundBalances(scheme: String? = nil) async throws -> [FundBalance] {
    try actor.require(.viewFund)
    let codes = Set(try await schemeStore.schemes().map(\.code))
    if let scheme, !codes.contains(scheme) { return [] }
    return try await enrollmentStore.fundBalances(scheme: scheme).filter { codes.contains($0.schemeCode) }
  }

  /// A fund's ledger, oldest first, a page at a time.
  public func fundEntries(scheme code: String, versionLabel: String?, page: PageQuery) async throws
    -> PagedResult<FundEntry>
  {
    try actor.require(.viewFund)
    _ = try await scheme(code: code)
    return try await enrollmentStore.fundEntries(scheme: code, versionLabel: versionLabel, page: page)
  }

  /// A fund's ledger for export (every entry, corrections in their own rows), one period's
  /// when `versionLabel` is given; refused past ``FundLedgerRules/largestExport`` entries.
  /// Every export is in the audit log.
  public func fundLedger(scheme code: String, versionLabel: String?, english: Bool) async throws -> ReportTable {
    try actor.require(.viewFund)
    try actor.require(.export)
    _ = try await scheme(code: code)
    guard
      let entries = try await enrollmentStore.fundEntries(
        scheme: code, versionLabel: versionLabel, limit: FundLedgerRules.largestExport)
    else {
      throw ValidationFailure([
        FieldError(
          field: "version", code: "too_many_entries",
          message: LocalizedText(
            zh: "台账超过 \(FundLedgerRules.largestExport) 条，请按期间分别导出",
            en: "the ledger holds more than \(FundLedgerRules.largestExport) entries: export one period at a time"))
      ])
    }
    try await audit.record(
      .export, subject: "fund_ledger/\(code)", detail: "\(versionLabel ?? "all periods"): \(entries.count) entries")
    return FundLedgerRules.ledgerTable(entries, scheme: code, version: versionLabel, english: english)
  }

  /// The fund page: the balances and each scheme's name.
  public struct Funds: Sendable {
    public let balances: [FundBalance]
    public let schemeNames: [String: String]

    public var total: FundBalance { FundBalance.total(of: balances) }
  }

  public func funds() async throws -> Funds {
    let schemes = try await schemeStore.schemes()
    return Funds(
      balances: try await fundBalances(),
      schemeNames: Dictionary(uniqueKeysWithValues: schemes.map { ($0.code, $0.definition.scheme.name) }))
  }
}
