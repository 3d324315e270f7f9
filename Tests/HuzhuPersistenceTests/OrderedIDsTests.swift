import Foundation
import Testing

@testable import HuzhuPersistence

@Suite("Ordered IDs")
struct OrderedIDsTests {
  @Test("each ID sorts after the one before, as text and as bytes, and is a version 7 UUID")
  func increasing() {
    var ids = OrderedIDs(at: Date(timeIntervalSince1970: 1_600_000_000.123))
    let made = (0..<1_000).map { _ in ids.next() }
    #expect(Set(made).count == made.count)
    let texts = made.map(\.uuidString)
    #expect(texts == texts.sorted())
    let bytes = made.map { id in withUnsafeBytes(of: id.uuid) { Array($0) } }
    #expect(bytes == bytes.sorted { $0.lexicographicallyPrecedes($1) })
    for id in bytes {
      #expect(id[6] >> 4 == 7)  // version
      #expect(id[8] >> 6 == 0b10)  // variant
      // The milliseconds, big-endian, in the first six bytes.
      #expect(id[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 1_600_000_000_123)
    }
    // A later generation sorts after an earlier one.
    var later = OrderedIDs(at: Date(timeIntervalSince1970: 1_600_000_000.124))
    #expect(later.next().uuidString > texts.last!)
  }
}
