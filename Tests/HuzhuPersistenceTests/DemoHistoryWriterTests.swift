import FluentKit
import Foundation
import HuzhuCore
import HuzhuTestSupport
import Testing

@testable import HuzhuPersistence

/// The demo history writes its cohorts in bulk, beside the stores: the same order paid the
/// same day must leave the same records as enrolling and paying through the store does.
@Suite("Demo history writer")
struct DemoHistoryWriterTests {
  static let kinds = TestDatabaseKind.available

  @Test("bulk cohorts match the store's enrollment and payments", arguments: kinds)
  func bulkMatchesTheStore(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      _ = try await DemoSeeder.seedIfEmpty(
        database: db.database, hasher: PlainTestHasher(), schemes: try DemoScheme.bundled)
      let registry = FluentRegistryStore(database: db.database)
      let anyang = try #require(try await registry.organisations().first { $0.code == "HA-AY" })
      let scheme = try #require(try await FluentSchemeStore(database: db.database).scheme(code: "anyang")).compiled()
      let day = CalendarDate(year: 2020, month: 3, day: 15)!
      let split = PayerSplitRule(
        employer: .percent(Rate(percent: 50)),
        unionSubsidies: [.init(payer: .unionCity, perPerson: Money(fen: 3000), onTop: true)])
      func unit(_ name: String) -> WorkUnit {
        WorkUnit(organisationID: anyang.id, name: name, sector: .stateEnterprise)
      }
      func workers(_ unit: WorkUnit, from sequence: Int) -> [Worker] {
        (0..<5).map {
          Worker(
            name: "职工\($0)",
            idNumber: ResidentIDNumber.compose(
              region: "410526", birthDate: CalendarDate(year: 1980, month: 1, day: 1 + $0)!, sequence: sequence + $0,
              gender: $0 % 2 == 0 ? .female : .male), unitID: unit.id)
        }
      }
      func order(_ unit: WorkUnit, _ workers: [Worker]) -> EnrollmentOrder {
        EnrollmentOrder(
          schemeCode: "anyang", productCode: "anyang-hospital", periodStart: day, unitID: unit.id,
          workerIDs: workers.map(\.id), split: split, requestDate: day)
      }

      // Through the store.
      let byStore = unit("经由存储的单位")
      try await registry.create(byStore)
      let storeWorkers = workers(byStore, from: 10)
      try await registry.create(storeWorkers, employedSince: day)
      let enrollments = FluentEnrollmentStore(database: db.database)
      let plan = try await enrollments.enroll(order(byStore, storeWorkers), scheme: scheme)
      for part in plan.bill.due {
        _ = try await enrollments.record(
          PaymentRequest(
            payer: part.payer, payerName: part.payerName, amount: part.amount, paidOn: day, reference: "R"),
          on: plan.bill.id, recordedBy: "demo", idempotencyKey: nil, scheme: scheme)
      }

      // In bulk.
      let inBulk = unit("批量写入的单位")
      let bulkWorkers = workers(inBulk, from: 20)
      try await DemoSeeder.writeCohorts(
        [
          DemoHistory.Cohort(
            unit: inBulk, isNewUnit: true, headcount: nil, workers: bulkWorkers, employedSince: day,
            orders: [(order(inBulk, bulkWorkers), day)])
        ], schemes: ["anyang": scheme], on: db.database)

      struct Shape: Equatable {
        let bill: [String]
        let enrollments: [String]
        let payments: [String]
        let fund: [String]
      }
      func shape(of unit: WorkUnit) async throws -> Shape {
        let bills = try await enrollments.bills(unit: unit.id)
        let bill = try #require(bills.first)
        let held = try await enrollments.enrollments(unit: unit.id, page: PageQuery(per: 100)).items
        let payments = try await enrollments.payments(bill: bill.id)
        let ids = Set(payments.map(\.id.description))
        let fund = try await enrollments.fundEntries(scheme: "anyang", versionLabel: nil, page: PageQuery(per: 500))
          .items
          .filter { ids.contains($0.sourceID) }
        return Shape(
          bill: [
            "\(bills.count)", bill.versionLabel, "\(bill.memberCount)", bill.totalDue.decimalString,
            bill.settledOn?.description ?? "-", "\(bill.status)",
            bill.due.map { "\($0.payer)=\($0.amount)" }.sorted().joined(),
          ],
          enrollments: held.map { "\($0.status) \($0.coverFrom?.description ?? "-") \($0.period.end) \($0.shares)" }
            .sorted(),
          payments: payments.map { "\($0.payer) \($0.amount) \($0.paidOn)" }.sorted(),
          fund: fund.map { "\($0.kind) \($0.payer?.rawValue ?? "-") \($0.amount) \($0.postedOn) \($0.versionLabel)" }
            .sorted())
      }
      let expected = try await shape(of: byStore)
      #expect(expected.enrollments.count == 5)
      #expect(expected.payments.count == 3)
      #expect(try await shape(of: inBulk) == expected)
      // Receipt, bill and certificate numbers come from the same sequences: no number twice.
      let bulkBill = try #require(try await enrollments.bills(unit: inBulk.id).first)
      #expect(bulkBill.number != plan.bill.number)
    }
  }
}
