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
      items: try await request.schemes.schemes().map {
        SchemeResource($0, compiled: try $0.compiled(), includeSource: false)
      })
  }

  @Sendable func showScheme(_ request: Request) async throws -> SchemeResource {
    guard let stored = try await request.schemes.scheme(code: try request.pathText(SiteURL.codeParameter)) else {
      throw APIError.notFound
    }
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
    let (stored, created) = try await request.saveScheme(code: code, yaml: body)
    let resource = SchemeResource(stored, compiled: try stored.compiled(), includeSource: false)
    return try await resource.encodeResponse(status: created ? .created : .ok, for: request)
  }

  @Sendable func fundBalances(_ request: Request) async throws -> ListResource<FundBalanceResource> {
    let scheme = request.query[String.self, at: "scheme"]
    let visible = try await request.fundSchemeCodes()
    return ListResource(
      items: try await request.enrollments.fundBalances(scheme: scheme).filter { visible.contains($0.schemeCode) }
        .map(FundBalanceResource.init))
  }

  @Sendable func fundEntries(_ request: Request) async throws -> PageResource<FundEntryResource> {
    let code = try request.pathText(SiteURL.codeParameter)
    guard try await request.schemes.scheme(code: code) != nil, try await request.fundSchemeCodes().contains(code) else {
      throw APIError.notFound
    }
    let version = request.query[String.self, at: "version"]
    let page = try await request.enrollments.fundEntries(
      scheme: code, versionLabel: version, page: try request.pageRequest())
    return PageResource(page, map: FundEntryResource.init)
  }
}

extension Request {
  /// Validates a scheme file whole (every error names its path in the file) and saves it as
  /// the scheme's next revision. A scheme belongs to the node that first saved it: only
  /// administrators of that node's area may revise it.
  func saveScheme(code: String, yaml: String) async throws -> (scheme: StoredScheme, created: Bool) {
    let definition: SchemeDefinition
    do {
      definition = try SchemeFile.decode(SchemeDefinition.self, yaml: yaml, file: "\(code).yaml")
    } catch {
      throw ValidationFailure(error.errors)
    }
    guard definition.scheme.code == code else {
      throw ValidationFailure([
        FieldError(
          field: "scheme.code", code: "code_mismatch",
          message: LocalizedText(
            zh: "文件中的方案编码“\(definition.scheme.code)”与地址中的“\(code)”不一致",
            en: "the file's scheme code \"\(definition.scheme.code)\" differs from \"\(code)\" in the address"))
      ])
    }
    guard let signedIn = operatorAccount else { throw APIError.unauthorized }
    let existing = try await schemes.scheme(code: code)
    if let existing, !signedIn.scope.contains(organisation: existing.organisationID) { throw APIError.forbidden }
    let stored = try await schemes.save(
      definition, source: yaml, organisationID: existing?.organisationID ?? signedIn.organisation.id,
      savedBy: signedIn.account.username)
    return (stored, existing == nil)
  }
}

extension Request {
  /// The schemes whose fund the operator may read: those run by a node of their area, and
  /// those run above them for their area (the city agency reads the provincial pool it
  /// collects for). Another city's or province's fund is not theirs to see.
  /// `known`: the scheme list when the caller has read it already.
  func fundSchemeCodes(of known: [StoredScheme]? = nil) async throws -> Set<String> {
    guard let signedIn = operatorAccount else { return [] }
    var codes: Set<String> = []
    let list: [StoredScheme]
    if let known { list = known } else { list = try await schemes.schemes() }
    for scheme in list {
      let served = OrganisationTree.subtreeIDs(of: scheme.organisationID, in: signedIn.organisations)
      if signedIn.scope.contains(organisation: scheme.organisationID) || served.contains(signedIn.organisation.id) {
        codes.insert(scheme.code)
      }
    }
    return codes
  }
}
