import Foundation

/// Turns the cells of a roster sheet into workers, checking every row and reporting every
/// problem with its row, column and a message in Chinese and English.
public enum RosterReader {
  /// - Parameter rows: the sheet's cells; a header row is looked for in the first ten rows.
  public static func preview(_ rows: [[RosterCell]]) -> RosterPreview {
    guard let (headerIndex, columns) = SheetHeader.find(rows, RosterField.self) else {
      return RosterPreview(columns: [:], rows: [], fileErrors: [SheetHeader.missing(RosterField.self)])
    }
    var parsed: [RosterRow] = []
    var firstRowOfID: [String: Int] = [:]
    for index in rows.indices where index > headerIndex {
      let cells = rows[index]
      guard cells.contains(where: { !$0.trimmed.isEmpty }) else { continue }
      func cell(_ field: RosterField) -> RosterCell {
        guard let column = columns[field], column < cells.count else { return .empty }
        return cells[column]
      }
      var row = parse(rowNumber: index + 1, cell: cell)
      if let number = row.idNumber {
        if let first = firstRowOfID[number.value] {
          row.errors.append(
            error(row, .idNumber, "duplicate_in_file", zh: "与第\(first)行身份证号重复", en: "same ID number as row \(first)"))
        } else {
          firstRowOfID[number.value] = row.rowNumber
        }
      }
      parsed.append(row)
    }
    var fileErrors: [FieldError] = []
    if parsed.isEmpty {
      fileErrors.append(
        FieldError(
          field: "rows", code: "no_rows", message: LocalizedText(zh: "表头下没有职工数据", en: "no workers below the header")))
    }
    return RosterPreview(columns: columns, rows: parsed, fileErrors: fileErrors)
  }

  static func error(_ row: RosterRow, _ field: RosterField, _ code: String, zh: String, en: String) -> FieldError {
    FieldError(
      field: field.rawValue, code: code,
      message: LocalizedText(
        zh: "第\(row.rowNumber)行【\(field.label.zh)】\(zh)", en: "row \(row.rowNumber), \(field.label.en): \(en)"),
      row: row.rowNumber)
  }

  static func parse(rowNumber: Int, cell: (RosterField) -> RosterCell) -> RosterRow {
    var row = RosterRow(
      rowNumber: rowNumber, name: cell(.name).trimmed, idNumber: nil, phone: nil, insuranceType: .urbanEmployee,
      categories: [], hireDate: nil, shares: 1, inService: true, bankName: nil, bankAccount: nil, errors: [],
      warnings: [])
    func fail(_ field: RosterField, _ code: String, zh: String, en: String) {
      row.errors.append(error(row, field, code, zh: zh, en: en))
    }
    if row.name.isEmpty || row.name.count > 50 {
      fail(.name, "invalid_name", zh: "姓名不能为空且不超过50字", en: "a name is 1–50 characters")
    }
    if let problem = PlainText.problem(in: row.name) {
      fail(.name, "invalid_character", zh: problem.zh, en: problem.en)
    }

    let idCell = cell(.idNumber)
    switch ResidentIDNumber.validate(idCell.trimmed) {
    case .success(let number): row.idNumber = number
    case .failure(let problem):
      var storedAsNumber = isExponentNumber(idCell.trimmed)
      if case .number = idCell { storedAsNumber = true }
      if storedAsNumber {
        fail(
          .idNumber, "id_stored_as_number",
          zh: "身份证号被存成了数字（\(idCell.trimmed)），末几位已丢失：请把该列设为“文本”后重新录入",
          en:
            "the ID number was stored as a number (\(idCell.trimmed)) and lost its last digits: format the column as text and retype it"
        )
      } else if idCell.trimmed.isEmpty {
        fail(.idNumber, "missing_id", zh: "身份证号不能为空", en: "the ID number is required")
      } else {
        fail(.idNumber, "invalid_id", zh: problem.message.zh, en: problem.message.en)
      }
    }

    let genderText = cell(.gender).trimmed
    if !genderText.isEmpty {
      let gender: Gender? =
        ["男", "m", "male"].contains(genderText.lowercased())
        ? .male
        : ["女", "f", "female"].contains(genderText.lowercased()) ? .female : nil
      if gender == nil {
        fail(.gender, "invalid_gender", zh: "应为“男”或“女”", en: "expected 男 or 女 (male or female)")
      } else if let number = row.idNumber, number.gender != gender {
        fail(
          .gender, "gender_mismatch", zh: "与身份证号不符（身份证为\(number.gender.label.zh)）",
          en: "does not match the ID number (\(number.gender.label.en))")
      }
    }
    let birthCell = cell(.birthDate)
    if !birthCell.trimmed.isEmpty {
      if let birth = date(birthCell) {
        if let number = row.idNumber, number.birthDate != birth {
          fail(
            .birthDate, "birth_date_mismatch", zh: "与身份证号不符（身份证为\(number.birthDate)）",
            en: "does not match the ID number (\(number.birthDate))")
        }
      } else {
        fail(.birthDate, "invalid_date", zh: "日期无法识别，请写作 2019-12-15", en: "not a date; write it as 2019-12-15")
      }
    }
    let hireCell = cell(.hireDate)
    if !hireCell.trimmed.isEmpty {
      if let hire = date(hireCell) {
        row.hireDate = hire
      } else {
        fail(.hireDate, "invalid_date", zh: "日期无法识别，请写作 2019-12-15", en: "not a date; write it as 2019-12-15")
      }
    }

    let phone = cell(.phone).trimmed
    if !phone.isEmpty {
      switch PhoneNumber.classify(phone) {
      case (let digits, .mobile)?:
        row.phone = digits
      case (let digits, .landline)?:
        row.phone = digits
        row.warnings.append(
          error(row, .phone, "landline", zh: "不是手机号，无法接收短信通知", en: "not a mobile number: no SMS notifications"))
      case nil:
        fail(.phone, "invalid_phone", zh: "应为11位手机号", en: "expected an 11-digit mobile number")
      }
    }

    let insurance = cell(.insuranceType).trimmed
    if !insurance.isEmpty {
      if ["城镇职工", "职工医保", "职工", "城镇职工基本医疗保险", "urban_employee"].contains(insurance) {
        row.insuranceType = .urbanEmployee
      } else if ["城乡居民", "居民医保", "居民", "城乡居民基本医疗保险", "urban_rural_resident"].contains(insurance) {
        row.insuranceType = .urbanRuralResident
      } else {
        fail(.insuranceType, "invalid_insurance_type", zh: "应为“城镇职工”或“城乡居民”", en: "expected 城镇职工 or 城乡居民")
      }
    }

    let categoryText = cell(.categories).trimmed
    if !categoryText.isEmpty {
      var categories: [MemberCategory] = []
      for part in categoryText.split(whereSeparator: { "、,，;；/ ".contains($0) }).map(String.init) {
        switch part {
        case "困难", "困难职工", "hardship": categories.append(.hardship)
        case "特困", "特困职工", "extreme_hardship": categories.append(.extremeHardship)
        case "劳模", "劳动模范", "model_worker": categories.append(.modelWorker)
        case "新就业形态", "新业态", "灵活就业", "gig_worker": categories.append(.gigWorker)
        case "一般", "普通", "无": break
        default:
          fail(
            .categories, "invalid_category", zh: "无法识别“\(part)”（可用：困难职工、特困职工、劳动模范、新就业形态）",
            en: "unknown \"\(part)\" (use 困难职工, 特困职工, 劳动模范, 新就业形态)")
        }
      }
      row.categories = MemberCategories(categories)
    }

    let sharesText = cell(.shares).trimmed
    if !sharesText.isEmpty {
      if let shares = Int(sharesText), (1...10).contains(shares) {
        row.shares = shares
      } else {
        fail(.shares, "invalid_shares", zh: "份数应为1–10的整数", en: "shares are a whole number from 1 to 10")
      }
    }

    let serviceText = cell(.inService).trimmed.lowercased()
    if !serviceText.isEmpty {
      if ["是", "在职", "y", "yes", "true", "1"].contains(serviceText) {
        row.inService = true
      } else if ["否", "离职", "退休", "n", "no", "false", "0"].contains(serviceText) {
        row.inService = false
      } else {
        fail(.inService, "invalid_flag", zh: "应为“是”或“否”", en: "expected 是 or 否 (yes or no)")
      }
    }

    let bankName = cell(.bankName).trimmed
    row.bankName = bankName.isEmpty ? nil : bankName
    if let problem = PlainText.problem(in: bankName) {
      fail(.bankName, "invalid_character", zh: problem.zh, en: problem.en)
    }
    let account = cell(.bankAccount).trimmed.filter { $0 != " " }
    if !account.isEmpty {
      if isExponentNumber(account) {
        fail(
          .bankAccount, "account_stored_as_number", zh: "银行账号被存成了数字，末几位已丢失：请设为“文本”后重新录入",
          en: "the account was stored as a number and lost digits: format the column as text and retype it")
      } else if let account = BankAccountNumber.normalized(account) {
        row.bankAccount = account
      } else {
        fail(.bankAccount, "invalid_account", zh: "应为10–30位数字", en: "expected 10–30 digits")
      }
    }
    return row
  }

  /// `1.10105194912310E+17`: a long number a spreadsheet rounded, in a number cell or written
  /// out as text by a CSV export.
  static func isExponentNumber(_ text: String) -> Bool {
    let upper = text.uppercased()
    guard let exponent = upper.firstIndex(of: "E") else { return false }
    return Double(upper) != nil && upper[upper.index(after: exponent)...].contains(where: \.isASCIIDigit)
  }

  /// `2019-12-15`, `2019/12/15`, `2019/1/5`, `2019.12.15`, `2019年12月15日`, `20191215`, or a
  /// spreadsheet date serial (days since 1899-12-30) in a number cell or, as CSV exports write
  /// it when a date lost its format, as five digits of text.
  public static func date(_ cell: RosterCell) -> CalendarDate? {
    let text = cell.trimmed
    if text.count == 8, text.allSatisfy(\.isASCIIDigit) { return compact(text) }
    var isSerial = text.count == 5 && text.allSatisfy(\.isASCIIDigit)
    if case .number = cell { isSerial = true }
    if isSerial, let serial = Double(text), serial >= 1, serial < 2_958_466 {
      return CalendarDate(dayNumber: Int(serial.rounded(.down)) - 25_569)
    }
    let parts = text.split(whereSeparator: { "-/.年月日".contains($0) })
    guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), year > 1900
    else { return nil }
    return CalendarDate(year: year, month: month, day: day)
  }

  static func compact(_ text: String) -> CalendarDate? {
    guard let value = Int(text) else { return nil }
    return CalendarDate(year: value / 10000, month: value / 100 % 100, day: value % 100)
  }
}
