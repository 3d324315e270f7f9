import Foundation
import Testing

@testable import HuzhuPersistence

@Suite("Literal inserter")
struct LiteralInserterTests {
  @Test("an ID is written as Foundation writes it")
  func idText() {
    var ids = OrderedIDs()
    for id in [UUID(), UUID(), ids.next(), UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 254, 255))] {
      #expect(LiteralInserter.text(of: id) == id.uuidString)
    }
  }
}

@Suite("Literal inserter, PostgreSQL's COPY fields")
struct CopyFieldTests {
  func field(_ value: LiteralInserter.Value) -> String {
    var data = ""
    LiteralInserter.writeField(value, into: &data)
    return data
  }

  @Test("separators and backslashes are escaped, NULL is \\N, bytes are bytea's escaped hex")
  func fields() {
    #expect(field(.text("王秀英")) == "王秀英")
    #expect(field(.text("a\tb\nc\rd\\e'f")) == #"a\tb\nc\rd\\e'f"#)
    #expect(field(.null) == #"\N"#)
    #expect(field(.bytes([0x01, 0xAB])) == #"\\x01ab"#)
    #expect(field(.bool(true)) == "t")
    #expect(field(.int(-42)) == "-42")
  }

  @Test("an instant is written in UTC to the microsecond")
  func timestamps() {
    #expect(
      LiteralInserter.timestamp(Date(timeIntervalSince1970: 1_600_000_000.123456)) == "2020-09-13 12:26:40.123456+00")
    #expect(LiteralInserter.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
    #expect(LiteralInserter.timestamp(Date(timeIntervalSince1970: -0.5)) == "1969-12-31 23:59:59.500000+00")
  }
}
