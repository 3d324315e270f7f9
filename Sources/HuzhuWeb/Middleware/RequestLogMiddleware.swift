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

/// Headers every response carries. The CSP allows no inline script: pages load their few
/// scripts from our own origin.
struct SecurityHeadersMiddleware: AsyncMiddleware {
  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    let response = try await next.respond(to: request)
    response.headers.replaceOrAdd(
      name: "Content-Security-Policy",
      value: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
    response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
    response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
    response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
    return response
  }
}
