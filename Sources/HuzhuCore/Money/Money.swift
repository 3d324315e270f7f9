import Foundation

/// An amount of renminbi held as whole fen (分), the smallest unit the schemes pay in.
///
/// Never a floating-point number: every operation that could produce a fraction of a fen
/// takes an explicit ``RoundingRule``.
public struct Money: Hashable, Comparable, Sendable {
  /// The amount in fen. 1 yuan = 100 fen.
  public let fen: Int64

  public init(fen: Int64) {
    self.fen = fen
  }

  /// Whole yuan, e.g. `Money(yuan: 60)` for a 60-yuan contribution.
  public init(yuan: Int64) {
    self.fen = yuan * 100
  }

  public static let zero = Money(fen: 0)

  public var isZero: Bool { fen == 0 }
  public var isNegative: Bool { fen < 0 }

  public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

  public static func + (lhs: Money, rhs: Money) -> Money { Money(fen: lhs.fen + rhs.fen) }
  public static func - (lhs: Money, rhs: Money) -> Money { Money(fen: lhs.fen - rhs.fen) }
  public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }
  public static func -= (lhs: inout Money, rhs: Money) { lhs = lhs - rhs }
  public static prefix func - (value: Money) -> Money { Money(fen: -value.fen) }

  /// Multiplication by a whole count (members × price, shares × amount) is exact.
  public static func * (lhs: Money, rhs: Int64) -> Money { Money(fen: lhs.fen * rhs) }

  /// The amount never below zero: a base "total minus paid" cannot be negative.
  public var clampedAtZero: Money { fen < 0 ? .zero : self }

  /// This amount times an exact rate, rounded to the fen by `rounding`.
  ///
  /// The product is formed in 128 bits, so a large amount times a finely written rate
  /// (¥100,000,000 × 12.345678%) cannot overflow on the way to a result that fits.
  public func multiplied(by rate: Rate, rounding: RoundingRule) -> Money {
    let product = fen.multipliedFullWidth(by: rate.numerator)
    let (quotient, remainder) = rate.denominator.dividingFullWidth(product)
    return Money(fen: rounding.adjust(quotient: quotient, remainder: remainder, denominator: rate.denominator))
  }

  /// Splits the amount into `parts` shares that differ by at most one fen and add up exactly.
  public func allocated(into parts: Int) -> [Money] {
    precondition(parts > 0, "cannot allocate into \(parts) parts")
    let count = Int64(parts)
    let base = fen / count
    let remainder = Int(fen - base * count)
    return (0..<parts).map { Money(fen: base + ($0 < remainder ? 1 : 0)) }
  }
}

extension Money {
  /// `1234.56`: plain yuan with two decimals, as in CSV files and the JSON API.
  public var decimalString: String {
    let sign = fen < 0 ? "-" : ""
    let magnitude = fen.magnitude
    let fraction = magnitude % 100
    return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }

  /// `¥1,234.56`: grouped, with the yuan sign, as on pages and printed reports.
  public var formatted: String {
    let sign = fen < 0 ? "-" : ""
    let magnitude = fen.magnitude
    let fraction = magnitude % 100
    return "\(sign)¥\(Grouping.digits(magnitude / 100)).\(fraction < 10 ? "0" : "")\(fraction)"
  }

  /// An amount as people type it into a form: what ``init(yuan:)`` reads, also with a trailing
  /// `元` ("6500元", "6,500.50 元") and in full-width digits ("６５００．５０", as a Chinese
  /// input method may give them). Files and the API keep the strict form.
  public init?(typed text: String) {
    var body = text.trimmingCharacters(in: .whitespaces)
    if body.hasSuffix("元") { body = String(body.dropLast()).trimmingCharacters(in: .whitespaces) }
    let halfWidth = String(
      String.UnicodeScalarView(
        body.unicodeScalars.map { scalar in
          switch scalar.value {
          case 0xFF10...0xFF19, 0xFF0C, 0xFF0E, 0xFFE5:
            // ０–９, ，, ． and ￥ to their ASCII (or ¥) forms; ￥ is read as it is anyway.
            scalar.value == 0xFFE5 ? scalar : Unicode.Scalar(scalar.value - 0xFEE0)!
          default: scalar
          }
        }))
    self.init(yuan: halfWidth)
  }

  /// Parses yuan written as `1234`, `1234.5`, `1,234.56`, `¥1234.56` or `-3.20`.
  ///
  /// Returns nil for anything else, including more than two decimals: a third decimal in a
  /// settlement figure is a typing error, not something to round silently.
  public init?(yuan text: String) {
    if let fen = Self.plainFen(text) {
      self.init(fen: fen)
      return
    }
    var body = Substring(text.trimmingCharacters(in: .whitespaces))
    var negative = false
    if body.first == "-" {
      negative = true
      body = body.dropFirst()
    }
    if body.first == "¥" || body.first == "￥" { body = body.dropFirst() }
    let parts = body.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 1 || parts.count == 2 else { return nil }
    let integerPart = parts[0].filter { $0 != "," }
    guard !integerPart.isEmpty, integerPart.allSatisfy(\.isASCIIDigit),
      integerPart.count <= 15, let yuan = Int64(integerPart)
    else { return nil }
    var fraction: Int64 = 0
    if parts.count == 2 {
      let fractionDigits = parts[1]
      guard (1...2).contains(fractionDigits.count), fractionDigits.allSatisfy(\.isASCIIDigit)
      else { return nil }
      fraction = Int64(fractionDigits)! * (fractionDigits.count == 1 ? 10 : 1)
    }
    let total = yuan * 100 + fraction
    self.init(fen: negative ? -total : total)
  }
}

extension Money {
  /// The common case read back from JSON and the database, `-?digits(.d{1,2})?` in ASCII,
  /// straight from the bytes; nil for anything else, which the general reading decides.
  static func plainFen(_ text: String) -> Int64? {
    var text = text
    return text.withUTF8 { bytes -> Int64? in
      var index = 0
      var negative = false
      if bytes.first == UInt8(ascii: "-") {
        negative = true
        index = 1
      }
      var yuan: Int64 = 0
      var integerDigits = 0
      while index < bytes.count, bytes[index] &- 48 < 10 {
        // No amount has more than 15 digits of yuan: say no before the 19th overflows Int64.
        guard integerDigits < 15 else { return nil }
        yuan = yuan * 10 + Int64(bytes[index] &- 48)
        integerDigits += 1
        index += 1
      }
      guard (1...15).contains(integerDigits) else { return nil }
      var fraction: Int64 = 0
      if index < bytes.count {
        guard bytes[index] == UInt8(ascii: "."), bytes.count - index - 1 == 1 || bytes.count - index - 1 == 2 else {
          return nil
        }
        for position in (index + 1)..<bytes.count {
          guard bytes[position] &- 48 < 10 else { return nil }
          fraction = fraction * 10 + Int64(bytes[position] &- 48)
        }
        if bytes.count - index - 1 == 1 { fraction *= 10 }
      }
      let total = yuan * 100 + fraction
      return negative ? -total : total
    }
  }
}

extension Money: CustomStringConvertible {
  public var description: String { formatted }
}

/// Encoded as a decimal string in yuan (`"1300.00"`) so that no JSON client reads it as a
/// binary floating-point number.
extension Money: Codable {
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let value = Money(yuan: text) else {
      throw DecodingError.dataCorruptedError(
        in: container,
        debugDescription: "expected an amount in yuan with at most two decimals, e.g. \"1234.56\"")
    }
    self = value
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(decimalString)
  }
}

extension Character {
  // Compared as a byte: `isNumber` asks the Unicode tables, which showed in profiles of
  // reading hundreds of thousands of dates and amounts.
  var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}

extension Money {
  /// The amount in Chinese financial capitals, as receipts and certificates print it:
  /// 90.00 → 玖拾元整, 4430790.00 → 肆佰肆拾叁万零柒佰玖拾元整, 100.05 → 壹佰元零伍分.
  public var chineseCapitals: String {
    let digits = Array("零壹贰叁肆伍陆柒捌玖")
    let magnitude = fen.magnitude
    let yuan = magnitude / 100
    let jiao = Int(magnitude / 10 % 10)
    let cents = Int(magnitude % 10)

    func group(_ value: Int) -> String {
      var text = ""
      var pendingZero = false
      for (position, unit) in [(1000, "仟"), (100, "佰"), (10, "拾"), (1, "")] {
        let digit = value / position % 10
        if digit == 0 {
          pendingZero = pendingZero || !text.isEmpty
        } else {
          if pendingZero { text.append("零") }
          pendingZero = false
          text += String(digits[digit]) + unit
        }
      }
      return text
    }

    var groups: [Int] = []
    var rest = yuan
    repeat {
      groups.insert(Int(rest % 10_000), at: 0)
      rest /= 10_000
    } while rest > 0
    let sections = ["", "万", "亿", "万亿"]
    var text = ""
    var needZero = false
    for (index, value) in groups.enumerated() {
      let section = sections[groups.count - 1 - index]
      if value == 0 {
        needZero = !text.isEmpty
        continue
      }
      if !text.isEmpty && (value < 1000 || needZero) { text.append("零") }
      text += group(value) + section
      needZero = false
    }
    if yuan > 0 { text += "元" }
    if jiao == 0 && cents == 0 { return (fen < 0 ? "负" : "") + (yuan == 0 ? "零元整" : text + "整") }
    if jiao > 0 { text += String(digits[jiao]) + "角" }
    if cents > 0 {
      if jiao == 0 && yuan > 0 { text.append("零") }
      text += String(digits[cents]) + "分"
    } else {
      text += "整"
    }
    return (fen < 0 ? "负" : "") + text
  }
}

/// Digits in groups of three (`1,234,567`), the one way amounts and counts are written.
enum Grouping {
  static func digits<Number: UnsignedInteger>(_ magnitude: Number) -> String {
    var digits = String(magnitude)
    var groups: [Substring] = []
    while digits.count > 3 {
      groups.insert(digits.suffix(3)[...], at: 0)
      digits.removeLast(3)
    }
    groups.insert(digits[...], at: 0)
    return groups.joined(separator: ",")
  }
}

extension Int {
  /// The count with its thousands grouped, as pages write counts: `1,667`.
  public var grouped: String { (self < 0 ? "-" : "") + Grouping.digits(magnitude) }
}
