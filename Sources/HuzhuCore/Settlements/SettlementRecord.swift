import Foundation

/// One medical-insurance settlement (结算记录) as the bureau or a hospital sends it: a hospital
/// stay or a chronic-outpatient period, with the national settlement list's figures
/// (docs/settlements.md, after the NHSA interface's `setlinfo` and the bureau's `SETL_D`).
///
/// Identifiers stay text (leading zeros and 20-digit numbers matter); amounts are exact fen.
public struct SettlementRecord: Codable, Sendable, Equatable {
  /// 结算ID `setl_id`: with the source, the record's idempotency key.
  public var settlementId: String
  /// 就诊ID `mdtrt_id`: the stay; a re-settlement keeps it.
  public var visitId: String?
  /// 原结算ID `init_setl_id`: on a reversal row, the settlement it cancels.
  public var originalSettlementId: String?
  /// 退费结算标志 `refd_setl_flag`: a reversal (negative) row.
  public var reversal: Bool
  /// 有效标志 `vali_flag`: false when the bureau voided the row in place.
  public var valid: Bool
  public var personNo: String?
  public var name: String
  /// 证件号码 `certno`, as sent (checked when matched).
  public var idNumber: String
  public var employerName: String?
  public var insuredArea: String?
  /// 险种类型 `insutype` as a code (310, 390…) when the file's value was recognised.
  public var insuranceType: String?
  public var personType: String?
  /// 医疗类别 `med_type` as a code (21 普通住院, 14 门诊慢特病…); unknown local codes kept.
  public var medicalType: String?
  public var providerCode: String?
  public var providerName: String?
  public var hospitalLevel: String?
  public var admissionDate: CalendarDate?
  public var dischargeDate: CalendarDate?
  /// 结算时间 `setl_time`, the day (Asia/Shanghai, as the bureau wrote it).
  public var settledOn: CalendarDate
  public var diagnoses: [SettlementDiagnosis]
  /// 病种编码 `dise_codg`: the chronic or special disease (M07803 血透…).
  public var diseaseCode: String?
  public var diseaseName: String?
  public var amounts: SettlementAmounts

  public init(
    settlementId: String, visitId: String? = nil, originalSettlementId: String? = nil, reversal: Bool = false,
    valid: Bool = true, personNo: String? = nil, name: String, idNumber: String, employerName: String? = nil,
    insuredArea: String? = nil, insuranceType: String? = nil, personType: String? = nil, medicalType: String? = nil,
    providerCode: String? = nil, providerName: String? = nil, hospitalLevel: String? = nil,
    admissionDate: CalendarDate? = nil, dischargeDate: CalendarDate? = nil, settledOn: CalendarDate,
    diagnoses: [SettlementDiagnosis] = [], diseaseCode: String? = nil, diseaseName: String? = nil,
    amounts: SettlementAmounts
  ) {
    self.settlementId = settlementId
    self.visitId = visitId
    self.originalSettlementId = originalSettlementId
    self.reversal = reversal
    self.valid = valid
    self.personNo = personNo
    self.name = name
    self.idNumber = idNumber
    self.employerName = employerName
    self.insuredArea = insuredArea
    self.insuranceType = insuranceType
    self.personType = personType
    self.medicalType = medicalType
    self.providerCode = providerCode
    self.providerName = providerName
    self.hospitalLevel = hospitalLevel
    self.admissionDate = admissionDate
    self.dischargeDate = dischargeDate
    self.settledOn = settledOn
    self.diagnoses = diagnoses
    self.diseaseCode = diseaseCode
    self.diseaseName = diseaseName
    self.amounts = amounts
  }

  /// Where the hospital is from the member's insured area: the national provider code
  /// (定点医药机构编号, `H` and the six-digit region it lies in, e.g. H41050200011) against
  /// `insu_admdvs`. Nil when either is missing or of another form.
  public var hospitalLocation: HospitalLocation? {
    guard let insuredArea, let code = providerCode, code.utf8.count >= 7, code.first?.isLetter == true else {
      return nil
    }
    return HospitalLocation(insuredArea: insuredArea, hospitalArea: String(code.dropFirst().prefix(6)))
  }

  /// A hospital stay (medical types 2x: 普通住院, 外伤住院, 日间手术…) rather than an outpatient period.
  public var isInpatient: Bool { medicalType?.hasPrefix("2") ?? (admissionDate != dischargeDate) }

  /// The main diagnosis: the one flagged, else the first.
  public var mainDiagnosis: SettlementDiagnosis? { diagnoses.first { $0.main } ?? diagnoses.first }

  /// What kind of treatment it was, for treatment-category caps: dialysis and transplant by
  /// the chronic-disease code first, the diagnoses second (docs/settlements.md §3).
  public var treatmentCategory: String? {
    let disease = diseaseCode?.uppercased() ?? ""
    if ["M07803", "M07804"].contains(disease) { return "dialysis" }
    if disease == "M08300" { return "transplant" }
    let codes = diagnoses.map { $0.code.uppercased() }
    if codes.contains(where: { $0.hasPrefix("Z49") || $0.hasPrefix("Z99.2") }) { return "dialysis" }
    if codes.contains(where: { $0.hasPrefix("Z94") }) { return "transplant" }
    if medicalType == "14" { return "special_outpatient" }
    return nil
  }
}

/// One diagnosis of a settlement (医保版 ICD-10).
public struct SettlementDiagnosis: Codable, Sendable, Equatable, Hashable {
  public var code: String
  public var name: String?
  /// 主诊断标志 `maindiag_flag`.
  public var main: Bool

  public init(code: String, name: String? = nil, main: Bool = false) {
    self.code = code
    self.name = name
    self.main = main
  }
}

/// A settlement's amounts, each as the source gave it (nil when the file had no such column).
/// The union's figures are derived from them in one place, ``SettlementAmounts/figures``.
public struct SettlementAmounts: Codable, Sendable, Equatable {
  /// 医疗费总额 `medfee_sumamt`
  public var totalCost: Money?
  /// 全自费金额 `fulamt_ownpay_amt`
  public var fullSelfPay: Money?
  /// 超限价自费费用 `overlmt_selfpay`
  public var overLimitSelfPay: Money?
  /// 先行自付金额 `preselfpay_amt`
  public var preSelfPay: Money?
  /// 符合政策范围金额 `inscp_scp_amt`
  public var inScopeAmount: Money?
  /// 实际支付起付线 `act_pay_dedc`
  public var deductiblePaid: Money?
  /// 统筹基金支出 `hifp_pay`
  public var poolPay: Money?
  /// 公务员医疗补助 `cvlserv_pay`
  public var civilServantPay: Money?
  /// 企业补充医疗保险 `hifes_pay`
  public var enterpriseSupplementPay: Money?
  /// 居民大病保险 `hifmi_pay`
  public var residentCriticalPay: Money?
  /// 职工大额医疗费用补助 `hifob_pay`
  public var employeeLargePay: Money?
  /// 伤残人员医疗保障 `hifdm_pay`
  public var disabledPay: Money?
  /// 医疗救助 `maf_pay`
  public var assistancePay: Money?
  /// 其他支出 `oth_pay`
  public var otherPay: Money?
  /// 基金支付总额 `fund_pay_sumamt`
  public var fundTotal: Money?
  /// 个人负担总金额 `psn_part_amt`
  public var personalBurden: Money?
  /// 个人账户支出 `acct_pay`
  public var accountPay: Money?
  /// 个人现金支出 `psn_cash_pay`
  public var cashPay: Money?
  /// 医院负担金额 `hosp_part_amt`
  public var hospitalBurden: Money?

  public init() {}

  /// Every amount by its field, for reading, writing and checking them alike. (Key paths are
  /// immutable values; they are not marked `Sendable` in this Swift.)
  nonisolated(unsafe) public static let fields: [(SettlementField, WritableKeyPath<SettlementAmounts, Money?>)] = [
    (.totalCost, \.totalCost), (.fullSelfPay, \.fullSelfPay), (.overLimitSelfPay, \.overLimitSelfPay),
    (.preSelfPay, \.preSelfPay), (.inScopeAmount, \.inScopeAmount), (.deductiblePaid, \.deductiblePaid),
    (.poolPay, \.poolPay), (.civilServantPay, \.civilServantPay),
    (.enterpriseSupplementPay, \.enterpriseSupplementPay), (.residentCriticalPay, \.residentCriticalPay),
    (.employeeLargePay, \.employeeLargePay), (.disabledPay, \.disabledPay), (.assistancePay, \.assistancePay),
    (.otherPay, \.otherPay), (.fundTotal, \.fundTotal), (.personalBurden, \.personalBurden),
    (.accountPay, \.accountPay), (.cashPay, \.cashPay), (.hospitalBurden, \.hospitalBurden),
  ]

  /// The funds that pay inside the scope, in `fund_pay_sumamt`'s order.
  var funds: [Money?] {
    [
      poolPay, civilServantPay, enterpriseSupplementPay, residentCriticalPay, employeeLargePay, disabledPay,
      assistancePay, otherPay,
    ]
  }

  /// The figures the union's rules read (docs/settlements.md §4): the pooled fund; 大病 and 大额
  /// together as critical-illness insurance; the in-scope part the member bore after every
  /// fund (never below zero); what lies outside the scope (全自费 + 超限价); the deductible
  /// paid; supplementary insurance (企业补充 + 公务员补助); medical assistance.
  public var figures: SettlementFigures {
    var figures: [SettlementFigure: Money] = [:]
    figures[.totalCost] = totalCost
    figures[.inScopeCost] = inScopeAmount
    figures[.pooledFundPaid] = poolPay ?? .zero
    figures[.criticalIllnessInsurancePaid] = (residentCriticalPay ?? .zero) + (employeeLargePay ?? .zero)
    if let inScope = inScopeAmount {
      let paid = fundTotal ?? funds.reduce(.zero) { $0 + ($1 ?? .zero) }
      figures[.selfPaidInScope] = max(.zero, inScope - paid)
    }
    if fullSelfPay != nil || overLimitSelfPay != nil {
      figures[.selfFunded] = (fullSelfPay ?? .zero) + (overLimitSelfPay ?? .zero)
    }
    figures[.deductiblePaid] = deductiblePaid
    if enterpriseSupplementPay != nil || civilServantPay != nil {
      figures[.supplementaryInsurancePaid] = (enterpriseSupplementPay ?? .zero) + (civilServantPay ?? .zero)
    }
    figures[.medicalAssistancePaid] = assistancePay
    return SettlementFigures(figures)
  }

  /// The identities a valid record satisfies (docs/settlements.md §4), each that fails, in
  /// the user's language. Checked only where the file gave the amounts involved.
  public var inconsistencies: [LocalizedText] {
    var problems: [LocalizedText] = []
    if let total = totalCost, let full = fullSelfPay, let over = overLimitSelfPay, let pre = preSelfPay,
      let inScope = inScopeAmount, full + over + pre + inScope != total
    {
      problems.append(
        LocalizedText(
          zh: "医疗费总额 \(total.decimalString) ≠ 全自费+超限价+先行自付+符合范围 \((full + over + pre + inScope).decimalString)",
          en:
            "total cost \(total.decimalString) ≠ out-of-catalogue + over-limit + pre-paid + in-scope \((full + over + pre + inScope).decimalString)"
        ))
    }
    let knownFunds = funds.compactMap { $0 }
    if let fundTotal, !knownFunds.isEmpty {
      let sum = knownFunds.reduce(.zero, +)
      if sum != fundTotal {
        problems.append(
          LocalizedText(
            zh: "基金支付合计 \(fundTotal.decimalString) ≠ 各项基金之和 \(sum.decimalString)",
            en: "fund total \(fundTotal.decimalString) ≠ the funds' sum \(sum.decimalString)"))
      }
    }
    if let total = totalCost, let fundTotal {
      let person =
        personalBurden ?? ((accountPay != nil || cashPay != nil) ? (accountPay ?? .zero) + (cashPay ?? .zero) : nil)
      if let person, fundTotal + person + (hospitalBurden ?? .zero) != total {
        problems.append(
          LocalizedText(
            zh:
              "医疗费总额 \(total.decimalString) ≠ 基金支付+个人负担 \((fundTotal + person + (hospitalBurden ?? .zero)).decimalString)",
            en:
              "total cost \(total.decimalString) ≠ funds + the person's part \((fundTotal + person + (hospitalBurden ?? .zero)).decimalString)"
          ))
      }
    }
    if let inScope = inScopeAmount, let pool = poolPay, !pool.isNegative, pool > inScope {
      problems.append(
        LocalizedText(
          zh: "统筹基金支付 \(pool.decimalString) 大于符合范围金额 \(inScope.decimalString)",
          en: "the pooled fund paid \(pool.decimalString), more than the in-scope cost \(inScope.decimalString)"))
    }
    return problems
  }
}
