/// A person registering on their own at a union window (个人参保登记): a gig worker
/// (新就业形态劳动者), or someone whose unit has not joined. What the clerk typed, checked
/// whole: every field at fault is named at once, and nothing is kept until all are right.
public struct IndividualRegistration: Sendable, Hashable {
  public var name: String
  public var idNumber: String
  /// Required: the portal's one-time codes and the claim messages go to it.
  public var phone: String
  public var insuranceType: String
  public var categories: [String]
  public var bankName: String
  public var bankAccount: String
  /// The node whose window keeps the record.
  public var organisationID: Organisation.ID?

  public init(
    name: String = "", idNumber: String = "", phone: String = "",
    insuranceType: String = InsuranceType.urbanEmployee
      .rawValue,
    categories: [String] = [], bankName: String = "", bankAccount: String = "", organisationID: Organisation.ID? = nil
  ) {
    self.name = name
    self.idNumber = idNumber
    self.phone = phone
    self.insuranceType = insuranceType
    self.categories = categories
    self.bankName = bankName
    self.bankAccount = bankAccount
    self.organisationID = organisationID
  }

  /// The person to register (employed by nobody, kept by ``organisationID``), or every problem.
  public func validated() -> Result<Worker, ValidationFailure> {
    var errors: [FieldError] = []
    let name = name.trimmingCharacters(in: .whitespaces)
    if name.isEmpty {
      errors.append(.missing("name", LocalizedText(zh: "姓名", en: "name")))
    } else if name.count > 50 {
      errors.append(
        FieldError(field: "name", code: "too_long", message: LocalizedText(zh: "姓名过长", en: "the name is too long")))
    }
    if let error = PlainText.fieldError(name, field: "name", label: LocalizedText(zh: "姓名", en: "The name")) {
      errors.append(error)
    }
    var number: ResidentIDNumber?
    let typed = idNumber.trimmingCharacters(in: .whitespaces)
    if typed.isEmpty {
      errors.append(.missing("idNumber", LocalizedText(zh: "身份证号", en: "ID number")))
    } else {
      switch ResidentIDNumber.validate(typed) {
      case .success(let valid): number = valid
      case .failure:
        errors.append(
          FieldError(
            field: "idNumber", code: "invalid_id_number",
            message: LocalizedText(zh: "身份证号码无效（位数或校验位不对）", en: "not a valid resident ID number")))
      }
    }
    var mobile: String?
    let phone = phone.trimmingCharacters(in: .whitespaces)
    if phone.isEmpty {
      errors.append(.missing("phone", LocalizedText(zh: "手机号", en: "mobile number")))
    } else if case (let digits, .mobile)? = PhoneNumber.classify(phone) {
      mobile = digits
    } else {
      errors.append(
        FieldError(
          field: "phone", code: "invalid_phone",
          message: LocalizedText(zh: "应为11位手机号（用于接收验证码和通知）", en: "an 11-digit mobile number (for codes and notices)")))
    }
    let insurance = InsuranceType(rawValue: insuranceType)
    if insurance == nil {
      errors.append(
        FieldError(
          field: "insuranceType", code: "invalid_choice",
          message: LocalizedText(zh: "请选择基本医疗保险类型", en: "choose the basic medical insurance")))
    }
    var chosen: [MemberCategory] = []
    for code in categories where !code.isEmpty {
      if let category = MemberCategory(rawValue: code) {
        chosen.append(category)
      } else {
        errors.append(
          FieldError(
            field: "categories", code: "invalid_choice",
            message: LocalizedText(zh: "人员类别无效：\(code)", en: "unknown category: \(code)")))
      }
    }
    let account = bankAccount.trimmingCharacters(in: .whitespaces)
    var normalizedAccount: String?
    if !account.isEmpty {
      normalizedAccount = BankAccountNumber.normalized(account)
      if normalizedAccount == nil {
        errors.append(
          FieldError(
            field: "bankAccount", code: "invalid_account",
            message: LocalizedText(zh: "银行账号应为10–30位数字", en: "a bank account is 10–30 digits")))
      }
    }
    let bank = bankName.trimmingCharacters(in: .whitespaces)
    if normalizedAccount != nil && bank.isEmpty {
      errors.append(.missing("bankName", LocalizedText(zh: "开户行", en: "bank")))
    }
    if let error = PlainText.fieldError(bank, field: "bankName", label: LocalizedText(zh: "开户行", en: "The bank")) {
      errors.append(error)
    }
    if organisationID == nil {
      errors.append(.missing("organisationId", LocalizedText(zh: "登记组织", en: "organisation")))
    }
    guard errors.isEmpty, let number, let insurance, let organisationID else {
      return .failure(ValidationFailure(errors))
    }
    return .success(
      Worker(
        name: name, idNumber: number, unitID: nil, homeOrganisationID: organisationID, phone: mobile,
        insuranceType: insurance, categories: MemberCategories(chosen), bankName: bank.isEmpty ? nil : bank,
        bankAccount: normalizedAccount))
  }
}
