import HuzhuApp
import HuzhuCore
import HuzhuSchemeFiles
import Vapor

/// `/api/v1` endpoints for scheme definitions and the fund ledger.
struct SchemeController {
  func register(authenticated routes: any RoutesBuilder) {
    // The rules are published: every operator may read them.
    routes.get(.api(.schemes), use: listSchemes)
    routes.get(.api(.scheme(.key)), use: showScheme)
    routes.get(.api(.fundBalances), requires: .viewFund, use: fundBalances)
    routes.get(.api(.fundEntries(.key)), requires: .viewFund, use: fundEntries)
    routes.put(.api(.scheme(.key)), requires: .manageSchemes, use: saveScheme)
  }

  @Sendable func listSchemes(_ request: Request) async throws -> ListResource<SchemeResource> {
    ListResource(
      items: try await request.schemeWork.schemes().map {
        SchemeResource($0, compiled: try $0.compiled(), includeSource: false)
      })
  }

  @Sendable func showScheme(_ request: Request) async throws -> SchemeResource {
    let stored = try await request.schemeWork.scheme(code: try request.pathText(SiteURL.codeParameter))
    return SchemeResource(stored, compiled: try stored.compiled(), includeSource: true)
  }

  /// Saves a new revision from the scheme file's text (YAML, or JSON, which is YAML too).
  /// The file is validated whole; every error names its path in the file.
  @Sendable func saveScheme(_ request: Request) async throws -> Response {
    let code = try request.pathText(SiteURL.codeParameter)
    guard let body = request.body.string, !body.isEmpty else {
      throw ValidationFailure([
        FieldError(
          field: "", code: "empty_body",
          message: LocalizedText(zh: "请求体应为方案文件（YAML）的内容", en: "send the scheme file (YAML) as the body"))
      ])
    }
    let (stored, created) = try await request.schemeWork.save(code: code, yaml: body)
    let resource = SchemeResource(stored, compiled: try stored.compiled(), includeSource: false)
    return try await resource.encodeResponse(status: created ? .created : .ok, for: request)
  }

  @Sendable func fundBalances(_ request: Request) async throws -> ListResource<FundBalanceResource> {
    let closed = Set(try await request.fundLedger.closedPeriods().map { "\($0.schemeCode)|\($0.versionLabel)" })
    return ListResource(
      items: try await request.schemeWork.fundBalances(scheme: request.query[String.self, at: "scheme"]).map {
        FundBalanceResource($0, closed: closed.contains("\($0.schemeCode)|\($0.versionLabel)"))
      })
  }

  @Sendable func fundEntries(_ request: Request) async throws -> PageResource<FundEntryResource> {
    let page = try await request.schemeWork.fundEntries(
      scheme: try request.pathText(SiteURL.codeParameter), versionLabel: request.query[String.self, at: "version"],
      page: try request.pageRequest())
    return PageResource(page, map: FundEntryResource.init)
  }
}

extension Request {
  var schemeWork: Schemes {
    get throws { Schemes(services, actor: try actor) }
  }
}
