import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// The what-if as the page and the CLI run it: the claims the scheme decided in the period
/// (under the chosen nodes: paid, or refused by a rule), replayed under the stored rules and
/// under `changed`, with the money collected, the persons insured, what the changed
/// contributions would bring in and the fund's balance for the ratios. Reads only;
/// `others` (`Databases.others(than:)`) read parts of the period at once; `kept` holds the
/// cases between what-ifs.
public enum Simulation {
  public static func run(
    changed: SchemeDefinition, period: ReportPeriod, organisations: Set<Organisation.ID>?, database: any Database,
    alongside others: [any Database] = [], scope: AccessScope = .unrestricted, reach: SchemeReach = .everything,
    kept: KeptReplayCases? = nil, today: CalendarDate
  ) async throws -> WhatIf.Result {
    let code = changed.scheme.code
    // A scheme out of the reader's reach is no scheme to them.
    guard let stored = try await FluentSchemeStore(database: database, reach: reach).scheme(code: code) else {
      throw ValidationFailure([
        FieldError(
          field: "scheme", code: "unknown_scheme",
          message: LocalizedText(zh: "没有方案“\(code)”", en: "there is no scheme \"\(code)\""))
      ])
    }
    let current = try stored.compiled()
    let draft = try SchemeCompiler.compile(changed)
    let statistics = FluentStatisticsStore(database: database, scope: scope)
    let cases = try await statistics.simulationCases(
      schemeCode: code, period: period, organisations: organisations, alongside: others, kept: kept)
    // The replay keeps both cores busy for half a second or more on a province's year; the
    // other reads of the answer go on meanwhile, on the database's own thread. The replay runs
    // on a Dispatch queue, not on Swift's cooperative pool: blocking the pool's threads (one a
    // core) held up those reads' next steps until it ended.
    async let totals = statistics.collectedAndInsured(schemeCode: code, period: period, organisations: organisations)
    async let balances = FluentEnrollmentStore(database: database).fundBalances(scheme: code)
    async let names = statistics.unitNames(organisations: organisations)
    async let cover = statistics.coverByProduct(schemeCode: code, period: period, organisations: organisations)
    var productNames: [String: String] = [:]
    for product in changed.products { productNames[product.code] = product.name }
    let replay = await withCheckedContinuation { [productNames] continuation in
      DispatchQueue.global(qos: .userInitiated).async {
        continuation.resume(
          returning: WhatIf.run(
            cases, current: current, changed: draft, collected: .zero, insuredPersons: 0, fundBalance: .zero,
            names: productNames))
      }
    }
    let (collected, insured) = try await totals
    var unitNames = try await names
    // A claim's unit outside its node (moved since) is named too, by its ID.
    let unnamed = replay.byUnit.compactMap(\.unitID).filter { unitNames[$0] == nil }
    if !unnamed.isEmpty {
      unitNames.merge(try await Self.unitNames(unnamed.map(\.rawValue), on: database)) { first, _ in first }
    }
    return replay.with(
      collected: collected, insuredPersons: insured, fundBalance: FundBalance.total(of: try await balances).balance,
      contributionChange: ContributionProjection.change(try await cover, current: current, changed: draft)
    ).labellingUnits(unitNames)
  }

  /// The names of `units` by their IDs, in chunks.
  static func unitNames(_ units: [UUID], on database: any Database) async throws -> [WorkUnit.ID: String] {
    var names: [WorkUnit.ID: String] = [:]
    for chunk in units.chunks(of: FluentEnrollmentStore.chunkSize) {
      for row in try await (database as! any SQLDatabase).raw(
        "SELECT id, name FROM units WHERE id IN (\(binds: chunk))"
      ).all(decoding: UnitName.self) {
        names[.init(row.id)] = row.name
      }
    }
    return names
  }

  /// The stored scheme with one rule version's parameters changed (``RuleParameters``).
  public static func changing(
    _ values: [String: String], product: String, version: String, of scheme: SchemeDefinition
  ) throws(ValidationFailure) -> SchemeDefinition {
    var scheme = scheme
    guard let productIndex = scheme.products.firstIndex(where: { $0.code == product }),
      let versionIndex = scheme.products[productIndex].versions.firstIndex(where: { $0.version == version })
    else {
      throw ValidationFailure([
        FieldError(
          field: "version", code: "unknown_version",
          message: LocalizedText(zh: "方案中没有这个产品版本", en: "the scheme has no such product version"))
      ])
    }
    scheme.products[productIndex].versions[versionIndex] = try RuleParameters.apply(
      values, to: scheme.products[productIndex].versions[versionIndex])
    return scheme
  }
}

/// A unit's ID and name, as the what-if labels its lines.
struct UnitName: Decodable {
  let id: UUID
  let name: String
}
