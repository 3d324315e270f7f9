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
  }

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
    var status: Correction.Status?
    if let text = request.query[String.self, at: "status"] {
      guard let parsed = Correction.Status(rawValue: text) else {
        throw APIError.invalidQuery(
          "status",
          expected: LocalizedText(zh: "应为 requested、applied 或 refused", en: "takes requested, applied or refused"))
      }
      status = parsed
    }
    return PageResource(
      try await request.corrections.list(status: status, page: try request.pageRequest()), map: CorrectionResource.init)
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
  let receiptNumber: String
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
    receiptNumber = correction.targetLabel
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

extension Request {
  var corrections: Corrections {
    get throws { Corrections(services, actor: try actor) }
  }
}
