import Foundation
import HuzhuPersistence

/// The server's housekeeping, run every few minutes by `huzhu serve` (on every instance: each
/// step deletes only what is dead by the clock, so instances never disagree).
public struct Upkeep: Sendable {
  let services: AppServices

  public init(_ services: AppServices) {
    self.services = services
  }

  public typealias Report = Housekeeping.Report
  /// The session keys housekeeping reads, which the web layer writes.
  public typealias SessionStamp = Housekeeping.SessionStamp

  /// How long an expired portal code is kept (for a support call about a failed sign-in).
  public static let portalCodeRetention: TimeInterval = 24 * 3600

  public func run(now: Date, sessionIdle: TimeInterval, sessionLifetime: TimeInterval) async throws
    -> Report
  {
    Report(
      sessions: try await Housekeeping.purgeSessions(
        on: services.database, now: now, idle: sessionIdle, lifetime: sessionLifetime),
      portalCodes: try await Housekeeping.purgePortalCodes(
        on: services.database, now: now, keep: Self.portalCodeRetention),
      expiredMessages: try await Housekeeping.expireMessages(on: services.database, now: now))
  }
}
