import Foundation
import HuzhuCore
import HuzhuPersistence

/// The fund ledger's own work, finance's: the opening balance taken over from the spreadsheet
/// era, and a period's close with its balance carried forward. Only the finance of the node
/// running a scheme (or above it) keeps its ledger; dates are the server's.
public struct FundLedger: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var fundStore: FluentFundStore { FluentFundStore(database: services.database) }

  /// The scheme, when the actor keeps its ledger: in reach and run inside the actor's scope.
  /// Any other is as unknown as a scheme that does not exist.
  func keptScheme(_ code: String) async throws -> CompiledScheme {
    try actor.require(.keepFundLedger)
    guard let stored = try await schemeStore.scheme(code: code),
      actor.scope.contains(organisation: stored.organisationID)
    else { throw ClaimContexts.unknownScheme(code) }
    return try stored.compiled()
  }

  /// The fund page: the balances, the closed periods, and the schemes whose ledger the actor
  /// keeps (the forms offer those only).
  public struct Overview: Sendable {
    public let funds: Schemes.Funds
    public let closes: [FundPeriodClose]
    public let kept: [StoredScheme]

    public func close(scheme: String, version: String) -> FundPeriodClose? {
      closes.first { $0.schemeCode == scheme && $0.versionLabel == version }
    }
  }

  public func overview() async throws -> Overview {
    let funds = try await Schemes(services, actor: actor).funds()
    let schemes = try await schemeStore.schemes()
    let kept =
      actor.may(.keepFundLedger) ? schemes.filter { actor.scope.contains(organisation: $0.organisationID) } : []
    return Overview(funds: funds, closes: try await fundStore.closes(schemes: schemes.map(\.code)), kept: kept)
  }

  /// The closed periods of every scheme in reach.
  public func closedPeriods() async throws -> [FundPeriodClose] {
    try actor.require(.viewFund)
    return try await fundStore.closes(schemes: try await schemeStore.schemes().map(\.code))
  }

  /// Posts a product's opening balance in a period, dated today, once.
  public func postOpeningBalance(
    _ amount: Money, scheme code: String, product: String, version: String, reference: String
  ) async throws -> FundEntry {
    let scheme = try await keptScheme(code)
    let entry = try await fundStore.postOpeningBalance(
      amount, scheme: scheme, product: product, version: version, reference: reference, postedOn: services.today)
    try await audit.record(
      .dataChange, subject: "fund:\(code):\(version)",
      detail: "opening balance \(product) \(amount.decimalString) (\(entry.memo))")
    return entry
  }

  /// What closing `version` would carry forward, or every reason it cannot be closed.
  public func previewClose(scheme code: String, version: String, reference: String) async throws
    -> (close: FundPeriodClose, entries: [FundEntry])
  {
    let scheme = try await keptScheme(code)
    return try await fundStore.previewClose(
      scheme: scheme, version: version, reference: reference, closedOn: services.today)
  }

  /// Closes a period: every later entry into it is refused, its balance is in the next one.
  public func close(scheme code: String, version: String, reference: String) async throws
    -> (close: FundPeriodClose, entries: [FundEntry])
  {
    let scheme = try await keptScheme(code)
    let result = try await fundStore.close(
      scheme: scheme, version: version, reference: reference, closedOn: services.today, closedBy: actor.name)
    let carried = result.entries.filter { $0.kind == .broughtForward }
      .map { "\($0.productCode) \($0.amount.decimalString) → \($0.versionLabel)" }
    try await audit.record(
      .dataChange, subject: "fund:\(code):\(version)",
      detail: "period closed (\(result.close.reference))"
        + (carried.isEmpty ? "" : ": " + carried.joined(separator: ", ")))
    return result
  }
}
