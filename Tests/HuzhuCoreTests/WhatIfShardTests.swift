import Foundation
import Testing

@testable import HuzhuCore

@Suite("What-if shards")
struct WhatIfShardTests {
  /// Version 7 IDs made in one millisecond: one first half, a counter in the second.
  static func timeOrdered(_ count: Int) -> [UUID] {
    (0..<count).map { counter in
      var bytes: uuid_t = (0x01, 0xA2, 0x3B, 0xCD, 0x12, 0x67, 0x7E, 0x4E, 0x80, 0, 0, 0, 0, 0, 0, 0)
      withUnsafeMutableBytes(of: &bytes) { buffer in
        buffer.storeBytes(
          of: (UInt64(0x8000_0000_0000_0000) | UInt64(counter)).bigEndian, toByteOffset: 8, as: UInt64.self)
      }
      return UUID(uuid: bytes)
    }
  }

  @Test("members spread over the shards whether their IDs are random or time-ordered", arguments: [2, 3, 4])
  func spread(shards: Int) {
    for members in [Self.timeOrdered(10_000), (0..<10_000).map { _ in UUID() }] {
      var counts = [Int](repeating: 0, count: shards)
      for (index, member) in members.enumerated() {
        let position = WhatIf.Tally.Position(
          index, member: Worker.ID(member), decidedOn: CalendarDate(year: 2020, month: 1, day: 1)!)
        counts[position.shard(of: shards)] += 1
      }
      // Each shard within a fifth of its even share.
      for count in counts { #expect(abs(count - 10_000 / shards) < 10_000 / shards / 5, "\(counts)") }
    }
  }

  static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

  static func simulationCase(
    _ number: String, member: Worker.ID, decidedOn: CalendarDate, cover: [HeldCover] = [], eventOn: CalendarDate? = nil
  ) -> SimulationCase {
    SimulationCase(
      claimNumber: number, memberID: member, unitID: nil,
      member: MemberFacts(birthDate: day("1980-01-01"), gender: .female, cover: []), cover: cover,
      event: ClaimEvent(admissionDate: eventOn, dischargeDate: eventOn, claimDate: eventOn ?? decidedOn),
      decidedOn: decidedOn, paid: .zero)
  }

  @Test("a shard is ordered member by member, each member's claims by the day decided, then by number")
  func ordered() {
    // Most members have one claim and forty have many, so buckets hold several claims, of one
    // member or of several. The answer is checked against sorting the whole shard by comparison.
    var random = SplitMix64(seed: 2026_12_06)
    let members = (0..<700).map { _ in Worker.ID() }
    let cases = (0..<3_000).map { index in
      let member = members[index < members.count ? index : Int(random.next() % 40)]
      let decided = Self.day("2020-01-01").adding(days: Int(random.next() % 30))
      return Self.simulationCase("LP-\(random.next() % 100_000)", member: member, decidedOn: decided)
    }
    let shard = cases.indices.map {
      WhatIf.Tally.Position($0, member: cases[$0].memberID, decidedOn: cases[$0].decidedOn)
    }
    let ordered = cases.withUnsafeBufferPointer { WhatIf.Tally.Position.ordered(shard, in: $0) }
    let expected = shard.sorted { lhs, rhs in
      let (left, right) = (cases[Int(lhs.index)], cases[Int(rhs.index)])
      if lhs.mixed != rhs.mixed { return lhs.mixed < rhs.mixed }
      if left.memberID != right.memberID {
        return WhatIf.Tally.Position.halves(left.memberID) < WhatIf.Tally.Position.halves(right.memberID)
      }
      return (left.decidedOn, left.claimNumber) < (right.decidedOn, right.claimNumber)
    }
    #expect(ordered.map(\.index) == expected.map(\.index))
    #expect(Set(ordered.map(\.index)).count == cases.count)
    // Each member's claims lie together.
    var seen: Set<Worker.ID> = []
    var previous: Worker.ID?
    for position in ordered {
      let member = cases[Int(position.index)].memberID
      if member != previous {
        #expect(!seen.contains(member), "a member's claims split")
        seen.insert(member)
        previous = member
      }
    }
    #expect(cases.withUnsafeBufferPointer { WhatIf.Tally.Position.ordered([], in: $0) }.isEmpty)
    #expect(
      cases.withUnsafeBufferPointer { WhatIf.Tally.Position.ordered(Array(shard.prefix(1)), in: $0) }.map(\.index) == [
        0
      ])
  }

  @Test("a case is judged under the cover in force on its event's day, its membership years counted")
  func judgedCover() {
    let member = Worker.ID()
    let first = HeldCover(
      period: CoveragePeriod(start: Self.day("2019-01-01"), end: Self.day("2019-12-31")),
      facts: CoverFacts(product: "p", start: Self.day("2019-01-01"), end: Self.day("2019-12-31")))
    let second = HeldCover(
      period: CoveragePeriod(start: Self.day("2020-01-01"), end: Self.day("2020-12-31")),
      facts: CoverFacts(product: "p", start: Self.day("2020-01-01"), end: Self.day("2020-12-31")))
    let renewed = Self.simulationCase(
      "LP-1", member: member, decidedOn: Self.day("2020-07-01"), cover: [first, second], eventOn: Self.day("2020-06-01")
    )
    var counted = second.facts
    counted.consecutiveYears = 2
    #expect(renewed.judgedCover == .one(HeldCover(period: second.period, facts: counted)))
    // An event outside every period is judged under all of it (each benefit says "not covered").
    let outside = Self.simulationCase(
      "LP-2", member: member, decidedOn: Self.day("2021-07-01"), cover: [first, second], eventOn: Self.day("2021-06-01")
    )
    #expect(outside.judgedCover == .many([first, second]))
    let single = Self.simulationCase(
      "LP-3", member: member, decidedOn: Self.day("2019-07-01"), cover: [first], eventOn: Self.day("2019-06-01"))
    #expect(single.judgedCover == .one(first))
  }
}
