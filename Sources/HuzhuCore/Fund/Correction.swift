import Foundation

/// A correction of money recorded in error (冲正/作废): asked for by one person with a reason,
/// carried out once a second person approves it (four eyes), unless the scheme waives that.
/// Nothing it corrects is edited or deleted: the correction is a record of its own, linked to
/// what it corrects, and its money moves by reversal entries in the fund.
public struct Correction: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<Correction>

  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A contribution payment recorded in error (the wrong bill, the wrong amount, a transfer
    /// that never came): the payment is void, its money leaves the fund, its bill owes again.
    case paymentVoid = "payment_void"
    /// A member enrolled in error (the wrong person, product or shares): the cover is withdrawn,
    /// the certificate void, the bill owes less, and what its payers paid for the member is
    /// refunded (``RefundRules``).
    case enrollmentVoid = "enrollment_void"
    /// A member withdrawing within the days the rule version allows (退保, `withdrawalDays`):
    /// carried out like an enrollment void.
    case withdrawal

    public var label: LocalizedText {
      switch self {
      case .paymentVoid: LocalizedText(zh: "缴费作废", en: "payment void")
      case .enrollmentVoid: LocalizedText(zh: "参保作废", en: "enrollment void")
      case .withdrawal: LocalizedText(zh: "退保", en: "withdrawal")
      }
    }

    /// Whether it corrects an enrollment (the target is the enrollment, its label the
    /// certificate number) rather than a payment.
    public var correctsEnrollment: Bool { self != .paymentVoid }
  }

  public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
    /// Waiting for a second person.
    case requested
    /// Carried out: its entries are in the ledger.
    case applied
    /// Turned down by the second person, with their note; the record stands corrected by nothing.
    case refused

    public var label: LocalizedText {
      switch self {
      case .requested: LocalizedText(zh: "待复核", en: "awaiting a second person")
      case .applied: LocalizedText(zh: "已生效", en: "applied")
      case .refused: LocalizedText(zh: "未通过", en: "refused")
      }
    }
  }

  public let id: ID
  public let kind: Kind
  public let schemeCode: String
  /// What it corrects: the payment's ID and its receipt number, or the enrollment's ID and its
  /// certificate number.
  public let targetID: UUID
  public let targetLabel: String
  /// The money it concerns: a payment void's amount; an enrollment's, what its cover costs.
  public let amount: Money
  public let reason: String
  public let requestedBy: String
  public let requestedByID: UserAccount.ID
  /// The server's day.
  public let requestedOn: CalendarDate
  public var status: Status
  public var decidedBy: String?
  public var decidedByID: UserAccount.ID?
  public var decidedOn: CalendarDate?
  public var decisionNote: String?

  public init(
    id: ID = ID(), kind: Kind, schemeCode: String, targetID: UUID, targetLabel: String, amount: Money, reason: String,
    requestedBy: String, requestedByID: UserAccount.ID, requestedOn: CalendarDate, status: Status = .requested,
    decidedBy: String? = nil, decidedByID: UserAccount.ID? = nil, decidedOn: CalendarDate? = nil,
    decisionNote: String? = nil
  ) {
    self.id = id
    self.kind = kind
    self.schemeCode = schemeCode
    self.targetID = targetID
    self.targetLabel = targetLabel
    self.amount = amount
    self.reason = reason
    self.requestedBy = requestedBy
    self.requestedByID = requestedByID
    self.requestedOn = requestedOn
    self.status = status
    self.decidedBy = decidedBy
    self.decidedByID = decidedByID
    self.decidedOn = decidedOn
    self.decisionNote = decisionNote
  }
}

/// Someone asking for or deciding a correction.
public struct CorrectionActor: Hashable, Sendable {
  public let accountID: UserAccount.ID
  public let name: String

  public init(accountID: UserAccount.ID, name: String) {
    self.accountID = accountID
    self.name = name
  }
}

/// The rules of corrections: who may decide, what a void posts. Every refusal names the field
/// and says what to do.
public enum CorrectionRules {
  /// A reason or a decision's note: required, plain text, at most 200 characters.
  public static func checkText(_ text: String, field: String, label: LocalizedText) throws(ValidationFailure) -> String
  {
    let trimmed = text.trimmingWhitespace
    guard !trimmed.isEmpty else {
      throw ValidationFailure([
        FieldError(
          field: field, code: "reason_required",
          message: LocalizedText(zh: "请填写\(label.zh)", en: "give the \(label.en.lowercased())"))
      ])
    }
    guard trimmed.count <= PaymentReturn.longestReason else {
      throw ValidationFailure([
        FieldError(
          field: field, code: "reason_too_long",
          message: LocalizedText(
            zh: "\(label.zh)最多 \(PaymentReturn.longestReason) 字",
            en: "the \(label.en.lowercased()) is at most \(PaymentReturn.longestReason) characters"))
      ])
    }
    if let problem = PlainText.fieldError(trimmed, field: field, label: label) { throw ValidationFailure([problem]) }
    return trimmed
  }

  static let reasonLabel = LocalizedText(zh: "更正原因", en: "Reason")

  /// A void of `payment` asked for by `actor`; applied at once when the scheme does not ask for
  /// a second person (`fourEyes` false), otherwise waiting for one.
  public static func requestVoid(
    of payment: Payment, schemeCode: String, reason: String, by actor: CorrectionActor, on day: CalendarDate,
    fourEyes: Bool
  ) throws(ValidationFailure) -> Correction {
    try request(
      .paymentVoid, schemeCode: schemeCode, targetID: payment.id.rawValue, targetLabel: payment.receiptNumber,
      amount: payment.amount, reason: reason, by: actor, on: day, fourEyes: fourEyes)
  }

  /// An enrollment void or a withdrawal of `enrollment`, whose cover costs `cost` (everything its
  /// payers owe for it). A withdrawal only where its rule version allows one
  /// (``RefundRules/checkWithdrawal(of:allowedDays:on:)``).
  public static func requestEnrollmentVoid(
    _ kind: Correction.Kind, of enrollment: Enrollment, cost: Money, reason: String, by actor: CorrectionActor,
    on day: CalendarDate, fourEyes: Bool
  ) throws(ValidationFailure) -> Correction {
    precondition(kind.correctsEnrollment, "an enrollment is corrected by a void or a withdrawal")
    guard enrollment.status != .withdrawn else {
      throw ValidationFailure([
        FieldError(
          field: "certificateNumber", code: "already_withdrawn",
          message: LocalizedText(zh: "该保障已撤销", en: "this cover is already withdrawn"))
      ])
    }
    return try request(
      kind, schemeCode: enrollment.schemeCode, targetID: enrollment.id.rawValue,
      targetLabel: enrollment.certificateNumber, amount: cost, reason: reason, by: actor, on: day, fourEyes: fourEyes)
  }

  private static func request(
    _ kind: Correction.Kind, schemeCode: String, targetID: UUID, targetLabel: String, amount: Money, reason: String,
    by actor: CorrectionActor, on day: CalendarDate, fourEyes: Bool
  ) throws(ValidationFailure) -> Correction {
    let reason = try checkText(reason, field: "reason", label: reasonLabel)
    guard amount.fen > 0 else {
      throw ValidationFailure([
        FieldError(
          field: "amount", code: "nothing_to_correct",
          message: LocalizedText(zh: "没有涉及金额，无需更正", en: "there is no money to correct"))
      ])
    }
    var correction = Correction(
      kind: kind, schemeCode: schemeCode, targetID: targetID, targetLabel: targetLabel, amount: amount, reason: reason,
      requestedBy: actor.name, requestedByID: actor.accountID, requestedOn: day)
    if !fourEyes {
      correction.status = .applied
      correction.decidedBy = actor.name
      correction.decidedByID = actor.accountID
      correction.decidedOn = day
    }
    return correction
  }

  /// The second person's decision: only on a correction waiting for one, and never by whoever
  /// asked for it. Deciding the same way again changes nothing (`false`).
  public static func decide(
    _ correction: inout Correction, approve: Bool, note: String?, by actor: CorrectionActor, on day: CalendarDate
  ) throws(ValidationFailure) -> Bool {
    let wanted: Correction.Status = approve ? .applied : .refused
    if correction.status == wanted && correction.decidedByID == actor.accountID { return false }
    guard correction.status == .requested else {
      throw ValidationFailure([
        FieldError(
          field: "status", code: "already_decided",
          message: LocalizedText(
            zh: "该更正已\(correction.status.label.zh)，不能再处理",
            en: "this correction is already \(correction.status.label.en)"
          ))
      ])
    }
    guard correction.requestedByID != actor.accountID else {
      throw ValidationFailure([
        FieldError(
          field: "status", code: "own_request",
          message: LocalizedText(
            zh: "涉及资金的更正须由另一人复核：不能复核自己提出的更正",
            en: "a correction of money needs a second person: you cannot decide your own request"))
      ])
    }
    // A refusal says why; an approval may add a note.
    var checked: String?
    let given = note?.trimmingWhitespace ?? ""
    if !approve || !given.isEmpty {
      checked = try checkText(
        given, field: "note",
        label: approve ? LocalizedText(zh: "复核说明", en: "Note") : LocalizedText(zh: "不予通过的理由", en: "Reason for refusing")
      )
    }
    correction.status = wanted
    correction.decidedBy = actor.name
    correction.decidedByID = actor.accountID
    correction.decidedOn = day
    correction.decisionNote = checked
    return true
  }

  /// What a void posts: the payment's money out of the fund as a reversal of its entry, in the
  /// bill's period or, when that has closed, the product's next open one.
  public static func voidEntry(
    of payment: Payment, bill: Bill, scheme: CompiledScheme, closed: Set<String>, postedOn: CalendarDate
  ) throws(ValidationFailure) -> FundEntry {
    let period = try FundLedgerRules.openPeriod(
      scheme: scheme, product: bill.productCode, from: bill.versionLabel, closed: closed)
    let memo = "作废 \(payment.receiptNumber) \(bill.number)"
    return FundEntry(
      schemeCode: bill.schemeCode, productCode: bill.productCode, versionLabel: period, postedOn: postedOn,
      kind: .reversal, payer: payment.payer, amount: Money(fen: -payment.amount.fen),
      sourceID: voidSource(of: payment.id),
      memo: period == bill.versionLabel ? memo : "\(memo)（冲 \(bill.versionLabel) 期间）")
  }

  /// One void per payment, ever: the ledger's unique source makes a second impossible.
  public static func voidSource(of payment: Payment.ID) -> String { "void:\(payment)" }

  /// Refused while the bill's cover was used: a claim lodged or paid under it must be dealt
  /// with first (withdrawn, or recovered), or the void would leave a paid claim without cover.
  /// `field`: what the request named (a payment's receipt, or a certificate).
  public static func refuseWhileClaimed(_ claimNumbers: [String], field: String = "receiptNumber")
    throws(ValidationFailure)
  {
    guard let first = claimNumbers.first else { return }
    throw ValidationFailure([
      FieldError(
        field: field, code: "cover_in_use",
        message: LocalizedText(
          zh: "该缴费单的参保人已有申请（\(first)\(claimNumbers.count > 1 ? " 等 \(claimNumbers.count) 件" : "")），作废缴费会使其失去保障：请先处理申请",
          en:
            "members of this bill have claims (\(first)\(claimNumbers.count > 1 ? " and \(claimNumbers.count - 1) more" : "")) under the cover this payment bought: deal with them first"
        ))
    ])
  }
}

extension CompiledScheme {
  /// Whether a correction of money needs a second person (the default), or the scheme waives it
  /// (`scheme.corrections.fourEyes: false`, for a one-person office).
  public var correctionsNeedSecondPerson: Bool { definition.scheme.corrections?.fourEyes ?? true }
}
