import Foundation
import HuzhuApp
import HuzhuCore
import Vapor

/// The hardship pairing ledger.
extension PagesController {
  // MARK: Pairing ledger

  @Sendable func pairings(_ request: Request) async throws -> Response {
    let entries = try await request.unionWork.ledger(under: try request.organisationFilter()).map {
      PairingPage.Entry(pairing: $0.pairing, workerName: $0.workerName, visits: $0.visits)
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
    let unionWork = try request.unionWork
    let pairing = try await unionWork.pairing(try request.identifier())
    let form = try request.content.decode(PairingVisitForm.self)
    do {
      guard let day = CalendarDate(form.visitedOn) else {
        throw ValidationFailure([.missing("visitedOn", LocalizedText(zh: "走访日期", en: "visit date"))])
      }
      try await unionWork.record(
        PairingVisit(pairingID: pairing.id, visitedOn: day, note: form.note.trimmingCharacters(in: .whitespaces)))
      request.flash(LocalizedText(zh: "走访已记录", en: "Visit recorded"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.pairingsPage.path)
  }
}
