import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import Logging
import NIOCore
import NIOPosix

/// The province at scale: generation, then the reads the statistics pages, a unit's page and
/// the what-if make, timed as the pages make them (the same store calls and report code).
struct ProvinceBenchmark {
  let scale: ProvinceScale
  let target: DatabaseTarget
  /// Timed repetitions of each read; the median is reported.
  var repeats = 5
  /// Every SQL statement of the reads on standard error, with the time since the previous one.
  var traceSQL = false
  /// Leave a generated PostgreSQL province in its schema, for timing the reads again.
  var keepSchema = false

  struct Timing {
    let name: String
    let seconds: [Double]
    var median: Double { seconds.sorted()[seconds.count / 2] }
    var worst: Double { seconds.max() ?? 0 }
  }

  struct Result {
    var summary = ProvinceSummary()
    var generation = 0.0
    var reads: [Timing] = []
    var notes: [String] = []
  }

  func run() async throws -> Result {
    try await withBenchmarkDatabase(target, keepSchema: keepSchema) { database, databases in
      var result = Result()
      let (_, template) = try BundledSchemes.definition("anyang")
      let start = ContinuousClock.now
      result.summary = try await ProvinceGenerator.generate(
        scale, template: template, database: database, leaderPasswordHash: nil, calendar: .publishedChina
      ) { say("    generating · \($0)") }
      result.generation = Self.seconds(since: start)
      result.reads = try await reads(on: database, alongside: databases.others(than: database), notes: &result.notes)
      return result
    }
  }

  /// The reads alone, on a province already generated (a SQLite file, or a PostgreSQL schema
  /// kept by `--keep-schema`; the database is only read).
  func readsOnly() async throws -> Result {
    let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
    let timer = traceSQL ? StatementTimer() : nil
    let quiet = Logger(label: "huzhu.bench.quiet") { _ in
      timer.map { $0.handler as any LogHandler } ?? SwiftLogNoOpLogHandler()
    }
    do {
      try HuzhuDatabase.use(target, on: databases, sqlLogLevel: .trace)
      // A province kept from an older build gets this build's schema first.
      try await HuzhuDatabase.migrate(
        databases, logger: Logger(label: "huzhu.bench.migrate"), on: MultiThreadedEventLoopGroup.singleton.any())
      let database = databases.database(logger: quiet, on: MultiThreadedEventLoopGroup.singleton.any())!
      var result = Result()
      result.reads = try await reads(on: database, alongside: databases.others(than: database), notes: &result.notes)
      await databases.shutdownAsync()
      return result
    } catch {
      await databases.shutdownAsync()
      throw error
    }
  }

  func reads(on database: any Database, alongside others: [any Database], notes: inout [String]) async throws
    -> [Timing]
  {
    let registry = FluentRegistryStore(database: database)
    let organisations = try await registry.organisations()
    let root = organisations.first { $0.code == ProvinceGenerator.rootCode }!
    let city = organisations.first { $0.code == "\(ProvinceGenerator.rootCode)-01" }!
    let county = organisations.first { $0.code == "\(ProvinceGenerator.rootCode)-01-01" }!
    let year = ReportPeriod.year(2021)
    let today = CalendarDate(year: 2021, month: 12, day: 31)!
    let statistics = FluentStatisticsStore(database: database, alongside: others)

    /// What the statistics page does for a node: the counts, then the report.
    func statisticsPage(_ node: Organisation) async throws -> StatisticsReport {
      let facts = try await statistics.facts(
        StatisticsQuery(
          organisations: OrganisationTree.subtreeIDs(of: node.id, in: organisations), period: year,
          schemeCode: ProvinceGenerator.schemeCode, today: today, unitLimit: 100))
      return StatisticsReport(facts, period: year, root: node.id, organisations: organisations)
    }
    var timings: [Timing] = []
    func time(_ name: String, _ work: () async throws -> Void) async throws {
      var seconds: [Double] = []
      for _ in 0..<repeats {
        let start = ContinuousClock.now
        try await work()
        seconds.append(Self.seconds(since: start))
      }
      timings.append(Timing(name: name, seconds: seconds))
      say("    timed · \(name): \(seconds.map { String(format: "%.0f ms", $0 * 1000) }.joined(separator: ", "))")
    }
    var report: StatisticsReport?
    try await time("statistics page, the province (2021)") { report = try await statisticsPage(root) }
    if let report {
      notes.append(
        "province 2021: \(report.totals.participatingUnits) units, \(report.totals.insuredPersons) insured, "
          + "collected \(report.totals.collected.formatted), \(report.totals.paidClaims) claims paid "
          + "\(report.totals.paidAmount.formatted)")
    }
    try await time("statistics page, a city agency (2021)") { _ = try await statisticsPage(city) }
    try await time("statistics page, a county (2021)") { _ = try await statisticsPage(county) }
    let unit = try await registry.units(in: county.id, page: PageQuery(per: 1)).items.first!
    let enrollments = FluentEnrollmentStore(database: database)
    let unionWork = FluentUnionWorkStore(database: database)
    let schemes = FluentSchemeStore(database: database)
    try await time("a unit's page (the reads UnitPage.Model makes)") {
      guard let unit = try await registry.unit(unit.id) else { return }
      async let organisation = registry.organisation(unit.organisationID)
      async let details = registry.details(of: unit.id)
      async let headcounts = registry.headcounts(of: unit.id)
      async let workers = registry.workers(in: unit.id, page: PageQuery(per: 100))
      async let cover = enrollments.enrollments(unit: unit.id, page: PageQuery(per: 100))
      async let bills = enrollments.bills(unit: unit.id)
      async let outreach = unionWork.outreachVisits(unit: unit.id)
      async let list = schemes.schemes()
      _ = try await (organisation, details, headcounts, workers, cover, bills, outreach, list)
    }
    let stored = try await schemes.scheme(code: ProvinceGenerator.schemeCode)!
    let changed = try Simulation.changing(
      ["anyang-hospital-topup.band.0.rate": "40%"], product: "sim-hospital", version: "2019",
      of: stored.definition)
    var whatIf: WhatIf.Result?
    try await time("what-if over a year's claims (2020, 30% → 40%)") {
      whatIf = try await Simulation.run(
        changed: changed, period: ReportPeriod.year(2020), organisations: nil, database: database, alongside: others,
        today: today)
    }
    // Of which reading the claims, their members and cover, and replaying them (the other
    // reads go on during the replay).
    var cases: [SimulationCase] = []
    try await time("what-if, of which reading the claims") {
      cases = try await statistics.simulationCases(
        schemeCode: ProvinceGenerator.schemeCode, period: ReportPeriod.year(2020), organisations: nil,
        alongside: others)
    }
    let (current, draft) = (try stored.compiled(), try SchemeCompiler.compile(changed))
    try await time("what-if, of which replaying \(cases.count) claims") {
      _ = WhatIf.run(
        cases, current: current, changed: draft, collected: .zero, insuredPersons: 0, fundBalance: .zero)
    }
    // Both years, as a federation trying rules out runs it: the claims read the first time,
    // then kept between what-ifs while no claim of the scheme is decided (`KeptReplayCases`).
    let bothYears = ReportPeriod(
      from: CalendarDate(year: 2020, month: 1, day: 1)!, to: CalendarDate(year: 2021, month: 12, day: 31)!)!
    var bothYearsResult: WhatIf.Result?
    try await time("what-if over both years' claims, read each time") {
      bothYearsResult = try await Simulation.run(
        changed: changed, period: bothYears, organisations: nil, database: database, alongside: others, today: today)
    }
    let kept = KeptReplayCases()
    let warm = try await Simulation.run(
      changed: changed, period: bothYears, organisations: nil, database: database, alongside: others, kept: kept,
      today: today)
    try await time("what-if over both years' claims again, the claims kept") {
      let again = try await Simulation.run(
        changed: changed, period: bothYears, organisations: nil, database: database, alongside: others, kept: kept,
        today: today)
      precondition(again == warm && again == bothYearsResult, "the kept cases answer as the read ones")
    }
    // Of which the replay alone (the rest: the money, cover and names read beside it, on the
    // same cores).
    let keptCases = try await statistics.simulationCases(
      schemeCode: ProvinceGenerator.schemeCode, period: bothYears, organisations: nil, alongside: others, kept: kept)
    try await time("what-if over both years, of which replaying the \(keptCases.count) kept claims") {
      _ = WhatIf.run(
        keptCases, current: current, changed: draft, collected: .zero, insuredPersons: 0, fundBalance: .zero)
    }
    if let bothYearsResult {
      notes.append("what-if over both years: \(bothYearsResult.claims) claims")
    }
    if let whatIf {
      notes.append(
        "what-if: \(whatIf.claims) claims, \(whatIf.before.formatted) → \(whatIf.after.formatted), "
          + "\(whatIf.membersAffected) members affected")
    }
    return timings
  }

  static func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  }
}
