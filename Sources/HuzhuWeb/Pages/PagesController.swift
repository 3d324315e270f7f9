import HuzhuCore
import Vapor

/// The server-rendered pages.
struct PagesController {
  func register(on routes: any RoutesBuilder, authenticated: any RoutesBuilder) {
    routes.get(.home, use: home)
    routes.get(.organisation(.key), use: organisation)
    routes.get(.unit(.key), use: unit)
    routes.get(.verifyCertificate, use: verify)
    // The printable certificate names the holder in full: staff only.
    authenticated.get(.certificate(.key), use: certificate)
    authenticated.get(.receipt(.key), use: receipt)
    authenticated.get(.claimPage(.key), use: claim)
    authenticated.get(.claimQueue, use: claimQueue)
    authenticated.get(.funds, use: funds)
  }

  @Sendable func funds(_ request: Request) async throws -> Response {
    let model = try await FundPage.Model.load(enrollments: request.enrollments, schemes: request.schemes)
    return FundPage.View(model: model, language: request.displayLanguage).html().response()
  }

  @Sendable func claim(_ request: Request) async throws -> Response {
    guard
      let model = try await ClaimPage.Model.load(
        try request.identifier(), today: request.today, claims: request.claims, registry: request.registry)
    else { throw APIError.notFound }
    return ClaimPage.View(model: model, language: request.displayLanguage).html().response()
  }

  @Sendable func claimQueue(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 100)
    let model = try await ClaimQueuePage.Model.load(page: page, today: request.today, claims: request.claims)
    return ClaimQueuePage.View(model: model, language: request.displayLanguage).html().response()
  }

  @Sendable func receipt(_ request: Request) async throws -> Response {
    guard
      let model = try await ReceiptPage.Model.load(
        number: try request.pathText(SiteURL.numberParameter), enrollments: request.enrollments,
        registry: request.registry, schemes: request.schemes)
    else { throw APIError.notFound }
    return ReceiptPage.View(model: model, language: request.displayLanguage).html().response()
  }

  @Sendable func unit(_ request: Request) async throws -> Response {
    guard
      let model = try await UnitPage.Model.load(
        try request.identifier(), today: request.today, registry: request.registry, enrollments: request.enrollments,
        unionWork: request.unionWork, schemes: request.schemes)
    else { throw APIError.notFound }
    return UnitPage.View(model: model, language: request.displayLanguage).html().response()
  }

  @Sendable func certificate(_ request: Request) async throws -> Response {
    guard
      let model = try await CertificatePage.Model.load(
        number: try request.pathText(SiteURL.numberParameter), today: request.today, from: request.enrollments)
    else { throw APIError.notFound }
    return CertificatePage.View(model: model, language: request.displayLanguage).html().response()
  }

  @Sendable func verify(_ request: Request) async throws -> Response {
    let model = try await VerifyPage.Model.load(
      number: request.query[String.self, at: "number"], today: request.today, from: request.enrollments)
    return VerifyPage.View(model: model, language: request.displayLanguage).html().response()
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
