/// A contribution bill (缴费通知单): what a unit (or an individual) owes the fund for the
/// members of one enrollment, part by part per payer. A unit's first enrollment for a period
/// makes one bill; late joiners get a bill of their own.
public struct Bill: Equatable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<Bill>

  public let id: ID
  public let number: String
  public let schemeCode: String
  public let productCode: String
  public let versionLabel: String
  /// Nil for an individual's bill.
  public let unitID: WorkUnit.ID?
  public let period: CoveragePeriod
  public let issuedOn: CalendarDate
  public let split: PayerSplitRule
  /// What each payer owes in total, zero parts left out.
  public let due: [PayerAmount]
  /// What each payer has paid so far.
  public var paid: [PayerAmount]
  /// The day the last part was paid, once the bill is settled.
  public var settledOn: CalendarDate?
  public let memberCount: Int

  public init(
    id: ID = ID(), number: String, schemeCode: String, productCode: String, versionLabel: String,
    unitID: WorkUnit.ID?, period: CoveragePeriod, issuedOn: CalendarDate, split: PayerSplitRule,
    due: [PayerAmount], paid: [PayerAmount] = [], settledOn: CalendarDate? = nil, memberCount: Int
  ) {
    self.id = id
    self.number = number
    self.schemeCode = schemeCode
    self.productCode = productCode
    self.versionLabel = versionLabel
    self.unitID = unitID
    self.period = period
    self.issuedOn = issuedOn
    self.split = split
    self.due = due
    self.paid = paid
    self.settledOn = settledOn
    self.memberCount = memberCount
  }

  public var totalDue: Money { due.reduce(.zero) { $0 + $1.amount } }
  public var totalPaid: Money { paid.reduce(.zero) { $0 + $1.amount } }

  public var status: BillStatus {
    // A bill taken over from the old records owes nothing and was settled then.
    if due.isEmpty && settledOn != nil { return .paid }
    if totalPaid.isZero { return .open }
    return outstanding.isEmpty ? .paid : .partiallyPaid
  }

  /// What each payer still owes, zero parts left out.
  public var outstanding: [PayerAmount] {
    due.compactMap { part in
      let paidSoFar = paid.filter { $0.matches(part) }.reduce(Money.zero) { $0 + $1.amount }
      let left = part.amount - paidSoFar
      return left.fen > 0 ? PayerAmount(payer: part.payer, payerName: part.payerName, amount: left) : nil
    }
  }

  /// Checks a payment against what its payer still owes: positive, not more than owed, and
  /// from a payer the bill names.
  public func validate(_ payment: PaymentRequest) -> [FieldError] {
    var errors: [FieldError] = []
    if payment.amount.fen <= 0 {
      errors.append(
        FieldError(
          field: "amount", code: "invalid_amount",
          message: LocalizedText(zh: "缴费金额须大于零", en: "the amount must be more than zero")))
    }
    if payment.reference.trimmingWhitespace.isEmpty || payment.reference.count > 64 {
      errors.append(
        FieldError(
          field: "reference", code: "invalid_reference",
          message: LocalizedText(
            zh: "请填写1–64字的缴费凭证号（银行流水号或收据号）", en: "give the payment reference (1–64 characters)")))
    }
    let key = PayerAmount(payer: payment.payer, payerName: payment.payerName, amount: .zero)
    let owed = outstanding.first { $0.matches(key) }
    if let owed {
      if payment.amount > owed.amount {
        errors.append(
          FieldError(
            field: "amount", code: "overpayment",
            message: LocalizedText(
              zh: "\(payment.payer.label.zh)尚欠 \(owed.amount.decimalString) 元，本次不能缴 \(payment.amount.decimalString) 元",
              en: "the \(payment.payer.label.en) owes \(owed.amount.formatted); \(payment.amount.formatted) is too much"
            )))
      }
    } else {
      let isDue = due.contains { $0.matches(key) }
      errors.append(
        FieldError(
          field: "payer", code: isDue ? "already_paid" : "not_a_payer",
          message: isDue
            ? LocalizedText(
              zh: "\(payment.payer.label.zh)应缴部分已缴清", en: "the \(payment.payer.label.en) has paid in full")
            : LocalizedText(
              zh: "本缴费单没有\(payment.payer.label.zh)应缴部分", en: "this bill has no part for the \(payment.payer.label.en)"))
      )
    }
    return errors
  }
}

public enum BillStatus: String, Hashable, Sendable, Codable, CaseIterable {
  case open
  case partiallyPaid = "partially_paid"
  case paid

  public var label: LocalizedText {
    switch self {
    case .open: LocalizedText(zh: "待缴费", en: "open")
    case .partiallyPaid: LocalizedText(zh: "部分缴费", en: "partly paid")
    case .paid: LocalizedText(zh: "已缴清", en: "paid")
    }
  }
}

/// An amount owed or paid by one payer. Third parties are told apart by name.
public struct PayerAmount: Hashable, Sendable, Codable {
  public let payer: PayerType
  public let payerName: String?
  public let amount: Money

  public init(payer: PayerType, payerName: String? = nil, amount: Money) {
    self.payer = payer
    self.payerName = payerName
    self.amount = amount
  }

  func matches(_ other: PayerAmount) -> Bool {
    payer == other.payer && (payer != .thirdParty || payerName == other.payerName)
  }
}

extension ContributionBill {
  /// The bill's totals per payer, third parties separately by name.
  public var dueByPayer: [PayerAmount] {
    var result: [PayerAmount] = []
    for line in lines {
      for part in line.parts {
        let key = PayerAmount(payer: part.payer, payerName: part.payerName, amount: .zero)
        if let index = result.firstIndex(where: { $0.matches(key) }) {
          result[index] = PayerAmount(
            payer: part.payer, payerName: part.payerName, amount: result[index].amount + part.amount)
        } else {
          result.append(PayerAmount(payer: part.payer, payerName: part.payerName, amount: part.amount))
        }
      }
    }
    let order = PayerType.allCases
    return result.sorted {
      (order.firstIndex(of: $0.payer)!, $0.payerName ?? "") < (order.firstIndex(of: $1.payer)!, $1.payerName ?? "")
    }
  }
}

/// A payment as recorded at the window or read from a bank statement.
public struct PaymentRequest: Hashable, Sendable, Codable {
  public var payer: PayerType
  /// The third party's name (a cadre paying for a paired worker), for `third_party`.
  public var payerName: String?
  public var amount: Money
  public var paidOn: CalendarDate
  /// Bank transaction number or paper receipt number.
  public var reference: String

  public init(payer: PayerType, payerName: String? = nil, amount: Money, paidOn: CalendarDate, reference: String) {
    self.payer = payer
    self.payerName = payerName
    self.amount = amount
    self.paidOn = paidOn
    self.reference = reference
  }
}

/// A recorded payment with its receipt (收据) number.
public struct Payment: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<Payment>

  public let id: ID
  public let billID: Bill.ID
  public let receiptNumber: String
  public let payer: PayerType
  public let payerName: String?
  public let amount: Money
  public let paidOn: CalendarDate
  public let reference: String
  public let recordedBy: String
  /// A void was approved (``Correction``): the payment stays on record and paid nothing.
  public var voided = false

  public init(
    id: ID = ID(), billID: Bill.ID, receiptNumber: String, payer: PayerType, payerName: String?, amount: Money,
    paidOn: CalendarDate, reference: String, recordedBy: String
  ) {
    self.id = id
    self.billID = billID
    self.receiptNumber = receiptNumber
    self.payer = payer
    self.payerName = payerName
    self.amount = amount
    self.paidOn = paidOn
    self.reference = reference
    self.recordedBy = recordedBy
  }
}
