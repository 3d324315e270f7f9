import Foundation
import HuzhuCore
import Vapor

/// The hardship pairing ledger.
extension PagesController {
  // MARK: Pairing ledger

  @Sendable func pairings(_ request: Request) async throws -> Response {
    let registry = request.registry
    var entries: [PairingPage.Entry] = []
    for pairing in try await request.unionWork.pairings(under: try request.scopedOrganisationFilter()) {
      let name = try await registry.worker(pairing.workerID)?.name ?? "—"
      entries.append(
        .init(pairing: pairing, workerName: name, visits: try await request.unionWork.visits(pairing: pairing.id)))
    }
    let model = PairingPage.Model(
      entries: entries, today: request.today, notice: request.takeFlash(), error: request.takeFlashError())
    return PairingPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html().response()
  }

  struct PairingVisitForm: Content {
    let visitedOn: String
    let note: String
  }

  @Sendable func recordPairingVisit(_ request: Request) async throws -> Response {
    guard let pairing = try await request.visiblePairing(try request.identifier()) else { throw APIError.notFound }
    let form = try request.content.decode(PairingVisitForm.self)
    do {
      guard let day = CalendarDate(form.visitedOn) else {
        throw ValidationFailure([.missing("visitedOn", LocalizedText(zh: "走访日期", en: "visit date"))])
      }
      try await request.unionWork.record(
        PairingVisit(pairingID: pairing.id, visitedOn: day, note: form.note.trimmingCharacters(in: .whitespaces)),
        today: request.today)
      request.flash(LocalizedText(zh: "走访已记录", en: "Visit recorded"))
    } catch let failure as ValidationFailure {
      request.flashError(
        failure.summary)
    }
    return request.redirect(to: SiteURL.pairingsPage.path)
  }
}
