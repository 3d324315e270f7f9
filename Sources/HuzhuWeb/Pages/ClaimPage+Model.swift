import HuzhuApp
import HuzhuCore

/// One claim for staff: the facts, the explanation of benefit line by line, documents,
/// history and the messages sent.
enum ClaimPage {
  struct Model {
    let detail: Claims.Detail
    let today: CalendarDate

    var claim: ClaimRecord { detail.claim }
    var worker: Worker? { detail.worker }
    var documents: [ClaimDocument] { detail.documents }
    var history: [ClaimHistoryEntry] { detail.history }
    var outbox: [OutboxMessage] { detail.outbox }
    var actions: [ClaimActionName] { detail.actions }
    var takesDocuments: Bool { detail.takesDocuments }
  }
}

/// The work queue: running claims, soonest due first, with their deadline.
enum ClaimQueuePage {
  struct Model {
    let claims: PagedResult<ClaimRecord>
    let today: CalendarDate

    static func load(page: PageQuery, today: CalendarDate, claims: Claims) async throws -> Model {
      Model(
        claims: try await claims.queue(
          states: ClaimDeadline.running.union([.draft, .returned]), scheme: nil, narrowedTo: nil, page: page),
        today: today)
    }
  }
}

/// The document kinds an upload form offers: what is still missing first, then the rest.
enum ClaimAssessmentDocuments {
  static func kinds(missingFirst missing: [String]) -> [String] {
    missing + RequiredDocument.knownCodes.filter { !missing.contains($0) }
  }
}
