import HuzhuCore

/// One claim for staff: the facts, the explanation of benefit line by line, documents,
/// history and the messages sent.
enum ClaimPage {
  struct Model {
    let claim: ClaimRecord
    let worker: Worker?
    let documents: [ClaimDocument]
    let history: [ClaimHistoryEntry]
    let outbox: [OutboxMessage]
    let today: CalendarDate

    static func load(
      _ id: ClaimRecord.ID, today: CalendarDate, claims: any ClaimStore, registry: any RegistryStore
    ) async throws -> Model? {
      guard let detail = try await claims.detail(id) else { return nil }
      return Model(
        claim: detail.claim, worker: try await registry.worker(detail.claim.workerID), documents: detail.documents,
        history: detail.history, outbox: detail.outbox, today: today)
    }
  }
}

/// The work queue: running claims, soonest due first, with their deadline.
enum ClaimQueuePage {
  struct Model {
    let claims: PagedResult<ClaimRecord>
    let today: CalendarDate

    static func load(page: PageQuery, today: CalendarDate, claims: any ClaimStore) async throws -> Model {
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
