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

  /// Names people typed cannot run as formulas when the file is opened; figures we computed,
  /// a negative percentage among them, stay as they are.
  @Test func typedTextCannotRunAsAFormula() throws {
    let hostile = ReportTable(
      id: "units", title: LocalizedText(zh: "单位", en: "Units"),
      columns: [LocalizedText(zh: "单位", en: "Unit"), LocalizedText(zh: "增长", en: "Growth")],
      rows: [
        [.text(#"=HYPERLINK("http://ev.il","点此")"#), .share(Share(-1, of: 50))],
        [.text("+1"), .count(-3)], [.text("-2"), .count(0)], [.text("@SUM(A1)"), .count(0)],
        [.text("\t=1"), .count(0)], [.text("安阳 = 好"), .count(0)],
      ])
    let csv = String(decoding: ReportFile.csv(hostile, english: false).dropFirst(3), as: UTF8.self)
    let lines = csv.split(separator: "\r\n").map(String.init)
    #expect(lines[1] == #""'=HYPERLINK(""http://ev.il"",""点此"")",-2.00%"#)
    #expect(lines[2] == "'+1,-3")
    #expect(lines[3] == "'-2,0")
    #expect(lines[4] == "'@SUM(A1),0")
    #expect(lines[5] == "'\t=1,0")
    #expect(lines[6] == "安阳 = 好,0")
    let sheet = try SheetReader.read(try ReportFile.xlsx(hostile, english: false))
    #expect(sheet.rows[1].first == .text(#"'=HYPERLINK("http://ev.il","点此")"#))
    #expect(sheet.rows[2] == [.text("'+1"), .number("-3")])

    let batch = PaymentBatch(
      number: "PB-1", schemeCode: "anyang", createdBy: "t", createdOn: CalendarDate(year: 2026, month: 1, day: 5)!,
      lines: [
        .init(
          claimID: .init(), claimNumber: "C-1", payeeName: "=cmd|' /C calc'!A0", bankName: "@银行",
          bankAccount: "-6222020200112233445", amount: Money(yuan: "12.50")!)
      ])
    #expect(BankTransferFile.rows(batch)[1] == ["'=cmd|' /C calc'!A0", "'-6222020200112233445", "'@银行", "12.50", "互助金 C-1"])
  }
}
