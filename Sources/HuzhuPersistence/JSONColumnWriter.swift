import Foundation
import HuzhuCore

/// A value that writes its JSON column itself, with the bytes ``JSONColumnEncoder`` (and so
/// Foundation's sorted encoder) writes for it, without going through `Encodable`.
///
/// For the few types every claim stores (its intake, progress and explanation): going through
/// `Encodable` boxes every container and value, and those three columns were most of the time
/// a bulk import spent storing claims (100,000 settlements write 300,000 of them). Each
/// conformance lists its members in sorted key order and omits nil optionals, as the
/// synthesised `encode(to:)` and the sorted encoder do. `JSONColumnWriterTests` compares every
/// conformance with the `Encodable` path on values with every optional set and with none,
/// and checks that each writes every stored property, so a property added to one of these
/// types and not to its writer fails the tests.
protocol JSONColumnWritable {
  func write(to json: inout JSONColumnWriter)
}

/// JSON written as a value's members are given: ``open()``, members (keys in sorted order),
/// ``close()``; arrays alike. Commas are placed by whether anything came before in the
/// current object or array.
struct JSONColumnWriter {
  private(set) var bytes: [UInt8] = []
  /// Whether the next member or element follows another (and so a comma).
  private var follows = false

  init(capacity: Int = 512) {
    bytes.reserveCapacity(capacity)
  }

  static func text(_ value: some JSONColumnWritable) -> String {
    var json = JSONColumnWriter()
    value.write(to: &json)
    return String(decoding: json.bytes, as: UTF8.self)
  }

  // MARK: Structure

  mutating func open() {
    bytes.append(UInt8(ascii: "{"))
    follows = false
  }

  mutating func close() {
    bytes.append(UInt8(ascii: "}"))
    follows = true
  }

  /// `key`: a member's key, in sorted order after the one before it.
  mutating func member(_ key: String, _ value: some JSONColumnWritable) {
    self.key(key)
    value.write(to: &self)
    follows = true
  }

  /// An optional member, left out when nil (as `encodeIfPresent` does).
  mutating func member(_ key: String, _ value: (some JSONColumnWritable)?) {
    guard let value else { return }
    member(key, value)
  }

  mutating func key(_ key: String) {
    if follows { bytes.append(UInt8(ascii: ",")) }
    JSONColumnEncoder.writeQuoted(key, into: &bytes)
    bytes.append(UInt8(ascii: ":"))
  }

  mutating func array<S: Sequence>(_ items: S) where S.Element: JSONColumnWritable {
    bytes.append(UInt8(ascii: "["))
    follows = false
    for item in items {
      if follows { bytes.append(UInt8(ascii: ",")) }
      item.write(to: &self)
      follows = true
    }
    bytes.append(UInt8(ascii: "]"))
    follows = true
  }

  // MARK: Scalars

  mutating func string(_ text: String) {
    JSONColumnEncoder.writeQuoted(text, into: &bytes)
    follows = true
  }

  mutating func integer(_ value: Int64) {
    JSONColumnEncoder.writeInteger(value, into: &bytes)
    follows = true
  }

  mutating func literal(_ text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    follows = true
  }
}

// MARK: Scalars as their `encode(to:)` writes them

extension String: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) { json.string(self) }
}

extension Int: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) { json.integer(Int64(self)) }
}

extension Bool: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) { json.literal(self ? "true" : "false") }
}

extension UUID: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) { json.string(uuidString) }
}

extension Identifier: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) { rawValue.write(to: &json) }
}

extension Money: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) { json.string(decimalString) }
}

extension CalendarDate: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) { json.string(description) }
}

extension LocalizedText: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("en", en)
    json.member("zh", zh)
    json.close()
  }
}

extension Array: JSONColumnWritable where Element: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) { json.array(self) }
}

// MARK: A claim's columns

extension ClaimIntake: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("event", event)
    json.member("hospital", hospital)
    json.member("invoiceNumbers", invoiceNumbers)
    json.member("settlement", settlement)
    json.member("settlementSheetNumber", settlementSheetNumber)
    json.close()
  }
}

extension SettlementLink: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("settlementId", settlementId)
    json.member("source", source)
    json.member("supplies", supplies)
    json.close()
  }
}

extension ClaimEvent: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("accident", accident)
    json.member("accidentDate", accidentDate)
    json.member("admissionDate", admissionDate)
    json.member("claimDate", claimDate)
    json.member("deathDate", deathDate)
    json.member("diagnoses", diagnoses)
    json.member("diagnosisDate", diagnosisDate)
    json.member("dischargeDate", dischargeDate)
    json.member("figures", figures)
    json.member("hospitalDays", hospitalDays)
    json.member("hospitalLevel", hospitalLevel?.rawValue)
    json.member("hospitalLocation", hospitalLocation?.rawValue)
    json.member("setting", setting?.rawValue)
    json.member("settlementDate", settlementDate)
    json.member("treatmentCategory", treatmentCategory)
    json.member("visitDate", visitDate)
    json.close()
  }
}

extension SettlementFigures: JSONColumnWritable {
  /// The figures by their names, in the sorted encoder's order.
  static let sortedFigures = SettlementFigure.allCases.sorted {
    $0.rawValue.utf8.lexicographicallyPrecedes($1.rawValue.utf8)
  }

  func write(to json: inout JSONColumnWriter) {
    json.open()
    for figure in Self.sortedFigures { json.member(figure.rawValue, self[figure]) }
    json.close()
  }
}

extension Diagnosis: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("class", `class`)
    json.member("icd10", icd10)
    json.member("severity", severity?.rawValue)
    json.close()
  }
}

extension AccidentFacts: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("disabilityGrade", disabilityGrade)
    json.member("medicalCost", medicalCost)
    json.member("outcome", outcome.rawValue)
    json.close()
  }
}

extension ClaimProgress: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("appealed", appealed)
    json.member("approvals", approvals)
    json.member("missingDocuments", missingDocuments)
    json.member("requiredLevels", requiredLevels.map(\.rawValue))
    json.member("reviewedBy", reviewedBy)
    json.member("state", state.rawValue)
    json.member("submittedBy", submittedBy)
    json.close()
  }
}

extension ClaimProgress.Approval: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("by", by)
    json.member("level", level.rawValue)
    json.close()
  }
}

extension ExplanationReport.Document: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("currency", currency)
    json.member("outcomes", outcomes)
    json.member("scheme", scheme)
    json.member("total", total)
    json.close()
  }
}

extension ExplanationReport.Document.Outcome: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("benefit", benefit)
    json.member("benefitName", benefitName)
    json.member("endsCover", endsCover)
    json.member("kind", kind)
    json.member("lines", lines)
    json.member("product", product)
    json.member("productName", productName)
    json.member("reasons", reasons)
    json.member("total", total)
    json.member("version", version)
    json.close()
  }
}

extension ExplanationReport.Document.Line: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("amount", amount)
    json.member("base", base)
    json.member("count", count)
    json.member("description", description)
    json.member("label", label)
    json.member("limit", limit)
    json.member("rate", rate)
    json.member("reason", reason)
    json.member("step", step.rawValue)
    json.close()
  }
}

extension ExplanationReport.Document.ReasonText: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("code", code)
    json.member("text", text)
    json.close()
  }
}

// MARK: A settlement's columns

extension Dictionary: JSONColumnWritable where Key == String, Value: JSONColumnWritable {
  /// Keys in UTF-8 byte order (Unicode scalar order), as the sorted encoder writes them.
  func write(to json: inout JSONColumnWriter) {
    json.open()
    for key in keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      json.member(key, self[key]!)
    }
    json.close()
  }
}

extension SettlementRecord: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("admissionDate", admissionDate)
    json.member("amounts", amounts)
    json.member("diagnoses", diagnoses)
    json.member("dischargeDate", dischargeDate)
    json.member("diseaseCode", diseaseCode)
    json.member("diseaseName", diseaseName)
    json.member("employerName", employerName)
    json.member("hospitalLevel", hospitalLevel)
    json.member("idNumber", idNumber)
    json.member("insuranceType", insuranceType)
    json.member("insuredArea", insuredArea)
    json.member("medicalType", medicalType)
    json.member("name", name)
    json.member("originalSettlementId", originalSettlementId)
    json.member("personNo", personNo)
    json.member("personType", personType)
    json.member("providerCode", providerCode)
    json.member("providerName", providerName)
    json.member("reversal", reversal)
    json.member("settledOn", settledOn)
    json.member("settlementId", settlementId)
    json.member("valid", valid)
    json.member("visitId", visitId)
    json.close()
  }
}

extension SettlementDiagnosis: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("code", code)
    json.member("main", main)
    json.member("name", name)
    json.close()
  }
}

extension SettlementAmounts: JSONColumnWritable {
  func write(to json: inout JSONColumnWriter) {
    json.open()
    json.member("accountPay", accountPay)
    json.member("assistancePay", assistancePay)
    json.member("cashPay", cashPay)
    json.member("civilServantPay", civilServantPay)
    json.member("deductiblePaid", deductiblePaid)
    json.member("disabledPay", disabledPay)
    json.member("employeeLargePay", employeeLargePay)
    json.member("enterpriseSupplementPay", enterpriseSupplementPay)
    json.member("fullSelfPay", fullSelfPay)
    json.member("fundTotal", fundTotal)
    json.member("hospitalBurden", hospitalBurden)
    json.member("inScopeAmount", inScopeAmount)
    json.member("otherPay", otherPay)
    json.member("overLimitSelfPay", overLimitSelfPay)
    json.member("personalBurden", personalBurden)
    json.member("poolPay", poolPay)
    json.member("preSelfPay", preSelfPay)
    json.member("residentCriticalPay", residentCriticalPay)
    json.member("totalCost", totalCost)
    json.close()
  }
}
