import HuzhuCore
import Vapor

/// `huzhu serve` listens before it migrates and loads the demo data (a minute the first time),
/// so that probes and load balancers see an instance that is starting rather than a closed
/// port. Until it is ready every request but the health probes (and the stylesheet and script,
/// served before this) answers 503 with `Retry-After`.
struct StartingMiddleware: AsyncMiddleware {
  static let starting = APIError(
    status: .serviceUnavailable, code: "starting",
    message: LocalizedText(
      zh: "系统正在启动（数据库迁移与数据载入），请稍候刷新", en: "the system is starting (migrating and loading data); reload shortly"))

  static let probes: Set<String> = [SiteURL.healthz.path, SiteURL.readyz.path]

  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    guard request.application.huzhu.isReady || Self.probes.contains(request.url.path) else {
      throw Self.starting
    }
    return try await next.respond(to: request)
  }
}
