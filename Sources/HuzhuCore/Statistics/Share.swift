/// A proportion of two counts or amounts (participation 23,000 of 132,565; a loss ratio), kept
/// exact and rounded only when shown: half up at the stated number of decimals.
public struct Share: Hashable, Sendable, Comparable {
  public let part: Int64
  public let whole: Int64

  public init(_ part: Int64, of whole: Int64) {
    self.part = part
    self.whole = whole
  }

  public init(_ part: Int, of whole: Int) {
    self.init(Int64(part), of: Int64(whole))
  }

  public init(_ part: Money, of whole: Money) {
    self.init(part.fen, of: whole.fen)
  }

  /// No share of nothing: shown as a dash, never as a division by zero.
  public var isDefined: Bool { whole != 0 }

  /// "17.35%": the percentage rounded half up (away from zero) to `decimals` places.
  public func percentText(decimals: Int = 2) -> String {
    guard whole != 0 else { return "—" }
    var scale: Int64 = 100
    for _ in 0..<decimals { scale *= 10 }
    // part × scale / whole, rounded half away from zero, in integers (twice the quotient, so
    // that the half can be rounded; checked, as the part may be any amount).
    let twice = part.multipliedReportingOverflow(by: scale * 2)
    guard !twice.overflow else { return "—" }
    var rounded = twice.partialValue / whole
    rounded = rounded >= 0 ? (rounded + 1) / 2 : (rounded - 1) / 2
    let negative = rounded < 0
    var digits = String(rounded.magnitude)
    if decimals > 0 {
      while digits.count <= decimals { digits.insert("0", at: digits.startIndex) }
      digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
    }
    return (negative ? "-" : "") + digits + "%"
  }

  /// For charts only (a bar's length), never for money.
  public var fraction: Double { whole == 0 ? 0 : Double(part) / Double(whole) }

  public static func < (lhs: Share, rhs: Share) -> Bool {
    // a/b < c/d with positive denominators is a·d < c·b, multiplied at full width.
    let left = lhs.whole == 0 ? Share(0, of: 1) : lhs
    let right = rhs.whole == 0 ? Share(0, of: 1) : rhs
    let a = left.part.multipliedFullWidth(by: right.whole)
    let b = right.part.multipliedFullWidth(by: left.whole)
    return a.high < b.high || (a.high == b.high && a.low < b.low)
  }
}
