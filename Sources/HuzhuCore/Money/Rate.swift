import Foundation

/// An exact proportion such as 30%, 12.5% or "20% of 60%", kept as a reduced fraction so
/// that applying it to money involves exactly one rounding.
public struct Rate: Hashable, Sendable, Comparable {
  public let numerator: Int64
  public let denominator: Int64

  public init(_ numerator: Int64, over denominator: Int64) {
    precondition(denominator != 0, "a rate needs a non-zero denominator")
    let sign: Int64 = denominator < 0 ? -1 : 1
    let divisor = Self.gcd(numerator.magnitude, denominator.magnitude)
    self.numerator = sign * numerator / Int64(divisor)
    self.denominator = sign * denominator / Int64(divisor)
  }

  /// `Rate(percent: 30)` is 30%.
  public init(percent: Int64) {
    self.init(percent, over: 100)
  }

  public static let zero = Rate(0, over: 1)
  public static let one = Rate(1, over: 1)

  /// Rates compose by multiplication: `20% × 60%` is 12%.
  public static func * (lhs: Rate, rhs: Rate) -> Rate {
    Rate(lhs.numerator * rhs.numerator, over: lhs.denominator * rhs.denominator)
  }

  public static func < (lhs: Rate, rhs: Rate) -> Bool {
    lhs.numerator * rhs.denominator < rhs.numerator * lhs.denominator
  }

  public var isNegative: Bool { numerator < 0 }

  /// The sum (percentage points added), or nil past 64 bits.
  public func adding(_ other: Rate) -> Rate? {
    let (left, leftOverflow) = numerator.multipliedReportingOverflow(by: other.denominator)
    let (right, rightOverflow) = other.numerator.multipliedReportingOverflow(by: denominator)
    let (denominator, denominatorOverflow) = denominator.multipliedReportingOverflow(by: other.denominator)
    guard !leftOverflow, !rightOverflow, !denominatorOverflow else { return nil }
    let (sum, sumOverflow) = left.addingReportingOverflow(right)
    guard !sumOverflow else { return nil }
    return Rate(sum, over: denominator)
  }

  /// Parses `30%`, `12.5%`, `0.3` or `20%*60%` (a product of factors, as rule texts write it).
  public init?(text: String) {
    var result = Rate.one
    let factors = text.split(separator: "*", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces) }
    for factor in factors {
      // Factors of twelve digits each overflow 64 bits when multiplied: refused, not trapped.
      guard let rate = Rate.parseFactor(factor) else { return nil }
      let numerator = result.numerator.multipliedReportingOverflow(by: rate.numerator)
      let denominator = result.denominator.multipliedReportingOverflow(by: rate.denominator)
      guard !numerator.overflow, !denominator.overflow else { return nil }
      result = Rate(numerator.partialValue, over: denominator.partialValue)
    }
    self = result
  }

  private static func parseFactor(_ text: String) -> Rate? {
    guard !text.isEmpty else { return nil }
    var body = Substring(text)
    var scale: Int64 = 1
    if body.hasSuffix("%") {
      body = body.dropLast()
      scale = 100
    }
    let parts = body.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), !parts[0].isEmpty,
      parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
      parts.count == 1 || (1...6).contains(parts[1].count),
      body.count <= 12
    else { return nil }
    let decimals = parts.count == 2 ? parts[1].count : 0
    guard let digits = Int64(parts.joined()) else { return nil }
    var denominator = scale
    for _ in 0..<decimals { denominator *= 10 }
    return Rate(digits, over: denominator)
  }

  /// `30%`, `12.5%`, or a fraction when no short decimal form exists.
  public var percentText: String {
    // Products of long factors have large terms: past 64 bits, the fraction is shown as it is.
    var (scaled, overflow) = numerator.multipliedReportingOverflow(by: 100)
    var decimals = 0
    while !overflow && scaled % denominator != 0 && decimals < 6 {
      (scaled, overflow) = scaled.multipliedReportingOverflow(by: 10)
      decimals += 1
    }
    guard !overflow, scaled % denominator == 0 else { return "\(numerator)/\(denominator)" }
    let value = scaled / denominator
    if decimals == 0 { return "\(value)%" }
    var digits = String(value.magnitude)
    while digits.count <= decimals { digits.insert("0", at: digits.startIndex) }
    digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
    return "\(value < 0 ? "-" : "")\(digits)%"
  }

  private static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x == 0 ? 1 : x
  }
}

extension Rate: CustomStringConvertible {
  public var description: String { percentText }
}

/// Encoded as text (`"30%"`, `"20%*60%"`): the form union staff write in rule documents.
extension Rate: Codable {
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let rate = Rate(text: text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "expected a rate such as \"30%\", \"0.3\" or \"20%*60%\"")
    }
    self = rate
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(percentText)
  }
}
