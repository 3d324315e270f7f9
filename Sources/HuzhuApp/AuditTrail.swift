import Foundation
import HuzhuCore
import HuzhuPersistence

/// Lines of the audit log a use case writes itself (the web's middleware writes one for every
/// change besides). A line belongs to the actor's node: only that federation's audit
/// administrators read it.
struct AuditTrail: Sendable {
  let services: AppServices
  let actor: Actor

  init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  func record(_ kind: AuditKind, subject: String, detail: String) async throws {
    try await AuditWriter(services).record(
      kind, actor: actor.name, organisation: actor.organisation?.id, subject: subject, detail: detail,
      address: actor.address)
  }

  /// Several lines at once, in order (one transaction).
  func record(_ kind: AuditKind, _ lines: [(subject: String, detail: String)]) async throws {
    let now = Date()
    try await AuditWriter(services).record(
      lines.map {
        AuditEvent(
          at: now, kind: kind, actor: actor.name, organisationID: actor.organisation?.id, subject: $0.subject,
          detail: $0.detail, address: actor.address)
      })
  }

  /// A date recorded earlier than the day it was entered, with its reason.
  func earlierDate(_ date: RecordedDate, subject: String, what: String) async throws {
    guard let reason = date.earlierBecause else { return }
    try await record(.dataChange, subject: subject, detail: "\(what) \(date.date): \(reason)")
  }
}
