import Foundation
import HuzhuCore
import HuzhuPersistence

/// What leaders, finance and scheme administrators read: the statistics of a node and period,
/// agencies' targets and their ranking, and the what-if on a scheme's rules. Everything of the
/// actor's area and the schemes in their reach; nothing written but targets.
public struct Reports: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var statistics: FluentStatisticsStore {
    FluentStatisticsStore(database: services.database, scope: actor.scope, alongside: services.alongside())
  }

  /// The node a report is of: one the actor sees, else their own (not found when another is
  /// asked for).
  func root(_ requested: Organisation.ID?) throws -> Organisation {
    let visible = actor.visibleOrganisations
    let id = requested ?? actor.organisation?.id
    guard let root = visible.first(where: { $0.id == id }) else { throw UseCaseError.notFound }
    return root
  }

  // MARK: Statistics

  public struct Statistics: Sendable {
    public let root: Organisation
    /// From the root of the tree down to the report's node, for the breadcrumbs.
    public let path: [Organisation]
    public let schemes: [StoredScheme]
    public let period: ReportPeriod
    public let report: StatisticsReport
    /// The funds of the schemes in reach, all periods together: nil when the actor does not
    /// see funds.
    public let fund: FundBalance?
    public let ranking: [TargetAchievement]
    /// Products' and benefits' names, by code.
    public let names: StatisticsReport.Names
  }

  /// The schemes in the actor's reach (a report's scheme picker).
  public func reachableSchemes() async throws -> [StoredScheme] { try await schemeStore.schemes() }

  /// The statistics of `node` (the actor's own when nil) for `period`, of one scheme in reach or
  /// all of them; `unitLimit` units listed one by one (nil: all, for an export).
  public func statistics(node: Organisation.ID?, period: ReportPeriod, scheme: String?, unitLimit: Int?)
    async throws -> Statistics
  {
    try actor.require(.viewReports)
    try check(period)
    let schemes = try await schemeStore.schemes()
    // A scheme out of reach is no scheme: the report of every scheme in reach instead.
    let schemeCode = scheme.flatMap { code in schemes.contains { $0.code == code } ? code : nil }
    let root = try root(node)
    let visible = actor.visibleOrganisations
    let statistics = self.statistics
    let subtree = OrganisationTree.subtreeIDs(of: root.id, in: visible)
    async let facts = statistics.facts(
      StatisticsQuery(
        organisations: subtree, period: period, schemeCode: schemeCode, today: services.today, unitLimit: unitLimit))
    async let targets = statistics.targets(on: period.to)
    let report = StatisticsReport(try await facts, period: period, root: root.id, organisations: visible)
    var fund: FundBalance?
    if actor.may(.viewFund) {
      fund = FundBalance.total(of: try await Schemes(services, actor: actor).fundBalances(scheme: schemeCode))
    }
    let ranked = TargetRanking.rank(
      try await statistics.achievements(
        of: try await targets.filter { subtree.contains($0.organisationID) }, asOf: period.to, schemeCode: schemeCode))
    var path: [Organisation] = []
    var cursor: Organisation? = root
    while let node = cursor {
      path.insert(node, at: 0)
      cursor = node.parentID.flatMap { parent in visible.first { $0.id == parent } }
    }
    return Statistics(
      root: root, path: path, schemes: schemes, period: period, report: report, fund: fund,
      ranking: ranked, names: Self.names(schemes))
  }

  static func names(_ schemes: [StoredScheme]) -> StatisticsReport.Names {
    var names: StatisticsReport.Names = [:]
    for scheme in schemes {
      for product in scheme.definition.products {
        names[product.code] = LocalizedText(zh: product.name, en: product.nameEn ?? product.name)
        for version in product.versions {
          for benefit in version.benefits {
            names[benefit.code] = LocalizedText(zh: benefit.name, en: benefit.nameEn ?? benefit.name)
          }
        }
      }
    }
    return names
  }

  /// A table of the statistics taken away as a file: written to the audit log.
  public func recordExport(
    table: String, format: String, node: Organisation, period: ReportPeriod, scheme: String?
  ) async throws {
    try actor.require(.export)
    try await audit.record(
      .export, subject: "statistics/\(table).\(format)", detail: "\(node.code) \(period.description) \(scheme ?? "")")
  }

  // MARK: Targets

  /// The agencies' targets in force on `asOf`, ranked by how far each has come.
  public func targets(asOf: CalendarDate) async throws -> [TargetAchievement] {
    try actor.require(.viewReports)
    let statistics = self.statistics
    let targets = try await statistics.targets(on: asOf)
    return TargetRanking.rank(try await statistics.achievements(of: targets, asOf: asOf, schemeCode: nil))
  }

  public func save(_ target: AgencyTarget) async throws {
    try actor.require(.manageTargets)
    try await statistics.save(target, by: actor.name)
  }

  // MARK: The what-if

  /// The scheme with one rule version's numbers changed (the what-if's form), checked whole.
  public static func changing(
    _ values: [String: String], product: String, version: String, of scheme: SchemeDefinition
  ) throws(ValidationFailure) -> SchemeDefinition {
    try Simulation.changing(values, product: product, version: version, of: scheme)
  }

  /// Every claim of `changed`'s scheme paid in `period` under `node` (for the system, nil is
  /// everywhere), judged again by the changed rules. The scheme must be in the actor's reach;
  /// nothing is written. The cases read are kept for the next what-if while the scheme's
  /// decided claims are the same (``KeptReplayCases``).
  public func simulate(_ changed: SchemeDefinition, period: ReportPeriod, node: Organisation.ID?) async throws
    -> WhatIf.Result
  {
    try actor.require(.viewReports)
    try check(period)
    let nodes: Set<Organisation.ID>? =
      node == nil && actor.scope == .unrestricted
      ? nil : OrganisationTree.subtreeIDs(of: try root(node).id, in: actor.visibleOrganisations)
    return try await Simulation.run(
      changed: changed, period: period, organisations: nodes, database: services.database,
      alongside: services.alongside(), scope: actor.scope, reach: actor.schemeReach, kept: services.replayCases,
      today: services.today)
  }

  /// A period past the installation's limit is refused before anything is read.
  func check(_ period: ReportPeriod) throws(ValidationFailure) {
    let years = services.limits.reportYears
    if period.isLonger(thanYears: years) { throw ValidationFailure([ReportPeriod.tooLong(years: years)]) }
  }
}
