/// A paid claim found wrong (追回): the amount the member owes back, opened once per claim,
/// never edited. What has come back is the sum of its movements (repayments recorded at the
/// window or from the bank), each of which credits the fund; the case is settled when
/// nothing is outstanding.
public struct Recovery: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<Recovery>

  public enum Reason: String, Hashable, Sendable, Codable, CaseIterable {
    /// The same stay or settlement paid twice.
    case duplicate
    /// Invoices or settlement sheets that were not genuine.
    case falseDocuments = "false_documents"
    /// The insurance bureau settled the stay again after it was paid.
    case resettled
    /// Paid more than the rules give (a wrong figure, a wrong category).
    case overpaid

    public var label: LocalizedText {
      switch self {
      case .duplicate: LocalizedText(zh: "重复支付", en: "paid twice")
      case .falseDocuments: LocalizedText(zh: "材料不实", en: "false documents")
      case .resettled: LocalizedText(zh: "医保重新结算", en: "re-settled by the bureau")
      case .overpaid: LocalizedText(zh: "多付", en: "overpaid")
      }
    }
  }

  public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
    case open
    case settled

    public var label: LocalizedText {
      switch self {
      case .open: LocalizedText(zh: "追回中", en: "being recovered")
      case .settled: LocalizedText(zh: "已追回", en: "recovered")
      }
    }
  }

  public let id: ID
  public let claimID: ClaimRecord.ID
  public let claimNumber: String
  public let workerID: Worker.ID
  public let schemeCode: String
  public let reason: Reason
  public let note: String
  /// What the member owes back: at most what the claim paid.
  public let amountDue: Money
  public let openedBy: String
  /// The server's day.
  public let openedOn: CalendarDate
  /// What has come back so far (the movements' sum).
  public var recovered: Money

  public init(
    id: ID = ID(), claimID: ClaimRecord.ID, claimNumber: String, workerID: Worker.ID, schemeCode: String,
    reason: Reason, note: String, amountDue: Money, openedBy: String, openedOn: CalendarDate, recovered: Money = .zero
  ) {
    self.id = id
    self.claimID = claimID
    self.claimNumber = claimNumber
    self.workerID = workerID
    self.schemeCode = schemeCode
    self.reason = reason
    self.note = note
    self.amountDue = amountDue
    self.openedBy = openedBy
    self.openedOn = openedOn
    self.recovered = recovered
  }

  public var outstanding: Money { amountDue - recovered }
  public var status: Status { outstanding.fen > 0 ? .open : .settled }
}

/// Money that came back towards a recovery: paid back by the member, or withheld from a later
/// claim's transfer (an offset), or an offset undone because the bank returned that transfer
/// (a negative amount).
public struct RecoveryRepayment: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<RecoveryRepayment>

  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    case repayment
    case offset
    case offsetUndone = "offset_undone"

    public var label: LocalizedText {
      switch self {
      case .repayment: LocalizedText(zh: "退回", en: "paid back")
      case .offset: LocalizedText(zh: "抵扣", en: "withheld from a claim")
      case .offsetUndone: LocalizedText(zh: "抵扣撤销（退汇）", en: "withholding undone (returned)")
      }
    }
  }

  public let id: ID
  public let recoveryID: Recovery.ID
  public let kind: Kind
  public let amount: Money
  /// The bank's transaction reference or the window's receipt.
  public let reference: String
  /// The server's day.
  public let recordedOn: CalendarDate
  public let recordedBy: String

  public init(
    id: ID = ID(), recoveryID: Recovery.ID, kind: Kind = .repayment, amount: Money, reference: String,
    recordedOn: CalendarDate, recordedBy: String
  ) {
    self.id = id
    self.recoveryID = recoveryID
    self.kind = kind
    self.amount = amount
    self.reference = reference
    self.recordedOn = recordedOn
    self.recordedBy = recordedBy
  }
}

/// The rules of recoveries: what may be recovered, what a repayment may be, where its money
/// goes in the fund and what the member's caps get back.
public enum RecoveryRules {
  /// A recovery of `claim`: only a paid claim, for a positive amount no larger than it paid
  /// (the whole payment when no amount is given), with a note saying what was found.
  public static func open(
    _ claim: ClaimRecord, amount: Money?, reason: Recovery.Reason, note: String, by actor: String,
    on day: CalendarDate
  ) throws(ValidationFailure) -> Recovery {
    guard claim.state == .paid, let paid = claim.approvedTotal else {
      throw ValidationFailure([
        FieldError(
          field: "claimId", code: "not_paid",
          message: LocalizedText(
            zh: "只有已支付的申请才能追回；未支付的请退回或不予给付",
            en: "only a paid claim can be recovered; return or reject one not yet paid"))
      ])
    }
    let note = try CorrectionRules.checkText(note, field: "note", label: LocalizedText(zh: "追回说明", en: "Note"))
    let due = amount ?? paid
    guard due.fen > 0, due <= paid else {
      throw ValidationFailure([
        FieldError(
          field: "amount", code: "amount_out_of_range",
          message: LocalizedText(
            zh: "追回金额应大于 0，且不超过已支付的 \(paid.formatted)",
            en: "the amount must be above zero and at most the \(paid.formatted) paid"))
      ])
    }
    return Recovery(
      claimID: claim.id, claimNumber: claim.number, workerID: claim.workerID, schemeCode: claim.schemeCode,
      reason: reason, note: note, amountDue: due, openedBy: actor, openedOn: day)
  }

  /// A repayment towards `recovery`: positive, no more than is outstanding, with a reference.
  /// `withheld` is what pending transfers of the member's later claims already hold back
  /// towards their recoveries (``offset(payable:outstanding:withheld:)``): that part of the
  /// member's debt is spoken for.
  public static func repayment(
    of recovery: Recovery, amount: Money, reference: String, by actor: String, on day: CalendarDate,
    memberOutstanding: Money? = nil, withheld: Money = .zero
  ) throws(ValidationFailure) -> RecoveryRepayment {
    let reference = try checkReference(reference)
    guard recovery.outstanding.fen > 0 else {
      throw ValidationFailure([
        FieldError(
          field: "amount", code: "already_recovered",
          message: LocalizedText(zh: "该追回已全部收回", en: "this recovery is already settled"))
      ])
    }
    let free = min(recovery.outstanding, (memberOutstanding ?? recovery.outstanding) - withheld)
    guard amount.fen > 0, amount <= free else {
      throw ValidationFailure([
        FieldError(
          field: "amount", code: "amount_out_of_range",
          message: free == recovery.outstanding
            ? LocalizedText(
              zh: "收回金额应大于 0，且不超过尚欠的 \(recovery.outstanding.formatted)",
              en: "the amount must be above zero and at most the \(recovery.outstanding.formatted) outstanding")
            : LocalizedText(
              zh: "收回金额应大于 0，且不超过 \(max(free, .zero).formatted)（另有 \(withheld.formatted) 正从待支付的互助金中抵扣）",
              en:
                "the amount must be above zero and at most \(max(free, .zero).formatted) (\(withheld.formatted) is being withheld from a transfer)"
            ))
      ])
    }
    return RecoveryRepayment(
      recoveryID: recovery.id, amount: amount, reference: reference, recordedOn: day, recordedBy: actor)
  }

  /// A repayment's reference (the bank's transaction or the window's receipt): required,
  /// plain text; the same reference twice is the same repayment.
  public static func checkReference(_ reference: String) throws(ValidationFailure) -> String {
    try CorrectionRules.checkText(reference, field: "reference", label: LocalizedText(zh: "收款凭证号", en: "Reference"))
  }

  /// What a claim's transfer withholds towards the member's recoveries: all of the payable while
  /// they owe more, else what they owe, less what other pending transfers already withhold.
  public static func offset(payable: Money, outstanding: Money, withheld: Money) -> Money {
    max(.zero, min(payable, outstanding - withheld))
  }

  /// A withheld amount spread over the member's open recoveries, oldest first, each at most
  /// what it still owes.
  public static func allocate(_ amount: Money, over recoveries: [Recovery]) -> [(Recovery, Money)] {
    var left = amount
    var parts: [(Recovery, Money)] = []
    for recovery in recoveries where left.fen > 0 && recovery.outstanding.fen > 0 {
      let part = min(left, recovery.outstanding)
      parts.append((recovery, part))
      left -= part
    }
    return parts
  }

  /// The entries that take back an offset's credit when the bank returned the transfer it was
  /// withheld from: each of `credited` negated, under the undoing row's source, in its period
  /// or (closed) the next open one.
  public static func undo(
    _ credited: [FundEntry], by undoing: RecoveryRepayment, scheme: CompiledScheme, closed: Set<String>
  ) throws(ValidationFailure) -> [FundEntry] {
    var entries: [FundEntry] = []
    for entry in credited where entry.kind == .recovery {
      let period = try FundLedgerRules.openPeriod(
        scheme: scheme, product: entry.productCode, from: entry.versionLabel, closed: closed)
      entries.append(
        FundEntry(
          schemeCode: entry.schemeCode, productCode: entry.productCode, versionLabel: period,
          postedOn: undoing.recordedOn, kind: .recovery, payer: nil, amount: Money(fen: -entry.amount.fen),
          sourceID: "recovery:\(undoing.id):\(entry.productCode)",
          memo: period == entry.versionLabel
            ? undoing.reference : "\(undoing.reference)（冲 \(entry.versionLabel) 期间）"))
    }
    return entries
  }

  /// The fund entries of a repayment: the money goes back to the products that paid the claim,
  /// in the order of its payment entries, each product at most what it paid (`recoveredBefore`
  /// already went back, so a case repaid in parts credits each product exactly once over). Each
  /// entry posts to the payment's period, or the next open one when that has closed.
  public static func entries(
    for repayment: RecoveryRepayment, recoveredBefore: Money, payments: [FundEntry], claimNumber: String,
    scheme: CompiledScheme, closed: Set<String>
  ) throws(ValidationFailure) -> [FundEntry] {
    var entries: [FundEntry] = []
    var start = recoveredBefore.fen
    let end = recoveredBefore.fen + repayment.amount.fen
    var covered: Int64 = 0
    for payment in payments where payment.kind == .claimPayment {
      let paid = -payment.amount.fen
      let from = max(start, covered)
      let to = min(end, covered + paid)
      covered += paid
      guard to > from else { continue }
      let period = try FundLedgerRules.openPeriod(
        scheme: scheme, product: payment.productCode, from: payment.versionLabel, closed: closed)
      let memo = "追回 \(claimNumber)（\(repayment.reference)）"
      entries.append(
        FundEntry(
          schemeCode: payment.schemeCode, productCode: payment.productCode, versionLabel: period,
          postedOn: repayment.recordedOn, kind: .recovery, payer: nil, amount: Money(fen: to - from),
          sourceID: "recovery:\(repayment.id):\(payment.productCode)",
          memo: period == payment.versionLabel ? memo : "\(memo)（冲 \(payment.versionLabel) 期间）"))
      start = to
    }
    return entries
  }
}

extension CapLedger {
  /// The ledger once `due` of a paid claim is found not owed: the claim's record is taken out
  /// and what it still rightly paid (`approved − due`) put back, so a duplicate frees its
  /// count, stay and amount, and an overpayment frees only the excess.
  public mutating func restore(
    _ explanation: Explanation, approved: Money, due: Money, event: ClaimEvent
  ) {
    reverse(explanation, paying: BenefitAmount.split(explanation, total: approved), event: event)
    let kept = approved - due
    guard kept.fen > 0 else { return }
    record(explanation, paying: BenefitAmount.split(explanation, total: kept), event: event)
  }
}
