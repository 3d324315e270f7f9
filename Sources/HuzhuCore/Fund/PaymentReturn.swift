/// A transfer the bank sent back after it was marked paid (退汇). Recorded against the batch
/// line it returns, never in place of it: the line stays "paid" with this record beside it,
/// the fund gets reversal entries, and the claim waits for payment again.
public struct PaymentReturn: Hashable, Sendable, Codable {
  public let claimID: ClaimRecord.ID
  public let batchID: PaymentBatch.ID
  public let claimNumber: String
  /// The account the money could not reach: while it is still the member's registered
  /// account, their claims stay out of payment batches.
  public let bankAccount: String
  public let amount: Money
  /// The bank's reason, as its answer file gives it.
  public let reason: String
  /// The server's day the return was recorded.
  public let returnedOn: CalendarDate
  public let recordedBy: String

  public init(
    claimID: ClaimRecord.ID, batchID: PaymentBatch.ID, claimNumber: String, bankAccount: String, amount: Money,
    reason: String, returnedOn: CalendarDate, recordedBy: String
  ) {
    self.claimID = claimID
    self.batchID = batchID
    self.claimNumber = claimNumber
    self.bankAccount = bankAccount
    self.amount = amount
    self.reason = reason
    self.returnedOn = returnedOn
    self.recordedBy = recordedBy
  }

  /// The longest reason kept: a bank's answer line, not a letter.
  public static let longestReason = 200

  /// The bank's reason, checked: required, plain text, at most ``longestReason`` characters.
  public static func checkReason(_ reason: String) throws(ValidationFailure) -> String {
    let trimmed = reason.trimmingWhitespace
    guard !trimmed.isEmpty else {
      throw ValidationFailure([
        FieldError(
          field: "reason", code: "reason_required",
          message: LocalizedText(zh: "请填写银行的退汇原因", en: "give the bank's reason for the return"))
      ])
    }
    guard trimmed.count <= longestReason else {
      throw ValidationFailure([
        FieldError(
          field: "reason", code: "reason_too_long",
          message: LocalizedText(
            zh: "退汇原因最多 \(longestReason) 字", en: "the reason is at most \(longestReason) characters"))
      ])
    }
    if let problem = PlainText.fieldError(
      trimmed, field: "reason", label: LocalizedText(zh: "退汇原因", en: "The reason"))
    {
      throw ValidationFailure([problem])
    }
    return trimmed
  }
}

/// Where a claim's money sits in the fund ledger. The ledger takes one entry per kind and
/// source, so each source names the claim, the product and the attempt: the first payment,
/// or a payment after `attempt` returns. The same payment can never post twice, and a claim
/// paid again after the bank returned it posts a new, distinct entry.
public enum ClaimPaymentPosting {
  public static func source(claim: ClaimRecord.ID, product: String, attempt: Int) -> String {
    attempt == 0 ? "\(claim):\(product)" : "\(claim):\(product):\(attempt)"
  }

  /// The source of the reversal of a payment entry: one reversal per payment, ever.
  public static func returnSource(of payment: String) -> String { "return:\(payment)" }
}

extension FundLedgerRules {
  /// The period a correction posts to: the corrected entry's own while it is open, otherwise
  /// the product's next open rule version (the closed period's balance went there), so a
  /// closed period never changes. Refused when no later version is open.
  public static func openPeriod(
    scheme: CompiledScheme, product productCode: String, from version: String, closed: Set<String>
  ) throws(ValidationFailure) -> String {
    guard closed.contains(version) else { return version }
    let versions = scheme.product(productCode)?.versions.map(\.label) ?? []
    if let index = versions.firstIndex(of: version),
      let open = versions[(index + 1)...].first(where: { !closed.contains($0) })
    {
      return open
    }
    throw ValidationFailure([
      FieldError(
        field: "version", code: "no_open_period",
        message: LocalizedText(
          zh: "\(version) 期间已结账，且产品 \(productCode) 之后没有未结账的期间：请先发布下一期规则",
          en: "the \(version) period is closed and product \(productCode) has no open period after it"))
    ])
  }

  /// The reversal of a returned claim payment: for each product's payment entry, the same
  /// amount back into the fund, in the payment's period or (closed) the next open one, the
  /// memo naming where the payment was. `payments` are the entries of the payment returned.
  public static func reversals(
    of payments: [FundEntry], scheme: CompiledScheme, closed: Set<String>, postedOn: CalendarDate, memo: String
  ) throws(ValidationFailure) -> [FundEntry] {
    var entries: [FundEntry] = []
    for payment in payments where payment.kind == .claimPayment {
      let period = try openPeriod(
        scheme: scheme, product: payment.productCode, from: payment.versionLabel, closed: closed)
      entries.append(
        FundEntry(
          schemeCode: payment.schemeCode, productCode: payment.productCode, versionLabel: period, postedOn: postedOn,
          kind: .reversal, payer: nil, amount: Money(fen: -payment.amount.fen),
          sourceID: ClaimPaymentPosting.returnSource(of: payment.sourceID),
          memo: period == payment.versionLabel ? memo : "\(memo)（冲 \(payment.versionLabel) 期间）"))
    }
    return entries
  }
}
