import Foundation

/// One row (or JSON line, or feed record) as read: the record when it is readable, the text
/// the source sent (kept, so staff see the original behind each claim), and what is wrong.
public struct SettlementFileRow: Sendable, Equatable {
  /// 1-based, as the spreadsheet or file shows it.
  public let number: Int
  public var record: SettlementRecord?
  /// Header → text, in the file's own words.
  public let original: [String: String]
  public var errors: [FieldError]
}

/// A file's (or a feed request's) settlements as read.
public struct SettlementFile: Sendable, Equatable {
  public var rows: [SettlementFileRow]
  public var fileErrors: [FieldError]
  /// Rows below a 合计 (totals) line, or blank: not settlements.
  public var ignoredLines: Int

  /// The readable records, one per settlement (rows of one settlement merged).
  public var records: [(row: Int, record: SettlementRecord, original: [String: String])] {
    rows.compactMap { row in row.record.map { (row.number, $0, row.original) } }
  }

  public var rowErrors: [FieldError] { rows.flatMap(\.errors) }
}

/// Reads settlement records from a sheet's cells (XLSX, CSV in UTF-8 or GBK), from JSON lines,
/// or from the feed's JSON objects, all through the same checks (docs/settlements.md §5): the
/// header row found by its names below any title lines, a 合计 row ends the data, Excel's
/// damage to long numbers reported rather than guessed, amounts read exactly.
public enum SettlementReader {
  /// Records per file or request.
  public static let maximumRecords = 100_000
  /// A settlement's amounts are below a hundred million yuan.
  public static let largestAmount = Money(fen: 10_000_000_000)

  public static func read(_ cells: [[RosterCell]], layout: SettlementLayout, today: CalendarDate) -> SettlementFile {
    guard let (headerIndex, columns) = header(cells, layout: layout) else {
      let names = SettlementField.required.map(\.label.zh).joined(separator: "”“")
      return SettlementFile(
        rows: [],
        fileErrors: [
          FieldError(
            field: "header", code: "missing_columns",
            message: LocalizedText(
              zh: "未找到表头：前20行中没有同时含“\(names)”的一行（可在数据来源的列映射中补充表头名称）",
              en:
                "no header row with the columns \(SettlementField.required.map(\.rawValue).joined(separator: ", ")) in the first 20 rows (add the file's names to the source's column mapping)"
            ))
        ], ignoredLines: 0)
    }
    // The header's names once: each row's original text is kept under them.
    let names = cells[headerIndex].enumerated().map { position, cell in
      String((cell.trimmed.isEmpty ? "列\(position + 1)" : cell.trimmed).prefix(60))
    }
    // The data lines first (up to a 合计 row, blank lines skipped), then each read on its own:
    // a province's month is 100,000 lines, read on every core.
    var lines: [Int] = []
    var ignored = 0
    var ended = false
    for index in cells.indices where index > headerIndex {
      // The first cell that holds anything: none (a blank line), or 合计/总计 (the end).
      let first = ended ? nil : cells[index].lazy.map { SettlementValue.clean($0.trimmed) }.first { !$0.isEmpty }
      guard let first else {
        ignored += 1
        continue
      }
      if first.hasPrefix("合计") || first.hasPrefix("总计") {
        ended = true
        ignored += 1
        continue
      }
      lines.append(index)
      if lines.count > maximumRecords { return tooMany() }
    }
    let rows = lines.concurrentMap { index in
      let line = cells[index]
      var original: [String: String] = [:]
      original.reserveCapacity(names.count)
      for (position, name) in names.enumerated() where position < line.count {
        let text = line[position].trimmed
        if !text.isEmpty { original[name] = text.count > 200 ? String(text.prefix(200)) : text }
      }
      let (record, errors) = record(
        number: index + 1, layout: layout, today: today,
        value: { field in columns[field].map { $0 < line.count ? line[$0] : .empty } }, diagnoses: nil)
      return SettlementFileRow(number: index + 1, record: record, original: original, errors: errors)
    }
    return merged(SettlementFile(rows: rows, fileErrors: rows.isEmpty ? [noRecords] : [], ignoredLines: ignored))
  }

  /// JSON lines: one object per line, keyed by field names or the source's headers.
  public static func read(jsonLines data: Data, layout: SettlementLayout, today: CalendarDate) -> SettlementFile {
    var objects: [(Int, Any)] = []
    var errors: [FieldError] = []
    var number = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      number += 1
      let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
      guard !trimmed.isEmpty, !trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) else { continue }
      guard objects.count < maximumRecords else { return tooMany() }
      guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed)), object is [String: Any] else {
        errors.append(
          FieldError(
            field: "line", code: "invalid_json",
            message: LocalizedText(zh: "第\(number)行不是一个 JSON 对象", en: "line \(number) is not a JSON object"),
            row: number))
        continue
      }
      objects.append((number, object))
    }
    var file = read(objects: objects, layout: layout, today: today)
    file.fileErrors += errors
    if file.rows.isEmpty && errors.isEmpty { file.fileErrors.append(noRecords) }
    return file
  }

  /// JSON objects (JSON lines, or the feed's `records`), each with its 1-based number.
  public static func read(objects: [(Int, Any)], layout: SettlementLayout, today: CalendarDate) -> SettlementFile {
    guard objects.count <= maximumRecords else { return tooMany() }
    let lookup = headerLookup(layout)
    var rows: [SettlementFileRow] = []
    for (number, object) in objects {
      guard let object = object as? [String: Any] else {
        rows.append(
          SettlementFileRow(
            number: number, record: nil, original: [:],
            errors: [
              FieldError(
                field: "record", code: "invalid_record",
                message: LocalizedText(zh: "第\(number)条不是一个 JSON 对象", en: "record \(number) is not a JSON object"),
                row: number)
            ]))
        continue
      }
      var cells: [SettlementField: RosterCell] = [:]
      var original: [String: String] = [:]
      var diagnoses: [SettlementDiagnosis]? = nil
      var errors: [FieldError] = []
      for (key, value) in object.prefix(200) {
        if key == "diagnoses" {
          diagnoses = diagnosisList(value, number: number, errors: &errors)
          continue
        }
        let text: String
        switch value {
        case let string as String: text = string
        case let number as NSNumber: text = number.stringValue
        case is NSNull: text = ""
        default:
          errors.append(
            FieldError(
              field: String(key.prefix(40)), code: "invalid_value",
              message: LocalizedText(
                zh: "第\(number)条【\(key.prefix(40))】应为文字或数字",
                en: "record \(number), \(key.prefix(40)): a text or a number"),
              row: number))
          continue
        }
        original[String(key.prefix(60))] = String(text.prefix(200))
        if let field = lookup[SettlementHeader.normalise(key)], cells[field] == nil {
          cells[field] = .text(text)
        }
      }
      var (record, recordErrors) = record(
        number: number, layout: layout, today: today, value: { cells[$0] }, diagnoses: diagnoses)
      recordErrors += errors
      if !errors.isEmpty { record = nil }
      rows.append(SettlementFileRow(number: number, record: record, original: original, errors: recordErrors))
    }
    return merged(SettlementFile(rows: rows, fileErrors: [], ignoredLines: 0))
  }

  // MARK: One record

  /// The record a row's values make, or every problem with them, each naming the row and field.
  static func record(
    number: Int, layout: SettlementLayout, today: CalendarDate, value: (SettlementField) -> RosterCell?,
    diagnoses listed: [SettlementDiagnosis]?
  ) -> (SettlementRecord?, [FieldError]) {
    var errors: [FieldError] = []
    func fail(_ field: SettlementField, _ code: String, zh: String, en: String) {
      errors.append(
        FieldError(
          field: field.rawValue, code: code,
          message: LocalizedText(
            zh: "第\(number)行【\(field.label.zh)】\(zh)", en: "row \(number), \(field.rawValue): \(en)"),
          row: number))
    }
    func text(_ field: SettlementField) -> String? {
      guard let cell = value(field) else { return nil }
      let cleaned = SettlementValue.clean(cell.trimmed)
      guard !cleaned.isEmpty else { return nil }
      if case .text(let maximum) = field.kind, cleaned.count > maximum {
        fail(field, "too_long", zh: "超过\(maximum)个字符", en: "longer than \(maximum) characters")
        return nil
      }
      if let problem = PlainText.problem(in: cleaned) {
        fail(field, "invalid_character", zh: problem.zh, en: problem.en)
        return nil
      }
      return cleaned
    }
    func identifier(_ field: SettlementField, required: Bool) -> String? {
      guard let raw = text(field) else {
        if required { fail(field, "missing", zh: "不能为空", en: "is required") }
        return nil
      }
      if RosterReader.isExponentNumber(raw) {
        fail(
          field, "stored_as_number", zh: "被存成了数字（\(raw)），末几位已丢失：请让导出方把该列设为文本",
          en: "was stored as a number (\(raw)) and lost its last digits: ask for the column as text")
        return nil
      }
      return raw
    }
    func code(_ field: SettlementField) -> String? { text(field).map { layout.code($0, of: field) } }
    func date(_ field: SettlementField, required: Bool) -> CalendarDate? {
      guard let cell = value(field), !cell.trimmed.isEmpty else {
        if required { fail(field, "missing", zh: "不能为空", en: "is required") }
        return nil
      }
      guard let day = SettlementValue.date(cell) else {
        fail(
          field, "invalid_date", zh: "不是有效日期（\(cell.trimmed.prefix(30))）", en: "not a date (\(cell.trimmed.prefix(30)))"
        )
        return nil
      }
      if today < day {
        fail(field, "future_date", zh: "晚于今天（\(today)）", en: "after today (\(today))")
        return nil
      }
      return day
    }
    func flag(_ field: SettlementField, default fallback: Bool) -> Bool {
      guard let raw = text(field) else { return fallback }
      let mapped = layout.values?[field.rawValue]?[raw] ?? raw
      switch mapped.uppercased() {
      case "1", "是", "Y", "YES", "TRUE", "有效": return true
      case "0", "否", "N", "NO", "FALSE", "无效": return false
      default:
        // The value quoted shortened: a message is no place for a whole pasted cell.
        let shown = raw.count > 30 ? raw.prefix(30) + "…" : raw
        fail(field, "invalid_flag", zh: "应为 是/否 或 1/0（“\(shown)”）", en: "is yes/no or 1/0 (\"\(shown)\")")
        return fallback
      }
    }

    let settlementId = identifier(.settlementId, required: true)
    let name = text(.name)
    if name == nil { fail(.name, "missing", zh: "不能为空", en: "is required") }
    var idNumber: String? = nil
    if let raw = identifier(.idNumber, required: true) {
      switch SettlementValue.idNumber(raw) {
      case .success(let number): idNumber = number
      case .failure(let problem): fail(.idNumber, "invalid_id_number", zh: problem.message.zh, en: problem.message.en)
      }
    }
    let reversal = flag(.reversal, default: false)
    var amounts = SettlementAmounts()
    for (field, keyPath) in SettlementAmounts.fields {
      guard let cell = value(field) else { continue }
      switch SettlementValue.amount(cell) {
      case .some(let amount):
        if amount.fen.magnitude > largestAmount.fen.magnitude {
          fail(field, "invalid_amount", zh: "超出合理范围", en: "is out of range")
        } else if amount.isNegative && !reversal {
          fail(field, "negative_amount", zh: "不能为负数（冲销行除外）", en: "cannot be negative (except on a reversal row)")
        } else {
          amounts[keyPath: keyPath] = amount
        }
      case .none:
        fail(
          field, "invalid_amount", zh: "不是金额（“\(cell.trimmed.prefix(30))”）",
          en: "not an amount (\"\(cell.trimmed.prefix(30))\")")
      }
    }
    for field in [SettlementField.inScopeAmount, .poolPay] where amounts[keyPath: amountPath(field)] == nil {
      if value(field) == nil { fail(field, "missing", zh: "缺少此列", en: "the column is missing") }
    }
    let medicalType = code(.medicalType)
    let admission = date(.admissionDate, required: medicalType?.hasPrefix("2") == true)
    let discharge = date(.dischargeDate, required: false)
    let settled = date(.settledAt, required: true)
    if let admission, let discharge, discharge < admission {
      fail(.dischargeDate, "discharge_before_admission", zh: "早于入院日期", en: "is before the admission")
    }
    var diagnoses = listed ?? []
    if listed == nil, let code = text(.diagnosisCode) {
      diagnoses = [SettlementDiagnosis(code: code, name: text(.diagnosisName), main: true)]
    }
    let visit = identifier(.visitId, required: false)
    let original = identifier(.originalSettlementId, required: false)
    let personNo = identifier(.personNo, required: false)
    let valid = flag(.valid, default: true)
    guard errors.isEmpty, let settlementId, let name, let idNumber, let settled else { return (nil, errors) }
    return (
      SettlementRecord(
        settlementId: settlementId, visitId: visit, originalSettlementId: original, reversal: reversal, valid: valid,
        personNo: personNo, name: name, idNumber: idNumber, employerName: text(.employerName),
        insuredArea: text(.insuredArea), insuranceType: code(.insuranceType), personType: code(.personType),
        medicalType: medicalType, providerCode: text(.providerCode), providerName: text(.providerName),
        hospitalLevel: text(.hospitalLevel), admissionDate: admission, dischargeDate: discharge, settledOn: settled,
        diagnoses: diagnoses, diseaseCode: text(.diseaseCode)?.uppercased(), diseaseName: text(.diseaseName),
        amounts: amounts),
      errors
    )
  }

  static func amountPath(_ field: SettlementField) -> WritableKeyPath<SettlementAmounts, Money?> {
    SettlementAmounts.fields.first { $0.0 == field }!.1
  }

  static func diagnosisList(_ value: Any, number: Int, errors: inout [FieldError]) -> [SettlementDiagnosis] {
    guard let list = value as? [Any], list.count <= 50 else {
      errors.append(
        FieldError(
          field: "diagnoses", code: "invalid_diagnoses",
          message: LocalizedText(
            zh: "第\(number)条【诊断】应为至多50项的列表", en: "record \(number), diagnoses: a list of at most 50"),
          row: number))
      return []
    }
    var result: [SettlementDiagnosis] = []
    for item in list {
      guard let item = item as? [String: Any], let code = item["code"] as? String,
        !code.trimmingWhitespace.isEmpty, code.count <= 20, PlainText.problem(in: code) == nil
      else {
        errors.append(
          FieldError(
            field: "diagnoses", code: "invalid_diagnosis",
            message: LocalizedText(
              zh: "第\(number)条【诊断】每项须有不超过20个字符的 code",
              en: "record \(number), diagnoses: each needs a code of at most 20 characters"),
            row: number))
        return []
      }
      let name = (item["name"] as? String).map { String($0.prefix(200)) }
      result.append(
        SettlementDiagnosis(
          code: code.trimmingWhitespace, name: name.flatMap { PlainText.problem(in: $0) == nil ? $0 : nil },
          main: (item["main"] as? Bool) ?? ((item["main"] as? NSNumber)?.intValue == 1)))
    }
    return result
  }

  // MARK: The file

  static func header(_ cells: [[RosterCell]], layout: SettlementLayout) -> (Int, [SettlementField: Int])? {
    let lookup = headerLookup(layout)
    for (index, row) in cells.prefix(20).enumerated() {
      var columns: [SettlementField: Int] = [:]
      for (position, cell) in row.enumerated() {
        if let field = lookup[SettlementHeader.normalise(cell.trimmed)], columns[field] == nil {
          columns[field] = position
        }
      }
      if SettlementField.required.allSatisfy({ columns[$0] != nil }) { return (index, columns) }
    }
    return nil
  }

  static func headerLookup(_ layout: SettlementLayout) -> [String: SettlementField] {
    var lookup: [String: SettlementField] = [:]
    // The source's own names first, so they win over a built-in name they reuse.
    for field in SettlementField.allCases {
      for header in (layout.columns?[field.rawValue] ?? []).map(SettlementHeader.normalise) where lookup[header] == nil
      {
        lookup[header] = field
      }
    }
    for field in SettlementField.allCases {
      for header in field.headers.map(SettlementHeader.normalise) where lookup[header] == nil { lookup[header] = field }
    }
    return lookup
  }

  /// Rows of one settlement (an export with a row per diagnosis) become one record with every
  /// diagnosis; rows that share the ID but disagree otherwise are an error on the later row.
  static func merged(_ file: SettlementFile) -> SettlementFile {
    var result = file
    var firstOf: [String: Int] = [:]
    var kept: [SettlementFileRow] = []
    for row in file.rows {
      guard let record = row.record else {
        kept.append(row)
        continue
      }
      guard let position = firstOf[record.settlementId] else {
        firstOf[record.settlementId] = kept.count
        kept.append(row)
        continue
      }
      var first = kept[position].record!
      var same = record
      same.diagnoses = first.diagnoses
      if same == first {
        for diagnosis in record.diagnoses where !first.diagnoses.contains(where: { $0.code == diagnosis.code }) {
          first.diagnoses.append(SettlementDiagnosis(code: diagnosis.code, name: diagnosis.name, main: false))
        }
        kept[position].record = first
      } else {
        var refused = row
        refused.record = nil
        refused.errors.append(
          FieldError(
            field: SettlementField.settlementId.rawValue, code: "conflicting_rows",
            message: LocalizedText(
              zh: "第\(row.number)行与第\(kept[position].number)行结算ID相同而内容不同",
              en: "row \(row.number) has row \(kept[position].number)'s settlement ID with other values"),
            row: row.number))
        kept.append(refused)
      }
    }
    result.rows = kept
    return result
  }

  static let noRecords = FieldError(
    field: "rows", code: "no_rows", message: LocalizedText(zh: "文件中没有结算记录", en: "the file holds no settlements"))

  static func tooMany() -> SettlementFile {
    SettlementFile(
      rows: [],
      fileErrors: [
        FieldError(
          field: "rows", code: "too_many_records",
          message: LocalizedText(
            zh: "一次至多 \(maximumRecords) 条结算记录，请分批导入",
            en: "at most \(maximumRecords) settlements at a time: split the file"))
      ], ignoredLines: 0)
  }
}

/// How a settlement file's values are read (docs/settlements.md §5).
public enum SettlementValue {
  /// Without the guards exporters add (a leading tab or apostrophe, `="…"`), full-width
  /// characters as ASCII, and without surrounding spaces (the ideographic one too).
  public static func clean(_ text: String) -> String {
    if isClean(text) { return text }
    var scalars = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0xFF01...0xFF5E: scalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
      case 0x3000: scalars.append(" ")
      default: scalars.append(scalar)
      }
    }
    var result = String(scalars).trimmingCharacters(in: .whitespacesAndNewlines)
    if result.hasPrefix("=\""), result.hasSuffix("\""), result.count >= 3 {
      result = String(result.dropFirst(2).dropLast())
    }
    while result.hasPrefix("'") || result.hasPrefix("\t") { result.removeFirst() }
    return result.trimmingCharacters(in: .whitespaces)
  }

  /// Whether `clean` would return `text` as it is, decided on its UTF-8 bytes (most values
  /// of most files): no space or control character at either end, no guard in front, no
  /// full-width form (EF BC xx, EF BD xx), ideographic space (E3 80 80) or no-break space
  /// (C2 A0) anywhere.
  static func isClean(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      guard let first = bytes.first, let last = bytes.last else { return true }
      if first <= 0x20 || last <= 0x20 || first == UInt8(ascii: "'") || first == UInt8(ascii: "=") { return false }
      var index = 0
      while index < bytes.count {
        let byte = bytes[index]
        if byte >= 0x80 {
          let next = index + 1 < bytes.count ? bytes[index + 1] : 0
          if byte == 0xEF && (next == 0xBC || next == 0xBD) { return false }
          if byte == 0xE3 && next == 0x80 && index + 2 < bytes.count && bytes[index + 2] == 0x80 { return false }
          if byte == 0xC2 && next == 0xA0 { return false }
          // Other spaces (U+1680, U+2000–U+205F) begin E1 9A or E2 80/81.
          if (byte == 0xE2 && (next == 0x80 || next == 0x81)) || (byte == 0xE1 && next == 0x9A) { return false }
        }
        index += 1
      }
      return true
    }
  }

  /// An amount in yuan: `12,345.67`, `12345.67元`, `¥1.00`, empty for zero, negative on
  /// reversal rows; a spreadsheet's binary fraction (`11237.150000000001`) taken to the fen
  /// it stands for. Nil for anything else.
  public static func amount(_ cell: RosterCell) -> Money? {
    var text = clean(cell.trimmed)
    // Most amounts are plain ("11237.15"): read without the slower rewriting below.
    if !text.isEmpty, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 || $0 == UInt8(ascii: ".") }),
      let money = Money(yuan: text)
    {
      return money
    }
    if text.hasSuffix("元") { text.removeLast() }
    text = text.replacingOccurrences(of: "，", with: ",").trimmingCharacters(in: .whitespaces)
    if text.isEmpty { return .zero }
    if let money = Money(yuan: text) { return money }
    // A number cell with more decimals than the fen: a float's rendering, or a real third decimal.
    guard case .number = cell, !RosterReader.isExponentNumber(text), text.count <= 24,
      let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    else { return nil }
    var fen = decimal * 100
    var rounded = Decimal()
    NSDecimalRound(&rounded, &fen, 0, .plain)
    guard abs(NSDecimalNumber(decimal: fen - rounded).doubleValue) < 0.000_001 else { return nil }
    let value = NSDecimalNumber(decimal: rounded)
    guard abs(value.doubleValue) < 1e15 else { return nil }
    return Money(fen: value.int64Value)
  }

  /// A day from `2020-06-11`, `2020-06-11 10:32:00`, `20200611`, `20200611103200`,
  /// `2020/6/11`, a spreadsheet serial (with or without a time fraction) or a date cell.
  public static func date(_ cell: RosterCell) -> CalendarDate? {
    var text = clean(cell.trimmed)
    if text.count == 14, text.allSatisfy(\.isASCIIDigit) { text = String(text.prefix(8)) }
    if let separator = text.firstIndex(where: { $0 == " " || $0 == "T" }) { text = String(text[..<separator]) }
    if case .number(let number) = cell {
      return RosterReader.date(.number(number))
    }
    if text.count <= 12, let serial = Double(text), text.contains("."), serial >= 1, serial < 2_958_466 {
      return RosterReader.date(.number(String(Int(serial))))
    }
    return RosterReader.date(.text(text))
  }

  /// An ID number as the member registry keys it: upper-case check character; an old
  /// 15-digit number converted (19 inserted, check character computed); anything else checked.
  public static func idNumber(_ text: String) -> Result<String, ResidentIDNumber.Problem> {
    var number = text.uppercased()
    if number.count == 15, number.allSatisfy(\.isASCIIDigit) {
      let body = String(number.prefix(6)) + "19" + String(number.dropFirst(6))
      number = body + String(ResidentIDNumber.checkCharacter(for: body))
    }
    return ResidentIDNumber.validate(number).map(\.value)
  }
}
