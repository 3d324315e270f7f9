import Foundation

/// Contributions paid back to one payer (退费) when a member's cover is withdrawn by a
/// correction (``Correction/Kind/enrollmentVoid`` or ``Correction/Kind/withdrawal``): the part
/// the payer paid for that member beyond what the bill still asks of them. It leaves the fund
/// when the correction is applied (a `refund` entry); the bank transfer is recorded on it once.
/// Never edited: the transfer is a record of its own.
public struct Refund: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<Refund>

  public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
    /// Owed to the payer: in the refunds' bank file.
    case due
    /// Transferred, with the bank's reference.
    case paid

    public var label: LocalizedText {
      switch self {
      case .due: LocalizedText(zh: "待退款", en: "due")
      case .paid: LocalizedText(zh: "已退款", en: "paid")
      }
    }
  }

  public let id: ID
  /// `TF-ANYANG-2020-000001`.
  public let number: String
  public let correctionID: Correction.ID
  public let schemeCode: String
  public let billID: Bill.ID
  public let billNumber: String
  /// The withdrawn cover's certificate.
  public let certificateNumber: String
  public let payer: PayerType
  /// A third party's name; the unit's or the member's name for theirs.
  public let payeeName: String
  public let bankName: String?
  public let bankAccount: String?
  public let amount: Money
  /// The server's day the correction was applied.
  public let createdOn: CalendarDate
  public var paidOn: CalendarDate?
  public var paidReference: String?
  public var paidBy: String?

  public init(
    id: ID = ID(), number: String, correctionID: Correction.ID, schemeCode: String, billID: Bill.ID,
    billNumber: String, certificateNumber: String, payer: PayerType, payeeName: String, bankName: String?,
    bankAccount: String?, amount: Money, createdOn: CalendarDate, paidOn: CalendarDate? = nil,
    paidReference: String? = nil, paidBy: String? = nil
  ) {
    self.id = id
    self.number = number
    self.correctionID = correctionID
    self.schemeCode = schemeCode
    self.billID = billID
    self.billNumber = billNumber
    self.certificateNumber = certificateNumber
    self.payer = payer
    self.payeeName = payeeName
    self.bankName = bankName
    self.bankAccount = bankAccount
    self.amount = amount
    self.createdOn = createdOn
    self.paidOn = paidOn
    self.paidReference = paidReference
    self.paidBy = paidBy
  }

  public var status: Status { paidOn == nil ? .due : .paid }
}

/// Where a refund to a payer other than the member goes (the unit's account, a third party's),
/// given with the request; the member's own part goes to their account on file.
public struct RefundAccount: Hashable, Sendable, Codable {
  public let bankName: String
  public let bankAccount: String

  public init(bankName: String, bankAccount: String) {
    self.bankName = bankName
    self.bankAccount = bankAccount
  }

  /// Both or neither: an account of 10–30 digits (spaces and dashes dropped) at a named bank.
  public static func checked(bankName: String?, bankAccount: String?) throws(ValidationFailure) -> RefundAccount? {
    let bank = (bankName ?? "").trimmingWhitespace
    let account = (bankAccount ?? "").filter { $0 != " " && $0 != "-" }
    if bank.isEmpty && account.isEmpty { return nil }
    var errors: [FieldError] = []
    if !(10...30).contains(account.count) || !account.allSatisfy({ $0.isASCII && $0.isNumber }) {
      errors.append(
        FieldError(
          field: "refundBankAccount", code: "invalid_account",
          message: LocalizedText(zh: "退款账号应为10–30位数字", en: "the refund account is 10–30 digits")))
    }
    if bank.isEmpty || bank.count > 60 {
      errors.append(
        FieldError(
          field: "refundBankName", code: "invalid_bank",
          message: LocalizedText(zh: "请填写退款账户的开户行（最多60字）", en: "give the refund account's bank (at most 60 characters)")
        ))
    } else if let problem = PlainText.fieldError(
      bank, field: "refundBankName", label: LocalizedText(zh: "开户行", en: "Bank"))
    {
      errors.append(problem)
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    return RefundAccount(bankName: bank, bankAccount: account)
  }
}

/// The rules of withdrawing cover and refunding its contributions.
public enum RefundRules {
  /// A withdrawal only where the rule version allows one (`enrollment.withdrawalDays`), within
  /// that many days of the cover's first day (of enrolling, while unpaid), counted to `today`,
  /// the server's day.
  public static func checkWithdrawal(of enrollment: Enrollment, allowedDays: Int?, on today: CalendarDate)
    throws(ValidationFailure)
  {
    guard let allowedDays else {
      throw ValidationFailure([
        FieldError(
          field: "kind", code: "withdrawal_not_allowed",
          message: LocalizedText(
            zh: "该保障的规则版本（\(enrollment.versionLabel)）不允许退保；登记错误请用“参保作废”",
            en:
              "the rule version (\(enrollment.versionLabel)) allows no withdrawal; an enrollment made in error is voided instead"
          ))
      ])
    }
    let from = enrollment.coverFrom ?? enrollment.enrolledOn
    let last = from.adding(days: allowedDays)
    guard today <= last else {
      throw ValidationFailure([
        FieldError(
          field: "kind", code: "withdrawal_too_late",
          message: LocalizedText(
            zh: "退保须在保障开始后 \(allowedDays) 天内（截至 \(last)）办理",
            en: "a withdrawal is possible within \(allowedDays) days of the cover's start (until \(last))"))
      ])
    }
  }

  /// What each payer owes for one member of `bill`: the bill's split applied to the member's
  /// shares at their price, exactly as the bill was made.
  public static func memberParts(
    of enrollment: Enrollment, bill: Bill, pricePerShare: Money, rounding: RoundingRule
  ) -> [PayerAmount] {
    let line = ContributionBill(
      members: [
        BillMember(worker: enrollment.workerID, shares: enrollment.shares, pricePerShare: enrollment.pricePerShare)
      ], pricePerShare: pricePerShare,
      rule: bill.split, rounding: rounding
    ).lines[0]
    return line.parts.map { PayerAmount(payer: $0.payer, payerName: $0.payerName, amount: $0.amount) }
  }

  /// Taking a member's `parts` off `bill`: what each payer's due goes down by, and what each is
  /// refunded — what they have paid beyond their new due, never more than their part.
  public static func withdraw(_ parts: [PayerAmount], from bill: Bill) -> (
    adjustments: [PayerAmount], refunds: [PayerAmount]
  ) {
    var refunds: [PayerAmount] = []
    for part in parts {
      let due = bill.due.filter { $0.matches(part) }.reduce(Money.zero) { $0 + $1.amount }
      let paid = bill.paid.filter { $0.matches(part) }.reduce(Money.zero) { $0 + $1.amount }
      let excess = paid - (due - part.amount)
      let refund = min(part.amount, excess)
      if refund.fen > 0 { refunds.append(PayerAmount(payer: part.payer, payerName: part.payerName, amount: refund)) }
    }
    return (
      parts.map { PayerAmount(payer: $0.payer, payerName: $0.payerName, amount: Money(fen: -$0.amount.fen)) }, refunds
    )
  }

  /// The entry a refund posts: its money out of the fund, in the bill's period or, when that has
  /// closed, the product's next open one (its memo names the closed one).
  public static func entry(
    of refund: Refund, bill: Bill, scheme: CompiledScheme, closed: Set<String>, postedOn: CalendarDate
  ) throws(ValidationFailure) -> FundEntry {
    let period = try FundLedgerRules.openPeriod(
      scheme: scheme, product: bill.productCode, from: bill.versionLabel, closed: closed)
    let memo = "退费 \(refund.number) \(bill.number) \(refund.certificateNumber)"
    return FundEntry(
      schemeCode: bill.schemeCode, productCode: bill.productCode, versionLabel: period, postedOn: postedOn,
      kind: .refund, payer: refund.payer, amount: Money(fen: -refund.amount.fen), sourceID: "refund:\(refund.id)",
      memo: period == bill.versionLabel ? memo : "\(memo)（冲 \(bill.versionLabel) 期间）")
  }

  /// Recording the bank's transfer of a refund: once; the same reference again changes nothing
  /// (`false`), another is refused.
  public static func markPaid(
    _ refund: inout Refund, reference: String, by name: String, on day: CalendarDate
  ) throws(ValidationFailure) -> Bool {
    let reference = reference.trimmingWhitespace
    guard (1...64).contains(reference.count) else {
      throw ValidationFailure([
        FieldError(
          field: "reference", code: "invalid_reference",
          message: LocalizedText(zh: "请填写1–64字的银行流水号", en: "give the bank's reference (1–64 characters)"))
      ])
    }
    if let problem = PlainText.fieldError(
      reference, field: "reference", label: LocalizedText(zh: "银行流水号", en: "Reference"))
    {
      throw ValidationFailure([problem])
    }
    if let earlier = refund.paidReference {
      guard earlier == reference else {
        throw ValidationFailure([
          FieldError(
            field: "reference", code: "already_paid",
            message: LocalizedText(
              zh: "该退费已于 \(refund.paidOn?.description ?? "") 退款（流水号 \(earlier)）",
              en: "this refund was already paid on \(refund.paidOn?.description ?? "") (reference \(earlier))"))
        ])
      }
      return false
    }
    refund.paidOn = day
    refund.paidReference = reference
    refund.paidBy = name
    return true
  }

  /// Refused once contributions of the bill were refunded: voiding a payment then would take
  /// out of the fund money that has already gone back.
  public static func refuseVoidAfterRefunds(_ refundCount: Int) throws(ValidationFailure) {
    guard refundCount > 0 else { return }
    throw ValidationFailure([
      FieldError(
        field: "receiptNumber", code: "bill_refunded",
        message: LocalizedText(
          zh: "该缴费单已有退费，不能再作废其缴费：请联系财务核对", en: "this bill has refunds; its payments can no longer be voided"))
    ])
  }
}

extension Bill {
  /// The bill as it stands after withdrawals: each payer's due less what withdrawn members'
  /// cover cost (`adjustments`, negative), and what they paid less what was refunded to them.
  /// Zero parts drop out; a bill whose every member was withdrawn owes nothing.
  public func net(adjustments: [PayerAmount], refunds: [PayerAmount], withdrawnMembers: Int) -> Bill {
    guard !adjustments.isEmpty || !refunds.isEmpty else { return self }
    func netted(_ parts: [PayerAmount], by changes: [PayerAmount], sign: Int64) -> [PayerAmount] {
      parts.compactMap { part in
        let change = changes.filter { $0.matches(part) }.reduce(Money.zero) { $0 + $1.amount }
        let left = Money(fen: part.amount.fen + sign * change.fen)
        return left.fen > 0 ? PayerAmount(payer: part.payer, payerName: part.payerName, amount: left) : nil
      }
    }
    return Bill(
      id: id, number: number, schemeCode: schemeCode, productCode: productCode, versionLabel: versionLabel,
      unitID: unitID, period: period, issuedOn: issuedOn, split: split, due: netted(due, by: adjustments, sign: 1),
      paid: netted(paid, by: refunds, sign: -1), settledOn: settledOn,
      memberCount: max(0, memberCount - withdrawnMembers))
  }
}
