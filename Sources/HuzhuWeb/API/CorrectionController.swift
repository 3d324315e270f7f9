import HuzhuApp
import HuzhuCore
import Vapor

/// `/api/v1` corrections of money: a payment's void asked for, the second person's decision,
/// one correction, the list (the four-eyes queue with `?status=requested`).
struct CorrectionController {
  func register(authenticated: any RoutesBuilder) {
    authenticated.post(.api(.receiptVoid(.key)), requires: .recordPayments, use: requestVoid)
    authenticated.get(.api(.corrections), use: list)
    authenticated.get(.api(.correction(.key)), use: show)
    authenticated.post(.api(.correctionDecision(.key)), requires: .keepFundLedger, use: decide)
    authenticated.post(.api(.certificateWithdrawal(.key)), requires: .recordPayments, use: requestWithdrawal)
    authenticated.post(.api(.receiptReissue(.key)), requires: .recordPayments, use: reissue)
  }

  @Sendable func reissue(_ request: Request) async throws -> Response {
    let input = try request.content.decode(VoidRequest.self)
    let reissue = try await request.corrections.reissueReceipt(
      try request.pathText(SiteURL.numberParameter), reason: input.reason)
    return try await ReceiptReissueResource(reissue).encodeResponse(status: .created, for: request)
  }

  struct WithdrawalRequest: Content {
    /// `enrollment_void` (enrolled in error) or `withdrawal` (the member withdraws in time).
    let kind: Correction.Kind
    let reason: String
    /// Where refunds to payers other than the member go, instead of the unit's account on file.
    let refundBankName: String?
    let refundBankAccount: String?
  }

  @Sendable func requestWithdrawal(_ request: Request) async throws -> Response {
    let input = try request.content.decode(WithdrawalRequest.self)
    guard input.kind.correctsEnrollment else {
      throw APIError.validation(
        ValidationFailure([
          FieldError(
            field: "kind", code: "invalid_kind",
            message: LocalizedText(zh: "应为 enrollment_void 或 withdrawal", en: "takes enrollment_void or withdrawal"))
        ]))
    }
    let correction = try await request.corrections.requestWithdrawal(
      input.kind, certificate: try request.pathText(SiteURL.numberParameter), reason: input.reason,
      refundBankName: input.refundBankName, refundBankAccount: input.refundBankAccount)
    return try await CorrectionResource(correction).encodeResponse(status: .created, for: request)
  }

  /// A void's or a reissue's request.
  struct VoidRequest: Content {
    let reason: String
  }

  struct Decision: Content {
    let approve: Bool
    /// Required when refusing.
    let note: String?
  }

  @Sendable func requestVoid(_ request: Request) async throws -> Response {
    let input = try request.content.decode(VoidRequest.self)
    let correction = try await request.corrections.requestPaymentVoid(
      receipt: try request.pathText(SiteURL.numberParameter), reason: input.reason)
    return try await CorrectionResource(correction).encodeResponse(status: .created, for: request)
  }

  @Sendable func list(_ request: Request) async throws -> PageResource<CorrectionResource> {
    return PageResource(
      try await request.corrections.list(
        status: try request.statusFilter(Correction.Status.self), page: try request.pageRequest()),
      map: CorrectionResource.init)
  }

  @Sendable func show(_ request: Request) async throws -> CorrectionResource {
    CorrectionResource(try await request.corrections.correction(try request.identifier()))
  }

  @Sendable func decide(_ request: Request) async throws -> CorrectionResource {
    let input = try request.content.decode(Decision.self)
    return CorrectionResource(
      try await request.corrections.decide(try request.identifier(), approve: input.approve, note: input.note))
  }
}

struct CorrectionResource: Content {
  let id: UUID
  let kind: Correction.Kind
  let kindLabel: LocalizedText
  let schemeCode: String
  let targetId: UUID
  /// A payment void's receipt.
  let receiptNumber: String?
  /// A withdrawn cover's certificate.
  let certificateNumber: String?
  let amount: Money
  let reason: String
  let status: Correction.Status
  let statusLabel: LocalizedText
  let requestedBy: String
  let requestedOn: CalendarDate
  let decidedBy: String?
  let decidedOn: CalendarDate?
  let decisionNote: String?

  init(_ correction: Correction) {
    id = correction.id.rawValue
    kind = correction.kind
    kindLabel = correction.kind.label
    schemeCode = correction.schemeCode
    targetId = correction.targetID
    receiptNumber = correction.kind.correctsEnrollment ? nil : correction.targetLabel
    certificateNumber = correction.kind.correctsEnrollment ? correction.targetLabel : nil
    amount = correction.amount
    reason = correction.reason
    status = correction.status
    statusLabel = correction.status.label
    requestedBy = correction.requestedBy
    requestedOn = correction.requestedOn
    decidedBy = correction.decidedBy
    decidedOn = correction.decidedOn
    decisionNote = correction.decisionNote
  }
}

struct ReceiptReissueResource: Content {
  let id: UUID
  let paymentId: UUID
  let receiptNumber: String
  let replaces: String
  let reason: String
  let reissuedBy: String
  let reissuedOn: CalendarDate

  init(_ reissue: ReceiptReissue) {
    id = reissue.id.rawValue
    paymentId = reissue.paymentID.rawValue
    receiptNumber = reissue.number
    replaces = reissue.replaces
    reason = reissue.reason
    reissuedBy = reissue.reissuedBy
    reissuedOn = reissue.reissuedOn
  }
}

extension Request {
  var corrections: Corrections {
    get throws { Corrections(services, actor: try actor) }
  }
}
