import Foundation
import HuzhuSpreadsheet
import HuzhuTestSupport
import Testing

/// Files written by LibreOffice (scripts/make-spreadsheet-fixtures), read back.
@Suite("Spreadsheet reading")
struct SheetReaderTests {
  func fixture(_ name: String) throws -> Data {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    return try Data(contentsOf: url)
  }

  @Test func readsTheFirstSheetOfALibreOfficeWorkbook() throws {
    let sheet = try SheetReader.read(try fixture("roster-libreoffice.xlsx"))
    #expect(sheet.rows[0].map(\.text) == ["姓名", "身份证号", "手机号", "入职日期", "份数", "在职"])
    #expect(sheet.rows[1][0] == .text("王秀英"))
    #expect(sheet.rows[1][1] == .text("11010519491231002X"))
    #expect(sheet.rows[1][4].text == "2")
    // LibreOffice stores TRUE as the number 1 with a boolean format.
    #expect(sheet.rows[1][5] == .number("1"))
    // A date cell is stored as a serial number (days since 1899-12-30): 43814 is 2019-12-15.
    #expect(sheet.rows[1][3] == .number("43814"))
    // An ID number typed as a number: kept exactly as stored, visibly damaged.
    guard case .number(let damaged) = sheet.rows[2][1] else {
      Issue.record("expected a number cell, got \(sheet.rows[2][1])")
      return
    }
    #expect(damaged.contains("E") || damaged.count < 18 || damaged.hasSuffix("0"))
    #expect(sheet.rows[2][2] == .empty)
    // Row numbers stay true to the file: the empty fourth row is kept.
    #expect(sheet.rows.count == 5)
    #expect(sheet.rows[3].isEmpty)
    #expect(sheet.rows[4] == [.empty, .empty, .text("  与 & <特殊> 字符  ")])
    // Only the first sheet.
    #expect(!sheet.textRows.joined().contains("不应读到"))
  }

  @Test(arguments: ["roster-utf8.csv", "roster-gbk.csv"])
  func readsCSVInUTF8AndGBK(name: String) throws {
    let sheet = try SheetReader.read(try fixture(name))
    #expect(sheet.textRows[0] == ["姓名", "身份证号", "手机号", "入职日期", "份数", "在职"])
    #expect(sheet.textRows[1][0] == "王秀英")
    #expect(sheet.textRows[2][0] == "李 建国")
    #expect(sheet.textRows[4][2] == "  与 & <特殊> 字符  ")
  }

  @Test func aByteOrderMarkIsNotPartOfTheFirstHeader() throws {
    let sheet = try SheetReader.read(Data([0xEF, 0xBB, 0xBF]) + Data("姓名,身份证号\n张三,1\n".utf8))
    #expect(sheet.textRows[0][0] == "姓名")
  }

  @Test func whatWeWriteWeReadBack() throws {
    let rows = [["姓名", "身份证号", "备注"], ["王秀英", "11010519491231002X", "A&B <c>"], ["", "", "第三列"]]
    let sheet = try SheetReader.read(try XLSXWriter.write(rows: rows, sheetName: "花名册模板"))
    #expect(sheet.textRows == [["姓名", "身份证号", "备注"], ["王秀英", "11010519491231002X", "A&B <c>"], ["", "", "第三列"]])
  }

  @Test func theFormatIsDecidedByContentNotName() {
    #expect(throws: SpreadsheetError.self) { try SheetReader.read(Data([0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0])) }
    let zipButNotXLSX = try? XLSXWriterProbe.zipWithoutWorkbook()
    if let zipButNotXLSX {
      let error = #expect(throws: SpreadsheetError.self) { try SheetReader.read(zipButNotXLSX) }
      #expect(error?.kind == .notASpreadsheet)
    }
    let binary = #expect(throws: SpreadsheetError.self) { try SheetReader.read(Data([0x00, 0x01, 0xFF, 0xFE, 0x00])) }
    #expect(binary?.messageZh.isEmpty == false)
    // Text that decodes, in UTF-8 or GB 18030, but holds a NUL: not a CSV either.
    for text in [Data("姓名,身份证号\n张三,1\u{0}\n".utf8), Data([0xD0, 0xD5, 0xC3, 0xFB, 0x2C, 0x00, 0x0A])] {
      let error = #expect(throws: SpreadsheetError.self) { try SheetReader.read(text) }
      #expect(error?.kind == .notASpreadsheet)
    }
  }

  @Test func readsTheXMLFeaturesExcelAndWPSUse() throws {
    let strings = """
      <?xml version="1.0" encoding="UTF-8"?>
      <x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3">
        <x:si><x:t>姓名</x:t></x:si>
        <x:si><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">王</x:t></x:r><x:r><x:t>秀英</x:t></x:r><x:rPh sb="0" eb="1"><x:t>おう</x:t></x:rPh></x:si>
        <x:si><x:t>A &amp; B &lt;C&gt; &#x4E2D;&#25991; &quot;q&quot; &apos;s&apos;</x:t></x:si>
      </x:sst>
      """
    let sheet = """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <!-- written by hand -->
      <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
        <x:sheetData>
          <x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c></x:row>
          <x:row r="3" spans="1:5">
            <x:c r="A3" t="s"><x:v>1</x:v></x:c>
            <x:c r="B3" t="b"><x:v>1</x:v></x:c>
            <x:c r="C3" t="e"><x:v>#N/A</x:v></x:c>
            <x:c r="D3" t="str"><x:f>A1&amp;"x"</x:f><x:v>姓名x</x:v></x:c>
            <x:c r="E3" t="inlineStr"><x:is><x:t><![CDATA[<原样>]]></x:t></x:is></x:c>
            <x:c r="F3" s="2"/>
            <x:c r="AA3"><x:v>1.10105194912310E+17</x:v></x:c>
          </x:row>
        </x:sheetData>
      </x:worksheet>
      """
    let read = try SheetReader.read(try XLSXWriterProbe.workbook(sheet: sheet, sharedStrings: strings))
    #expect(read.rows.count == 3)
    #expect(read.rows[0] == [.text("姓名"), .empty, .text(#"A & B <C> 中文 "q" 's'"#)])
    #expect(read.rows[1].isEmpty)
    let third = read.rows[2]
    #expect(Array(third.prefix(5)) == [.text("王秀英"), .bool(true), .error("#N/A"), .text("姓名x"), .text("<原样>")])
    #expect(third.count == 27)  // column AA
    #expect(third[26] == .number("1.10105194912310E+17"))
  }

  @Test func aTruncatedSheetIsReportedNotGuessed() throws {
    let sheet =
      #"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c></row><row r="2"><c r="A2"#
    let error = #expect(throws: SpreadsheetError.self) {
      try SheetReader.read(try XLSXWriterProbe.workbook(sheet: sheet, sharedStrings: nil))
    }
    #expect(error?.kind == .malformedXML)
  }

  /// References no spreadsheet writes are refused before any arithmetic or allocation: a
  /// column of 14 letters overflowed the column number (a trap that stopped the server), and a
  /// row number of 200 million allocated that many rows (5 GB).
  @Test(arguments: [
    #"<c r="AAAAAAAAAAAAAA1" t="inlineStr"><is><t>x</t></is></c>"#,
    #"<c r="XFE1" t="inlineStr"><is><t>x</t></is></c>"#,
    #"<c r="1" t="inlineStr"><is><t>x</t></is></c>"#,
  ])
  func aCellBeyondTheLastColumnIsRefused(cell: String) throws {
    let sheet = "<worksheet><sheetData><row r=\"1\">\(cell)</row></sheetData></worksheet>"
    let error = #expect(throws: SpreadsheetError.self) {
      try SheetReader.read(try XLSXWriterProbe.workbook(sheet: sheet, sharedStrings: nil))
    }
    #expect(error?.kind == .tooLarge)
    #expect(error?.messageZh.contains("超出") == true)
  }

  @Test(arguments: ["200000000", "1048577", "0", "-3"])
  func aRowBeyondTheLastRowIsRefused(row: String) throws {
    let sheet =
      "<worksheet><sheetData><row r=\"\(row)\"><c t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>"
    let error = #expect(throws: SpreadsheetError.self) {
      try SheetReader.read(try XLSXWriterProbe.workbook(sheet: sheet, sharedStrings: nil))
    }
    #expect(error?.kind == .tooLarge)
  }

  @Test func theLastColumnAndRowStillRead() throws {
    let sheet =
      #"<worksheet><sheetData><row r="3"><c r="XFD3" t="inlineStr"><is><t>末</t></is></c></row></sheetData></worksheet>"#
    let read = try SheetReader.read(
      try XLSXWriterProbe.workbook(sheet: sheet, sharedStrings: nil), limits: SheetLimits(columns: 16_384))
    #expect(read.rows.count == 3)
    #expect(read.rows[2].count == 16_384)
    #expect(read.rows[2].last == .text("末"))
  }


  /// A zip64 entry declaring more bytes than `Int` holds used to trap where the reader made
  /// room for it; it is refused on its word.
  @Test func aPartDeclaringMoreThanTheLimitIsRefused() throws {
    let error = #expect(throws: SpreadsheetError.self) { try SheetReader.read(try HandMadeXLSX.declaringHugeSheet()) }
    #expect(error?.kind == .tooLarge)
  }
}
