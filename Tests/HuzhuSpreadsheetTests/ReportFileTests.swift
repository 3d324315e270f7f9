import Foundation
import HuzhuCore
import HuzhuSpreadsheet
import Testing

/// A report table as a file: the CSV Excel opens as UTF-8, the workbook with numbers as numbers.
@Suite("Report files")
struct ReportFileTests {
  let table = ReportTable(
    id: "units", title: LocalizedText(zh: "参保单位明细", en: "Units"),
    columns: [
      LocalizedText(zh: "单位", en: "Unit"), LocalizedText(zh: "参保人数", en: "Insured"),
      LocalizedText(zh: "筹集金额", en: "Collected"),
    ],
    rows: [[.text("安阳公交集团, 总部"), .count(1_461), .money(Money(yuan: "131490.00")!)]],
    totals: [.text("合计"), .count(1_461), .money(Money(yuan: "131490.00")!)])

  @Test func csvQuotesWhatNeedsItAfterAByteOrderMark() {
    let data = ReportFile.csv(table, english: false)
    #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
    #expect(
      String(decoding: data.dropFirst(3), as: UTF8.self)
        == "单位,参保人数,筹集金额\r\n\"安阳公交集团, 总部\",1461,131490.00\r\n合计,1461,131490.00\r\n")
  }

  @Test func excelKeepsCountsAndAmountsAsNumbers() throws {
    let sheet = try SheetReader.read(try ReportFile.xlsx(table, english: true))
    #expect(sheet.rows[0] == [.text("Unit"), .text("Insured"), .text("Collected")])
    #expect(sheet.rows[1] == [.text("安阳公交集团, 总部"), .number("1461"), .number("131490.00")])
    #expect(sheet.rows[2].first == .text("合计"))
  }
}
