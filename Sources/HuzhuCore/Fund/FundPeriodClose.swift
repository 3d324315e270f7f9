/// A closed fund period: one scheme's rule version whose ledger takes no more entries, its
/// balance carried to the next version of each product.
public struct FundPeriodClose: Hashable, Sendable, Codable {
  public let schemeCode: String
  public let versionLabel: String
  /// The server's day of the close.
  public let closedOn: CalendarDate
  public let closedBy: String
  /// The accounting reference of the close (the year-end voucher or the audit report).
  public let reference: String

  public init(schemeCode: String, versionLabel: String, closedOn: CalendarDate, closedBy: String, reference: String) {
    self.schemeCode = schemeCode
    self.versionLabel = versionLabel
    self.closedOn = closedOn
    self.closedBy = closedBy
    self.reference = reference
  }
}

/// The ledger's own entries: the opening balance taken over at go-live and a period's close.
/// Every refusal names the field and says what to do.
public enum FundLedgerRules {
  /// The largest opening balance accepted: ten billion yuan, far beyond any union's fund, and
  /// far inside the ledger's integer sums.
  public static let largestOpeningBalance = Money(yuan: 10_000_000_000)

  static let referenceField = LocalizedText(zh: "凭证号", en: "voucher reference")

  /// Checks a voucher reference: 1–64 characters.
  static func checkReference(_ reference: String) -> FieldError? {
    let trimmed = reference.trimmingWhitespace
    guard trimmed.isEmpty || trimmed.count > 64 else { return nil }
    return FieldError(
      field: "reference", code: "invalid_reference",
      message: LocalizedText(
        zh: "请填写1–64字的凭证号（记账凭证或审计报告编号）", en: "give the voucher reference (1–64 characters)"))
  }

  /// The opening balance of `product`'s fund in `version`: once per product and period, never
  /// into a closed period, and only for a version the scheme defines.
  public static func openingBalance(
    _ amount: Money, scheme: CompiledScheme, product productCode: String, version versionLabel: String,
    reference: String, postedOn: CalendarDate, closed: Bool, alreadyOpened: Bool
  ) throws(ValidationFailure) -> FundEntry {
    var errors: [FieldError] = []
    if let product = scheme.product(productCode) {
      if !product.versions.contains(where: { $0.label == versionLabel }) {
        errors.append(
          FieldError(
            field: "version", code: "unknown_version",
            message: LocalizedText(
              zh: "产品 \(productCode) 没有规则版本 \(versionLabel)",
              en: "product \(productCode) has no rule version \(versionLabel)")))
      }
    } else {
      errors.append(
        FieldError(
          field: "product", code: "unknown_product",
          message: LocalizedText(
            zh: "方案 \(scheme.code) 没有产品 \(productCode)", en: "scheme \(scheme.code) has no product \(productCode)")))
    }
    if amount.isZero || amount.fen.magnitude > largestOpeningBalance.fen.magnitude {
      errors.append(
        FieldError(
          field: "amount", code: "invalid_amount",
          message: LocalizedText(
            zh: "期初结余应为非零金额，且不超过 \(largestOpeningBalance.decimalString) 元",
            en: "the opening balance is not zero and at most \(largestOpeningBalance.formatted)")))
    }
    if let problem = checkReference(reference) { errors.append(problem) }
    if closed { errors.append(closedPeriod(scheme: scheme.code, version: versionLabel)) }
    if alreadyOpened {
      errors.append(
        FieldError(
          field: "product", code: "opening_balance_exists",
          message: LocalizedText(
            zh: "\(productCode) 在 \(versionLabel) 期间已登记期初结余；如有差错请冲正，不能再登记一次",
            en: "\(productCode) already has an opening balance in \(versionLabel); correct it by a reversal")))
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    return FundEntry(
      schemeCode: scheme.code, productCode: productCode, versionLabel: versionLabel, postedOn: postedOn,
      kind: .openingBalance, payer: nil, amount: amount,
      sourceID: openingSource(scheme: scheme.code, product: productCode, version: versionLabel),
      memo: reference.trimmingWhitespace)
  }

  /// The source of an opening balance: one per scheme, product and period (the ledger's
  /// unique source per kind makes a second one impossible).
  public static func openingSource(scheme: String, product: String, version: String) -> String {
    "opening:\(scheme):\(product):\(version)"
  }

  /// A period's close: for each product with money in the period, its balance leaves the
  /// period and arrives in the product's next rule version. `balances` is each product's
  /// balance in the period; `closed`, the scheme's closed periods. Refused when the period is
  /// closed already, when a product with a balance has no later open version to take it, or
  /// while claims of the period are lodged but not settled (`unsettledClaims`: they could not
  /// be paid once it is closed). Drafts never lodged do not hold a close up.
  public static func close(
    scheme: CompiledScheme, version versionLabel: String, balances: [String: Money], unsettledClaims: Int,
    reference: String, closedOn: CalendarDate, closedBy: String, closed: Set<String>
  ) throws(ValidationFailure) -> (close: FundPeriodClose, entries: [FundEntry]) {
    var errors: [FieldError] = []
    if closed.contains(versionLabel) {
      errors.append(closedPeriod(scheme: scheme.code, version: versionLabel))
    }
    let products = scheme.products.filter { product in product.versions.contains { $0.label == versionLabel } }
    if products.isEmpty {
      errors.append(
        FieldError(
          field: "version", code: "unknown_version",
          message: LocalizedText(
            zh: "方案 \(scheme.code) 没有规则版本 \(versionLabel)",
            en: "scheme \(scheme.code) has no rule version \(versionLabel)"
          )))
    }
    if unsettledClaims > 0 {
      errors.append(
        FieldError(
          field: "version", code: "claims_unsettled",
          message: LocalizedText(
            zh: "本期还有 \(unsettledClaims) 件申请尚未办结（待审核、补件、审批或支付中）：请先办结，再结账",
            en: "\(unsettledClaims) claims of the period are lodged but not settled: pay or reject them first")))
    }
    if let problem = checkReference(reference) { errors.append(problem) }
    var entries: [FundEntry] = []
    for (productCode, balance) in balances.sorted(by: { $0.key < $1.key }) where !balance.isZero {
      guard let product = scheme.product(productCode),
        let index = product.versions.firstIndex(where: { $0.label == versionLabel })
      else {
        errors.append(
          FieldError(
            field: "version", code: "unknown_product",
            message: LocalizedText(
              zh: "台账中的产品 \(productCode) 不在方案中，无法结转", en: "product \(productCode) of the ledger is not in the scheme")))
        continue
      }
      guard index + 1 < product.versions.count else {
        errors.append(
          FieldError(
            field: "version", code: "no_next_version",
            message: LocalizedText(
              zh: "产品 \(product.name.zh) 在 \(versionLabel) 之后没有新的规则版本，余额无处结转：请先发布下一期规则",
              en: "product \(product.name.en) has no rule version after \(versionLabel) to carry its balance to")))
        continue
      }
      let next = product.versions[index + 1].label
      if closed.contains(next) {
        errors.append(closedPeriod(scheme: scheme.code, version: next))
        continue
      }
      let source = "close:\(scheme.code):\(versionLabel):\(productCode)"
      let memo = "\(versionLabel) → \(next) \(reference.trimmingWhitespace)"
      entries.append(
        FundEntry(
          schemeCode: scheme.code, productCode: productCode, versionLabel: versionLabel, postedOn: closedOn,
          kind: .carriedForward, payer: nil, amount: Money(fen: -balance.fen), sourceID: source, memo: memo))
      entries.append(
        FundEntry(
          schemeCode: scheme.code, productCode: productCode, versionLabel: next, postedOn: closedOn,
          kind: .broughtForward, payer: nil, amount: balance, sourceID: source, memo: memo))
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    return (
      FundPeriodClose(
        schemeCode: scheme.code, versionLabel: versionLabel, closedOn: closedOn, closedBy: closedBy,
        reference: reference.trimmingWhitespace),
      entries
    )
  }

  /// Money of a closed period: refused, whatever brings it.
  public static func closedPeriod(scheme: String, version: String) -> FieldError {
    FieldError(
      field: "version", code: "period_closed",
      message: LocalizedText(
        zh: "\(scheme) 的 \(version) 期间已结账，不能再记入；更正请记入当前期间",
        en: "the \(version) period of \(scheme) is closed; post corrections to the open period"))
  }
}
