import FluentKit
import Foundation
import HuzhuCore
import HuzhuTestSupport
import SQLKit
import Testing

@testable import HuzhuPersistence

/// M031 on a database whose refusals were made before it: each takes its day from the claim's
/// history and, refused by a rule, its replay row; and back again. M038 (the rows keyed by
/// scheme and day) is taken back first and made again after, keeping the rows.
@Suite("M031 on refusals made before it")
struct ReplayedRefusalsMigrationTests {
  @Test(arguments: TestDatabaseKind.available)
  func refusalsAreDatedFromTheirHistory(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let claims = ClaimStoreContractTests()
      let world = try await claims.world(db)
      func refused(_ invoice: String, _ reason: RejectionReason) async throws -> ClaimRecord {
        var claim = try await world.store.open(
          claims.stay(selfPaid: 300_000, invoice: invoice, sheet: "JS-" + invoice), for: world.worker.id,
          channel: .window, expedited: false, context: claims.context(world, claims.clerk))
        claim = try await claims.attachAll(world, to: claim)
        _ = try await world.store.perform(.submit, on: claim.id, context: claims.context(world, claims.clerk))
        return try await world.store.perform(
          .reject(reason: reason, note: "测试"), on: claim.id, context: claims.context(world, claims.approver)
        ).record
      }
      let byRule = try await refused("INV-M1", .waitingPeriod)
      let byJudgement = try await refused("INV-M2", .duplicate)

      struct Count: Decodable { let count: Int }
      func replayRows() async throws -> Int? {
        try await db.sql.raw("SELECT COUNT(*) AS count FROM claim_replays").first(decoding: Count.self)?.count
      }
      let rows = try await replayRows()
      #expect(rows == 1)
      try await M038_ClusteredReplays().revert(on: db.database)
      #expect(try await replayRows() == rows)
      try await M031_ReplayedRefusals().revert(on: db.database)
      #expect(
        try await db.sql.raw("SELECT COUNT(*) AS count FROM claim_replays WHERE paid_on IS NOT NULL")
          .first(decoding: Count.self)?.count == 0)

      try await M031_ReplayedRefusals().prepare(on: db.database)
      try await M038_ClusteredReplays().prepare(on: db.database)
      #expect(try await replayRows() == rows)
      // The day of the last rejection in the history (written at the real clock's time).
      let entry = try #require(try await world.store.history(of: byRule.id).last { $0.to == .rejected })
      struct Day: Decodable {
        let id: UUID
        let rejected_on: String?
      }
      let days = Dictionary(
        uniqueKeysWithValues: try await db.sql.raw("SELECT id, rejected_on FROM claims WHERE state = 'rejected'")
          .all(decoding: Day.self).map { ($0.id, $0.rejected_on) })
      #expect(days[byRule.id.rawValue] == CalendarDate(entry.at).description)
      #expect(days[byJudgement.id.rawValue] != nil)
      let day = CalendarDate(entry.at)
      let cases = try await FluentStatisticsStore(database: db.database).simulationCases(
        schemeCode: "anyang", period: try #require(ReportPeriod(from: day, to: day)), organisations: nil)
      #expect(cases.map(\.claimNumber) == [byRule.number])
      #expect(cases.first?.refusal == .waitingPeriod && cases.first?.decidedOn == day)
    }
  }
}
