import Foundation

/// Where settlement records come from: a bureau's or a hospital's export (or feed), read with
/// its own column mapping, feeding one scheme, kept by one organisation node.
public struct SettlementSource: Sendable, Equatable, Identifiable {
  public typealias ID = Identifier<SettlementSource>

  public let id: ID
  public let code: String
  public let name: String
  public let organisationID: Organisation.ID
  public let schemeCode: String
  public let layout: SettlementLayout

  public init(
    id: ID = ID(), code: String, name: String, organisationID: Organisation.ID, schemeCode: String,
    layout: SettlementLayout = .standard
  ) {
    self.id = id
    self.code = code
    self.name = name
    self.organisationID = organisationID
    self.schemeCode = schemeCode
    self.layout = layout
  }

  /// Every problem with the source as given, each naming its field.
  public func validate() -> [FieldError] {
    var errors: [FieldError] = []
    if code.isEmpty || code.count > 40 || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
    {
      errors.append(
        FieldError(
          field: "code", code: "invalid_code",
          message: LocalizedText(zh: "编码应为1–40个字母、数字或连字符", en: "a code is 1–40 letters, digits or hyphens")))
    }
    errors += FieldError.tooLong([("name", name, 100)])
    if name.trimmingWhitespace.isEmpty {
      errors.append(
        FieldError(field: "name", code: "missing", message: LocalizedText(zh: "请填写名称", en: "give a name")))
    }
    return errors
      + layout.problems().map {
        FieldError(field: "layout.\($0.field)", code: $0.code, message: $0.message)
      }
  }
}

/// What happened to one record received.
public struct SettlementOutcome: Sendable, Equatable, Codable {
  public enum Result: String, Sendable, Codable, CaseIterable {
    /// A claim was made and goes on (submitted, its clock running).
    case claimed
    /// A claim was made and approved by the scheme's one-stop rule, without a person.
    case approved
    /// Kept in the exceptions queue (a claim may have been made and held as a draft).
    case held
    /// Sent before exactly so: nothing changed.
    case unchanged
    /// A correction: the claim's facts changed (or it went back to review).
    case updated
    /// A cancellation: the claim withdrawn, or there was none.
    case cancelled
    /// A reversal row, applied to its original.
    case reversal
    /// Arrived voided: kept, nothing done.
    case voided
    /// A correction or cancellation after payment: a recovery case in the queue.
    case recoveryDue = "recovery_due"
    /// Not readable: nothing kept but the row's errors.
    case refused

    public var label: LocalizedText {
      switch self {
      case .claimed: LocalizedText(zh: "已生成申请", en: "claimed")
      case .approved: LocalizedText(zh: "已自动审批", en: "approved straight through")
      case .held: LocalizedText(zh: "转人工处理", en: "held for staff")
      case .unchanged: LocalizedText(zh: "重复发送，无变化", en: "unchanged")
      case .updated: LocalizedText(zh: "已更正", en: "updated")
      case .cancelled: LocalizedText(zh: "已撤销", en: "cancelled")
      case .reversal: LocalizedText(zh: "冲销记录", en: "reversal")
      case .voided: LocalizedText(zh: "无效记录", en: "voided")
      case .recoveryDue: LocalizedText(zh: "需追回", en: "recovery due")
      case .refused: LocalizedText(zh: "无法读取", en: "refused")
      }
    }
  }

  /// The row (file) or 1-based position (feed) it came from.
  public let row: Int
  public let settlementId: String?
  public let result: Result
  public let claimNumber: String?
  public let exception: SettlementException?

  public init(
    row: Int, settlementId: String?, result: Result, claimNumber: String? = nil, exception: SettlementException? = nil
  ) {
    self.row = row
    self.settlementId = settlementId
    self.result = result
    self.claimNumber = claimNumber
    self.exception = exception
  }
}

/// A file or feed request received: what became of every record, and the rows refused.
public struct SettlementReceipt: Sendable, Equatable {
  public let batchID: UUID?
  public let outcomes: [SettlementOutcome]
  public let rowErrors: [FieldError]

  public init(batchID: UUID?, outcomes: [SettlementOutcome], rowErrors: [FieldError]) {
    self.batchID = batchID
    self.outcomes = outcomes
    self.rowErrors = rowErrors
  }

  public var counts: [SettlementOutcome.Result: Int] {
    outcomes.reduce(into: [:]) { $0[$1.result, default: 0] += 1 }
  }

  public subscript(result: SettlementOutcome.Result) -> Int { counts[result] ?? 0 }
}

/// A settlement as kept: the record, the source's own text, and where it stands.
public struct StoredSettlement: Sendable, Equatable, Identifiable {
  public typealias ID = Identifier<StoredSettlement>

  public let id: ID
  public let sourceCode: String
  public let record: SettlementRecord
  public let original: [String: String]
  public let status: SettlementStatus
  public let exception: SettlementException?
  public let exceptionDetail: LocalizedText?
  public let workerID: Worker.ID?
  public let claimID: ClaimRecord.ID?
  public let claimNumber: String?
  public let note: String?
  public let receivedAt: Date

  public init(
    id: ID, sourceCode: String, record: SettlementRecord, original: [String: String], status: SettlementStatus,
    exception: SettlementException?, exceptionDetail: LocalizedText?, workerID: Worker.ID?, claimID: ClaimRecord.ID?,
    claimNumber: String?, note: String?, receivedAt: Date
  ) {
    self.id = id
    self.sourceCode = sourceCode
    self.record = record
    self.original = original
    self.status = status
    self.exception = exception
    self.exceptionDetail = exceptionDetail
    self.workerID = workerID
    self.claimID = claimID
    self.claimNumber = claimNumber
    self.note = note
    self.receivedAt = receivedAt
  }
}

/// One step in a settlement's life (received, corrected, cancelled, matched again, closed).
public struct SettlementEvent: Sendable, Equatable {
  public let at: Date
  public let actor: String
  public let action: String
  public let note: String?

  public init(at: Date, actor: String, action: String, note: String?) {
    self.at = at
    self.actor = actor
    self.action = action
    self.note = note
  }
}

/// How far one-stop claims carry a scope: the share of paid claims that came from settlement
/// data, how many went straight through, and the days from the settlement to the money.
public struct OneStopFigures: Sendable, Equatable {
  /// Claims made from settlements, by state.
  public var claims: [ClaimState: Int]
  /// Claims paid, by any channel.
  public var paidAllChannels: Int
  /// One-stop claims approved by the scheme's rule, without a person.
  public var straightThrough: Int
  /// Settlements waiting in the exceptions queue.
  public var held: Int
  /// Paid one-stop claims by the calendar days from their settlement to their payment.
  public var daysToPayment: [Int: Int]

  public init(
    claims: [ClaimState: Int] = [:], paidAllChannels: Int = 0, straightThrough: Int = 0, held: Int = 0,
    daysToPayment: [Int: Int] = [:]
  ) {
    self.claims = claims
    self.paidAllChannels = paidAllChannels
    self.straightThrough = straightThrough
    self.held = held
    self.daysToPayment = daysToPayment
  }

  public var made: Int { claims.values.reduce(0, +) }
  public var paid: Int { claims[.paid] ?? 0 }
  /// Paid without papers, of everything paid.
  public var paidWithoutPapers: Share { Share(paid, of: paidAllChannels) }

  /// The mean of the days to payment, in tenths of a day rounded half up ("4.3"); a dash
  /// when nothing was paid.
  public var averageDaysText: String {
    let count = Int64(daysToPayment.values.reduce(0, +))
    guard count > 0 else { return "—" }
    let total = daysToPayment.reduce(Int64(0)) { $0 + Int64($1.key) * Int64($1.value) }
    let tenths = (total * 20 / count + 1) / 2
    return "\(tenths / 10).\(tenths % 10)"
  }
}
