import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import Testing

/// The generated province, small: its literal inserts read back through the models and the
/// statistics on both databases, and its counts add up.
@Suite("Province generator")
struct ProvinceGeneratorTests {
  static let kinds = TestDatabaseKind.available

  @Test("a small province reads back and adds up", arguments: kinds)
  func smallProvince(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let template = try #require(DemoScheme.bundled.first { $0.definition.scheme.code == "anyang" }).definition
      let summary = try await ProvinceGenerator.generate(
        ProvinceScale(members: 600, units: 12, claimsPerYear: 80), template: template, database: db.database,
        leaderPasswordHash: "plain:x", calendar: .publishedChina)
      #expect(summary.members == 600)
      #expect(summary.units == 12)
      #expect(summary.organisations == 1 + 13 + 130)

      let registry = FluentRegistryStore(database: db.database)
      let organisations = try await registry.organisations()
      let root = try #require(organisations.first { $0.code == ProvinceGenerator.rootCode })
      // Rows written as literals read back as domain values.
      let unit = try #require(try await registry.units(in: root.id, page: PageQuery(per: 1)).items.first)
      let workers = try await registry.workers(in: unit.id, page: PageQuery(per: 500)).items
      #expect(!workers.isEmpty)
      let enrollments = FluentEnrollmentStore(database: db.database)
      let cover = try await enrollments.enrollments(worker: try #require(workers.first).id)
      #expect(cover.first?.status == .active)
      #expect(try await enrollments.bills(unit: unit.id).count == 2)

      let store = FluentStatisticsStore(database: db.database)
      func facts(_ year: Int) async throws -> StatisticsFacts {
        try await store.facts(
          StatisticsQuery(
            organisations: OrganisationTree.subtreeIDs(of: root.id, in: organisations), period: ReportPeriod.year(year),
            schemeCode: ProvinceGenerator.schemeCode, today: CalendarDate(year: year, month: 12, day: 31)!))
      }
      let first = try await facts(2020)
      #expect(first.insuredPersons == 600)
      #expect(first.units.reduce(0) { $0 + $1.newPersonProducts } == 600)
      let second = try await facts(2021)
      #expect(second.units.reduce(0) { $0 + $1.renewedPersonProducts } == second.insuredPersons)
      // Everyone the 2021 period did not renew lapsed at the end of 2020.
      #expect(first.units.reduce(0) { $0 + $1.lapsedPersonProducts } == 600 - second.insuredPersons)
      #expect(first.paidClaims + second.paidClaims == summary.claims)
      #expect(first.paidAmount + second.paidAmount == summary.paid)
      #expect(
        first.collectedByPayer.values.reduce(.zero, +) + second.collectedByPayer.values.reduce(.zero, +)
          == summary.collected)
      let balance = FundBalance.total(of: try await enrollments.fundBalances(scheme: ProvinceGenerator.schemeCode))
      #expect(balance.balance == summary.collected - summary.paid)
      #expect(try await FluentAccountStore(database: db.database).account(username: "sim-leader") != nil)
      try await StatisticsContractTests.expectAggregatesEqualARecount(db)
      try await StatisticsContractTests.expectReplaysMatchTheRecords(
        db, scheme: ProvinceGenerator.schemeCode, period: ReportPeriod.year(2020), claims: 1)
    }
  }
}
