/// A small seeded random number generator (SplitMix64): the demo history and the benchmarks
/// draw from it so that every run builds the same data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  public mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
  public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}

extension SplitMix64 {
  /// `total` split into `count` sizes, none below `minimum`: skewed, a few large and many
  /// small (a weight is 1 + the product of two draws below `spread`), like units' headcounts.
  public mutating func sizes(total: Int, count: Int, minimum: Int, spread: Int = 20) -> [Int] {
    guard count > 0 else { return [] }
    let weights = (0..<count).map { _ in 1 + int(0..<spread) * int(0..<spread) }
    let sum = weights.reduce(0, +)
    let spare = max(0, total - minimum * count)
    var sizes = weights.map { minimum + spare * $0 / sum }
    var index = 0
    while sizes.reduce(0, +) < total {
      sizes[index % count] += 1
      index += 1
    }
    return sizes
  }
}
