extension String {
  /// Without leading and trailing white space (including full-width spaces). Plain Swift:
  /// Foundation's trimming goes through CFString, which dominated a 100,000-row import.
  var trimmingWhitespace: String {
    // Most values start and end with a visible ASCII character: nothing to trim, no
    // grapheme breaking to find that out.
    if let first = utf8.first, let last = utf8.last, (0x21..<0x7F).contains(first), (0x21..<0x7F).contains(last) {
      return self
    }
    guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
    let last = lastIndex(where: { !$0.isWhitespace })!
    if first == startIndex && last == index(before: endIndex) { return self }
    return String(self[first...last])
  }
}

/// A cell of an imported roster as the file held it. Numbers keep their exact text.
public enum RosterCell: Sendable, Equatable {
  case empty
  case text(String)
  case number(String)

  var trimmed: String {
    switch self {
    case .empty: ""
    case .text(let text): text.trimmingWhitespace
    case .number(let text): text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
  }
}

/// The columns a roster (花名册) may have, recognised by Chinese or English headers.
public enum RosterField: String, Sendable, CaseIterable, Codable, SheetColumn {
  case name, idNumber, phone, gender, birthDate, insuranceType, categories, hireDate, shares, inService, bankName
  case bankAccount

  /// Headers that mean this column, compared without spaces and case.
  public var headers: [String] {
    switch self {
    case .name: ["姓名", "职工姓名", "name"]
    case .idNumber: ["身份证号", "身份证号码", "公民身份号码", "证件号码", "idnumber", "id"]
    case .phone: ["手机号", "手机号码", "手机", "联系电话", "电话", "phone", "mobile"]
    case .gender: ["性别", "gender", "sex"]
    case .birthDate: ["出生日期", "birthdate", "dateofbirth"]
    case .insuranceType: ["医保类型", "参保类型", "基本医疗保险类型", "insurancetype"]
    case .categories: ["人员类别", "类别", "职工类别", "categories", "category"]
    case .hireDate: ["入职日期", "参加工作日期", "hiredate"]
    case .shares: ["份数", "参保份数", "shares"]
    case .inService: ["在职", "在职状态", "是否在职", "inservice"]
    case .bankName: ["开户行", "开户银行", "bank", "bankname"]
    case .bankAccount: ["银行账号", "银行卡号", "账号", "bankaccount", "account"]
    }
  }

  public var label: LocalizedText {
    switch self {
    case .name: LocalizedText(zh: "姓名", en: "name")
    case .idNumber: LocalizedText(zh: "身份证号", en: "ID number")
    case .phone: LocalizedText(zh: "手机号", en: "phone")
    case .gender: LocalizedText(zh: "性别", en: "gender")
    case .birthDate: LocalizedText(zh: "出生日期", en: "birth date")
    case .insuranceType: LocalizedText(zh: "医保类型", en: "insurance type")
    case .categories: LocalizedText(zh: "人员类别", en: "categories")
    case .hireDate: LocalizedText(zh: "入职日期", en: "hire date")
    case .shares: LocalizedText(zh: "份数", en: "shares")
    case .inService: LocalizedText(zh: "在职", en: "in service")
    case .bankName: LocalizedText(zh: "开户行", en: "bank")
    case .bankAccount: LocalizedText(zh: "银行账号", en: "bank account")
    }
  }

  public static let required: [RosterField] = [.name, .idNumber]

  /// The header row of the downloadable template, and an example row.
  public static let templateHeader = [
    "姓名", "身份证号", "手机号", "性别", "出生日期", "医保类型", "人员类别", "入职日期", "份数", "在职", "开户行", "银行账号",
  ]
  public static let templateExample = [
    "王秀英", "11010519491231002X", "13800138000", "女", "1949-12-31", "城镇职工", "困难职工", "2019-12-15", "1", "是", "中国工商银行安阳分行",
    "6222020000000000000",
  ]
}

/// One worker read from a roster row, with what is wrong or doubtful about it.
public struct RosterRow: Sendable, Equatable {
  /// The row's number in the file, as the spreadsheet program shows it (the header is 1).
  public let rowNumber: Int
  public var name: String
  public var idNumber: ResidentIDNumber?
  public var phone: String?
  public var insuranceType: InsuranceType
  public var categories: MemberCategories
  public var hireDate: CalendarDate?
  public var shares: Int
  public var inService: Bool
  public var bankName: String?
  public var bankAccount: String?
  /// Problems that stop the row (and so the import) from being committed.
  public var errors: [FieldError]
  /// Things to look at that do not stop the import.
  public var warnings: [FieldError]

  public var isValid: Bool { errors.isEmpty && idNumber != nil }
}

/// The result of reading a roster: the rows, and problems with the file as a whole.
public struct RosterPreview: Sendable, Equatable {
  public let columns: [RosterField: Int]
  public let rows: [RosterRow]
  public let fileErrors: [FieldError]

  public init(columns: [RosterField: Int], rows: [RosterRow], fileErrors: [FieldError]) {
    self.columns = columns
    self.rows = rows
    self.fileErrors = fileErrors
  }

  public var errorCount: Int { fileErrors.count + rows.reduce(0) { $0 + $1.errors.count } }
  public var warningCount: Int { rows.reduce(0) { $0 + $1.warnings.count } }
  /// Commit is all or nothing: only a preview without errors may be committed.
  public var canCommit: Bool { errorCount == 0 && !rows.isEmpty }

  /// The preview with a warning on each row whose person the registry already knows
  /// (`known` says what it knows, e.g. "registered at another unit: will transfer").
  public func annotatingKnownPeople(_ known: (ResidentIDNumber) -> LocalizedText?) -> RosterPreview {
    RosterPreview(
      columns: columns,
      rows: rows.map { row in
        var row = row
        if let number = row.idNumber, !row.errors.contains(where: { $0.code == "duplicate_in_file" }),
          let message = known(number)
        {
          row.warnings.append(FieldError(field: "idNumber", code: "known_person", message: message, row: row.rowNumber))
        }
        return row
      }, fileErrors: fileErrors)
  }

  /// Every problem, file first, then rows in order.
  public var allErrors: [FieldError] { fileErrors + rows.flatMap(\.errors) }
}
