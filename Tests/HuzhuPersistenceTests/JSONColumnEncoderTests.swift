import Foundation
import HuzhuCore
import Testing

@testable import HuzhuPersistence

/// The JSON columns' encoder writes exactly what Foundation's sorted encoder writes, so that a
/// row reads, compares and hashes the same whichever wrote it.
@Suite("JSON column encoder")
struct JSONColumnEncoderTests {
  func foundation<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self)
  }

  func expectSame<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (ours, theirs) = (try JSONColumnEncoder.text(value), try foundation(value))
    #expect(ours == theirs, sourceLocation: sourceLocation)
  }

  enum Shape: Codable {
    case none
    case circle(radius: Int)
    case labelled(String, [String: Int?])
  }

  struct Everything: Codable {
    var text = "a/b \"q\" \\ 中文 😀 \u{7f} \u{2028}"
    var flag = true
    var count = Int.min
    var big = UInt64.max
    var small: Int8 = -128
    var ratio = 0.1
    var whole = 3.0
    var tiny = 1e-7
    var huge = 1.2345678901234568e+16
    var single: Float = 1.1
    var missing: String? = nil
    var present: String? = "x"
    var nothing: Int?? = .some(nil)
    var when = Date(timeIntervalSinceReferenceDate: 12_345.678)
    var bytes = Data([1, 2, 3, 255])
    var link = URL(string: "https://example.com/a?b=1")!
    var exact = Decimal(string: "-12.50")!
    var shapes: [Shape] = [.none, .circle(radius: 2), .labelled("一", ["b": 1, "a": nil])]
    var table: [String: [Int]] = ["医疗费总额": [1], "个人现金支付": [], "B": [2], "a10": [3], "a9": [4], "_": [5]]
    var numbered: [Int: String] = [10: "b", 2: "a", -1: "c"]
    var nested: [[[String]]] = [[[]], [["x", "y"]]]
    var empty: [String: String] = [:]
    var money = Money(fen: -123_456)
    var day = CalendarDate(year: 2020, month: 2, day: 29)!
    var id = UUID()
  }

  @Test func everyKindOfValueIsWrittenAsFoundationWritesIt() throws {
    try expectSame(Everything())
    try expectSame("top level")
    try expectSame(Optional<Int>.none)
    try expectSame([Double.leastNonzeroMagnitude, -0.0, 5e-324, 1e300, 123_456_789.123])
    try expectSame([Everything(), Everything()])
  }

  @Test func everyCharacterIsEscapedAsFoundationEscapesIt() throws {
    let ascii = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init)))
    try expectSame([ascii: ascii])
    var random = SystemRandomNumberGenerator()
    let pool: [ClosedRange<UInt32>] = [0...0x7f, 0x80...0x7ff, 0x4e00...0x9fff, 0x1f600...0x1f64f, 0xfeff...0xfeff]
    for _ in 0..<300 {
      let scalars = (0..<Int.random(in: 0...24, using: &random)).compactMap { _ in
        Unicode.Scalar(UInt32.random(in: pool.randomElement(using: &random)!, using: &random))
      }
      let text = String(String.UnicodeScalarView(scalars))
      try expectSame([text: [text]])
    }
  }

  @Test func nonFiniteNumbersAreRefusedAsFoundationRefusesThem() {
    #expect(throws: EncodingError.self) { try JSONColumnEncoder.text([Double.nan]) }
    #expect(throws: EncodingError.self) { try foundation([Double.nan]) }
    #expect(throws: EncodingError.self) { try JSONColumnEncoder.text(["a": Double.infinity]) }
  }

  /// The coding path is built only for an error (not for every value): it still names the place.
  @Test func aRefusedNumberIsNamedByItsPath() {
    struct Holder: Encodable {
      var money = Money(fen: 1)
      var outer: [[String: [Double]]] = [["a": [1.0, .nan]]]
    }
    func path(_ body: () throws -> Void) -> [String] {
      do {
        try body()
        return []
      } catch EncodingError.invalidValue(_, let context) {
        return context.codingPath.map(\.stringValue)
      } catch {
        return ["unexpected \(error)"]
      }
    }
    let ours = path { _ = try JSONColumnEncoder.text(Holder()) }
    #expect(ours == ["outer", "Index 0", "a", "Index 1"])
    #expect(ours == path { _ = try foundation(Holder()) })
  }
}
