import Foundation

/// What a text message is for. Chinese SMS providers send only texts from templates approved in
/// advance, one template per kind, so the kind chooses the template and ``OutgoingMessage``
/// carries the template's parameters beside the finished text.
public enum MessageKind: String, Sendable, Codable, CaseIterable, Hashable {
  case portalCode = "portal_code"
  case claimSubmitted = "claim_submitted"
  case claimReturned = "claim_returned"
  case claimApproved = "claim_approved"
  case claimRejected = "claim_rejected"
  case claimPaid = "claim_paid"
  case claimSettled = "claim_settled"
  case paymentReturned = "payment_returned"
  case recoveryOpened = "recovery_opened"
  /// Reminders (``Reminders``): documents still missing, cover about to end, a certificate issued.
  case documentsReminder = "documents_reminder"
  case renewalReminder = "renewal_reminder"
  case certificateIssued = "certificate_issued"
  /// The code that confirms a change of the worker's bank account, and the notice once changed.
  case accountCode = "account_code"
  case accountChanged = "account_changed"

  public init(_ notice: ClaimNotice) {
    self =
      switch notice {
      case .submitted: .claimSubmitted
      case .returned: .claimReturned
      case .approved: .claimApproved
      case .rejected: .claimRejected
      case .paid: .claimPaid
      case .settled: .claimSettled
      case .paymentReturned: .paymentReturned
      case .recoveryOpened: .recoveryOpened
      }
  }

  /// The claim notice this kind carries, if it is one.
  public var notice: ClaimNotice? {
    ClaimNotice.allCases.first { MessageKind($0) == self }
  }

  /// A one-time code: its text is blanked once the gateway has it, or once it can no longer be
  /// used, so the database never keeps a usable code in plain text.
  public var isSecret: Bool { self == .portalCode || self == .accountCode }

  public var label: LocalizedText {
    switch self {
    case .portalCode: LocalizedText(zh: "登录验证码", en: "sign-in code")
    case .claimSubmitted: LocalizedText(zh: "申请已受理", en: "claim received")
    case .claimReturned: LocalizedText(zh: "需补充材料", en: "documents needed")
    case .claimApproved: LocalizedText(zh: "审批通过", en: "claim approved")
    case .claimRejected: LocalizedText(zh: "不予给付", en: "claim refused")
    case .claimPaid: LocalizedText(zh: "已支付", en: "claim paid")
    case .claimSettled: LocalizedText(zh: "一站式结算", en: "settled at discharge")
    case .paymentReturned: LocalizedText(zh: "银行退回", en: "payment returned")
    case .recoveryOpened: LocalizedText(zh: "追回通知", en: "recovery opened")
    case .documentsReminder: LocalizedText(zh: "补件提醒", en: "documents reminder")
    case .renewalReminder: LocalizedText(zh: "续保提醒", en: "renewal reminder")
    case .certificateIssued: LocalizedText(zh: "保障书已生效", en: "certificate issued")
    case .accountCode: LocalizedText(zh: "变更账户验证码", en: "account change code")
    case .accountChanged: LocalizedText(zh: "收款账户已变更", en: "bank account changed")
    }
  }
}

/// Where a message stands. A message waiting to be tried again after a failure is `pending`
/// with attempts and the last error; `dead` is given up (no phone, a refusal the gateway says
/// is final, out of tries, or a code no longer worth sending) and waits for staff.
public enum MessageStatus: String, Sendable, Codable, CaseIterable, Hashable {
  case pending, sent, dead

  public var label: LocalizedText {
    switch self {
    case .pending: LocalizedText(zh: "待发送", en: "waiting")
    case .sent: LocalizedText(zh: "已发送", en: "sent")
    case .dead: LocalizedText(zh: "发送失败", en: "undelivered")
    }
  }
}

/// A text message as the outbox holds it and a gateway receives it.
public struct OutgoingMessage: Sendable, Equatable, Identifiable {
  public typealias ID = Identifier<OutgoingMessage>

  public let id: ID
  public let kind: MessageKind
  public let phone: String?
  /// The whole text, as the worker reads it (and as a gateway without templates sends it).
  public let text: String
  /// The template's variables, by name.
  public let parameters: [String: String]
  /// The owner node (the claim's, the worker's).
  public let organisationID: Organisation.ID?
  public let claimID: ClaimRecord.ID?
  public let workerID: Worker.ID?
  public let createdAt: Date
  /// After this the message is not worth sending (a one-time code past its validity).
  public let expiresAt: Date?
  /// A reminder's identity: the outbox keeps one message per key.
  public let dedupeKey: String?

  public init(
    id: ID = ID(), kind: MessageKind, phone: String?, text: String, parameters: [String: String] = [:],
    organisationID: Organisation.ID?, claimID: ClaimRecord.ID? = nil, workerID: Worker.ID? = nil, createdAt: Date,
    expiresAt: Date? = nil, dedupeKey: String? = nil
  ) {
    self.dedupeKey = dedupeKey
    self.id = id
    self.kind = kind
    self.phone = phone
    self.text = text
    self.parameters = parameters
    self.organisationID = organisationID
    self.claimID = claimID
    self.workerID = workerID
    self.createdAt = createdAt
    self.expiresAt = expiresAt
  }

  /// A claim's notice for its member, with the template's parameters (`number`, `amount`,
  /// `note`, `due`).
  public static func notice(
    _ notice: ClaimNotice, claimNumber: String, amount: Money?, note: String?, dueOn: CalendarDate?, phone: String?,
    organisationID: Organisation.ID?, claimID: ClaimRecord.ID, workerID: Worker.ID, at now: Date
  ) -> OutgoingMessage {
    var parameters = ["number": claimNumber]
    if let amount { parameters["amount"] = amount.decimalString }
    if let note { parameters["note"] = note }
    if let dueOn { parameters["due"] = dueOn.description }
    return OutgoingMessage(
      kind: MessageKind(notice), phone: phone,
      text: notice.text(claimNumber: claimNumber, amount: amount, note: note, dueOn: dueOn), parameters: parameters,
      organisationID: organisationID, claimID: claimID, workerID: workerID, createdAt: now)
  }

  /// A portal sign-in code for the worker's registered phone (template parameter `code`).
  public static func portalCode(
    _ code: String, phone: String, organisationID: Organisation.ID?, workerID: Worker.ID, at now: Date
  ) -> OutgoingMessage {
    OutgoingMessage(
      kind: .portalCode, phone: phone, text: PortalSignIn.message(code: code), parameters: ["code": code],
      organisationID: organisationID, workerID: workerID, createdAt: now,
      expiresAt: now.addingTimeInterval(PortalSignIn.validity))
  }

  /// The code confirming a change of the worker's bank account (parameters `code`, `account`:
  /// the new account's last four digits).
  public static func accountCode(
    _ code: String, accountTail: String, phone: String, organisationID: Organisation.ID?, workerID: Worker.ID,
    at now: Date
  ) -> OutgoingMessage {
    OutgoingMessage(
      kind: .accountCode, phone: phone,
      text: "【职工互助】您正在将互助金收款账户变更为尾号\(accountTail)的银行卡，验证码 \(code)，10 分钟内有效。如非本人操作，请勿告诉他人并联系工会。",
      parameters: ["code": code, "account": accountTail], organisationID: organisationID, workerID: workerID,
      createdAt: now, expiresAt: now.addingTimeInterval(PortalSignIn.validity))
  }

  /// Once the account changed: so that a change the member did not make is noticed.
  public static func accountChanged(
    accountTail: String, phone: String?, organisationID: Organisation.ID?, workerID: Worker.ID, at now: Date
  ) -> OutgoingMessage {
    OutgoingMessage(
      kind: .accountChanged, phone: phone,
      text: "【职工互助】您的互助金收款账户已变更为尾号\(accountTail)的银行卡。如非本人操作，请立即联系工会。",
      parameters: ["account": accountTail], organisationID: organisationID, workerID: workerID, createdAt: now)
  }

  /// What the outbox keeps of a secret message once it is sent or given up.
  public static let redactedCode = "【职工互助】验证码短信（内容不保留）"
}

/// What a message gateway answers when it takes a message.
public struct GatewayReceipt: Sendable, Equatable {
  /// The provider's id for the message (its delivery reports name it).
  public let providerID: String?

  public init(providerID: String?) {
    self.providerID = providerID
  }
}

/// A gateway's refusal. `permanent` means sending the same message again cannot succeed (a
/// number the provider rejects, a text its template does not fit); anything else may pass on
/// another try.
public struct GatewayFailure: Error, Sendable, Equatable {
  public let permanent: Bool
  public let reason: String
  /// How long the provider asked us to wait (HTTP 429's Retry-After).
  public let retryAfter: TimeInterval?

  public init(permanent: Bool, reason: String, retryAfter: TimeInterval? = nil) {
    self.permanent = permanent
    self.reason = reason
    self.retryAfter = retryAfter
  }
}

/// Sends one text message: an SMS provider over HTTP, or the fake one of the demo and tests.
/// Throws ``GatewayFailure``; any other error counts as temporary.
public protocol MessageGateway: Sendable {
  func send(_ message: OutgoingMessage) async throws -> GatewayReceipt
}

/// When a failed message is tried again, and when it is given up.
public struct MessageRetryPolicy: Sendable, Equatable {
  /// The waits before the second, third, … try; one try more than waits in all.
  public let delays: [TimeInterval]

  public init(delays: [TimeInterval]) {
    self.delays = delays
  }

  /// 30 s, 2 min, 10 min, 30 min, 2 h, 6 h: seven tries over about nine hours, so an outage of
  /// the provider for an afternoon loses nothing.
  public static let standard = MessageRetryPolicy(delays: [30, 120, 600, 1800, 7200, 21600])

  public var maximumAttempts: Int { delays.count + 1 }

  public enum Decision: Sendable, Equatable {
    case retry(at: Date)
    case giveUp
  }

  /// After the `attempts`-th try failed with `failure` at `now`.
  public func decision(after attempts: Int, failure: GatewayFailure, now: Date, expiresAt: Date?) -> Decision {
    guard !failure.permanent, attempts >= 1, attempts < maximumAttempts else { return .giveUp }
    let wait = max(delays[attempts - 1], min(failure.retryAfter ?? 0, 86_400))
    let next = now.addingTimeInterval(wait)
    if let expiresAt, next >= expiresAt { return .giveUp }
    return .retry(at: next)
  }
}

/// A sending rate: at most `perSecond` messages a second, a second's worth at once (a token
/// bucket). Providers throttle accounts that send faster, and refuse what is over.
public struct SendingRate: Sendable {
  public let perSecond: Int
  private var tokens: Double
  private var last: Date?

  public init(perSecond: Int) {
    self.perSecond = max(1, perSecond)
    self.tokens = Double(max(1, perSecond))
  }

  /// Takes a token for one message at `now`: how long to wait before sending it (0 when now).
  public mutating func reserve(at now: Date) -> TimeInterval {
    let rate = Double(perSecond)
    if let last { tokens = min(rate, tokens + max(0, now.timeIntervalSince(last)) * rate) }
    last = now
    tokens -= 1
    return tokens >= 0 ? 0 : -tokens / rate
  }
}
