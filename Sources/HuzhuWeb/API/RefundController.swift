import HuzhuApp
import HuzhuCore
import Vapor

/// `/api/v1` refunds of contributions made when a member's cover was withdrawn: the list
/// (`?status=due` is what is still owed), one refund, the bank's transfer recorded (the same
/// reference again records nothing: 200 instead of 201).
struct RefundController {
  func register(authenticated: any RoutesBuilder) {
    authenticated.on(.GET, .api(.refunds), requiresAnyOf: [.viewFund, .recordPayments], use: list)
    authenticated.on(.GET, .api(.refund(.key)), requiresAnyOf: [.viewFund, .recordPayments], use: show)
    authenticated.post(.api(.refundTransfer(.key)), requires: .keepFundLedger, use: transfer)
  }

  struct TransferRequest: Content {
    let reference: String
  }

  @Sendable func list(_ request: Request) async throws -> PageResource<RefundResource> {
    PageResource(
      try await request.refunds.list(
        status: try request.statusFilter(Refund.Status.self), page: try request.pageRequest()),
      map: RefundResource.init)
  }

  @Sendable func show(_ request: Request) async throws -> RefundResource {
    RefundResource(try await request.refunds.refund(try request.identifier()))
  }

  @Sendable func transfer(_ request: Request) async throws -> Response {
    let input = try request.content.decode(TransferRequest.self)
    let (refund, changed) = try await request.refunds.markPaid(try request.identifier(), reference: input.reference)
    return try await RefundResource(refund).encodeResponse(status: changed ? .created : .ok, for: request)
  }
}

struct RefundResource: Content {
  let id: UUID
  let number: String
  let correctionId: UUID
  let schemeCode: String
  let billNumber: String
  let certificateNumber: String
  let payer: PayerType
  let payerLabel: LocalizedText
  let payeeName: String
  let bankName: String?
  /// Masked (`6222 **** 1234`), as the API shows accounts; the bank file has them whole.
  let bankAccountMasked: String?
  let amount: Money
  let createdOn: CalendarDate
  let status: Refund.Status
  let statusLabel: LocalizedText
  let paidOn: CalendarDate?
  let paidReference: String?

  init(_ refund: Refund) {
    id = refund.id.rawValue
    number = refund.number
    correctionId = refund.correctionID.rawValue
    schemeCode = refund.schemeCode
    billNumber = refund.billNumber
    certificateNumber = refund.certificateNumber
    payer = refund.payer
    payerLabel = refund.payer.label
    payeeName = refund.payeeName
    bankName = refund.bankName
    bankAccountMasked = refund.bankAccount.map(BankAccountMask.masked)
    amount = refund.amount
    createdOn = refund.createdOn
    status = refund.status
    statusLabel = refund.status.label
    paidOn = refund.paidOn
    paidReference = refund.paidReference
  }
}

extension Request {
  var refunds: Refunds {
    get throws { Refunds(services, actor: try actor) }
  }
}
