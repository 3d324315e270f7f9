import Foundation
import HuzhuCore
import HuzhuSpreadsheet
import HuzhuTestSupport
import Testing

/// Settlement files as bureaus export them (docs/settlements.md §5): the sample in GBK, an
/// XLSX with a title line, damaged numbers and a totals row, JSON lines with the national
/// codes, and a source's own mapping.
@Suite("Settlement files")
struct SettlementFileTests {
  let today = CalendarDate(year: 2020, month: 7, day: 1)!

  func sample() throws -> SettlementFile {
    let data = try Data(contentsOf: URL(fileURLWithPath: RepositoryFiles.path("docs/samples/settlements-bureau-a.csv")))
    return SettlementReader.read(try SheetReader.read(data).rosterCells, layout: .standard, today: today)
  }

  @Test func theBureauSampleReadsWholeAndAddsUp() throws {
    let file = try sample()
    #expect(file.fileErrors.isEmpty && file.rowErrors.isEmpty)
    let records = file.records.map(\.record)
    #expect(records.count == 30)
    // Every row satisfies the identities (samples/README.md).
    #expect(records.allSatisfy { $0.reversal || $0.amounts.inconsistencies.isEmpty })

    let first = records[0]
    #expect(first.settlementId == "41050020200603107919" && first.personNo == "0010350137")
    #expect(first.insuranceType == "310" && first.medicalType == "21" && first.isInpatient)
    #expect(first.mainDiagnosis == SettlementDiagnosis(code: "I63.900", name: "脑梗死", main: true))
    #expect(first.settledOn == CalendarDate(year: 2020, month: 6, day: 3))
    // The worked example's base: 14,020.18 − 11,237.15.
    #expect(first.amounts.figures[.selfPaidInScope] == Money(yuan: "2783.03"))
    #expect(first.amounts.figures[.selfFunded] == Money(yuan: "705.50"))

    // Quoted amounts with thousands separators, read exactly; 大额 counted with 大病.
    let large = try #require(records.first { $0.name == "唐雪梅" })
    #expect(large.amounts.totalCost == Money(yuan: "136582.40"))
    #expect(large.amounts.figures[.criticalIllnessInsurancePaid] == Money(yuan: "38058.71"))
    // An X check character, and the chronic-outpatient dialysis month.
    #expect(records.contains { $0.idNumber.hasSuffix("X") })
    let dialysis = try #require(records.first { $0.diseaseCode == "M07803" })
    #expect(dialysis.treatmentCategory == "dialysis" && !dialysis.isInpatient && dialysis.medicalType == "14")
    // The cancelled stay: original, reversal (negative, pointing at it), re-settlement.
    let reversal = try #require(records.first { $0.reversal })
    let original = try #require(records.first { $0.settlementId == reversal.originalSettlementId })
    #expect(reversal.amounts.totalCost == Money(fen: -(original.amounts.totalCost?.fen ?? 0)))
    #expect(records.filter { $0.visitId == original.visitId }.count == 3)
    // The original row is kept as the bureau wrote it.
    #expect(file.records[0].original["身份证号码"] == "410502196805151310")
  }

  @Test func anExcelExportWithATitleDamageAndTotalsIsReadAsFarAsItCanBe() throws {
    func cell(_ text: String) -> String { #"<c t="inlineStr"><is><t>\#(text)</t></is></c>"# }
    func number(_ text: String) -> String { "<c><v>\(text)</v></c>" }
    let header = ["结算流水号", "姓名", "身份证号", "结算日期", "医疗总费用", "符合政策范围金额", "统筹支付", "入院日期", "出院日期", "医疗类别"]
    let rows = [
      "<row>\(cell("安阳市医疗保障局 结算明细 2020年06月"))</row>",
      "<row>\(cell("导出时间：2020-07-01 08:00"))</row>",
      "<row>\(header.map(cell).joined())</row>",
      // A clean row: date serials, amounts as numbers (one a float's rendering).
      "<row>\(cell("S1"))\(cell("张建国"))\(cell("'410502196805151310"))\(number("43985"))\(number("15862.4"))"
        + "\(number("14020.180000000002"))\(number("11237.15"))\(number("43976"))\(number("43985"))\(cell("普通住院"))</row>",
      // An ID Excel turned into a number, and an amount with a unit and full-width digits.
      "<row>\(cell("S2"))\(cell("李秀英"))\(number("4.10503197108222E+17"))\(cell("20200604"))\(cell("１２３.００元"))"
        + "\(cell("100"))\(cell("50"))\(cell("2020/5/28"))\(cell("2020/6/4"))\(cell("21"))</row>",
      // Discharged before admitted, in the future, a third decimal typed by hand.
      "<row>\(cell("S3"))\(cell("王海涛"))\(cell("410505198003093196"))\(cell("2020-08-01"))\(cell("1.234"))"
        + "\(cell("100"))\(cell("-5"))\(cell("2020-06-08"))\(cell("2020-06-01"))\(cell("21"))</row>",
      "<row>\(cell("合计"))\(cell(""))\(cell(""))\(cell(""))\(number("99999"))</row>",
      "<row>\(cell("S9"))\(cell("不应读到"))</row>",
    ]
    let data = try HandMadeXLSX.workbook(
      sheet: "<worksheet><sheetData>\(rows.joined())</sheetData></worksheet>")
    let file = SettlementReader.read(try SheetReader.read(data).rosterCells, layout: .standard, today: today)
    #expect(file.fileErrors.isEmpty)
    #expect(file.rows.map(\.number) == [4, 5, 6])
    let clean = try #require(file.rows[0].record)
    #expect(clean.idNumber == "410502196805151310" && clean.settledOn == CalendarDate(year: 2020, month: 6, day: 3))
    #expect(clean.admissionDate == CalendarDate(year: 2020, month: 5, day: 25))
    #expect(
      clean.amounts.inScopeAmount == Money(yuan: "14020.18") && clean.amounts.totalCost == Money(yuan: "15862.40"))
    #expect(clean.medicalType == "21")

    #expect(file.rows[1].record == nil)
    #expect(file.rows[1].errors.map(\.code) == ["stored_as_number"])
    let codes = Set(file.rows[2].errors.map(\.code))
    #expect(codes == ["future_date", "invalid_amount", "negative_amount", "discharge_before_admission"])
    #expect(file.rows[2].errors.allSatisfy { $0.row == 6 && $0.message.zh.hasPrefix("第6行") })
  }

  @Test func jsonLinesTakeTheNationalCodesAndASourceMapsItsOwnHeaders() throws {
    let lines = """
      {"SETL_ID": "A1", "psn_name": "张建国", "certno": "410502680515131", "setl_time": "20200603094621", "inscp_scp_amt": 100, "hifp_pay": "80.00", "refd_setl_flag": "0"}
      not json
      {"setl_id": "A2", "psn_name": "李秀英", "certno": "410503197108222241", "setl_time": "2020-06-04", "inscp_scp_amt": "1", "hifp_pay": "0", "diagnoses": [{"code": "K80.200", "main": true}, {"code": "I10.x00"}]}
      """
    let file = SettlementReader.read(jsonLines: Data(lines.utf8), layout: .standard, today: today)
    #expect(file.fileErrors.map(\.code) == ["invalid_json"])
    let records = file.records.map(\.record)
    // An old 15-digit number is converted (19 inserted, the check character computed).
    #expect(records.map(\.idNumber) == ["410502196805151310", "410503197108222241"])
    #expect(records[0].amounts.inScopeAmount == Money(yuan: 100) && records[0].settledOn.day == 3)
    #expect(records[1].diagnoses.map(\.code) == ["K80.200", "I10.x00"])

    let layout = SettlementLayout(
      columns: ["settlementId": ["流水"], "inScopeAmount": ["合规"], "poolPay": ["统筹"], "reversal": ["红冲"]],
      values: ["reversal": ["红": "1"], "medicalType": ["住院": "21"]])
    #expect(layout.problems().isEmpty)
    let csv = "流水,姓名,身份证号,结算时间,合规,统筹,红冲,医疗类别,入院日期\nB1,张建国,410502196805151310,2020-06-03,10,-1,红,住院,2020-06-01\n"
    let mapped = SettlementReader.read(try SheetReader.read(Data(csv.utf8)).rosterCells, layout: layout, today: today)
    #expect(mapped.rowErrors.isEmpty, "\(mapped.rowErrors.map(\.message.en)) \(mapped.fileErrors)")
    let record = try #require(mapped.records.first?.record)
    #expect(record.reversal && record.medicalType == "21" && record.amounts.poolPay == Money(yuan: "-1"))

    let misspelt = SettlementLayout(columns: ["inScopeAmmount": ["x"]])
    #expect(misspelt.problems().first?.message.zh.contains("inScopeAmount") == true)
  }

  @Test func rowsOfOneSettlementAreMergedAndDisagreeingOnesRefused() throws {
    let csv = """
      结算ID,姓名,身份证号,结算时间,符合范围金额,统筹基金支付,诊断编码
      S1,张建国,410502196805151310,2020-06-03,100,80,I63.900
      S1,张建国,410502196805151310,2020-06-03,100,80,I10.x00
      S1,张建国,410502196805151310,2020-06-03,100,70,E11.900
      """
    let file = SettlementReader.read(try SheetReader.read(Data(csv.utf8)).rosterCells, layout: .standard, today: today)
    #expect(file.records.count == 1)
    #expect(file.records[0].record.diagnoses.map(\.code) == ["I63.900", "I10.x00"])
    #expect(file.rowErrors.map(\.code) == ["conflicting_rows"])
  }
}
