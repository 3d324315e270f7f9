import Foundation

/// Identifiers in increasing order for the bulk writers: UUID version 7 (RFC 9562), the
/// generation's millisecond followed by a counter that starts at a random value (the RFC's
/// "monotonic random" method), so every ID of one generation sorts after the one before.
///
/// Why: the primary keys and the unique keys that lead with an ID are B-trees. Random
/// version 4 IDs put each of millions of new rows at a random leaf, and once those trees
/// outgrow the database's cache every insert reads a page back from disk. In order, each
/// insert lands on the last leaf. Text (SQLite, upper-case hex) and `uuid` (PostgreSQL,
/// bytes) both compare these in the order they were made.
struct OrderedIDs {
  /// Bytes 0–5: milliseconds since 1970; byte 6: version 7 and 4 fixed random bits; byte 7:
  /// 8 fixed random bits.
  private let high: UInt64
  /// The variant (binary 10) and a 62-bit counter.
  private var low: UInt64

  init(at date: Date = Date()) {
    var generator = SystemRandomNumberGenerator()
    let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
    high = milliseconds << 16 | 0x7000 | UInt64.random(in: 0..<0x1000, using: &generator)
    // A random start below 2^40 leaves 2^62 − 2^40 values to count through: no overflow into
    // the variant bits in any generation.
    low = UInt64.random(in: 0..<(1 << 40), using: &generator)
  }

  mutating func next() -> UUID {
    low += 1
    let variantAndCounter = 0x8000_0000_0000_0000 | low
    var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &bytes) { buffer in
      buffer.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
      buffer.storeBytes(of: variantAndCounter.bigEndian, toByteOffset: 8, as: UInt64.self)
    }
    return UUID(uuid: bytes)
  }
}
