import Vapor

/// One structured log line per request (method, path, status, duration, request id), and the
/// request id echoed in `X-Request-Id` so a user can quote it to support.
struct RequestLogMiddleware: AsyncMiddleware {
  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    let started = ContinuousClock.now
    let response = try await next.respond(to: request)
    let elapsed = ContinuousClock.now - started
    let milliseconds =
      Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    response.headers.replaceOrAdd(name: "X-Request-Id", value: request.id)
    request.logger.info(
      "request",
      metadata: [
        "method": .string(request.method.rawValue),
        "path": .string(request.url.path),
        "status": .stringConvertible(response.status.code),
        "duration_ms": .string(String(format: "%.1f", milliseconds)),
      ])
    return response
  }
}

/// Headers every response carries. The CSP allows no inline script (pages load their few
/// scripts from our own origin), no `<base>` and no form posting elsewhere, so injected markup
/// could neither run nor redirect a form. Nothing but the stylesheet and script may be kept in
/// a cache: pages and API answers carry ID numbers and health data.
struct SecurityHeadersMiddleware: AsyncMiddleware {
  static let contentSecurityPolicy = [
    "default-src 'self'", "img-src 'self' data:", "style-src 'self'", "script-src 'self'", "object-src 'none'",
    "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
  ].joined(separator: "; ")

  static let cacheablePaths: Set<String> = [SiteURL.stylesheet.path, SiteURL.script.path]

  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    let response = try await next.respond(to: request)
    response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
    if !Self.cacheablePaths.contains(request.url.path) {
      response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
    }
    // Browsers honour this only when it comes over HTTPS and ignore it on the plain-HTTP demo.
    response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
    response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
    response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
    response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
    return response
  }
}
