import HuzhuCore
import SQLKit
import Vapor

/// Liveness (`/healthz`: the process answers and the database responds) and readiness
/// (`/readyz`: migrations and demo seeding have finished, so traffic can be sent).
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

  @Sendable func healthz(_ request: Request) async throws -> Response {
    var reachable = true
    do {
      guard let sql = request.db as? any SQLDatabase else { throw APIError.unexpected }
      try await sql.raw("SELECT 1").run()
    } catch {
      request.logger.warning("health check: database unreachable: \(String(describing: error))")
      reachable = false
    }
    return try await Status(
      status: reachable ? "ok" : "error", database: reachable ? "ok" : "unreachable",
      databaseKind: databaseKind(request)
    )
    .encodeResponse(status: reachable ? .ok : .serviceUnavailable, for: request)
  }

  @Sendable func readyz(_ request: Request) async throws -> Response {
    let ready = request.application.huzhu.isReady
    return try await Status(
      status: ready ? "ready" : "starting", database: ready ? "migrated" : "pending",
      databaseKind: databaseKind(request)
    )
    .encodeResponse(status: ready ? .ok : .serviceUnavailable, for: request)
  }
}
