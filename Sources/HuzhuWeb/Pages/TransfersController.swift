import HuzhuApp
import HuzhuCore
import Vapor

/// Transfer requests, as pages and through the API: the list from both sides and an answer.
struct TransfersController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.get(.transfers, requires: .manageUnits, use: page)
    routes.post(.transferDecision(.key), requires: .manageUnits, use: decideFromPage)
    routes.get(.api(.transfers), requires: .manageUnits, use: list)
    routes.post(.api(.transferDecision(.key)), requires: .manageUnits, use: decide)
  }

  struct DecisionInput: Content {
    let decision: TransferRequest.Decision
    let note: String?
  }

  @Sendable func page(_ request: Request) async throws -> Response {
    try await render(request, notice: request.takeFlash())
  }

  private func render(_ request: Request, notice: LocalizedText? = nil, error: LocalizedText? = nil) async throws
    -> Response
  {
    let listings = try await request.transfers.list(
      status: try request.transferStatus(), page: try request.pageRequest())
    return TransfersPage.View(
      listings: listings, language: request.displayLanguage, viewer: request.viewer!, notice: notice, error: error
    ).html().response(status: error == nil ? .ok : .unprocessableEntity)
  }

  @Sendable func decideFromPage(_ request: Request) async throws -> Response {
    let input = try request.content.decode(DecisionInput.self)
    do {
      let decided = try await request.transfers.decide(try request.identifier(), input.decision, note: input.note)
      request.flash(
        LocalizedText(
          zh: "已办理：\(decided.details.name) \(decided.status.label.zh)",
          en: "Done: \(decided.details.name) \(decided.status.label.en)"))
      return request.redirect(to: SiteURL.transfers.path)
    } catch let failure as ValidationFailure {
      return try await render(request, error: failure.summary)
    }
  }

  @Sendable func list(_ request: Request) async throws -> PageResource<TransferResource> {
    let found = try await request.transfers.list(status: try request.transferStatus(), page: try request.pageRequest())
    return PageResource(found, map: TransferResource.init)
  }

  @Sendable func decide(_ request: Request) async throws -> TransferResource {
    let input = try request.content.decode(DecisionInput.self)
    let transfers = try request.transfers
    let decided = try await transfers.decide(try request.identifier(), input.decision, note: input.note)
    guard let listing = try await transfers.listing(decided.id) else { throw APIError.notFound }
    return TransferResource(listing)
  }
}

extension Request {
  var transfers: Transfers {
    get throws { Transfers(services, actor: try actor) }
  }

  /// `?status=pending|confirmed|declined|withdrawn`; every status when absent.
  func transferStatus() throws -> TransferRequest.Status? {
    guard let text = query[String.self, at: "status"], !text.isEmpty else { return nil }
    guard let status = TransferRequest.Status(rawValue: text) else {
      let names = TransferRequest.Status.allCases.map(\.rawValue).joined(separator: ", ")
      throw APIError.invalidQuery("status", expected: LocalizedText(zh: "应取自：\(names)", en: "takes one of \(names)"))
    }
    return status
  }
}

/// A transfer request as the API shows it to one side. The asking side never learns where the
/// person is (no `workerId`).
struct TransferResource: Content {
  let id: UUID
  let status: TransferRequest.Status
  let statusLabel: LocalizedText
  let incoming: Bool
  let name: String
  let idNumberMasked: String
  let workerId: UUID?
  let askingUnitId: UUID
  let askingUnitName: String
  let requestedOn: CalendarDate
  let requestedBy: String
  let decidedOn: CalendarDate?
  let decidedBy: String?
  let note: String?
  let decisions: [TransferRequest.Decision]

  init(_ listing: Transfers.Listing) {
    let request = listing.request
    id = request.id.rawValue
    status = request.status
    statusLabel = request.status.label
    incoming = listing.isIncoming
    name = request.details.name
    idNumberMasked = ResidentIDNumber(request.details.idNumber)?.masked ?? ""
    workerId = listing.worker?.id.rawValue
    askingUnitId = request.toUnitID.rawValue
    askingUnitName = listing.askingUnitName
    requestedOn = request.requestedOn
    requestedBy = request.requestedBy
    decidedOn = request.decidedOn
    decidedBy = request.decidedBy
    note = request.note
    decisions = listing.decisions
  }
}
