import ArgumentParser
import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import Logging
import NIOPosix

/// `swift run -c release huzhu-bench calc`: performance figures, kept out of the tests.
struct HuzhuBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "huzhu-bench", abstract: "Huzhu benchmarks (run with -c release).",
    subcommands: [Calc.self, ImportRoster.self, Claims.self, Settlements.self, Province.self, HTTPLoad.self])
}

struct Calc: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Adjudicate a generated batch of cases on one core.")

  @Option(help: "Cases per run.") var count = 1_000_000
  @Option(help: "Directory with anyang.yaml and yichun.yaml.") var schemes = "schemes"
  @Option(help: "Run only the benchmarks whose name contains this text.") var only: String?
  @Option(help: "Timed passes over each batch; the fastest is reported.") var passes: Int = 3

  func run() throws {
    var benchmark = CalcBenchmark(
      anyang: try SchemeFile.load("\(schemes)/anyang.yaml"), yichun: try SchemeFile.load("\(schemes)/yichun.yaml"),
      count: count)
    benchmark.repeats = passes
    #if DEBUG
      print("warning: a debug build; run with `swift run -c release huzhu-bench calc` for real figures")
    #endif
    print("cases per second on one core (\(count) generated cases each, best of \(passes) passes):")
    for result in benchmark.run(only: only) {
      let rate = String(format: "%12.0f", result.perSecond)
      print(
        "  \(rate)/s  \(result.name)  [\(String(format: "%.3f", result.seconds)) s, paid \(result.totalPaid.formatted)]"
      )
    }
    guard only == nil || "what-if".contains(only!) else { return }
    let (seconds, result) = try benchmark.whatIfReplay()
    print(
      "what-if, \(count) decided claims replayed on every core (no database, best of \(passes)): "
        + "\(String(format: "%.3f", seconds)) s; \(result.refused) refused, \(result.members) members, "
        + "\(result.before.formatted) → \(result.after.formatted)")
  }
}

struct ImportRoster: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract:
      "Generate an XLSX roster, then read, check and commit it (SQLite, and PostgreSQL when DATABASE_URL is set).")

  @Option(help: "Workers in the roster.") var rows = 100_000
  @Flag(inversion: .prefixedNo, help: "Then enroll the whole roster and pay its bill.") var enroll = true

  func run() async throws {
    let (targets, directory) = try benchmarkTargets()
    print("roster import, \(rows) workers (XLSX generated in memory):")
    for (name, target) in targets {
      let timings = try await ImportBenchmark(rows: rows, target: target, enroll: enroll).run()
      print(
        "  \(name): read \(format(timings.read)) s + check \(format(timings.preview)) s + commit \(format(timings.commit)) s"
          + " = \(format(timings.total)) s  [file \(timings.bytes / 1024) KiB, generated in \(format(timings.generate)) s]"
      )
      if enroll {
        print(
          "  \(name): enroll all \(rows) in one order \(format(timings.enroll)) s, pay the bill (3 payers) \(format(timings.pay)) s"
        )
      }
    }
    try? FileManager.default.removeItem(at: directory)
  }

  func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
}

struct Claims: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Submit generated claims with their scans: calculated, checked, persisted (SQLite, and PostgreSQL when DATABASE_URL is set)."
  )

  @Option(help: "Members enrolled and paid up (set up untimed).") var members = 10_000
  @Option(help: "Claims submitted.") var claims = 20_000
  @Option(help: "Claims per transaction.") var batch = 1_000

  func run() async throws {
    let (targets, directory) = try benchmarkTargets()
    print("claim path, \(claims) claims for \(members) members, \(batch) per transaction:")
    for (name, target) in targets {
      var benchmark = ClaimBenchmark(members: members, claims: claims, target: target)
      benchmark.perTransaction = batch
      let result = try await benchmark.run()
      let rate = Double(claims) / result.seconds
      print(
        "  \(name): \(String(format: "%.0f", rate)) claims/s (\(String(format: "%.2f", result.seconds)) s), "
          + "\(result.statements) SQL statements = \(String(format: "%.3f", Double(result.statements) / Double(claims))) per claim; "
          + "\(result.submitted) submitted, calculated \(result.paid.formatted)")
    }
    try? FileManager.default.removeItem(at: directory)
  }
}

struct Settlements: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Import a generated bureau file of settlements into one-stop claims in one transaction (SQLite, and PostgreSQL when DATABASE_URL is set)."
  )

  @Option(help: "Members enrolled and paid up (set up untimed).") var members = 50_000
  @Option(help: "Settlement records in the file.") var records = 100_000
  @Option(help: "One database only: sqlite or postgresql.") var only: String?

  func run() async throws {
    let (targets, directory) = try benchmarkTargets()
    print("one-stop settlements, \(records) records for \(members) members, one file:")
    for (name, target) in targets where only.map({ $0.lowercased() == name.lowercased() }) ?? true {
      var result = try await SettlementBenchmark(members: members, records: records, target: target).run(
        counting: false)
      // A database of its own (PostgreSQL makes a schema per run; SQLite needs another file).
      var countedTarget = target
      if case .sqliteFile(let path) = target { countedTarget = .sqliteFile(path: path + ".counted") }
      let counted = try await SettlementBenchmark(
        members: max(1, members / 10), records: max(1, records / 10), target: countedTarget
      ).run(counting: true)
      result.statements = Int((Double(counted.statements) / Double(max(1, records / 10)) * Double(records)).rounded())
      let counts = SettlementOutcome.Result.allCases.compactMap { result.counts[$0].map { "\($0)" } }
      let named = zip(SettlementOutcome.Result.allCases.filter { result.counts[$0] != nil }, counts).map {
        "\($0.rawValue) \($1)"
      }
      let total = result.read + result.receive
      let rate = Double(records) / total
      let perRecord = Double(result.statements) / Double(records)
      var line = "  \(name): read \(String(format: "%.2f", result.read)) s + match, claim and write "
      line += "\(String(format: "%.2f", result.receive)) s = \(String(format: "%.2f", total)) s "
      line +=
        "(\(String(format: "%.0f", rate)) records/s); \(String(format: "%.3f", perRecord)) SQL statements per record "
      line += "(counted on a tenth); [file \(result.bytes / 1024) KiB] "
      if let checkpoint = result.checkpoint {
        line += "[then the log copied into the file in the background: \(String(format: "%.2f", checkpoint)) s] "
      }
      print(line + named.joined(separator: ", "))
      // Where the second part's time went, phase by phase (``Phases``).
      print("    " + result.phases.map { "\($0.name) \(String(format: "%.2f", $0.seconds)) s" }.joined(separator: ", "))
    }
    try? FileManager.default.removeItem(at: directory)
  }
}

struct Province: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Generate a province (2 million members, 20,000 units, 300,000 claims a year by default) and time the statistics, a unit's page and the what-if (SQLite, and PostgreSQL when DATABASE_URL is set)."
  )

  @Option(help: "Members.") var members = ProvinceScale.province.members
  @Option(help: "Units.") var units = ProvinceScale.province.units
  @Option(help: "Claims a year (two years are generated).") var claims = ProvinceScale.province.claimsPerYear
  @Option(help: "Timed repetitions of each read (the median is reported).") var repeats = 5
  @Option(help: "Time the reads on a province generated before (a SQLite file), without generating.")
  var reuse: String?
  @Option(help: "Only one database: sqlite or postgresql (a full province takes minutes on each).")
  var only: String?
  @Option(help: "Keep the generated SQLite province in this file, for --reuse later.")
  var keep: String?
  @Flag(help: "Keep the generated PostgreSQL province in its schema (named at the end), for --reuse-schema later.")
  var keepSchema = false
  @Option(
    help:
      "Time the reads on a PostgreSQL province generated before with --keep-schema: the schema's name on DATABASE_URL's server."
  )
  var reuseSchema: String?
  @Flag(
    help:
      "With --reuse or --reuse-schema: every SQL statement on standard error, after the milliseconds since the previous one."
  )
  var traceSql = false

  func run() async throws {
    if let reuse {
      try await timeReads(on: .sqliteFile(path: reuse), name: "SQLite (\(reuse))")
      return
    }
    if let reuseSchema {
      guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"],
        case .success(var location) = PostgresLocation.parse(url)
      else { throw ValidationError("--reuse-schema reads the server DATABASE_URL names: set it") }
      location.searchPath = [reuseSchema]
      try await timeReads(on: .postgres(location), name: "PostgreSQL (\(reuseSchema))")
      return
    }
    let (targets, directory) = try benchmarkTargets()
    say("province: \(members) members, \(units) units, \(claims) claims a year over two years")
    for (name, target) in targets where only.map({ $0.lowercased() == name.lowercased() }) ?? true {
      var benchmark = ProvinceBenchmark(
        scale: ProvinceScale(members: members, units: units, claimsPerYear: claims), target: target)
      benchmark.repeats = repeats
      benchmark.keepSchema = keepSchema
      report(try await benchmark.run(), name: name)
    }
    if let keep {
      try? FileManager.default.removeItem(atPath: keep)
      try FileManager.default.moveItem(atPath: directory.appendingPathComponent("bench.sqlite").path, toPath: keep)
      say("  the SQLite province is kept in \(keep)")
    }
    try? FileManager.default.removeItem(at: directory)
  }

  /// The reads alone, on a province generated before (only read).
  func timeReads(on target: DatabaseTarget, name: String) async throws {
    var benchmark = ProvinceBenchmark(
      scale: ProvinceScale(members: members, units: units, claimsPerYear: claims), target: target)
    benchmark.repeats = repeats
    benchmark.traceSQL = traceSql
    report(try await benchmark.readsOnly(), name: name)
  }

  func report(_ result: ProvinceBenchmark.Result, name: String) {
    if result.generation > 0 {
      say(
        "  \(name): generated in \(String(format: "%.1f", result.generation)) s ("
          + result.summary.seconds.map { "\($0.phase) \(String(format: "%.1f", $0.seconds)) s" }.joined(separator: ", ")
          + "): \(result.summary.members) members, \(result.summary.enrollments) enrollments, \(result.summary.claims) claims"
      )
    }
    for timing in result.reads {
      say(
        "  \(name): \(timing.name): median \(String(format: "%.0f", timing.median * 1000)) ms, worst \(String(format: "%.0f", timing.worst * 1000)) ms"
      )
    }
    for note in result.notes { say("  \(name): \(note)") }
  }
}

/// A line on standard output at once (unbuffered), so that progress shows when the output
/// goes to a file.
func say(_ text: String) {
  FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Runs `body` on a freshly migrated database of `target` (a private schema on PostgreSQL,
/// dropped afterwards unless `keepSchema`, which names it on standard output), with SQL
/// logged at `sqlLevel` through `logger`; `body` also gets the `Databases`, for the other
/// event loops' connections.
func withBenchmarkDatabase<T>(
  _ target: DatabaseTarget, logger: Logger? = nil, sqlLevel: Logger.Level = .trace, keepSchema: Bool = false,
  _ body: (any Database, Databases) async throws -> T
) async throws -> T {
  let quiet = Logger(label: "huzhu.bench.quiet") { _ in SwiftLogNoOpLogHandler() }
  var target = target
  let schema = "bench_\(UUID().uuidString.prefix(8).lowercased())"
  if case .postgres(var location) = target {
    try await ImportBenchmark.execute("CREATE SCHEMA \(schema)", on: .postgres(location), logger: quiet)
    location.searchPath = [schema]
    target = .postgres(location)
  }
  let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
  let result: T
  do {
    try HuzhuDatabase.use(target, on: databases, sqlLogLevel: sqlLevel)
    let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
    let database = databases.database(logger: logger ?? quiet, on: eventLoop)!
    try await HuzhuDatabase.prepare(database, target: target)
    try await HuzhuDatabase.migrate(databases, logger: quiet, on: eventLoop)
    result = try await body(database, databases)
  } catch {
    await databases.shutdownAsync()
    throw error
  }
  await databases.shutdownAsync()
  if keepSchema {
    if case .postgres = target {
      say("  the PostgreSQL province is kept in the schema \(schema) (--reuse-schema \(schema))")
    }
  } else if case .postgres(var location) = target {
    location.searchPath = nil
    try? await ImportBenchmark.execute("DROP SCHEMA \(schema) CASCADE", on: .postgres(location), logger: quiet)
  }
  return result
}

/// A fresh SQLite file in a temporary directory (returned, to remove after), and the
/// PostgreSQL server `DATABASE_URL` names, when it is set.
func benchmarkTargets() throws -> (targets: [(String, DatabaseTarget)], directory: URL) {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-bench-\(UUID())")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  var targets: [(String, DatabaseTarget)] = [
    ("SQLite", .sqliteFile(path: directory.appendingPathComponent("bench.sqlite").path))
  ]
  if let url = ProcessInfo.processInfo.environment["DATABASE_URL"],
    case .success(let location) = PostgresLocation.parse(url)
  {
    targets.append(("PostgreSQL", .postgres(location)))
  }
  return (targets, directory)
}

@main
enum Entry {
  static func main() async {
    await HuzhuBench.main()
  }
}
