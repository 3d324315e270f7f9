import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLKit

/// The whole claim path: claims with their scans submitted, calculated against each member's
/// cover and cap ledger, checked for duplicates, and persisted with their history and text
/// messages. Members are a generated roster enrolled in Anyang's product and paid up (set up
/// untimed). Every SQL statement in the timed part is counted through the database's log.
struct ClaimBenchmark {
  let members: Int
  let claims: Int
  let target: DatabaseTarget
  var perTransaction = 1_000

  struct Result {
    var seconds = 0.0
    var statements = 0
    var submitted = 0
    var paid = Money.zero
  }

  func run() async throws -> Result {
    let counter = StatementCounter()
    var logger = Logger(label: "huzhu.bench") { _ in StatementLogHandler(level: .info) { _ in counter.increment() } }
    logger.logLevel = .info
    // SQL is logged at `info`: the counting handler sees every statement.
    return try await withBenchmarkDatabase(target, logger: logger, sqlLevel: .info) { database, _ in
      var result = Result()
      let (unit, scheme) = try await setUp(on: database)
      let workerIDs = try await (database as! any SQLDatabase).select().column("worker_id").from("employments")
        .where("unit_id", .equal, unit.id.rawValue).orderBy("worker_id").all(decodingColumn: "worker_id", as: UUID.self)
      let requests = Self.requests(for: workerIDs, count: claims)
      let store = FluentClaimStore(database: database)
      let context = ClaimContext(
        actor: ClaimActor(accountID: .init(), name: "基准 bench", organisationKind: .cityFederation), address: "bench",
        today: CalendarDate(year: 2020, month: 12, day: 1)!, scheme: scheme, calendar: .publishedChina)
      counter.reset()
      let start = ContinuousClock.now
      for index in stride(from: 0, to: requests.count, by: perTransaction) {
        let opened = try await store.open(
          Array(requests[index..<min(index + perTransaction, requests.count)]), submitWhenComplete: true,
          context: context)
        result.submitted += opened.filter { $0.state == .submitted }.count
        result.paid += opened.reduce(.zero) { $0 + ($1.calculatedTotal ?? .zero) }
      }
      let elapsed = ContinuousClock.now - start
      result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      result.statements = counter.count
      return result
    }
  }

  /// The generated roster, imported, enrolled in Anyang's 2019 product from 2020-01-15 and paid.
  func setUp(on database: any Database) async throws -> (WorkUnit, CompiledScheme) {
    let registry = FluentRegistryStore(database: database)
    let organisation = Organisation(parentID: nil, kind: .cityFederation, code: "BENCH", name: "基准测试")
    try await registry.create(organisation)
    let unit = WorkUnit(organisationID: organisation.id, name: "基准单位", sector: .stateEnterprise)
    try await registry.create(unit)
    let cells = ImportBenchmark.roster(rows: members).map { row in row.map { RosterCell.text($0) } }
    let (_, commit) = RosterReader.preview(cells).planned(into: unit.id, standings: [:], scope: .unrestricted)
    _ = try await registry.importRoster(commit, on: CalendarDate(year: 2020, month: 1, day: 1)!, requestedBy: "bench")
    let (source, definition) = try BundledSchemes.definition("anyang")
    let saved = try await FluentSchemeStore(database: database).save(
      definition, source: source, organisationID: organisation.id, savedBy: "bench")
    var timings = ImportBenchmark.Timings()
    try await ImportBenchmark(rows: members, target: target).enrollAndPay(
      unit: unit, on: database, timings: &timings, lap: { 0 })
    return (unit, try saved.compiled())
  }

  /// One stay per claim, cycling through the members: self-paid amounts from 200 to 60,000
  /// yuan (so caps come into play for members with several claims), each with its four scans
  /// and its own invoice and settlement-sheet numbers.
  static func requests(for workers: [UUID], count: Int) -> [ClaimRequest] {
    let scans = ["certificate", "diagnosis", "invoice", "settlement_sheet"].map {
      ClaimRequest.Document(
        kind: $0, fileName: "\($0).pdf", format: .pdf, size: 200_000, sha256: String(repeating: "d", count: 64))
    }
    var random = SplitMix64(seed: 2020)
    return (0..<count).map { index in
      let admission = CalendarDate(year: 2020, month: 2, day: 1)!.adding(days: random.int(0..<280))
      let selfPaid = Int64(random.int(20_000..<6_000_000))
      return ClaimRequest(
        workerID: .init(workers[index % workers.count]),
        intake: ClaimIntake(
          hospital: "安阳市人民医院",
          event: ClaimEvent(
            admissionDate: admission, dischargeDate: admission.adding(days: 1 + random.int(0..<20)),
            claimDate: CalendarDate(year: 2020, month: 12, day: 1)!,
            figures: SettlementFigures([
              .inScopeCost: Money(fen: selfPaid * 3), .pooledFundPaid: Money(fen: selfPaid * 2),
              .criticalIllnessInsurancePaid: .zero,
            ])),
          invoiceNumbers: ["INV-\(index)"], settlementSheetNumber: "JS-\(index)"),
        channel: .unit, documents: scans)
    }
  }
}

/// Counts log messages at `info` and above: with SQL logged at `info`, the drivers log one
/// ("Executing query") per statement.
final class StatementCounter: Sendable {
  private let value = NIOLockedValueBox(0)
  var count: Int { value.withLockedValue { $0 } }
  func increment() { value.withLockedValue { $0 += 1 } }
  func reset() { value.withLockedValue { $0 = 0 } }
}
