import HuzhuApp
import HuzhuCore
import Vapor

/// `/api/v1` recoveries (追回) of paid claims found wrong: one opened on a claim, the list
/// (`?status=open` is what is still owed), one with its repayments, a repayment recorded
/// (the same reference again records nothing: 200 instead of 201).
struct RecoveryController {
  func register(authenticated: any RoutesBuilder) {
    authenticated.on(.POST, .api(.claimRecovery(.key)), requiresAnyOf: [.approveClaims, .keepFundLedger], use: open)
    authenticated.on(.GET, .api(.recoveries), requiresAnyOf: [.viewClaims, .viewFund], use: list)
    authenticated.on(.GET, .api(.recovery(.key)), requiresAnyOf: [.viewClaims, .viewFund], use: show)
    authenticated.post(.api(.recoveryRepayments(.key)), requires: .recordPayments, use: repay)
  }

  struct OpenRequest: Content {
    /// The whole payment when absent.
    let amount: Money?
    let reason: Recovery.Reason
    let note: String
  }

  struct RepaymentRequest: Content {
    let amount: Money
    let reference: String
  }

  @Sendable func open(_ request: Request) async throws -> Response {
    let input = try request.content.decode(OpenRequest.self)
    let recovery = try await request.recoveries.open(
      claim: try request.identifier(), amount: input.amount, reason: input.reason, note: input.note)
    return try await RecoveryResource(recovery, repayments: []).encodeResponse(status: .created, for: request)
  }

  @Sendable func list(_ request: Request) async throws -> PageResource<RecoveryResource> {
    return PageResource(
      try await request.recoveries.list(
        status: try request.statusFilter(Recovery.Status.self), page: try request.pageRequest()),
      map: { RecoveryResource($0, repayments: nil) })
  }

  @Sendable func show(_ request: Request) async throws -> RecoveryResource {
    let (recovery, repayments) = try await request.recoveries.recovery(try request.identifier())
    return RecoveryResource(recovery, repayments: repayments)
  }

  @Sendable func repay(_ request: Request) async throws -> Response {
    let input = try request.content.decode(RepaymentRequest.self)
    let id: Recovery.ID = try request.identifier()
    let (_, recorded) = try await request.recoveries.recordRepayment(
      id, amount: input.amount, reference: input.reference)
    let (recovery, repayments) = try await request.recoveries.recovery(id)
    return try await RecoveryResource(recovery, repayments: repayments)
      .encodeResponse(status: recorded ? .created : .ok, for: request)
  }
}

struct RecoveryResource: Content {
  struct Repayment: Content {
    let kind: RecoveryRepayment.Kind
    let kindLabel: LocalizedText
    let amount: Money
    let reference: String
    let recordedOn: CalendarDate
    let recordedBy: String
  }

  let id: UUID
  let claimId: UUID
  let claimNumber: String
  let schemeCode: String
  let reason: Recovery.Reason
  let reasonLabel: LocalizedText
  let note: String
  let amountDue: Money
  let recovered: Money
  let outstanding: Money
  let status: Recovery.Status
  let statusLabel: LocalizedText
  let openedBy: String
  let openedOn: CalendarDate
  /// Only when one recovery is asked for.
  let repayments: [Repayment]?

  init(_ recovery: Recovery, repayments: [RecoveryRepayment]?) {
    id = recovery.id.rawValue
    claimId = recovery.claimID.rawValue
    claimNumber = recovery.claimNumber
    schemeCode = recovery.schemeCode
    reason = recovery.reason
    reasonLabel = recovery.reason.label
    note = recovery.note
    amountDue = recovery.amountDue
    recovered = recovery.recovered
    outstanding = recovery.outstanding
    status = recovery.status
    statusLabel = recovery.status.label
    openedBy = recovery.openedBy
    openedOn = recovery.openedOn
    self.repayments = repayments?.map {
      Repayment(
        kind: $0.kind, kindLabel: $0.kind.label, amount: $0.amount, reference: $0.reference, recordedOn: $0.recordedOn,
        recordedBy: $0.recordedBy)
    }
  }
}

extension Request {
  var recoveries: Recoveries {
    get throws { Recoveries(services, actor: try actor) }
  }
}
