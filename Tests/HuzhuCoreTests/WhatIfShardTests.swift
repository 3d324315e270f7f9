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
}
