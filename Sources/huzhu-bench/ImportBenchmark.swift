import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import HuzhuSpreadsheet
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// A generated roster of `rows` workers as XLSX, read, checked and committed into a fresh
/// database: the path a union officer's upload takes. Then, with `enroll`, the whole roster
/// enrolled in Anyang's product in one order and its bill paid by each payer.
struct ImportBenchmark {
  let rows: Int
  let target: DatabaseTarget
  var enroll = true

  struct Timings {
    var generate = 0.0, read = 0.0, preview = 0.0, commit = 0.0, enroll = 0.0, pay = 0.0
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
      let known = try await store.standings(of: preview.rows.compactMap(\.idNumber))
      let (_, commit) = preview.planned(into: unit.id, standings: known, scope: .unrestricted)
      timings.preview += lap()
      let result = try await store.importRoster(
        commit, on: CalendarDate(year: 2024, month: 1, day: 1)!, requestedBy: "bench")
      precondition(result.created == rows, "expected \(rows) new workers, got \(result)")
      timings.commit = lap()
      if enroll { try await enrollAndPay(unit: unit, on: database, timings: &timings, lap: lap) }
    } catch {
      await databases.shutdownAsync()
      await dropSchema()
      throw error
    }
    await databases.shutdownAsync()
    await dropSchema()
    return timings
  }

  /// Everyone on the roster into Anyang's 2019 product (60 yuan: unit half, worker half, 30 from
  /// the city union on top), then one payment per payer, which switches all the cover on.
  func enrollAndPay(unit: WorkUnit, on database: any Database, timings: inout Timings, lap: () -> Double)
    async throws
  {
    let scheme = try SchemeCompiler.compile(try BundledSchemes.definition("anyang").definition)
    let ids = try await (database as! any SQLDatabase).select().column("worker_id").from("employments")
      .where("unit_id", .equal, unit.id.rawValue).all(decodingColumn: "worker_id", as: UUID.self)
    let start = CalendarDate(year: 2020, month: 1, day: 15)!
    let order = EnrollmentOrder(
      schemeCode: scheme.code, productCode: "anyang-hospital", periodStart: start, unitID: unit.id,
      workerIDs: ids.map { .init($0) },
      split: PayerSplitRule(
        employer: .percent(Rate(percent: 50)),
        unionSubsidies: [.init(payer: .unionCity, perPerson: Money(fen: 3000), onTop: true)]),
      requestDate: start)
    let store = FluentEnrollmentStore(database: database)
    _ = lap()
    let plan = try await store.enroll(order, scheme: scheme)
    precondition(plan.enrollments.count == rows)
    timings.enroll = lap()
    var activated = 0
    for part in plan.bill.due {
      activated += try await store.record(
        PaymentRequest(
          payer: part.payer, amount: part.amount, paidOn: start, reference: "BENCH-\(part.payer.rawValue)"),
        on: plan.bill.id, recordedBy: "bench", idempotencyKey: nil, scheme: scheme
      ).activated
    }
    precondition(activated == rows, "every enrollment is active once the bill is paid")
    timings.pay = lap()
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
