import HuzhuCore
import Vapor

/// The server-rendered pages.
struct PagesController {
  func register(on routes: any RoutesBuilder) {
    routes.get(.home, use: home)
    routes.get(.organisation(.key), use: organisation)
  }

  @Sendable func home(_ request: Request) async throws -> Response {
    let model = try await Home.Model.load(from: request.registry)
    return Home.View(model: model, language: request.displayLanguage).html().response()
  }

  @Sendable func organisation(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50)
    guard
      let model = try await OrganisationPage.Model.load(try request.identifier(), page: page, from: request.registry)
    else { throw APIError.notFound }
    return OrganisationPage.View(model: model, language: request.displayLanguage).html().response()
  }
}
