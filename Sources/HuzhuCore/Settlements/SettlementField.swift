import Foundation

/// A field of a settlement record, by the name the JSON feed uses, with the headers a file may
/// give it: the national settlement list's Chinese labels and interface codes (`setl_id`, in
/// any case) and the variants bureau exports use. A source's ``SettlementLayout`` adds its own.
public enum SettlementField: String, CaseIterable, Sendable, Codable {
  case settlementId, visitId, originalSettlementId, reversal, valid, personNo, name, idNumber, employerName
  case insuredArea, insuranceType, personType, medicalType, providerCode, providerName, hospitalLevel
  case admissionDate, dischargeDate, settledAt, diagnosisCode, diagnosisName, diseaseCode, diseaseName
  case totalCost, fullSelfPay, overLimitSelfPay, preSelfPay, inScopeAmount, deductiblePaid, poolPay
  case civilServantPay, enterpriseSupplementPay, residentCriticalPay, employeeLargePay, disabledPay
  case assistancePay, otherPay, fundTotal, personalBurden, accountPay, cashPay, hospitalBurden

  public enum Kind: Sendable {
    case text(maximum: Int)
    case amount
    case date
    case flag
  }

  public var kind: Kind {
    switch self {
    case .settlementId, .visitId, .originalSettlementId, .personNo: .text(maximum: 40)
    case .name: .text(maximum: 50)
    case .idNumber: .text(maximum: 50)
    case .employerName, .providerName, .diagnosisName, .diseaseName: .text(maximum: 200)
    case .insuredArea, .insuranceType, .personType, .medicalType, .hospitalLevel, .providerCode, .diagnosisCode,
      .diseaseCode:
      .text(maximum: 40)
    case .reversal, .valid: .flag
    case .admissionDate, .dischargeDate, .settledAt: .date
    default: .amount
    }
  }

  /// The columns a file must have to be read at all.
  public static let required: [SettlementField] = [
    .settlementId, .name, .idNumber, .settledAt, .inScopeAmount, .poolPay,
  ]

  /// Headers meaning this field (compared without spaces, underscores, brackets and case).
  public var headers: [String] {
    let names: [String] =
      switch self {
      case .settlementId: ["结算ID", "结算流水号", "结算编号", "结算单号", "setl_id"]
      case .visitId: ["就诊ID", "就诊流水号", "就诊编号", "mdtrt_id"]
      case .originalSettlementId: ["原结算ID", "原结算流水号", "原结算编号", "init_setl_id"]
      case .reversal: ["退费结算标志", "冲销标志", "退费标志", "refd_setl_flag"]
      case .valid: ["有效标志", "vali_flag"]
      case .personNo: ["人员编号", "个人编号", "psn_no"]
      case .name: ["姓名", "人员姓名", "psn_name"]
      case .idNumber: ["身份证号", "身份证号码", "证件号码", "公民身份号码", "certno"]
      case .employerName: ["单位名称", "emp_name"]
      case .insuredArea: ["参保所属医保区划", "参保地", "insu_admdvs"]
      case .insuranceType: ["险种类型", "险种", "insutype"]
      case .personType: ["人员类别", "psn_type"]
      case .medicalType: ["医疗类别", "med_type"]
      case .providerCode: ["定点医药机构编号", "定点医疗机构编码", "定点医疗机构编号", "医疗机构编码", "fixmedins_code"]
      case .providerName: ["定点医药机构名称", "定点医疗机构名称", "医疗机构名称", "医院名称", "fixmedins_name"]
      case .hospitalLevel: ["医院等级", "hosp_lv"]
      case .admissionDate: ["入院日期", "入院时间", "开始日期", "begndate", "adm_time"]
      case .dischargeDate: ["出院日期", "出院时间", "结束日期", "enddate", "dscg_time"]
      case .settledAt: ["结算时间", "结算日期", "setl_time"]
      case .diagnosisCode: ["主要诊断编码", "主诊断编码", "诊断编码", "诊断代码", "diag_code", "dscg_maindiag_code"]
      case .diagnosisName: ["主要诊断名称", "主诊断名称", "诊断名称", "diag_name", "dscg_maindiag_name"]
      case .diseaseCode: ["病种编码", "病种编号", "dise_codg", "dise_no"]
      case .diseaseName: ["病种名称", "dise_name"]
      case .totalCost: ["医疗费总额", "医疗总费用", "费用总额", "medfee_sumamt"]
      case .fullSelfPay: ["全自费金额", "fulamt_ownpay_amt"]
      case .overLimitSelfPay: ["超限价自费金额", "超限价自费费用", "overlmt_selfpay"]
      case .preSelfPay: ["先行自付金额", "preselfpay_amt"]
      case .inScopeAmount: ["符合范围金额", "符合政策范围金额", "inscp_scp_amt"]
      case .deductiblePaid: ["起付线", "实际支付起付线", "act_pay_dedc"]
      case .poolPay: ["统筹基金支付", "统筹基金支出", "基本医疗保险统筹基金支出", "统筹支付", "基本统筹", "hifp_pay"]
      case .civilServantPay: ["公务员医疗补助支付", "公务员医疗补助资金支出", "cvlserv_pay"]
      case .enterpriseSupplementPay: ["企业补充医疗保险支付", "企业补充医疗保险基金支出", "hifes_pay"]
      case .residentCriticalPay: ["居民大病保险支付", "居民大病保险资金支出", "大病保险支付", "hifmi_pay"]
      case .employeeLargePay: ["大额医疗补助支付", "职工大额医疗费用补助基金支出", "大额医疗费用补助", "hifob_pay"]
      case .disabledPay: ["伤残人员医疗保障基金支出", "hifdm_pay"]
      case .assistancePay: ["医疗救助支付", "医疗救助基金支出", "maf_pay"]
      case .otherPay: ["其他支出", "其他基金支付", "oth_pay"]
      case .fundTotal: ["基金支付合计", "基金支付总额", "fund_pay_sumamt"]
      case .personalBurden: ["个人负担总金额", "个人支付金额", "psn_part_amt", "psn_pay"]
      case .accountPay: ["个人账户支付", "个人账户支出", "acct_pay"]
      case .cashPay: ["个人现金支付", "个人现金支出", "现金支付金额", "psn_cash_pay", "cash_payamt"]
      case .hospitalBurden: ["医院负担金额", "hosp_part_amt"]
      }
    return names + [rawValue]
  }

  public var label: LocalizedText {
    LocalizedText(zh: headers[0], en: rawValue)
  }

  /// Values files write in words, as the codes the rules read (险种 and 医疗类别 names); a
  /// value not listed is kept as sent.
  var standardValues: [String: String] {
    switch self {
    case .insuranceType: Self.insuranceTypes
    case .medicalType: Self.medicalTypes
    case .personType: Self.personTypes
    default: [:]
    }
  }

  private static let insuranceTypes = SettlementField.insuranceType.words
  private static let medicalTypes = SettlementField.medicalType.words
  private static let personTypes = SettlementField.personType.words

  private var words: [String: String] {
    switch self {
    case .insuranceType:
      [
        "职工基本医疗保险": "310", "职工医保": "310", "城镇职工基本医疗保险": "310", "城乡居民基本医疗保险": "390",
        "城乡居民医保": "390", "城镇居民基本医疗保险": "391", "离休人员医疗保障": "340",
      ]
    case .medicalType:
      [
        "普通门诊": "11", "门诊挂号": "12", "急诊": "13", "门诊慢特病": "14", "门诊特殊病": "14", "门诊慢性病": "14",
        "意外伤害门诊": "19", "普通住院": "21", "外伤住院": "22", "转外诊治住院": "23", "急诊转住院": "24", "日间手术": "28",
        "定点药店购药": "41", "生育门诊": "51", "生育住院": "52", "计划生育手术费": "53", "重大疾病门诊": "9901",
        "重大疾病住院": "9902",
      ]
    case .personType:
      ["在职": "11", "职工在职": "1101", "退休": "12", "职工退休": "1201", "灵活就业人员在职": "1103"]
    default: [:]
    }
  }
}

/// How one source's files are read, for a bureau whose export the built-in headers do not
/// cover: more headers per field, and more words per coded value. Stored with the source,
/// written as JSON (docs/settlements.md).
public struct SettlementLayout: Codable, Sendable, Equatable {
  /// Extra headers per field (`"settlementId": ["流水号"]`), tried before the built-in ones.
  public var columns: [String: [String]]?
  /// Extra words per field's coded value (`"medicalType": {"住院": "21"}`).
  public var values: [String: [String: String]]?

  public init(columns: [String: [String]]? = nil, values: [String: [String: String]]? = nil) {
    self.columns = columns
    self.values = values
  }

  public static let standard = SettlementLayout()

  /// Every key naming no field, with the nearest field's name ("did you mean …").
  public func problems() -> [FieldError] {
    var errors: [FieldError] = []
    for (part, keys) in [
      ("columns", columns.map { Array($0.keys) } ?? []), ("values", values.map { Array($0.keys) } ?? []),
    ] {
      for key in keys.sorted() where SettlementField(rawValue: key) == nil {
        // A key too long to be a misspelling gets no suggestion (and costs nothing).
        let nearest =
          key.count > 40
          ? "settlementId"
          : SettlementField.allCases.map(\.rawValue).min {
            EditDistance.between($0, key) < EditDistance.between($1, key)
          }!
        errors.append(
          FieldError(
            field: "\(part).\(key.prefix(40))", code: "unknown_field",
            message: LocalizedText(
              zh: "\(part).\(key.prefix(40))：没有这个字段，是否想写 \(nearest)？",
              en: "\(part).\(key.prefix(40)): no such field; did you mean \(nearest)?"
            )))
      }
    }
    for (key, headers) in columns ?? [:]
    where headers.contains(where: { $0.trimmingWhitespace.isEmpty || $0.count > 60 }) {
      errors.append(
        FieldError(
          field: "columns.\(key)", code: "invalid_header",
          message: LocalizedText(zh: "表头名称应为1–60个字符", en: "a header is 1–60 characters")))
    }
    return errors
  }

  func headers(of field: SettlementField) -> [String] {
    ((columns?[field.rawValue] ?? []) + field.headers).map(SettlementHeader.normalise)
  }

  func code(_ value: String, of field: SettlementField) -> String {
    values?[field.rawValue]?[value] ?? field.standardValues[value] ?? value
  }
}

enum SettlementHeader {
  static func normalise(_ header: String) -> String {
    SettlementValue.clean(header).lowercased().filter {
      !$0.isWhitespace && $0 != "*" && $0 != "_" && !"（）()".contains($0)
    }
  }
}

/// Levenshtein distance, for "did you mean" suggestions over short keys.
enum EditDistance {
  static func between(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased())
    let b = Array(b.lowercased())
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return previous[b.count]
  }
}
