import FluentKit
import Foundation
import HuzhuCore
import HuzhuTestSupport
import SQLKit
import Testing

@testable import HuzhuPersistence

/// The claims' stay columns (M039), which the duplicate check reads instead of every earlier
/// claim's intake: written with the claim and when its facts change, filled in by the
/// migration for claims made before it, and what the overlap check finds.
@Suite("Claim stays")
struct ClaimStaysTests {
  struct Stay: Decodable, Equatable {
    let number: String
    let stay_from: String?
    let stay_to: String?
  }

  func stays(_ db: MigratedDatabase) async throws -> [Stay] {
    try await db.sql.raw("SELECT number, stay_from, stay_to FROM claims ORDER BY number").all(decoding: Stay.self)
  }

  @Test(arguments: TestDatabaseKind.available)
  func staysFollowTheFactsAndFindOnlyTheOverlaps(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let claims = ClaimStoreContractTests()
      let world = try await claims.world(db)
      let context = claims.context(world, claims.clerk)
      func open(_ invoice: String, admitted: (Int, Int)) async throws -> ClaimRecord {
        try await world.store.open(
          claims.stay(selfPaid: 300_000, invoice: invoice, sheet: "JS-" + invoice, admitted: admitted),
          for: world.worker.id, channel: .window, expedited: false, context: context)
      }
      // 1–10 January, then moved to 1–10 February: the columns follow the facts.
      let first = try await open("S-1", admitted: (1, 1))
      #expect(try await stays(db) == [Stay(number: first.number, stay_from: "2020-01-01", stay_to: "2020-01-10")])
      _ = try await world.store.update(
        claims.stay(selfPaid: 300_000, invoice: "S-1", sheet: "JS-S-1", admitted: (2, 1)), of: first.id,
        context: context)
      #expect(try await stays(db) == [Stay(number: first.number, stay_from: "2020-02-01", stay_to: "2020-02-10")])

      // A stay of 5–14 February overlaps it; one of 1–10 March does not; nor does January now.
      let overlapping = try await open("S-2", admitted: (2, 5))
      #expect(overlapping.duplicates.map(\.earlierClaimNumber) == [first.number])
      #expect(overlapping.duplicates.map(\.kind) == [.overlappingStay])
      let later = try await open("S-3", admitted: (3, 1))
      #expect(later.duplicates.isEmpty)
      let january = try await open("S-4", admitted: (1, 1))
      #expect(january.duplicates.isEmpty)
      // The edges count: a stay starting on the day another ends overlaps it.
      let edge = try await open("S-5", admitted: (3, 10))
      #expect(edge.duplicates.map(\.earlierClaimNumber) == [later.number])

      // The read itself: only the stays reaching into the span, for the members asked.
      let span = CoveragePeriod(
        start: CalendarDate(year: 2020, month: 2, day: 10)!, end: CalendarDate(year: 2020, month: 3, day: 1)!)
      let found = try await EarlierClaimRow.overlapping(span, workers: [world.worker.id.rawValue], on: db.sql)
      #expect(Set(found.map(\.number)) == [first.number, overlapping.number, later.number])
      #expect(try await EarlierClaimRow.overlapping(span, workers: [UUID()], on: db.sql).isEmpty)
      #expect(try await EarlierClaimRow.overlapping(nil, workers: [world.worker.id.rawValue], on: db.sql).isEmpty)

      // Claims made before M039: the migration fills their stays from their intake.
      let written = try await stays(db)
      try await M039_ClaimStays().revert(on: db.database)
      // A fill that fails half-way (one intake unreadable) leaves no column behind, so the
      // migration can run again once the row is mended.
      struct Intake: Decodable { let intake: String }
      let intake = try await db.sql.select().column("intake").from("claims").where("number", .equal, edge.number)
        .first(decoding: Intake.self)!.intake
      try await db.sql.update("claims").set("intake", to: "{").where("number", .equal, edge.number).run()
      await #expect(throws: (any Error).self) { try await M039_ClaimStays().prepare(on: db.database) }
      await #expect(throws: (any Error).self) { try await stays(db) }
      try await db.sql.update("claims").set("intake", to: intake).where("number", .equal, edge.number).run()
      try await M039_ClaimStays().prepare(on: db.database)
      #expect(try await stays(db) == written)
      #expect(written.count == 5 && written.allSatisfy { $0.stay_from != nil && $0.stay_to != nil })
    }
  }
}
