import Foundation
import HuzhuCore
import Testing

@testable import HuzhuPersistence

/// The claim columns written straight from their values are byte for byte what Foundation's
/// sorted encoder writes, and every stored property of those types is written.
@Suite("JSON column writer")
struct JSONColumnWriterTests {
  func decoded<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(text.utf8))
  }

  /// Written by the writer, as Foundation writes it, and with every property of every nested
  /// value present in the output.
  func expectWritten<T: JSONColumnWritable & Encodable>(
    _ value: T, complete: Bool, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let ours = JSONColumnWriter.text(value)
    let theirs = String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self)
    #expect(ours == theirs, sourceLocation: sourceLocation)
    #expect(
      try JSONColumnEncoder.text(value) == ours, "the columns' encoder takes the writer", sourceLocation: sourceLocation
    )
    if complete {
      let json = try JSONSerialization.jsonObject(with: Data(ours.utf8))
      for missing in unwritten(value, json, path: "\(T.self)") {
        Issue.record("\(missing) is not written: add it to its writeJSON", sourceLocation: sourceLocation)
      }
    }
  }

  /// The stored properties of `value` (and of the values it holds) that `json` lacks.
  func unwritten(_ value: Any, _ json: Any, path: String) -> [String] {
    let mirror = Mirror(reflecting: value)
    switch mirror.displayStyle {
    case .optional:
      guard let wrapped = mirror.children.first?.value else { return [] }
      return unwritten(wrapped, json, path: path)
    case .collection:
      guard let items = json as? [Any] else { return [path] }
      return zip(mirror.children, items).enumerated().flatMap { index, pair in
        unwritten(pair.0.value, pair.1, path: "\(path)[\(index)]")
      }
    case .struct:
      // Values written as one string (amounts, dates, ids), and the figures, coded by their names.
      guard let object = json as? [String: Any], !(value is SettlementFigures) else { return [] }
      return mirror.children.flatMap { child -> [String] in
        guard let label = child.label else { return [] }
        guard let member = object[label] else { return ["\(path).\(label)"] }
        return unwritten(child.value, member, path: "\(path).\(label)")
      }
    default:
      return []
    }
  }

  static let awkward = "引号\"反斜杠\\ 换行\n 制表\t \u{1} /斜杠 😀"

  @Test func anIntakeWithEverythingAndWithNothing() throws {
    let full = try decoded(
      ClaimIntake.self,
      """
      {"hospital": \(try JSONColumnEncoder.text("安阳市人民医院 " + Self.awkward)),
       "invoiceNumbers": ["FP-1", "FP-2"], "settlementSheetNumber": "JS-9",
       "settlement": {"source": "anyang-bureau", "settlementId": "S1", "supplies": ["invoice", "settlement_sheet"]},
       "event": {"admissionDate": "2020-05-06", "dischargeDate": "2020-05-09", "settlementDate": "2020-05-10",
         "diagnosisDate": "2020-05-01", "accidentDate": "2020-04-30", "claimDate": "2020-05-25", "hospitalDays": 3,
         "figures": {"total_cost": "3236.96", "in_scope_cost": "3036.97", "pooled_fund_paid": "2036.98",
           "critical_illness_insurance_paid": "0.00", "self_paid_in_scope": "999.99", "self_funded": "-0.01",
           "deductible_paid": "800.00", "supplementary_insurance_paid": "1.00", "medical_assistance_paid": "2.00"},
         "diagnoses": [{"class": "cancer", "severity": "severe", "icd10": "C34.9"}],
         "treatmentCategory": "dialysis", "visitDate": "2020-05-07", "setting": "day_case",
         "hospitalLevel": "level_3", "hospitalLocation": "in_province", "deathDate": "2020-05-11",
         "accident": {"outcome": "disability", "disabilityGrade": 5, "medicalCost": "12.30"}}}
      """)
    try expectWritten(full, complete: true)
    let bare = ClaimIntake(event: ClaimEvent(claimDate: CalendarDate(year: 2021, month: 1, day: 31)!))
    try expectWritten(bare, complete: false)
    var someFigures = bare
    someFigures.event.figures = SettlementFigures([.selfFunded: Money(fen: 1), .totalCost: .zero])
    someFigures.event.diagnoses = [Diagnosis(class: "x")]
    try expectWritten(someFigures, complete: false)
  }

  @Test func progressWithEverythingAndWithNothing() throws {
    let full = try decoded(
      ClaimProgress.self,
      """
      {"state": "approved", "submittedBy": "01A24504-4904-7DA9-AED6-F8470CA118E6",
       "reviewedBy": "01A24504-4904-7DA9-AED6-F8470CA118E7",
       "approvals": [{"level": "county_union", "by": "01A24504-4904-7DA9-AED6-F8470CA118E8"},
                     {"level": "city_federation", "by": "01A24504-4904-7DA9-AED6-F8470CA118E9"}],
       "requiredLevels": ["county_union", "city_federation"], "missingDocuments": ["invoice"], "appealed": true}
      """)
    try expectWritten(full, complete: true)
    try expectWritten(ClaimProgress(requiredLevels: []), complete: false)
  }

  @Test func anExplanationWithEverythingAndWithNothing() throws {
    let text = LocalizedText(zh: "住院医疗互助金", en: Self.awkward)
    let full = try decoded(
      ExplanationReport.Document.self,
      """
      {"scheme": "anyang", "currency": "CNY", "total": "300.00", "outcomes": [
        {"product": "anyang-hospital", "productName": \(try JSONColumnEncoder.text(text)), "version": "2019",
         "benefit": "anyang-hospital-topup", "benefitName": {"zh": "住院", "en": "Hospital"}, "kind": "hospital",
         "total": "300.00", "endsCover": true,
         "reasons": [{"code": "waiting_period", "text": {"zh": "等待期", "en": "waiting period"}}],
         "lines": [
           {"step": "band", "label": {"zh": "分段计算", "en": "Band"}, "description": {"zh": "0–1000 × 30%", "en": "part"},
            "base": "999.99", "rate": "30%", "amount": "300.00", "limit": "50000.00", "count": 2,
            "reason": {"code": "cap_reached", "text": {"zh": "封顶", "en": "cap"}}}]}]}
      """)
    try expectWritten(full, complete: true)
    let empty = try decoded(
      ExplanationReport.Document.self, #"{"scheme": "s", "currency": "CNY", "total": "0.00", "outcomes": []}"#)
    try expectWritten(empty, complete: false)
    let bare = try decoded(
      ExplanationReport.Document.self,
      """
      {"scheme": "s", "currency": "CNY", "total": "0.00", "outcomes": [
        {"product": "p", "productName": {"zh": "", "en": ""}, "benefit": "b", "benefitName": {"zh": "", "en": ""},
         "total": "0.00", "endsCover": false, "reasons": [], "lines": [
           {"step": "base", "label": {"zh": "基数", "en": "Base"}, "description": {"zh": "", "en": ""}, "amount": "0.00"}]}]}
      """)
    try expectWritten(bare, complete: false)
  }

  @Test func aSettlementRecordWithEverythingAndWithNothing() throws {
    var amounts = SettlementAmounts()
    for (index, (_, path)) in SettlementAmounts.fields.enumerated() {
      amounts[keyPath: path] = Money(fen: Int64(index * 1_001 - 3))
    }
    let full = SettlementRecord(
      settlementId: "S-1 " + Self.awkward, visitId: "V1", originalSettlementId: "S-0", reversal: true, valid: false,
      personNo: "P9", name: "张三", idNumber: "410502198001011234", employerName: "安阳钢铁", insuredArea: "410500",
      insuranceType: "310", personType: "11", medicalType: "21", providerCode: "H41050001",
      providerName: "安阳市人民医院", hospitalLevel: "3", admissionDate: CalendarDate(year: 2020, month: 5, day: 6),
      dischargeDate: CalendarDate(year: 2020, month: 5, day: 9),
      settledOn: CalendarDate(year: 2020, month: 5, day: 10)!,
      diagnoses: [
        SettlementDiagnosis(code: "C34.9", name: "肺癌", main: true), SettlementDiagnosis(code: "I10", name: "高血压"),
      ],
      diseaseCode: "M07803", diseaseName: "血透", amounts: amounts)
    try expectWritten(full, complete: true)
    let bare = SettlementRecord(
      settlementId: "S", name: "", idNumber: "", settledOn: CalendarDate(year: 2021, month: 1, day: 31)!,
      amounts: SettlementAmounts())
    try expectWritten(bare, complete: false)
    var someDiagnoses = bare
    someDiagnoses.diagnoses = [SettlementDiagnosis(code: "I10")]
    try expectWritten(someDiagnoses, complete: false)
  }

  @Test func anOriginalRowWithItsKeysInScalarOrder() throws {
    let original = [
      "结算ID": "S1", "姓名": Self.awkward, "Zeta": "z", "alpha": "a", "医疗费总额": "100.00", "": "empty key",
      "😀": "astral", "\u{FF21}": "fullwidth", "é": "composed",
    ]
    try expectWritten(original, complete: false)
    try expectWritten([String: String](), complete: false)
  }

  @Test func theGuardSeesAPropertyTheWriterLeavesOut() throws {
    struct Forgetful: JSONColumnWritable, Encodable {
      let kept = "a"
      let forgotten = 1
      func write(to json: inout JSONColumnWriter) {
        json.open()
        json.member("kept", kept)
        json.close()
      }
    }
    let json = try JSONSerialization.jsonObject(with: Data(JSONColumnWriter.text(Forgetful()).utf8))
    #expect(unwritten(Forgetful(), json, path: "Forgetful") == ["Forgetful.forgotten"])
  }
}
