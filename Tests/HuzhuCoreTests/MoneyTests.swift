import Foundation
import HuzhuCore
import Testing

@Suite("Money")
struct MoneyTests {
  @Test func formatsAsPagesAndFilesWriteIt() {
    #expect(Money(fen: 123_456).formatted == "¥1,234.56")
    #expect(Money(fen: 123_456).decimalString == "1234.56")
    #expect(Money(fen: 5).decimalString == "0.05")
    #expect(Money(fen: -1_000_050).formatted == "-¥10,000.50")
    #expect(Money(yuan: 4_430_790).formatted == "¥4,430,790.00")
    #expect(Money.zero.formatted == "¥0.00")
    #expect(Money(fen: 100).formatted == "¥1.00")
  }

  @Test(arguments: [
    ("1234.56", Int64(123_456)), ("1,234.56", 123_456), ("¥1234.5", 123_450), ("￥7134.87", 713_487),
    ("60", 6000), ("-3.20", -320), (" 0.05 ", 5), ("0.5", 50), ("-0.05", -5), ("007", 700),
    ("999999999999999.99", 99_999_999_999_999_999),
  ])
  func parsesYuan(text: String, fen: Int64) {
    #expect(Money(yuan: text) == Money(fen: fen))
  }

  @Test(arguments: [
    "", "abc", "1.234", "1.", ".5", "1e3", "--1", "12.3.4", "1 000", "-", "1.2a", "1234567890123456", "١٢", "12.-5",
    // Twenty digits and more overflowed Int64 while being read (a trap that stopped the server).
    "99999999999999999999.00", "-99999999999999999999", String(repeating: "9", count: 400),
    "123456789012345678901234567890",
  ])
  func rejectsWhatIsNotAnAmount(text: String) {
    #expect(Money(yuan: text) == nil)
  }

  /// Forms read amounts as people type them; files and the API do not.
  @Test(arguments: [
    ("6500元", Int64(650_000)), ("6,500.50 元", 650_050), ("６５００", 650_000), ("６，５００．５元", 650_050),
    ("￥１２．３０", 1_230), (" 60 ", 6_000),
  ])
  func readsTypedAmounts(text: String, fen: Int64) {
    #expect(Money(typed: text) == Money(fen: fen))
    #expect(Money(yuan: text) == nil || text == " 60 ")
  }

  @Test(arguments: ["元", "65元00", "6500元元", "六千五百", "1.234元", "９９９９９９９９９９９９９９９９９９９９", "6500 yuan"])
  func refusesTypedTextThatIsNotAnAmount(text: String) {
    #expect(Money(typed: text) == nil)
  }

  @Test func encodesAsDecimalStringInJSON() throws {
    let data = try JSONEncoder().encode(["total": Money(fen: 130_000)])
    #expect(String(decoding: data, as: UTF8.self) == #"{"total":"1300.00"}"#)
    let decoded = try JSONDecoder().decode([String: Money].self, from: Data(#"{"a":"71691.16"}"#.utf8))
    #expect(decoded["a"] == Money(fen: 7_169_116))
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode([String: Money].self, from: Data(#"{"a":"1.005"}"#.utf8))
    }
  }

  @Test func multipliesByRatesWithOneExplicitRounding() {
    // 3.33 × 50% = 1.665: half-up gives 1.67, half-even 1.66, down 1.66, up 1.67.
    let amount = Money(fen: 333)
    let half = Rate(percent: 50)
    #expect(amount.multiplied(by: half, rounding: .halfUp) == Money(fen: 167))
    #expect(amount.multiplied(by: half, rounding: .halfEven) == Money(fen: 166))
    #expect(amount.multiplied(by: half, rounding: .down) == Money(fen: 166))
    #expect(amount.multiplied(by: half, rounding: .up) == Money(fen: 167))
    // Anyang: 1,000 at 30% and 2,000 at 50%.
    #expect(Money(yuan: 1000).multiplied(by: Rate(percent: 30), rounding: .halfUp) == Money(yuan: 300))
    // Yichun's "20% of 60%" is 12% exactly, applied once.
    let yichun = Rate(text: "20%*60%")!
    #expect(yichun == Rate(percent: 12))
    #expect(Money(fen: 12_345).multiplied(by: yichun, rounding: .halfUp) == Money(fen: 1481))  // 1481.4
  }

  @Test func largeAmountsTimesFineRatesDoNotOverflow() {
    // 10,000,000,000 fen × 12,345,678 would overflow 64 bits before dividing by 10^8.
    // Twelve-digit factors whose product passes 64 bits are refused, not trapped on; a long
    // product that fits prints as a fraction.
    #expect(Rate(text: "99999999999%*99999999999%") == nil)
    #expect(Rate(text: "0.999999*0.999999*0.999999*0.999999") == nil)
    #expect(Rate(text: "0.123457%*0.123457%*0.1")?.percentText.contains("/") == true)
    let rate = Rate(text: "12.345678%")!
    #expect(Money(yuan: 100_000_000).multiplied(by: rate, rounding: .halfUp) == Money(fen: 1_234_567_800))
    #expect(Money(yuan: -100_000_000).multiplied(by: rate, rounding: .halfUp) == Money(fen: -1_234_567_800))
    #expect(Money(fen: -333).multiplied(by: Rate(percent: 50), rounding: .halfUp) == Money(fen: -167))
    #expect(Money(fen: -333).multiplied(by: Rate(percent: 50), rounding: .halfEven) == Money(fen: -166))
  }

  @Test func allocationSplitsWithoutLosingAFen() {
    let parts = Money(fen: 1000).allocated(into: 3)
    #expect(parts == [Money(fen: 334), Money(fen: 333), Money(fen: 333)])
    #expect(parts.reduce(.zero, +) == Money(fen: 1000))
  }

  @Test func clampsNegativeBasesAtZero() {
    #expect((Money(yuan: 5) - Money(yuan: 8)).clampedAtZero == .zero)
    #expect(Money(yuan: 5).clampedAtZero == Money(yuan: 5))
  }
}

@Suite("Rounding rules")
struct RoundingRuleTests {
  @Test(arguments: [
    // (numerator, denominator, halfUp, halfEven, down, up)
    (Int64(5), Int64(2), Int64(3), Int64(2), Int64(2), Int64(3)),
    (7, 2, 4, 4, 3, 4),
    (-5, 2, -3, -2, -2, -3),
    (10, 3, 3, 3, 3, 4),
    (11, 3, 4, 4, 3, 4),
    (9, 3, 3, 3, 3, 3),
  ])
  func roundsEachWayAsDeclared(
    numerator: Int64, denominator: Int64, halfUp: Int64, halfEven: Int64, down: Int64, up: Int64
  ) {
    #expect(RoundingRule.halfUp.divide(numerator, by: denominator) == halfUp)
    #expect(RoundingRule.halfEven.divide(numerator, by: denominator) == halfEven)
    #expect(RoundingRule.down.divide(numerator, by: denominator) == down)
    #expect(RoundingRule.up.divide(numerator, by: denominator) == up)
  }
}

@Suite("Rates")
struct RateTests {
  @Test(arguments: [
    ("30%", "30%"), ("0.3", "30%"), ("12.5%", "12.5%"), ("20%*60%", "12%"), ("100%", "100%"), ("0%", "0%"),
    ("0.125", "12.5%"),
  ])
  func parsesAndPrintsRuleText(text: String, printed: String) {
    #expect(Rate(text: text)?.percentText == printed)
  }

  @Test(arguments: ["", "%", "abc", "30%%", "-5%", "1.2.3", "30% * "])
  func rejectsMalformedRates(text: String) {
    #expect(Rate(text: text) == nil)
  }

  @Test func comparesExactly() {
    #expect(Rate(1, over: 3) < Rate(percent: 34))
    #expect(Rate(2, over: 6) == Rate(1, over: 3))
    #expect(Rate(1, over: 3).percentText == "1/3")
  }
}

/// Financial capitals keep 壹 before 拾 (壹拾元, not 拾元) so that no digit can be added in front.
@Suite("Money in Chinese capitals")
struct ChineseCapitalsTests {
  @Test(
    arguments: [
      (9000, "玖拾元整"), (0, "零元整"), (5, "伍分"), (50, "伍角整"), (10005, "壹佰元零伍分"),
      (130050, "壹仟叁佰元伍角整"), (443_079_000, "肆佰肆拾叁万零柒佰玖拾元整"), (101000, "壹仟零壹拾元整"),
      (1_000_500, "壹万零伍元整"), (10_000_000_100, "壹亿零壹元整"), (3_171_400, "叁万壹仟柒佰壹拾肆元整"),
      (-12345, "负壹佰贰拾叁元肆角伍分"), (100_000_000_000, "壹拾亿元整"),
    ] as [(Int64, String)])
  func capitals(fen: Int64, expected: String) {
    #expect(Money(fen: fen).chineseCapitals == expected)
  }
}

@Suite("Money in Chinese capitals")
struct ChineseCapitalTests {
  @Test(arguments: [
    (0, "零元整"), (5, "伍分"), (50, "伍角"), (80_000, "捌佰元整"), (100_530, "壹仟零伍元叁角"),
    (1_000_050, "壹万元伍角"), (1_000_005, "壹万元零伍分"), (10_010_000, "壹拾万零壹佰元整"),
    (123_456_789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"), (100_000_000_00, "壹亿元整"),
    (100_001_000_00, "壹亿零壹仟元整"), (1_234_000_000, "壹仟贰佰叁拾肆万元整"), (300_000, "叁仟元整"),
    (-12_50, "负壹拾贰元伍角"), (1_001_00, "壹仟零壹元整"), (1_010_00, "壹仟零壹拾元整"), (1_100_00, "壹仟壹佰元整"),
  ])
  func amountsReadAsOnAPaymentNotice(fen: Int64, capital: String) {
    #expect(Money(fen: fen).chineseCapital == capital)
  }
}
