import HuzhuApp
import HuzhuCore
import Vapor

extension Request {
  /// Writes one line of the audit log, attributed to the signed-in operator unless `actor`
  /// names someone else (a failed sign-in, a worker in the portal). The line belongs to the
  /// operator's node, or to `organisation` (the node of the account or worker concerned): only
  /// that federation's audit administrators read it.
  func audit(
    _ kind: AuditKind, actor: String? = nil, organisation: Organisation.ID? = nil, subject: String,
    detail: String = ""
  ) async throws {
    try await AuditWriter(services).record(
      kind, actor: actor ?? operatorAccount?.account.username ?? "anonymous",
      organisation: organisation ?? operatorAccount?.organisation.id, subject: subject, detail: detail,
      address: clientAddress)
  }
}

/// Every change an operator makes (any successful POST, PUT or DELETE) goes to the audit
/// log with the route and the address, whichever page or API made it.
struct AuditMiddleware: AsyncMiddleware {
  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    let response = try await next.respond(to: request)
    // Signing in and out are audited as such, not as data changes.
    let session = [SiteURL.login.path, SiteURL.logout.path].contains(request.url.path)
    if [.POST, .PUT, .PATCH, .DELETE].contains(request.method), response.status.code < 400,
      request.operatorAccount != nil, !session
    {
      let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? request.url.path
      try await request.audit(.dataChange, subject: "\(request.method.rawValue) \(route)", detail: request.url.path)
    }
    return response
  }
}
