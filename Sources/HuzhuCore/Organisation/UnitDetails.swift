/// A unit's address, contact and bank account: what the agency needs to reach and pay it.
public struct UnitDetails: Hashable, Sendable, Codable {
  public var address: String?
  public var contactName: String?
  public var contactPhone: String?
  public var bankName: String?
  public var bankAccount: String?

  public init(
    address: String? = nil, contactName: String? = nil, contactPhone: String? = nil, bankName: String? = nil,
    bankAccount: String? = nil
  ) {
    self.address = address
    self.contactName = contactName
    self.contactPhone = contactPhone
    self.bankName = bankName
    self.bankAccount = bankAccount
  }

  /// Blank texts become nil; every problem is reported.
  public func validated() throws(ValidationFailure) -> UnitDetails {
    func clean(_ text: String?) -> String? {
      guard let trimmed = text?.trimmingWhitespace, !trimmed.isEmpty else { return nil }
      return trimmed
    }
    let result = UnitDetails(
      address: clean(address), contactName: clean(contactName), contactPhone: clean(contactPhone),
      bankName: clean(bankName), bankAccount: clean(bankAccount)?.filter { $0 != " " })
    var errors = FieldError.tooLong([
      ("address", result.address, 200), ("contactName", result.contactName, 50), ("bankName", result.bankName, 100),
    ])
    if let phone = result.contactPhone, PhoneNumber.classify(phone) == nil {
      errors.append(
        FieldError(
          field: "contactPhone", code: "invalid_phone",
          message: LocalizedText(
            zh: "联系电话应为11位手机号或带区号的座机号", en: "give an 11-digit mobile number or a landline with area code")))
    }
    if let account = result.bankAccount, BankAccountNumber.normalized(account) == nil {
      errors.append(
        FieldError(
          field: "bankAccount", code: "invalid_bank_account",
          message: LocalizedText(zh: "银行账号应为10–30位数字", en: "a bank account number is 10–30 digits")))
    }
    if (result.bankAccount == nil) != (result.bankName == nil) {
      errors.append(
        FieldError(
          field: result.bankName == nil ? "bankName" : "bankAccount", code: "incomplete_bank",
          message: LocalizedText(zh: "开户行与银行账号须同时填写", en: "give both the bank and the account number")))
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    return result
  }
}

/// A unit's headcount as reported on a date: the denominators of participation rates.
/// The count in force on a day is the latest report on or before it.
public struct HeadcountReport: Hashable, Sendable, Codable {
  public let asOf: CalendarDate
  public let total: Int
  public let female: Int

  public init(asOf: CalendarDate, total: Int, female: Int) {
    self.asOf = asOf
    self.total = total
    self.female = female
  }

  public func validate() -> [FieldError] {
    var errors: [FieldError] = []
    if total < 0 || total > 2_000_000 {
      errors.append(
        FieldError(
          field: "total", code: "invalid_count",
          message: LocalizedText(zh: "职工总数应为0–2,000,000", en: "the headcount is 0–2,000,000")))
    }
    if female < 0 || female > total {
      errors.append(
        FieldError(
          field: "female", code: "invalid_count",
          message: LocalizedText(zh: "女职工人数不能为负，也不能超过职工总数", en: "female workers are 0 up to the headcount")))
    }
    return errors
  }

  /// The report in force on `date`.
  public static func inForce(on date: CalendarDate, among reports: [HeadcountReport]) -> HeadcountReport? {
    reports.filter { $0.asOf <= date }.max { $0.asOf < $1.asOf }
  }
}

/// Phone numbers as people write them: spaces and dashes are ignored.
enum PhoneNumber {
  enum Kind { case mobile, landline }

  /// The digits and what they are, or nil when the text is no Chinese phone number:
  /// 11-digit mobiles starting with 1, landlines with an area code (0372-5123456).
  static func classify(_ text: String) -> (digits: String, kind: Kind)? {
    let digits = text.filter { $0 != " " && $0 != "-" }
    guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
    if digits.count == 11 && digits.first == "1" { return (digits, .mobile) }
    if digits.first == "0" && (10...12).contains(digits.count) { return (digits, .landline) }
    return nil
  }
}

/// Bank account numbers: 10–30 digits once spaces are removed.
enum BankAccountNumber {
  static func normalized(_ text: String) -> String? {
    let digits = text.filter { $0 != " " }
    return (10...30).contains(digits.count) && digits.allSatisfy(\.isASCIIDigit) ? digits : nil
  }
}

/// A member's account for transfers, as staff enter it when correcting one (after the bank
/// returned a transfer, or at the member's request): both the bank and the number.
public struct MemberBankAccount: Hashable, Sendable {
  public let bankName: String
  public let account: String

  /// Checks what a form or a client sent: a bank of plain text up to 60 characters and an
  /// account of 10–30 digits (spaces as people type them are dropped).
  public static func checked(bankName: String, account: String) throws(ValidationFailure) -> MemberBankAccount {
    var errors: [FieldError] = []
    let bank = bankName.trimmingWhitespace
    if bank.isEmpty {
      errors.append(.missing("bankName", LocalizedText(zh: "开户行", en: "bank")))
    } else if bank.count > 60 {
      errors.append(
        FieldError(
          field: "bankName", code: "too_long",
          message: LocalizedText(zh: "开户行最多60字", en: "the bank is at most 60 characters")))
    } else if let problem = PlainText.fieldError(
      bank, field: "bankName", label: LocalizedText(zh: "开户行", en: "The bank"))
    {
      errors.append(problem)
    }
    let normalized = BankAccountNumber.normalized(account.trimmingWhitespace)
    if normalized == nil {
      errors.append(
        FieldError(
          field: "bankAccount", code: "invalid_account",
          message: LocalizedText(zh: "银行账号应为10–30位数字", en: "a bank account is 10–30 digits")))
    }
    guard errors.isEmpty, let normalized else { throw ValidationFailure(errors) }
    return MemberBankAccount(bankName: bank, account: normalized)
  }
}
