import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// A generated roster of `rows` workers as XLSX, read, checked and committed into a fresh
/// database: the path a union officer's upload takes.
struct ImportBenchmark {
  let rows: Int
  let target: DatabaseTarget

  struct Timings {
    var generate = 0.0, read = 0.0, preview = 0.0, commit = 0.0
    var bytes = 0
    var total: Double { read + preview + commit }
  }

  func run() async throws -> Timings {
    var timings = Timings()
    var clock = ContinuousClock.now
    func lap() -> Double {
      let elapsed = ContinuousClock.now - clock
      clock = .now
      return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
    let data = try XLSXWriter.write(rows: Self.roster(rows: rows), sheetName: "花名册")
    timings.bytes = data.count
    timings.generate = lap()
    let sheet = try SheetReader.read(data)
    timings.read = lap()
    let preview = RosterReader.preview(sheet.rosterCells)
    precondition(preview.canCommit, "the generated roster must be valid: \(preview.allErrors.prefix(3))")
    timings.preview = lap()

    var logger = Logger(label: "huzhu.bench")
    logger.logLevel = .warning
    // PostgreSQL is shared between runs: each run gets a schema of its own, dropped after.
    var target = target
    let schema = "bench_\(UUID().uuidString.prefix(8).lowercased())"
    if case .postgres(var location) = target {
      try await Self.execute("CREATE SCHEMA \(schema)", on: .postgres(location), logger: logger)
      location.searchPath = [schema]
      target = .postgres(location)
    }
    func dropSchema() async {
      guard case .postgres(var location) = target else { return }
      location.searchPath = nil
      try? await Self.execute("DROP SCHEMA \(schema) CASCADE", on: .postgres(location), logger: logger)
    }
    let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
    do {
      try HuzhuDatabase.use(target, on: databases, sqlLogLevel: .trace)
      let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
      let database = databases.database(logger: logger, on: eventLoop)!
      try await HuzhuDatabase.prepare(database, target: target)
      try await HuzhuDatabase.migrate(databases, logger: logger, on: eventLoop)
      let store = FluentRegistryStore(database: database)
      let organisation = Organisation(
        parentID: nil, kind: .cityFederation, code: "BENCH-\(UUID().uuidString.prefix(8))", name: "基准测试")
      try await store.create(organisation)
      let unit = WorkUnit(organisationID: organisation.id, name: "基准单位", sector: .stateEnterprise)
      try await store.create(unit)
      _ = lap()
      let known = try await store.currentEmployments(of: preview.rows.compactMap(\.idNumber))
      let annotated = preview.annotatingKnownPeople { number in
        known[number].map { RosterPreview.knownPersonWarning($0, importingInto: unit.id) }
      }
      timings.preview += lap()
      let result = try await store.importRoster(
        annotated, into: unit.id, on: CalendarDate(year: 2024, month: 1, day: 1)!)
      precondition(result.created == rows, "expected \(rows) new workers, got \(result)")
      timings.commit = lap()
    } catch {
      await databases.shutdownAsync()
      await dropSchema()
      throw error
    }
    await databases.shutdownAsync()
    await dropSchema()
    return timings
  }

  static func execute(_ statement: String, on target: DatabaseTarget, logger: Logger) async throws {
    let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
    try HuzhuDatabase.use(target, on: databases, sqlLogLevel: .trace)
    do {
      let database = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())!
      try await (database as! any SQLDatabase).raw(SQLQueryString(stringLiteral: statement)).run()
    } catch {
      await databases.shutdownAsync()
      throw error
    }
    await databases.shutdownAsync()
  }

  /// A realistic roster: header plus `rows` distinct, valid workers.
  static func roster(rows: Int) -> [[String]] {
    var random = SplitMix64(seed: 100_000)
    var result = [RosterField.templateHeader]
    let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
    let given = Array("秀英建国丽伟静军敏磊芳强洋艳勇娟杰涛明超")
    result.reserveCapacity(rows + 1)
    for index in 0..<rows {
      let gender: Gender = index % 2 == 0 ? .female : .male
      let birth = CalendarDate(year: 1966 + index % 38, month: 1 + index % 12, day: 1 + index % 28)!
      // Region, birth date and sequence make every number distinct.
      let region = String(410500 + (index / 500) % 99 + 1)
      let number = ResidentIDNumber.compose(
        region: region, birthDate: birth, sequence: (index / 38 / 12) % 500, gender: gender)
      result.append([
        String(surnames[random.int(0..<surnames.count)]) + String(given[random.int(0..<given.count)]), number.value,
        "13\(String(format: "%09d", index))", gender == .male ? "男" : "女", birth.description, "城镇职工",
        index % 50 == 0 ? "困难职工" : "", "2020-01-15", "1", "是", "中国工商银行", "62220200\(String(format: "%011d", index))",
      ])
    }
    return result
  }
}
