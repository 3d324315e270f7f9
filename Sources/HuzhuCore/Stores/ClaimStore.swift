import Foundation

/// A claim as stored: the intake, where it stands, its calculation (kept as calculated, with
/// any adjustment beside it), and the clock.
public struct ClaimRecord: Sendable, Identifiable, Equatable {
  public typealias ID = Identifier<ClaimRecord>

  public let id: ID
  public let number: String
  public let workerID: Worker.ID
  public let schemeCode: String
  public let channel: ClaimChannel
  public var intake: ClaimIntake
  public var progress: ClaimProgress
  /// The engine's explanation at the last calculation, with every line's text.
  public var explanation: ExplanationReport.Document?
  public var adjustment: ClaimAdjustment?
  /// What the approval fixed (and the ledger consumed).
  public var approvedTotal: Money?
  public var duplicates: [DuplicateFlag]
  public var documentsCompleteOn: CalendarDate?
  public var dueOn: CalendarDate?
  /// Why there is no due date (the holiday calendar lacks a year), when there is none.
  public var deadlineProblem: LocalizedText?
  public var expedited: Bool
  public let createdBy: String
  public let createdOn: CalendarDate
  public var paidOn: CalendarDate?
  /// Whose claim it is for access: the member's unit when filed (nil for a gig worker) and
  /// that unit's organisation node (or the node whose window opened it).
  public var unitID: WorkUnit.ID?
  public var organisationID: Organisation.ID?

  public init(
    id: ID = ID(), number: String, workerID: Worker.ID, schemeCode: String, channel: ClaimChannel,
    intake: ClaimIntake, progress: ClaimProgress, explanation: ExplanationReport.Document? = nil,
    adjustment: ClaimAdjustment? = nil, approvedTotal: Money? = nil, duplicates: [DuplicateFlag] = [],
    documentsCompleteOn: CalendarDate? = nil, dueOn: CalendarDate? = nil, deadlineProblem: LocalizedText? = nil,
    expedited: Bool = false, createdBy: String, createdOn: CalendarDate, paidOn: CalendarDate? = nil
  ) {
    self.id = id
    self.number = number
    self.workerID = workerID
    self.schemeCode = schemeCode
    self.channel = channel
    self.intake = intake
    self.progress = progress
    self.explanation = explanation
    self.adjustment = adjustment
    self.approvedTotal = approvedTotal
    self.duplicates = duplicates
    self.documentsCompleteOn = documentsCompleteOn
    self.dueOn = dueOn
    self.deadlineProblem = deadlineProblem
    self.expedited = expedited
    self.createdBy = createdBy
    self.createdOn = createdOn
    self.paidOn = paidOn
  }

  public var state: ClaimState { progress.state }
  public var calculatedTotal: Money? { explanation?.total }
  /// What would be paid now: the approved amount, else the adjustment, else the calculation.
  public var payable: Money { approvedTotal ?? adjustment?.amount ?? calculatedTotal ?? .zero }
}

/// One step in a claim's history: who, when, from where, and why.
public struct ClaimHistoryEntry: Sendable, Equatable, Codable {
  public let at: Date
  public let actor: String
  public let address: String?
  public let action: String
  public let from: ClaimState?
  public let to: ClaimState
  public let note: String?

  public init(
    at: Date, actor: String, address: String?, action: String, from: ClaimState?, to: ClaimState, note: String?
  ) {
    self.at = at
    self.actor = actor
    self.address = address
    self.action = action
    self.from = from
    self.to = to
    self.note = note
  }
}

/// A scan attached to a claim; the bytes live in ``DocumentStorage`` under their checksum.
public struct ClaimDocument: Sendable, Equatable, Codable, Identifiable {
  public typealias ID = Identifier<ClaimDocument>

  public let id: ID
  public let claimID: ClaimRecord.ID
  /// The required-document code it satisfies (`invoice`, `settlement_sheet`, …).
  public let kind: String
  public let fileName: String
  public let format: DocumentFormat
  public let size: Int
  public let sha256: String
  public let uploadedBy: String
  public let uploadedAt: Date

  public init(
    id: ID = ID(), claimID: ClaimRecord.ID, kind: String, fileName: String, format: DocumentFormat, size: Int,
    sha256: String, uploadedBy: String, uploadedAt: Date
  ) {
    self.id = id
    self.claimID = claimID
    self.kind = kind
    self.fileName = fileName
    self.format = format
    self.size = size
    self.sha256 = sha256
    self.uploadedBy = uploadedBy
    self.uploadedAt = uploadedAt
  }
}

/// Where scans are kept: content-addressed, so the same file uploaded twice is stored once.
public protocol DocumentStorage: Sendable {
  func save(_ data: Data, sha256: String) throws
  func load(sha256: String) throws -> Data
  /// Forgets a file (a roster once imported); nothing happens when there is none.
  func remove(sha256: String) throws
}

/// A claim's text message to its member, as the claim shows it (the outbox holds it as an
/// ``OutgoingMessage``).
public struct OutboxMessage: Sendable, Equatable, Codable {
  public let claimID: ClaimRecord.ID
  public let phone: String?
  public let notice: ClaimNotice
  public let text: String
  public let createdAt: Date
  public let status: MessageStatus
  public let sentAt: Date?

  public init(
    claimID: ClaimRecord.ID, phone: String?, notice: ClaimNotice, text: String, createdAt: Date,
    status: MessageStatus = .pending, sentAt: Date? = nil
  ) {
    self.claimID = claimID
    self.phone = phone
    self.notice = notice
    self.text = text
    self.createdAt = createdAt
    self.status = status
    self.sentAt = sentAt
  }
}

/// Who acts, from where, on which day, with which rules and calendar: what every claim
/// operation needs besides the claim.
public struct ClaimContext: Sendable {
  public let actor: ClaimActor
  public let address: String?
  public let today: CalendarDate
  public let scheme: CompiledScheme
  public let calendar: WorkingDayCalendar

  public init(
    actor: ClaimActor, address: String?, today: CalendarDate, scheme: CompiledScheme, calendar: WorkingDayCalendar
  ) {
    self.actor = actor
    self.address = address
    self.today = today
    self.scheme = scheme
    self.calendar = calendar
  }
}

/// A payment batch: approved claims sent to the bank together.
public struct PaymentBatch: Sendable, Equatable, Identifiable {
  public typealias ID = Identifier<PaymentBatch>

  public struct Line: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
      case pending, paid, failed

      public var label: LocalizedText {
        switch self {
        case .pending: LocalizedText(zh: "待回盘", en: "pending")
        case .paid: LocalizedText(zh: "已支付", en: "paid")
        case .failed: LocalizedText(zh: "支付失败", en: "failed")
        }
      }
    }

    public let claimID: ClaimRecord.ID
    public let claimNumber: String
    public let payeeName: String
    public let bankName: String
    public let bankAccount: String
    /// What the bank transfers: the claim's payable less ``offset``.
    public let amount: Money
    /// Withheld towards the member's open recoveries (追回抵扣); zero for most lines.
    public let offset: Money
    public var status: Status
    public var note: String?
    /// The bank sent a paid line's money back (the line stays paid: this record corrects it).
    public var returned: PaymentReturn?

    public init(
      claimID: ClaimRecord.ID, claimNumber: String, payeeName: String, bankName: String, bankAccount: String,
      amount: Money, offset: Money = .zero, status: Status = .pending, note: String? = nil,
      returned: PaymentReturn? = nil
    ) {
      self.claimID = claimID
      self.claimNumber = claimNumber
      self.payeeName = payeeName
      self.bankName = bankName
      self.bankAccount = bankAccount
      self.amount = amount
      self.offset = offset
      self.status = status
      self.note = note
      self.returned = returned
    }

    /// What the bank finally did with the line, for people: paid, failed, or paid then returned.
    public var outcome: LocalizedText {
      returned == nil ? status.label : LocalizedText(zh: "已退汇", en: "returned by the bank")
    }
  }

  public let id: ID
  public let number: String
  public let schemeCode: String
  /// The node of whoever made it: only that node's area sees the batch and its bank file.
  public let organisationID: Organisation.ID?
  public let createdBy: String
  public let createdOn: CalendarDate
  public var lines: [Line]
  /// Approved claims that could not go into the batch, and why (no bank account…).
  public var skipped: [(claimNumber: String, reason: LocalizedText)]

  public init(
    id: ID = ID(), number: String, schemeCode: String, organisationID: Organisation.ID? = nil, createdBy: String,
    createdOn: CalendarDate, lines: [Line], skipped: [(claimNumber: String, reason: LocalizedText)] = []
  ) {
    self.id = id
    self.number = number
    self.schemeCode = schemeCode
    self.organisationID = organisationID
    self.createdBy = createdBy
    self.createdOn = createdOn
    self.lines = lines
    self.skipped = skipped
  }

  public var total: Money { lines.reduce(.zero) { $0 + $1.amount } }

  public static func == (lhs: PaymentBatch, rhs: PaymentBatch) -> Bool {
    lhs.id == rhs.id && lhs.number == rhs.number && lhs.lines == rhs.lines
  }
}

/// The claims of a scope at a glance: how many stand in each state, how many are late, and
/// what has been paid. The dashboards' figures.
public struct ClaimSummary: Sendable, Equatable {
  public var byState: [ClaimState: Int]
  public var overdue: Int
  public var dueToday: Int
  public var paidAmount: Money

  public init(byState: [ClaimState: Int] = [:], overdue: Int = 0, dueToday: Int = 0, paidAmount: Money = .zero) {
    self.byState = byState
    self.overdue = overdue
    self.dueToday = dueToday
    self.paidAmount = paidAmount
  }

  public subscript(state: ClaimState) -> Int { byState[state] ?? 0 }
}

/// The work queue's narrower views, decided in the database.
public enum QueueNarrowing: Sendable, Equatable {
  case overdue(today: CalendarDate)
  case dueOn(CalendarDate)
  /// Due from `today` to `days` days after it (the staff's reminder of what is coming).
  case dueWithin(today: CalendarDate, days: Int)
  case expedited
}

/// The order a work queue is read in.
public enum QueueOrder: String, Sendable, CaseIterable {
  /// Expedited first, then the soonest due (the default: what must be done next).
  case due
  /// The largest amount first (what the approver looks at closest).
  case amount
  /// The oldest first, by the day the claim was received.
  case received
}

/// Which claims a work queue shows, and in what order.
public struct ClaimQueueQuery: Sendable, Equatable {
  public var states: Set<ClaimState>
  public var scheme: String?
  public var narrowing: QueueNarrowing?
  /// Only these members' claims (the people a search found); nil: everyone's.
  public var members: [Worker.ID]?
  /// Only the claim of this number.
  public var number: String?
  public var order: QueueOrder
  /// Only claims given to this reviewer, or given to nobody.
  public var assignee: QueueAssignee?

  public init(
    states: Set<ClaimState>, scheme: String? = nil, narrowing: QueueNarrowing? = nil, members: [Worker.ID]? = nil,
    number: String? = nil, order: QueueOrder = .due, assignee: QueueAssignee? = nil
  ) {
    self.states = states
    self.scheme = scheme
    self.narrowing = narrowing
    self.members = members
    self.number = number
    self.order = order
    self.assignee = assignee
  }
}

/// Whose claims a queue lists (``ClaimAssignment``).
public enum QueueAssignee: Sendable, Equatable {
  case account(UserAccount.ID)
  case nobody
}

/// One claim to open in a batch: the member, the facts, and scans already stored.
public struct ClaimRequest: Sendable {
  public struct Document: Sendable {
    public let kind: String
    public let fileName: String
    public let format: DocumentFormat
    public let size: Int
    public let sha256: String

    public init(kind: String, fileName: String, format: DocumentFormat, size: Int, sha256: String) {
      self.kind = kind
      self.fileName = fileName
      self.format = format
      self.size = size
      self.sha256 = sha256
    }
  }

  public let workerID: Worker.ID
  public let intake: ClaimIntake
  public let channel: ClaimChannel
  public let expedited: Bool
  public let documents: [Document]

  public init(
    workerID: Worker.ID, intake: ClaimIntake, channel: ClaimChannel, expedited: Bool = false, documents: [Document] = []
  ) {
    self.workerID = workerID
    self.intake = intake
    self.channel = channel
    self.expedited = expedited
    self.documents = documents
  }
}

/// Claims from intake to payment. Every operation runs in one transaction; transitions lock
/// the claim, approvals also the member (so caps hold under concurrency), and repeating an
/// operation is harmless.
public protocol ClaimStore: Sendable {
  /// A new draft: checked, calculated, duplicates flagged, the documents checklist computed.
  func open(
    _ intake: ClaimIntake, for worker: Worker.ID, channel: ClaimChannel, expedited: Bool, context: ClaimContext
  ) async throws -> ClaimRecord
  /// Many claims at once (a hospital's or the insurance bureau's file, a unit's batch): all
  /// written in one transaction with a few statements per hundreds of claims, or none when
  /// any is wrong (errors carry the claim's 1-based `row`). With `submitWhenComplete`, each
  /// claim whose documents cover its checklist is submitted and its clock started.
  func open(_ requests: [ClaimRequest], submitWhenComplete: Bool, context: ClaimContext) async throws
    -> [ClaimRecord]
  /// Changes the facts of a claim not yet decided; recalculates.
  func update(_ intake: ClaimIntake, of claim: ClaimRecord.ID, context: ClaimContext) async throws -> ClaimRecord
  func attach(_ document: ClaimDocument, to claim: ClaimRecord.ID, context: ClaimContext) async throws -> ClaimRecord
  /// Applies a workflow action with all its effects (clock, ledger, notices, history).
  func perform(_ action: ClaimAction, on claim: ClaimRecord.ID, context: ClaimContext) async throws
    -> (record: ClaimRecord, transition: ClaimTransition)
  func adjust(_ claim: ClaimRecord.ID, to adjustment: ClaimAdjustment, context: ClaimContext) async throws
    -> ClaimRecord

  func claim(_ id: ClaimRecord.ID) async throws -> ClaimRecord?
  /// The claim with its documents, history and messages, its visibility checked once.
  func detail(_ id: ClaimRecord.ID) async throws -> ClaimDetail?
  func claim(number: String) async throws -> ClaimRecord?
  func claims(worker: Worker.ID) async throws -> [ClaimRecord]
  /// The claims `query` picks, in its order.
  func queue(_ query: ClaimQueueQuery, page: PageQuery) async throws -> PagedResult<ClaimRecord>
  /// The claims paid most recently, newest first.
  func latestPaid(limit: Int) async throws -> [ClaimRecord]
  /// Counts and the amount paid, over every claim the store's scope shows.
  func summary(today: CalendarDate) async throws -> ClaimSummary
  func history(of claim: ClaimRecord.ID) async throws -> [ClaimHistoryEntry]
  func documents(of claim: ClaimRecord.ID) async throws -> [ClaimDocument]
  func document(_ id: ClaimDocument.ID) async throws -> ClaimDocument?
  /// Whether any claim, in any area, keeps a document with this checksum (unscoped: the files
  /// are shared by content).
  func documentExists(sha256: String) async throws -> Bool
  func outbox(claim: ClaimRecord.ID) async throws -> [OutboxMessage]

  /// Puts every approved claim of the scheme not yet in payment into a new batch.
  func createBatch(scheme: String, context: ClaimContext) async throws -> PaymentBatch
  /// A batch the scope shows (made by a node of it).
  func batch(_ id: PaymentBatch.ID) async throws -> PaymentBatch?
  /// The batches the scope shows, newest first, a page at a time.
  func batches(page: PageQuery) async throws -> PagedResult<PaymentBatch>
  /// The bank's answer for one line: paid (the money posts to the fund) or failed (the claim
  /// goes back to the queue). Repeating an answer changes nothing.
  func settle(
    _ claim: ClaimRecord.ID, in batch: PaymentBatch.ID, paid: Bool, note: String?, context: ClaimContext
  ) async throws -> PaymentBatch
  /// Several answers (a bank's answer file, "all paid") in one transaction: all recorded or
  /// none.
  func settle(_ answers: [PaymentAnswer], in batch: PaymentBatch.ID, context: ClaimContext) async throws
    -> PaymentBatch

  /// The holiday years entered or changed by staff, which override the shipped ones.
  func holidayYears() async throws -> [HolidayYear]
  func save(_ year: HolidayYear, by: String) async throws
}

extension ClaimStore {
  /// Claims in these states, expedited first, then soonest due; optionally only those
  /// overdue, due on a day, or expedited.
  public func queue(states: Set<ClaimState>, scheme: String?, narrowedTo: QueueNarrowing?, page: PageQuery)
    async throws -> PagedResult<ClaimRecord>
  {
    try await queue(ClaimQueueQuery(states: states, scheme: scheme, narrowing: narrowedTo), page: page)
  }
}

/// A claim and everything its page shows about it.
public struct ClaimDetail: Sendable {
  public let claim: ClaimRecord
  public let documents: [ClaimDocument]
  public let history: [ClaimHistoryEntry]
  public let outbox: [OutboxMessage]

  public init(
    claim: ClaimRecord, documents: [ClaimDocument], history: [ClaimHistoryEntry], outbox: [OutboxMessage]
  ) {
    self.claim = claim
    self.documents = documents
    self.history = history
    self.outbox = outbox
  }
}
