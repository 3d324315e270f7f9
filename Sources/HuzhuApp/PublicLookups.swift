import Foundation
import HuzhuCore
import HuzhuPersistence

/// What anyone may ask without signing in: whether a certificate is genuine and in force (the
/// answer shown masked; every area's certificates, since the holder may be anyone's), and the
/// anonymised stories of paid claims.
public struct PublicLookups: Sendable {
  let services: AppServices
  let throttles: Throttles
  /// Who asks (an address), for the rate limit of certificate look-ups.
  let address: String?

  public init(_ services: AppServices, throttles: Throttles, address: String?) {
    self.services = services
    self.throttles = throttles
    self.address = address
  }

  /// A certificate by its number. Numbers run in sequence, so look-ups are limited per address
  /// (``AttemptRule/certificateLookups``): past it, ``UseCaseError/tooManyRequests(until:)``.
  public func certificate(number: String) async throws -> Certificate? {
    if let until = throttles.lookUp(address: address, at: Date()) { throw UseCaseError.tooManyRequests(until: until) }
    let number = number.trimmingCharacters(in: .whitespaces)
    guard !number.isEmpty, number.count <= 40 else { return nil }
    return try await FluentEnrollmentStore(database: services.database).certificate(number: number)
  }

  /// The published stories, latest paid first: paid claims whose workers consented and which
  /// staff chose (``StoryConsent``), anonymised (``ClaimStory`` decides what may be told). Read
  /// across every area on purpose: only the story leaves this function.
  public func stories(limit: Int = 30) async throws -> [ClaimStory] {
    let registry = FluentRegistryStore(database: services.database)
    let schemes = Dictionary(
      try await FluentSchemeStore(database: services.database).schemes().map { ($0.code, $0.definition) },
      uniquingKeysWith: { first, _ in first })
    let paid = try await FluentStoryStore(database: services.database).publishedClaims(limit: limit)
    // Two reads for all of them, not two per story.
    let workers = try await registry.workers(Array(Set(paid.map(\.workerID))))
    let units = try await registry.units(Array(Set(workers.values.compactMap(\.unitID))))
    var stories: [ClaimStory] = []
    for claim in paid {
      guard let worker = workers[claim.workerID] else { continue }
      stories.append(
        ClaimStory(
          claim: claim, worker: worker, sector: worker.unitID.flatMap { units[$0]?.sector },
          scheme: schemes[claim.schemeCode]))
    }
    return stories
  }
}
