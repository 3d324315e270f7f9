import HuzhuCore
import Vapor

// The JSON shapes of claims and payment batches.

struct NewClaim: Content {
  let schemeCode: String
  /// The member, by one of: their worker id, ID number, or a certificate number.
  let workerId: UUID?
  let idNumber: String?
  let certificateNumber: String?
  let channel: ClaimChannel?
  let expedited: Bool?
  let intake: ClaimIntakeInput
}

/// Claims to open together (``ClaimController/openBatch(_:)``): one scheme and channel, each
/// claim naming its member as ``NewClaim`` does.
struct NewClaimBatch: Content {
  struct Claim: Codable {
    let workerId: UUID?
    let idNumber: String?
    let certificateNumber: String?
    let expedited: Bool?
    let intake: ClaimIntakeInput
  }

  let schemeCode: String
  let channel: ClaimChannel?
  /// Submit each claim whose documents are complete (its clock starts); otherwise drafts.
  let submitWhenComplete: Bool?
  let claims: [Claim]
}

/// What a batch opened: each claim in the order sent, by row, with what a partner system
/// files against it (the full claim is at `/api/v1/claims/{id}`).
struct ClaimBatchResource: Content {
  struct Opened: Content {
    let row: Int
    let id: UUID
    let number: String
    let state: ClaimState
    let calculatedTotal: Money?
    let payable: Money
    let missingDocuments: [String]
    let duplicates: [ClaimResource.Duplicate]

    init(_ record: ClaimRecord, row: Int) {
      self.row = row
      id = record.id.rawValue
      number = record.number
      state = record.state
      calculatedTotal = record.calculatedTotal
      payable = record.payable
      missingDocuments = record.progress.missingDocuments
      duplicates = record.duplicates.map(ClaimResource.Duplicate.init)
    }
  }

  let count: Int
  let claims: [Opened]
}

/// A claim's facts as a client sends them. The receipt date (`event.claimDate`) is the server's
/// day: a client leaves it out, or names an earlier day with `event.claimDateReason` when its
/// account may record earlier dates.
struct ClaimIntakeInput: Content {
  struct Event: Codable {
    var admissionDate, dischargeDate, visitDate, settlementDate, diagnosisDate, accidentDate, deathDate: CalendarDate?
    var setting: CareSetting?
    var claimDate: CalendarDate?
    var claimDateReason: String?
    var hospitalDays: Int?
    var figures: SettlementFigures?
    var diagnoses: [Diagnosis]?
    var treatmentCategory: String?
    var accident: AccidentFacts?
    var hospitalLevel: HospitalLevel?
    var hospitalLocation: HospitalLocation?
  }

  var hospital: String?
  var event: Event
  var invoiceNumbers: [String]
  var settlementSheetNumber: String?

  /// The intake, received on `received`.
  func intake(received: CalendarDate) -> ClaimIntake {
    ClaimIntake(
      hospital: hospital,
      event: ClaimEvent(
        admissionDate: event.admissionDate, dischargeDate: event.dischargeDate, settlementDate: event.settlementDate,
        diagnosisDate: event.diagnosisDate, accidentDate: event.accidentDate, claimDate: received,
        hospitalDays: event.hospitalDays, figures: event.figures, diagnoses: event.diagnoses,
        treatmentCategory: event.treatmentCategory, accident: event.accident, visitDate: event.visitDate,
        setting: event.setting, hospitalLevel: event.hospitalLevel, hospitalLocation: event.hospitalLocation,
        deathDate: event.deathDate),
      invoiceNumbers: invoiceNumbers, settlementSheetNumber: settlementSheetNumber)
  }
}

struct ClaimActionInput: Content {
  let action: ClaimActionName
  /// Why (return, reject, appeal).
  let note: String?
  let rejectionReason: RejectionReason?
}

struct NewAdjustment: Content {
  let amount: Money
  let justification: String
}

struct ClaimResource: Content {
  struct Progress: Content {
    let requiredLevels: [OrganisationKind]
    let approvals: [OrganisationKind]
    let nextLevel: OrganisationKind?
    let missingDocuments: [Labelled]
    let appealed: Bool
  }

  struct Labelled: Content {
    let code: String
    let label: LocalizedText
  }

  struct Duplicate: Content {
    let kind: String
    let label: LocalizedText
    let earlierClaimNumber: String
    let detail: String?

    init(_ duplicate: DuplicateFlag) {
      kind = duplicate.kind.rawValue
      label = duplicate.kind.label
      earlierClaimNumber = duplicate.earlierClaimNumber
      detail = duplicate.detail
    }
  }

  let id: UUID
  let number: String
  let workerId: UUID
  let schemeCode: String
  let channel: ClaimChannel
  let channelLabel: LocalizedText
  let state: ClaimState
  let stateLabel: LocalizedText
  let intake: ClaimIntake
  let progress: Progress
  let explanation: ExplanationReport.Document?
  let calculatedTotal: Money?
  let adjustment: ClaimAdjustment?
  let approvedTotal: Money?
  let payable: Money
  let duplicates: [Duplicate]
  let documentsCompleteOn: CalendarDate?
  let dueOn: CalendarDate?
  let deadlineProblem: LocalizedText?
  /// Against today: `overdue`, `due_today`, `on_time`, or absent when no clock runs.
  let deadline: String?
  let expedited: Bool
  let createdBy: String
  let createdOn: CalendarDate
  let paidOn: CalendarDate?

  init(_ record: ClaimRecord, today: CalendarDate) {
    id = record.id.rawValue
    number = record.number
    workerId = record.workerID.rawValue
    schemeCode = record.schemeCode
    channel = record.channel
    channelLabel = record.channel.label
    state = record.state
    stateLabel = record.state.label
    intake = record.intake
    progress = Progress(
      requiredLevels: record.progress.requiredLevels, approvals: record.progress.approvals.map(\.level),
      nextLevel: record.progress.nextLevel,
      missingDocuments: record.progress.missingDocuments.map { Labelled(code: $0, label: RequiredDocument.label($0)) },
      appealed: record.progress.appealed)
    explanation = record.explanation
    calculatedTotal = record.calculatedTotal
    adjustment = record.adjustment
    approvedTotal = record.approvedTotal
    payable = record.payable
    duplicates = record.duplicates.map(Duplicate.init)
    documentsCompleteOn = record.documentsCompleteOn
    dueOn = record.dueOn
    deadlineProblem = record.deadlineProblem
    deadline = record.deadline(on: today)?.rawValue
    expedited = record.expedited
    createdBy = record.createdBy
    createdOn = record.createdOn
    paidOn = record.paidOn
  }
}

struct ClaimDetailResource: Content {
  struct Document: Content {
    let id: UUID
    let kind: String
    let kindLabel: LocalizedText
    let fileName: String
    let format: DocumentFormat
    let size: Int
    let sha256: String
    let uploadedBy: String
    let uploadedAt: Date
  }

  let claim: ClaimResource
  let documents: [Document]
  let history: [ClaimHistoryEntry]
  let notifications: [OutboxMessage]
}

extension ClaimDetailResource.Document {
  init(_ document: ClaimDocument) {
    id = document.id.rawValue
    kind = document.kind
    kindLabel = RequiredDocument.label(document.kind)
    fileName = document.fileName
    format = document.format
    size = document.size
    sha256 = document.sha256
    uploadedBy = document.uploadedBy
    uploadedAt = document.uploadedAt
  }
}

struct ActionResultResource: Content {
  let claim: ClaimResource
  /// False when the action had already been done: nothing changed.
  let changed: Bool
}

struct PaymentBatchResource: Content {
  struct Line: Content {
    let claimId: UUID
    let claimNumber: String
    let payeeName: String
    let bankName: String
    let bankAccount: String
    /// What the bank transfers.
    let amount: Money
    /// Withheld towards the member's recoveries (追回抵扣).
    let offset: Money
    let status: PaymentBatch.Line.Status
    let statusLabel: LocalizedText
    let note: String?
    /// Set when the bank sent a paid line's money back.
    let returned: Returned?
  }

  struct Returned: Content {
    let reason: String
    let returnedOn: CalendarDate
    let recordedBy: String
  }

  struct Skipped: Content {
    let claimNumber: String
    let reason: LocalizedText
  }

  let id: UUID
  let number: String
  let schemeCode: String
  let createdBy: String
  let createdOn: CalendarDate
  let total: Money
  let lines: [Line]
  let skipped: [Skipped]

  init(_ batch: PaymentBatch) {
    id = batch.id.rawValue
    number = batch.number
    schemeCode = batch.schemeCode
    createdBy = batch.createdBy
    createdOn = batch.createdOn
    total = batch.total
    lines = batch.lines.map {
      Line(
        claimId: $0.claimID.rawValue, claimNumber: $0.claimNumber, payeeName: $0.payeeName, bankName: $0.bankName,
        bankAccount: $0.bankAccount, amount: $0.amount, offset: $0.offset, status: $0.status, statusLabel: $0.outcome,
        note: $0.note,
        returned: $0.returned.map {
          Returned(reason: $0.reason, returnedOn: $0.returnedOn, recordedBy: $0.recordedBy)
        })
    }
    skipped = batch.skipped.map { Skipped(claimNumber: $0.claimNumber, reason: $0.reason) }
  }
}

struct NewPaymentBatch: Content {
  let schemeCode: String
}

struct LineReturn: Content {
  /// The bank's reason for sending the money back.
  let reason: String
}

struct LineOutcome: Content {
  let paid: Bool
  /// The bank's reference when paid; the reason when it failed.
  let note: String?
}

extension ClaimHistoryEntry: Content {}
extension OutboxMessage: Content {}
extension HolidayYear: Content {}
