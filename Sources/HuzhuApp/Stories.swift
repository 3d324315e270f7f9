import Foundation
import HuzhuCore
import HuzhuPersistence

/// Choosing which claim stories are told (the publicity the seeds ask for, from real cases):
/// staff of an area see the consents its workers gave, each with the anonymised story as the
/// public would read it, and publish or take down; only a story with consent can be published.
public struct Stories: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var store: FluentStoryStore { FluentStoryStore(database: services.database, scope: actor.scope) }

  public struct Candidate: Sendable {
    public let consent: StoryConsent
    public let claim: ClaimRecord
    /// The story as it would be published.
    public let story: ClaimStory?
  }

  public func candidates(page: PageQuery) async throws -> PagedResult<Candidate> {
    try actor.require(.approveClaims)
    let found = try await store.consents(page: page)
    let workers = try await registryStore.workers(Array(Set(found.items.map(\.1.workerID))))
    let units = try await registryStore.units(Array(Set(workers.values.compactMap(\.unitID))))
    var schemes: [String: SchemeDefinition] = [:]
    for code in Set(found.items.map(\.1.schemeCode)) {
      schemes[code] = try await schemeStore.scheme(code: code)?.definition
    }
    return PagedResult(
      items: found.items.map { consent, claim in
        Candidate(
          consent: consent, claim: claim,
          story: workers[claim.workerID].map { worker in
            ClaimStory(
              claim: claim, worker: worker, sector: worker.unitID.flatMap { units[$0]?.sector },
              scheme: schemes[claim.schemeCode])
          })
      }, request: found.request, total: found.total)
  }

  /// The window records the worker's consent given on paper (the signed form kept with the
  /// claim's papers), or its withdrawal: only for a paid claim of the actor's area; audited.
  /// The story is then a candidate like one consented to online, and withdrawing takes it down.
  public func recordOnPaper(_ id: ClaimRecord.ID, given: Bool) async throws -> StoryConsent? {
    try actor.require(.intakeClaims)
    guard let claim = try await claimStore.claim(id) else { throw UseCaseError.notFound }
    let consent: StoryConsent?
    if given {
      guard StoryConsent.mayConsent(to: claim) else {
        throw ValidationFailure([
          FieldError(
            field: "consent", code: "not_paid",
            message: LocalizedText(zh: "互助金支付后才能登记展示同意", en: "consent can be recorded once the claim is paid"))
        ])
      }
      consent = try await store.consent(to: claim, by: "书面同意（\(actor.displayName)登记）", at: Date())
    } else {
      consent = try await store.withdraw(id, at: Date())
    }
    try await audit.record(
      .dataChange, subject: "claim:\(id)",
      detail: given ? "story consent recorded from the signed form" : "story consent withdrawn on paper")
    return consent
  }

  /// Publishes (or takes down) a story; audited. Not found: no consent in the actor's area.
  public func publish(_ claim: ClaimRecord.ID, _ published: Bool) async throws -> StoryConsent {
    try actor.require(.approveClaims)
    guard let consent = try await store.publish(claim, published, by: actor.name, at: Date()) else {
      throw UseCaseError.notFound
    }
    if published, !consent.isPublic {
      throw ValidationFailure([
        FieldError(
          field: "consent", code: "consent_withdrawn",
          message: LocalizedText(zh: "职工已撤回同意，不能展示", en: "the worker took consent back: it cannot be published"))
      ])
    }
    try await audit.record(
      .dataChange, subject: "claim:\(claim)", detail: published ? "story published" : "story taken down")
    return consent
  }
}
