import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import Logging
import SQLKit

/// A province's month of medical-insurance settlements into one-stop claims: a bureau's CSV
/// (generated, in memory) read and checked, then every record matched to its member and cover,
/// made a claim, calculated, flagged, and, under Anyang's rule, approved straight through when
/// small, all in one transaction. The members are `ClaimBenchmark`'s roster, enrolled and paid
/// up (set up untimed). Every SQL statement of the import is counted.
struct SettlementBenchmark {
  let members: Int
  let records: Int
  let target: DatabaseTarget

  struct Result {
    var bytes = 0
    var read = 0.0
    var receive = 0.0
    /// SQLite: copying the log into the database file, in the background after the answer.
    var checkpoint: Double?
    var statements = 0
    /// Where the matching, claiming and writing went (``Phases``).
    var phases: [(name: String, seconds: Double)] = []
    var counts: [SettlementOutcome.Result: Int] = [:]
  }

  /// `counting`: every SQL statement logged and counted. The drivers then format each
  /// statement and its values (a 500-row INSERT's 12,500), which costs more than running it:
  /// the timed run counts nothing, a smaller counted run gives the statements per record.
  func run(counting: Bool) async throws -> Result {
    let counter = StatementCounter()
    var logger = Logger(label: "huzhu.bench") { _ in StatementLogHandler(level: .info) { _ in counter.increment() } }
    logger.logLevel = .info
    return try await withBenchmarkDatabase(
      target, logger: counting ? logger : nil, sqlLevel: counting ? .info : .trace
    ) { database, _ in
      var result = Result()
      let (unit, scheme) = try await ClaimBenchmark(members: members, claims: 0, target: target).setUp(on: database)
      struct Person: Decodable {
        let id_number: String
        let name: String
      }
      let people = try await (database as! any SQLDatabase).select()
        .column(SQLColumn("id_number", table: "w")).column(SQLColumn("name", table: "w"))
        .from(SQLAlias(SQLIdentifier("workers"), as: SQLIdentifier("w")))
        .join(
          SQLAlias(SQLIdentifier("employments"), as: SQLIdentifier("e")), method: SQLJoinMethod.inner,
          on: SQLRaw("e.worker_id = w.id")
        )
        .where(SQLColumn("unit_id", table: "e"), .equal, SQLBind(unit.id.rawValue)).orderBy(
          SQLColumn("id_number", table: "w")
        )
        .all(decoding: Person.self)
      let source = SettlementSource(
        code: "bench-bureau", name: "基准医保局", organisationID: unit.organisationID, schemeCode: scheme.code)
      try await FluentSettlementStore(database: database).create(source, by: "bench")
      let csv = Self.csv(people.map { ($0.id_number, $0.name) }, count: records)
      result.bytes = csv.count
      let today = CalendarDate(year: 2020, month: 12, day: 1)!
      let context = ClaimContext(
        actor: ClaimActor(accountID: .init(), name: "基准 bench", organisationKind: .cityFederation), address: "bench",
        today: today, scheme: scheme, calendar: .publishedChina)

      counter.reset()
      var clock = ContinuousClock.now
      func lap() -> Double {
        let elapsed = ContinuousClock.now - clock
        clock = ContinuousClock.now
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      }
      // A month of a province is past the sheet's default 100,000 rows by its header.
      let limits = SheetLimits(rows: records + 10, cells: (records + 10) * 20)
      let file = SettlementReader.read(
        try SheetReader.read(csv, limits: limits).rosterCells, layout: .standard, today: today)
      result.read = lap()
      let (receipt, phases) = try await Phases.timing {
        try await FluentSettlementStore(database: database).receive(
          file, from: source, channel: "file", fileName: "bench.csv", sha256: nil, context: context, dryRun: false)
      }
      result.receive = lap()
      result.phases = phases.times
      result.statements = counter.count
      if case .sqliteFile = target {
        result.checkpoint = try await Self.waitForCheckpoint(database as! any SQLDatabase)
      }
      result.counts = receipt.counts
      return result
    }
  }

  /// Seconds until SQLite's background checkpoint has copied the whole log into the file: a
  /// passive checkpoint reports itself busy while another runs, then how much of the log it
  /// copied. Gives up after ten minutes (a reader that never ends would hold the log).
  static func waitForCheckpoint(_ sql: any SQLDatabase) async throws -> Double {
    struct Progress: Decodable {
      let busy: Int
      let log: Int
      let checkpointed: Int
    }
    let start = ContinuousClock.now
    while ContinuousClock.now - start < .seconds(600) {
      if let progress = try await sql.raw("PRAGMA wal_checkpoint(PASSIVE)").first(decoding: Progress.self),
        progress.busy == 0, progress.log == progress.checkpointed
      {
        break
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  }

  /// One stay per record, cycling through the members: self-paid parts from 200 to 60,000 yuan
  /// (caps come into play for members with several stays), every identity holding; one record
  /// in fifty names someone who is not a member.
  static func csv(_ people: [(idNumber: String, name: String)], count: Int) -> Data {
    var random = SplitMix64(seed: 2024)
    var text =
      "结算流水号,就诊流水号,姓名,身份证号码,险种类型,医疗类别,定点医疗机构名称,入院日期,出院日期,结算时间,"
      + "医疗费总额,全自费金额,超限价自费金额,先行自付金额,符合范围金额,统筹基金支付,基金支付合计,个人账户支付,个人现金支付\n"
    text.reserveCapacity(count * 200)
    for index in 0..<count {
      let admission = CalendarDate(year: 2020, month: 2, day: 1)!.adding(days: random.int(0..<280))
      let discharge = admission.adding(days: 1 + random.int(0..<20))
      let selfPaid = Int64(random.int(20_000..<6_000_000))
      let inScope = selfPaid * 3
      let pool = selfPaid * 2
      let own = Int64(random.int(0..<100_000))
      let total = inScope + own
      let person: (idNumber: String, name: String) =
        index % 50 == 49
        ? (
          ResidentIDNumber.compose(
            region: "410599", birthDate: CalendarDate(year: 1970 + index % 30, month: 1, day: 1)!,
            sequence: index / 50 % 999, gender: .male
          ).value, "非会员"
        ) : people[index % people.count]
      func yuan(_ fen: Int64) -> String { Money(fen: fen).decimalString }
      text +=
        "4105002020\(String(format: "%010d", index)),ZY\(index),\(person.name),\(person.idNumber),职工基本医疗保险,普通住院,"
        + "安阳市人民医院,\(admission),\(discharge),\(discharge) 10:00:00,\(yuan(total)),\(yuan(own)),0.00,0.00,"
        + "\(yuan(inScope)),\(yuan(pool)),\(yuan(pool)),0.00,\(yuan(total - pool))\n"
    }
    return Data(text.utf8)
  }
}
