import HuzhuCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Liveness (`/healthz`: the process answers and the database responds) and readiness
/// (`/readyz`: migrations and demo seeding have finished and the database answers, so traffic
/// can be sent).
struct HealthController {
  struct Status: Content {
    let status: String
    let database: String
    let databaseKind: String
  }

  func register(on routes: any RoutesBuilder) {
    routes.get(.healthz, use: healthz)
    routes.get(.readyz, use: readyz)
  }

  private func databaseKind(_ request: Request) -> String {
    request.application.huzhu.configuration?.database.isPostgres == true ? "postgresql" : "sqlite"
  }

  /// Whether the database answers a trivial query. An answer is trusted for a second: probes
  /// from several monitors and load balancers then cost one query a second, not one each. A
  /// failure is not kept (the next probe asks again).
  private func databaseAnswers(_ request: Request) async -> Bool {
    let probe = request.application.huzhu.healthProbe
    if probe.answeredRecently() { return true }
    do {
      guard let sql = request.db as? any SQLDatabase else { throw APIError.unexpected }
      try await sql.raw("SELECT 1").run()
      probe.answered()
      return true
    } catch {
      request.logger.warning("health check: database unreachable: \(String(describing: error))")
      return false
    }
  }

  @Sendable func healthz(_ request: Request) async throws -> Response {
    let reachable = await databaseAnswers(request)
    return try await Status(
      status: reachable ? "ok" : "error", database: reachable ? "ok" : "unreachable",
      databaseKind: databaseKind(request)
    )
    .encodeResponse(status: reachable ? .ok : .serviceUnavailable, for: request)
  }

  /// Ready once migrations and seeding are done, and only while the database answers: a load
  /// balancer stops sending traffic to an instance whose PostgreSQL is gone.
  @Sendable func readyz(_ request: Request) async throws -> Response {
    let migrated = request.application.huzhu.isReady
    let reachable = migrated ? await databaseAnswers(request) : false
    let status = !migrated ? "starting" : reachable ? "ready" : "error"
    return try await Status(
      status: status, database: !migrated ? "pending" : reachable ? "migrated" : "unreachable",
      databaseKind: databaseKind(request)
    )
    .encodeResponse(status: migrated && reachable ? .ok : .serviceUnavailable, for: request)
  }
}

/// When the database last answered a health probe.
final class HealthProbe: Sendable {
  static let trusted: Duration = .seconds(1)
  private let last = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

  func answeredRecently(now: ContinuousClock.Instant = .now) -> Bool {
    last.withLockedValue { $0.map { now - $0 < Self.trusted } ?? false }
  }

  func answered(now: ContinuousClock.Instant = .now) {
    last.withLockedValue { $0 = now }
  }
}
