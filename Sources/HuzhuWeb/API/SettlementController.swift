import HuzhuApp
import HuzhuCore
import Vapor

/// `/api/v1` endpoints for one-stop claims: the feed a bureau's or hospital's system pushes
/// settlements to, and the exceptions queue (docs/settlements.md).
struct SettlementController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.on(
      .POST, .api(.settlementFeed(.key)), requires: .intakeClaims, body: .collect(maxSize: BodyLimits.settlementFeed),
      use: feed)
    routes.get(.api(.settlements), requires: .viewClaims, use: list)
  }

  /// `{"records": [...]}`: at most 1,000 settlements, each keyed by its settlement ID.
  @Sendable func feed(_ request: Request) async throws -> SettlementReceiptResource {
    guard let code = request.parameters.get(SiteURL.codeParameter) else { throw Abort(.notFound) }
    let body = request.body.data.map { Data(buffer: $0) } ?? Data()
    let receipt = try await Settlements(request.services, actor: try request.actor).feed(body, source: code)
    return SettlementReceiptResource(receipt)
  }

  /// The exceptions queue: `?status=held` (the default) and `?exception=code`, oldest first.
  @Sendable func list(_ request: Request) async throws -> PageResource<SettlementResource> {
    var exception: SettlementException? = nil
    if let text = request.query[String.self, at: "exception"] {
      guard let parsed = SettlementException(rawValue: text) else {
        let names = SettlementException.allCases.map(\.rawValue).joined(separator: ", ")
        throw APIError.invalidQuery(
          "exception", expected: LocalizedText(zh: "应取自：\(names)", en: "takes one of \(names)"))
      }
      exception = parsed
    }
    let page = try request.pageRequest()
    let result = try await Settlements(request.services, actor: try request.actor).queue(
      exception: exception, page: page)
    return PageResource(result) { SettlementResource($0) }
  }
}

struct SettlementReceiptResource: Content {
  struct Outcome: Content {
    let row: Int
    let settlementId: String?
    let result: SettlementOutcome.Result
    let claimNumber: String?
    let exception: SettlementException?
  }

  let batchId: UUID?
  let counts: [String: Int]
  let outcomes: [Outcome]
  let errors: [FieldError]

  init(_ receipt: SettlementReceipt) {
    batchId = receipt.batchID
    counts = Dictionary(uniqueKeysWithValues: receipt.counts.map { ($0.key.rawValue, $0.value) })
    outcomes = receipt.outcomes.map {
      Outcome(
        row: $0.row, settlementId: $0.settlementId, result: $0.result, claimNumber: $0.claimNumber,
        exception: $0.exception)
    }
    errors = receipt.rowErrors
  }
}

struct SettlementResource: Content {
  let id: UUID
  let source: String
  let settlementId: String
  let name: String
  let settledOn: CalendarDate
  let providerName: String?
  let status: SettlementStatus
  let exception: SettlementException?
  let exceptionLabel: LocalizedText?
  let exceptionDetail: LocalizedText?
  let claimId: UUID?
  let claimNumber: String?

  init(_ stored: StoredSettlement) {
    id = stored.id.rawValue
    source = stored.sourceCode
    settlementId = stored.record.settlementId
    name = stored.record.name
    settledOn = stored.record.settledOn
    providerName = stored.record.providerName
    status = stored.status
    exception = stored.exception
    exceptionLabel = stored.exception?.label
    exceptionDetail = stored.exceptionDetail
    claimId = stored.claimID?.rawValue
    claimNumber = stored.claimNumber
  }
}
