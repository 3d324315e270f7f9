import Fluent
import Foundation
import HuzhuCore

final class ClaimModel: Model, @unchecked Sendable {
  static let schema = "claims"

  @ID(key: .id) var id: UUID?
  @Field(key: "number") var number: String
  @Field(key: "worker_id") var workerID: UUID
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "channel") var channel: String
  @Field(key: "intake") var intake: String
  @Field(key: "state") var state: String
  @Field(key: "progress") var progress: String
  @OptionalField(key: "explanation") var explanation: String?
  @OptionalField(key: "calculated_total") var calculatedTotal: Int64?
  @OptionalField(key: "adjustment") var adjustment: String?
  @OptionalField(key: "approved_total") var approvedTotal: Int64?
  @Field(key: "duplicates") var duplicates: String
  @OptionalField(key: "documents_complete_on") var documentsCompleteOn: String?
  @OptionalField(key: "due_on") var dueOn: String?
  @OptionalField(key: "deadline_problem") var deadlineProblem: String?
  @Field(key: "expedited") var expedited: Bool
  @Field(key: "created_by") var createdBy: String
  @Field(key: "created_on") var createdOn: String
  @OptionalField(key: "paid_on") var paidOn: String?
  @OptionalField(key: "batch_id") var batchID: UUID?
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @OptionalField(key: "unit_id") var unitID: UUID?
  /// The coded reason of a rejection, for the statistics (the history keeps the words).
  @OptionalField(key: "rejection_reason") var rejectionReason: String?
  @Field(key: "lock_version") var lockVersion: Int64
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ record: ClaimRecord) throws {
    id = record.id.rawValue
    number = record.number
    workerID = record.workerID.rawValue
    schemeCode = record.schemeCode
    channel = record.channel.rawValue
    createdBy = record.createdBy
    createdOn = record.createdOn.description
    organisationID = record.organisationID?.rawValue
    unitID = record.unitID?.rawValue
    lockVersion = 0
    try update(from: record)
  }

  /// Everything that can change after intake.
  func update(from record: ClaimRecord) throws {
    intake = try JSON.text(record.intake)
    state = record.state.rawValue
    progress = try JSON.text(record.progress)
    explanation = try record.explanation.map(JSON.text)
    calculatedTotal = record.calculatedTotal?.fen
    adjustment = try record.adjustment.map(JSON.text)
    approvedTotal = record.approvedTotal?.fen
    duplicates = try JSON.text(record.duplicates)
    documentsCompleteOn = record.documentsCompleteOn?.description
    dueOn = record.dueOn?.description
    deadlineProblem = try record.deadlineProblem.map(JSON.text)
    expedited = record.expedited
    paidOn = record.paidOn?.description
  }

  func domain() throws -> ClaimRecord {
    var record = try claimRecord()
    record.unitID = unitID.map { .init($0) }
    record.organisationID = organisationID.map { .init($0) }
    return record
  }

  private func claimRecord() throws -> ClaimRecord {
    func date(_ text: String?, _ column: String) throws -> CalendarDate? {
      guard let text else { return nil }
      guard let date = CalendarDate(text) else { throw CorruptRow(table: Self.schema, column: column) }
      return date
    }
    guard let channel = ClaimChannel(rawValue: channel) else { throw CorruptRow(table: Self.schema, column: "channel") }
    return ClaimRecord(
      id: .init(try requireID()), number: number, workerID: .init(workerID), schemeCode: schemeCode, channel: channel,
      intake: try JSON.value(ClaimIntake.self, intake, table: Self.schema, column: "intake"),
      progress: try JSON.value(ClaimProgress.self, progress, table: Self.schema, column: "progress"),
      explanation: try explanation.map {
        try JSON.value(ExplanationReport.Document.self, $0, table: Self.schema, column: "explanation")
      },
      adjustment: try adjustment.map {
        try JSON.value(ClaimAdjustment.self, $0, table: Self.schema, column: "adjustment")
      },
      approvedTotal: approvedTotal.map(Money.init(fen:)),
      duplicates: try JSON.value([DuplicateFlag].self, duplicates, table: Self.schema, column: "duplicates"),
      documentsCompleteOn: try date(documentsCompleteOn, "documents_complete_on"), dueOn: try date(dueOn, "due_on"),
      deadlineProblem: try deadlineProblem.map {
        try JSON.value(LocalizedText.self, $0, table: Self.schema, column: "deadline_problem")
      },
      expedited: expedited, createdBy: createdBy,
      createdOn: try date(createdOn, "created_on") ?? CalendarDate(year: 2000, month: 1, day: 1)!,
      paidOn: try date(paidOn, "paid_on"))
  }
}

final class ClaimPaperModel: Model, @unchecked Sendable {
  static let schema = "claim_papers"

  @ID(key: .id) var id: UUID?
  @Field(key: "claim_id") var claimID: UUID
  @Field(key: "kind") var kind: String
  @Field(key: "number") var number: String

  init() {}

  init(claimID: UUID, kind: String, number: String) {
    id = UUID.timeOrdered()
    self.claimID = claimID
    self.kind = kind
    self.number = number
  }
}

final class ClaimDocumentModel: Model, @unchecked Sendable {
  static let schema = "claim_documents"

  @ID(key: .id) var id: UUID?
  @Field(key: "claim_id") var claimID: UUID
  @Field(key: "kind") var kind: String
  @Field(key: "file_name") var fileName: String
  @Field(key: "format") var format: String
  @Field(key: "size") var size: Int
  @Field(key: "sha256") var sha256: String
  @Field(key: "uploaded_by") var uploadedBy: String
  @Field(key: "uploaded_at") var uploadedAt: Date

  init() {}

  init(_ document: ClaimDocument) {
    id = document.id.rawValue
    claimID = document.claimID.rawValue
    kind = document.kind
    fileName = document.fileName
    format = document.format.rawValue
    size = document.size
    sha256 = document.sha256
    uploadedBy = document.uploadedBy
    uploadedAt = document.uploadedAt
  }

  func domain() throws -> ClaimDocument {
    guard let format = DocumentFormat(rawValue: format) else { throw CorruptRow(table: Self.schema, column: "format") }
    return ClaimDocument(
      id: .init(try requireID()), claimID: .init(claimID), kind: kind, fileName: fileName, format: format, size: size,
      sha256: sha256, uploadedBy: uploadedBy, uploadedAt: uploadedAt)
  }
}

final class ClaimHistoryModel: Model, @unchecked Sendable {
  static let schema = "claim_history"

  @ID(key: .id) var id: UUID?
  @Field(key: "claim_id") var claimID: UUID
  @Field(key: "at") var at: Date
  @Field(key: "actor") var actor: String
  @OptionalField(key: "address") var address: String?
  @Field(key: "action") var action: String
  @OptionalField(key: "from_state") var fromState: String?
  @Field(key: "to_state") var toState: String
  @OptionalField(key: "note") var note: String?

  init() {}

  init(claimID: UUID, _ entry: ClaimHistoryEntry) {
    id = UUID.timeOrdered()
    self.claimID = claimID
    at = entry.at
    actor = entry.actor
    address = entry.address
    action = entry.action
    fromState = entry.from?.rawValue
    toState = entry.to.rawValue
    note = entry.note
  }

  func domain() throws -> ClaimHistoryEntry {
    guard let to = ClaimState(rawValue: toState) else { throw CorruptRow(table: Self.schema, column: "to_state") }
    return ClaimHistoryEntry(
      at: at, actor: actor, address: address, action: action, from: fromState.flatMap(ClaimState.init), to: to,
      note: note)
  }
}

final class BenefitLedgerModel: Model, @unchecked Sendable {
  static let schema = "benefit_ledger"

  @ID(key: .id) var id: UUID?
  @Field(key: "worker_id") var workerID: UUID
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "product_code") var productCode: String
  @Field(key: "period_start") var periodStart: String
  @Field(key: "benefit_code") var benefitCode: String
  @Field(key: "paid_amount") var paidAmount: Int64
  @Field(key: "history") var history: String

  init() {}

  /// A member's first row for a benefit in a period.
  init(worker: UUID, scheme: String, product: String, periodStart: String, benefit: String, history: BenefitHistory)
    throws
  {
    id = UUID.timeOrdered()
    workerID = worker
    schemeCode = scheme
    productCode = product
    self.periodStart = periodStart
    benefitCode = benefit
    try record(history)
  }

  /// The benefit's history as it now stands (the amount kept beside it for sums in SQL).
  func record(_ history: BenefitHistory) throws {
    self.history = try JSON.text(history)
    paidAmount = history.paidAmount.fen
  }
}

final class PaymentBatchModel: Model, NodeOwned, @unchecked Sendable {
  static let ownerKey = \PaymentBatchModel.$organisationID

  static let schema = "payment_batches"

  @ID(key: .id) var id: UUID?
  @Field(key: "number") var number: String
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "created_by") var createdBy: String
  @Field(key: "created_on") var createdOn: String
  @Field(key: "skipped") var skipped: String
  /// The node of whoever made the batch: who may see it and its bank file (M018).
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}
}

final class PaymentBatchLineModel: Model, @unchecked Sendable {
  static let schema = "payment_batch_lines"

  @ID(key: .id) var id: UUID?
  @Field(key: "batch_id") var batchID: UUID
  @Field(key: "claim_id") var claimID: UUID
  @Field(key: "claim_number") var claimNumber: String
  @Field(key: "payee_name") var payeeName: String
  @Field(key: "bank_name") var bankName: String
  @Field(key: "bank_account") var bankAccount: String
  @Field(key: "amount") var amount: Int64
  @Field(key: "offset_amount") var offsetAmount: Int64
  @Field(key: "status") var status: String
  @OptionalField(key: "note") var note: String?

  init() {}

  func domain() throws -> PaymentBatch.Line {
    guard let status = PaymentBatch.Line.Status(rawValue: status) else {
      throw CorruptRow(table: Self.schema, column: "status")
    }
    return PaymentBatch.Line(
      claimID: .init(claimID), claimNumber: claimNumber, payeeName: payeeName, bankName: bankName,
      bankAccount: bankAccount, amount: Money(fen: amount), offset: Money(fen: offsetAmount), status: status,
      note: note)
  }
}

final class PaymentReturnModel: Model, @unchecked Sendable {
  static let schema = M026_PaymentReturns.table

  @ID(key: .id) var id: UUID?
  @Field(key: "line_id") var lineID: UUID
  @Field(key: "batch_id") var batchID: UUID
  @Field(key: "claim_id") var claimID: UUID
  @Field(key: "worker_id") var workerID: UUID
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "claim_number") var claimNumber: String
  @Field(key: "bank_account") var bankAccount: String
  @Field(key: "amount") var amount: Int64
  @Field(key: "reason") var reason: String
  @Field(key: "returned_on") var returnedOn: String
  @Field(key: "recorded_by") var recordedBy: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ value: PaymentReturn, line: UUID, worker: UUID, organisation: UUID?, scheme: String) {
    id = UUID.timeOrdered()
    lineID = line
    batchID = value.batchID.rawValue
    claimID = value.claimID.rawValue
    workerID = worker
    organisationID = organisation
    schemeCode = scheme
    claimNumber = value.claimNumber
    bankAccount = value.bankAccount
    amount = value.amount.fen
    reason = value.reason
    returnedOn = value.returnedOn.description
    recordedBy = value.recordedBy
  }

  func domain() throws -> PaymentReturn {
    PaymentReturn(
      claimID: .init(claimID), batchID: .init(batchID), claimNumber: claimNumber, bankAccount: bankAccount,
      amount: Money(fen: amount), reason: reason, returnedOn: try date(returnedOn, column: "returned_on"),
      recordedBy: recordedBy)
  }
}

final class HolidayYearModel: Model, @unchecked Sendable {
  static let schema = "holiday_years"

  @ID(custom: "year", generatedBy: .user) var id: Int?
  @Field(key: "data") var data: String
  @Field(key: "updated_by") var updatedBy: String
  @Field(key: "updated_at") var updatedAt: Date

  init() {}
}

/// JSON columns: sorted keys, so the same value is always the same text (``JSONColumnEncoder``,
/// Foundation's `JSONEncoder.sorted` written faster).
enum JSON {
  static func text<T: Encodable>(_ value: T) throws -> String {
    try JSONColumnEncoder.text(value)
  }

  static func value<T: Decodable>(_ type: T.Type, _ text: String, table: String, column: String) throws -> T {
    do {
      return try JSONDecoder().decode(type, from: Data(text.utf8))
    } catch {
      throw CorruptRow(table: table, column: column)
    }
  }
}

final class ClaimAssignmentModel: Model, @unchecked Sendable {
  static let schema = M034_ClaimAssignments.table

  /// The claim's id.
  @ID(custom: .id, generatedBy: .user) var id: UUID?
  @Field(key: "assignee_id") var assigneeID: UUID
  @Field(key: "assignee_name") var assigneeName: String
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "assigned_by") var assignedBy: String
  @Field(key: "assigned_at") var assignedAt: Date

  init() {}

  init(claim: UUID, organisation: UUID?, _ assignee: ClaimAssignee) {
    id = claim
    organisationID = organisation
    assigneeID = assignee.accountID.rawValue
    assigneeName = assignee.name
    assignedBy = assignee.assignedBy
    assignedAt = assignee.assignedAt
  }

  func domain() -> ClaimAssignee {
    ClaimAssignee(accountID: .init(assigneeID), name: assigneeName, assignedBy: assignedBy, assignedAt: assignedAt)
  }
}
