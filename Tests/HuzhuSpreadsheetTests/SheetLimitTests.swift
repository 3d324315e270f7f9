import Foundation
import HuzhuCore
import HuzhuSpreadsheet
import HuzhuTestSupport
import Testing
import ZIPFoundation

/// A file past a limit is refused as soon as the reader meets the excess, with the limit named
/// in the user's language; a real roster of many thousand rows stays well within them.
@Suite("Sheet limits")
struct SheetLimitTests {
  static func sheet(_ rows: String) throws -> Data {
    try HandMadeXLSX.workbook(sheet: "<worksheet><sheetData>\(rows)</sheetData></worksheet>")
  }

  static func refusal(_ read: () throws -> Sheet) -> SpreadsheetError? {
    let error = #expect(throws: SpreadsheetError.self) { try read() }
    #expect(error?.kind == .tooLarge)
    return error
  }

  /// The issue's 4.7 KB sheet with one cell on row 200,000,000 took 161 s and 5 GB; a row just
  /// past the limit is refused before the rows the file skipped are filled in.
  @Test func aRowPastTheLimitIsRefusedBeforeTheGapIsFilled() throws {
    let data = try Self.sheet(#"<row r="100001"><c t="inlineStr"><is><t>x</t></is></c></row>"#)
    let error = Self.refusal { try SheetReader.read(data) }
    #expect(error?.messageZh.contains("第 100001 行，超过 100000 行的上限") == true)
    #expect(error?.messageEn.contains("past the limit of 100000 rows") == true)
    let within = try SheetReader.read(
      try Self.sheet(#"<row r="100000"><c t="inlineStr"><is><t>x</t></is></c></row>"#))
    #expect(within.rows.count == 100_000)
  }

  @Test func columnsAndCellsPastTheLimitsAreRefused() throws {
    let wide = try Self.sheet(#"<row r="1"><c r="IW1" t="inlineStr"><is><t>x</t></is></c></row>"#)
    #expect(Self.refusal { try SheetReader.read(wide) }?.messageZh.contains("第 257 列") == true)
    #expect(try SheetReader.read(wide, limits: SheetLimits(columns: 257)).rows[0].count == 257)

    let cells = String(repeating: #"<row><c t="inlineStr"><is><t>x</t></is></c><c t="n"><v>1</v></c></row>"#, count: 6)
    let limits = SheetLimits(cells: 11)
    #expect(
      Self.refusal { try SheetReader.read(try Self.sheet(cells), limits: limits) }?.detail.contains("11 cells") == true)
    #expect(try SheetReader.read(try Self.sheet(cells), limits: SheetLimits(cells: 12)).rows.count == 6)
  }

  /// A shared-string table longer than any sheet within the limits could use.
  @Test func aSharedStringTablePastTheCellLimitIsRefused() throws {
    let strings = "<sst>" + String(repeating: "<si><t>x</t></si>", count: 21) + "</sst>"
    let data = try HandMadeXLSX.workbook(
      sheet: #"<worksheet><sheetData><row><c t="s"><v>0</v></c></row></sheetData></worksheet>"#,
      sharedStrings: strings)
    #expect(Self.refusal { try SheetReader.read(data, limits: SheetLimits(cells: 20)) } != nil)
    #expect(try SheetReader.read(data, limits: SheetLimits(cells: 21)).rows == [[.text("x")]])
  }

  @Test func aCSVPastTheLimitsIsRefused() throws {
    let csv = Data(String(repeating: "姓名,身份证号,电话\n", count: 5).utf8)
    #expect(
      Self.refusal { try SheetReader.read(csv, limits: SheetLimits(rows: 4)) }?.messageZh.contains("第 5 行") == true)
    #expect(Self.refusal { try SheetReader.read(csv, limits: SheetLimits(columns: 2)) } != nil)
    #expect(Self.refusal { try SheetReader.read(csv, limits: SheetLimits(cells: 14)) } != nil)
    #expect(try SheetReader.read(csv, limits: SheetLimits(rows: 5, columns: 3, cells: 15)).rows.count == 5)
  }

  /// Refused by its size before it is read, from memory or from disk.
  @Test func aFileLargerThanTheLimitIsRefusedUnread() throws {
    let csv = Data(String(repeating: "甲,乙\n", count: 200).utf8)
    let limits = SheetLimits(fileBytes: 1 << 10)
    #expect(Self.refusal { try SheetReader.read(csv, limits: limits) }?.messageZh.contains("文件大小超过") == true)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("limit-\(UUID().uuidString).csv")
    try csv.write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    #expect(Self.refusal { try SheetReader.read(contentsOf: file, limits: limits) } != nil)
    #expect(try SheetReader.read(contentsOf: file).rows.count == 200)
  }

  /// A part is refused while it inflates past the limit, whatever its entry declares.
  @Test func aPartInflatingPastTheLimitIsRefused() throws {
    var rows = ""
    for index in 0..<40_000 { rows += #"<row><c t="inlineStr"><is><t>\#(index * 7_919 % 100_003)</t></is></c></row>"# }
    let data = try Self.sheet(rows)
    let limits = SheetLimits(expandedBytes: 1 << 20, compressionRatio: 1_000_000)
    #expect(
      Self.refusal { try SheetReader.read(data, limits: limits) }?.detail.contains("inflates to more than 1 MB") == true
    )
    #expect(try SheetReader.read(data, limits: SheetLimits(compressionRatio: 1_000_000)).rows.count == 40_000)
  }

  /// The issue's bomb: a megabyte that inflated to a gigabyte (111 s, 2.2 GB). Deflate's best is
  /// about a thousand to one; the reader stops at a hundred, a few megabytes in.
  @Test func aZipBombIsRefusedByItsRatio() throws {
    let row = #"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#
    let data = try Self.sheet(String(repeating: row, count: 200_000))
    #expect(data.count < 100_000, "\(data.count) bytes compressed")
    let error = Self.refusal { try SheetReader.read(data) }
    #expect(error?.messageZh.contains("压缩炸弹") == true)
  }

  /// A roster as our own writer (and Excel) makes it is well within every default: its sheet
  /// compresses less than a third of the ratio that marks a bomb.
  @Test func aLargeRealRosterReads() throws {
    var rows = [RosterField.templateHeader]
    for index in 0..<6_000 {
      let birth = CalendarDate(year: 1966 + index % 38, month: 1 + index % 12, day: 1 + index % 28)!
      let number = ResidentIDNumber.compose(
        region: String(410501 + index / 500 % 99), birthDate: birth, sequence: index / 456 % 500,
        gender: index % 2 == 0 ? .female : .male)
      rows.append([
        "职工\(index)", number.value, "13\(String(format: "%09d", index))", index % 2 == 0 ? "女" : "男",
        birth.description, "城镇职工", "", "2020-01-15", "1", "是", "中国工商银行", "62220200\(String(format: "%011d", index))",
      ])
    }
    let data = try XLSXWriter.write(rows: rows, sheetName: "花名册")
    #expect(try SheetReader.read(data).rows.count == 6_001)
    let archive = try Archive(data: data, accessMode: .read)
    let sheet = try #require(archive.first { $0.path.hasPrefix("xl/worksheets/") })
    #expect(sheet.uncompressedSize > 1 << 20, "large enough to be held to the ratio")
    #expect(sheet.uncompressedSize / sheet.compressedSize < UInt64(SheetLimits.standard.compressionRatio / 3))
  }
}
