import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import Vapor

/// Turns every error into a response: JSON with a code and bilingual message under
/// `/api/`, a Chinese HTML page elsewhere. Unexpected errors are logged with the request
/// id and never leak their internals to the client.
struct HuzhuErrorMiddleware: AsyncMiddleware {
  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    do {
      return try await next.respond(to: request)
    } catch {
      let apiError = Self.classify(error, request: request)
      let response = try Self.answer(apiError, to: request)
      // A busy or unreachable database, or a server still starting: the client may send the
      // same request again.
      if apiError.status == .serviceUnavailable { response.headers.replaceOrAdd(name: .retryAfter, value: "5") }
      if case .tooManyRequests(let until) = error as? UseCaseError {
        response.headers.replaceOrAdd(
          name: .retryAfter, value: "\(max(1, Int(until.timeIntervalSinceNow.rounded(.up))))")
      }
      return response
    }
  }

  private static func answer(_ apiError: APIError, to request: Request) throws -> Response {
    if request.url.path.hasPrefix("/api/") {
      return try Self.jsonResponse(apiError, request: request)
    }
    // A page that needs a signed-in operator sends the browser to the sign-in form and back.
    if apiError.status == .unauthorized, request.method == .GET {
      var next = request.url.path
      if let query = request.url.query { next += "?" + query }
      var components = URLComponents()
      components.path = SiteURL.login.path
      components.queryItems = [URLQueryItem(name: "next", value: next)]
      return request.redirect(to: components.string ?? SiteURL.login.path)
    }
    return ErrorPage(
      error: apiError, requestID: request.id, language: request.displayLanguage, viewer: request.viewer
    )
    .response(status: apiError.status)
  }

  static func classify(_ error: any Error, request: Request) -> APIError {
    switch error {
    case let error as APIError:
      return error
    case let error as UseCaseError:
      switch error {
      case .forbidden: return .forbidden
      case .notFound: return .notFound
      case .tooManyRequests(let until): return .tooManyRequests(until: until)
      }
    case let failure as ValidationFailure:
      return .validation(failure)
    case let decoding as DecodingError:
      return .badRequest(decoding)
    case let abort as any AbortError:
      switch abort.status {
      case .notFound: return .notFound
      case .unauthorized: return .unauthorized
      // Vapor's reason is English only.
      case .payloadTooLarge: return .payloadTooLarge
      default:
        return APIError(
          status: abort.status, code: abort.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
          message: LocalizedText(zh: abort.reason, en: abort.reason))
      }
    default:
      if let trouble = DatabaseTrouble(error) {
        request.logger.warning("database \(trouble): \(String(describing: error))")
        if trouble == .busy { request.application.huzhu.metrics.databaseBusy.increment() }
        return trouble == .busy ? .databaseBusy : .databaseUnreachable
      }
      request.logger.error("unhandled error: \(String(reflecting: error))")
      return .unexpected
    }
  }

  /// Asks the browser (or client) for operator credentials.
  static let challenge = "Basic realm=\"huzhu\", charset=\"UTF-8\""

  static func jsonResponse(_ error: APIError, request: Request) throws -> Response {
    let body = APIErrorBody(
      error: .init(code: error.code, message: error.message, fields: error.fields), requestId: request.id)
    let response = Response(status: error.status)
    try response.content.encode(body, as: .json)
    // API clients are asked for Basic credentials; a browser with a session is not (the
    // browser would pop up its own password dialog over our page).
    if error.status == .unauthorized, request.cookies[SessionCookie.name] == nil {
      response.headers.replaceOrAdd(name: .wwwAuthenticate, value: challenge)
    }
    return response
  }
}
