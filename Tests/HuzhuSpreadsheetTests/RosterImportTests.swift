import Foundation
import HuzhuCore
import HuzhuSpreadsheet
import Testing

@Suite("Roster preview")
struct RosterImportTests {
  func fixture(_ name: String) throws -> Sheet {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    return try SheetReader.read(try Data(contentsOf: url))
  }

  @Test(arguments: ["roster-libreoffice.xlsx", "roster-gbk.csv", "roster-utf8.csv"])
  func everyBadRowIsExplainedInALibreOfficeRoster(file: String) throws {
    let preview = RosterReader.preview(try fixture(file).rosterCells)
    #expect(preview.rows.map(\.rowNumber) == [2, 3, 5])  // the empty row 4 is skipped
    let good = preview.rows[0]
    #expect(good.isValid)
    #expect(good.name == "王秀英")
    #expect(good.idNumber?.value == "11010519491231002X")
    #expect(good.hireDate == CalendarDate(year: 2019, month: 12, day: 15))  // a date cell, read from its serial
    #expect(good.shares == 2)
    #expect(good.phone == "13800138000")
    let damaged = preview.rows[1]
    #expect(damaged.errors.map(\.code) == ["id_stored_as_number"])
    #expect(damaged.errors[0].message.zh.hasPrefix("第3行【身份证号】"))
    #expect(damaged.hireDate == CalendarDate(year: 2020, month: 1, day: 15))
    // Row 5 has text in the phone column.
    #expect(preview.rows[2].errors.map(\.code) == ["invalid_name", "missing_id", "invalid_phone"])
    #expect(!preview.canCommit)
    #expect(preview.errorCount == 4)
  }

  func row(_ cells: [String]) -> [RosterCell] { cells.map { $0.isEmpty ? .empty : .text($0) } }

  @Test func findsTheHeaderBelowATitleAndMatchesEnglishHeaders() {
    let preview = RosterReader.preview([
      row(["安阳公交集团职工花名册"]),
      row(["Name", "ID Number", "Gender", "Insurance type", "Categories"]),
      row(["王秀英", "11010519491231002X", "女", "城乡居民", "困难职工、劳模"]),
    ])
    #expect(preview.canCommit)
    let worker = preview.rows[0]
    #expect(worker.rowNumber == 3)
    #expect(worker.insuranceType == .urbanRuralResident)
    #expect(worker.categories == [.hardship, .modelWorker])
  }

  @Test func aRosterWithoutTheRequiredColumnsIsRejectedAsAWhole() {
    let preview = RosterReader.preview([row(["名字", "号码"]), row(["王秀英", "11010519491231002X"])])
    #expect(preview.fileErrors.map(\.code) == ["missing_columns"])
    #expect(!preview.canCommit)
  }

  @Test func checksEachValueAgainstTheIDNumberAndItsFormat() {
    let preview = RosterReader.preview([
      row(["姓名", "身份证号", "性别", "出生日期", "手机号", "人员类别", "份数", "在职", "银行账号"]),
      row(["甲", "11010519491231002X", "男", "1950-01-01", "1380013800", "贫困", "0", "也许", "6222-abc"]),
      row(["乙", "110105194912310021", "", "", "", "", "", "", ""]),
      row(["丙", "11010519491231002X", "女", "1949年12月31日", "0372-1234567", "特困", "3", "否", "6222020000000000000"]),
    ])
    let first = preview.rows[0]
    #expect(
      first.errors.map(\.code) == [
        "gender_mismatch", "birth_date_mismatch", "invalid_phone", "invalid_category", "invalid_shares", "invalid_flag",
        "invalid_account",
      ])
    #expect(preview.rows[1].errors.map(\.code) == ["invalid_id"])
    #expect(preview.rows[1].errors[0].message.zh.contains("校验位"))
    let third = preview.rows[2]
    #expect(third.errors.map(\.code) == ["duplicate_in_file"])
    #expect(third.errors[0].message.zh.contains("第2行"))
    #expect(third.warnings.map(\.code) == ["landline"])
    #expect(third.inService == false)
    #expect(third.categories == [.extremeHardship])
  }

  /// A name that displays as something it is not (a right-to-left override), or holds a
  /// control character, is a row error naming the character; visible punctuation is a name.
  @Test func namesWithInvisibleControlCharactersAreRowErrors() {
    let numbers = (1...2).map { sequence in
      ResidentIDNumber.compose(
        region: "110105", birthDate: CalendarDate(year: 1980, month: 1, day: 1)!, sequence: sequence, gender: .male
      ).value
    }
    let preview = RosterReader.preview([
      row(["姓名", "身份证号", "开户行"]),
      row(["王\u{202E}秀英", "11010519491231002X", ""]),
      row(["李娜", numbers[0], "工商银行\u{0000}"]),
      row(["O'Brien \"<b>\"", numbers[1], "农业银行"]),
    ])
    #expect(preview.rows[0].errors.map(\.code) == ["invalid_character"])
    #expect(preview.rows[0].errors[0].message.zh.contains("第2行【姓名】含有不可见的控制字符（U+202E）"))
    #expect(preview.rows[1].errors.map(\.field) == ["bankName"])
    #expect(preview.rows[1].errors[0].message.en.contains("U+0000"))
    #expect(preview.rows[2].errors.isEmpty)
  }

  @Test func peopleTheRegistryKnowsAreWarnedAbout() {
    let preview = RosterReader.preview([row(["姓名", "身份证号"]), row(["王秀英", "11010519491231002X"])])
      .annotatingKnownPeople { _ in LocalizedText(zh: "已在安彩高科参保", en: "enrolled at another unit") }
    #expect(preview.canCommit)
    #expect(preview.rows[0].warnings.map(\.message.zh) == ["已在安彩高科参保"])
  }

  @Test(arguments: [
    (RosterCell.text("2019-12-15"), "2019-12-15"), (.text("2019/1/5"), "2019-01-05"),
    (.text("2019.12.15"), "2019-12-15"),
    (.text("2019年12月15日"), "2019-12-15"), (.text("20191215"), "2019-12-15"), (.number("20191215"), "2019-12-15"),
    (.number("43814"), "2019-12-15"), (.number("43814.5"), "2019-12-15"), (.text("43814"), "2019-12-15"),
  ])
  func readsDatesInTheFormsRostersUse(cell: RosterCell, expected: String) {
    #expect(RosterReader.date(cell)?.description == expected)
  }

  @Test func theTemplateRoundTripsThroughXLSX() throws {
    let data = try XLSXWriter.write(rows: [RosterField.templateHeader, RosterField.templateExample], sheetName: "花名册")
    let preview = RosterReader.preview(try SheetReader.read(data).rosterCells)
    #expect(preview.canCommit)
    #expect(Set(preview.columns.keys) == Set(RosterField.allCases))
    #expect(preview.rows[0].bankAccount == "6222020000000000000")
  }
}
