import Fluent
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import Vapor

/// Sets up an application for `configuration`: database, middleware, routes. Touches no
/// data; ``bootstrap(_:)`` does that.
///
/// `passwordHasher` is bcrypt in production; tests pass a cheap one.
public func configure(
  _ app: Application, _ configuration: AppConfiguration,
  passwordHasher: any HuzhuCore.PasswordHasher = BcryptPasswordHasher()
) throws {
  app.huzhu.configuration = configuration
  app.huzhu.passwordHasher = passwordHasher
  app.logger.logLevel = configuration.logLevel
  app.http.server.configuration.hostname = configuration.hostname
  app.http.server.configuration.port = configuration.port
  app.routes.defaultMaxBodySize = "20mb"

  try HuzhuDatabase.use(configuration.database, on: app.databases)

  // Sessions live in the database (they survive a restart and serve several processes).
  // The cookie is HttpOnly and SameSite=Strict, Secure when served over HTTPS.
  app.sessions.use(.fluent)
  app.sessions.configuration = SessionsConfiguration(cookieName: SessionCookie.name) { id in
    HTTPCookies.Value(
      string: id.string, path: "/", isSecure: configuration.secureCookies, isHTTPOnly: true, sameSite: .strict)
  }

  // Outermost first: every request is logged, every response carries the security
  // headers, every error becomes a JSON or HTML answer, then the session and the
  // cross-site request check before anything reads a form.
  app.middleware = Middlewares()
  app.middleware.use(RequestLogMiddleware())
  app.middleware.use(SecurityHeadersMiddleware())
  app.middleware.use(HuzhuErrorMiddleware())
  app.middleware.use(FileMiddleware(publicDirectory: WebResources.publicDirectory))
  app.middleware.use(app.sessions.middleware)
  app.middleware.use(CSRFMiddleware(sessionCookieName: SessionCookie.name))
  app.middleware.use(LanguageCookieMiddleware())

  try routes(app)
}

/// Prepares the data: connects, migrates, loads the demo data set into an empty database,
/// and marks the application ready. Returns the demo administrator when one was created.
@discardableResult
public func bootstrap(_ app: Application) async throws -> DemoAdministrator? {
  guard let configuration = app.huzhu.configuration else {
    preconditionFailure("configure(_:_:) must run before bootstrap(_:)")
  }
  try await HuzhuDatabase.prepare(app.db, target: configuration.database)
  try await HuzhuDatabase.migrate(app.databases, logger: app.logger, on: app.eventLoopGroup.any())
  var administrator: DemoAdministrator?
  if configuration.loadsDemoData {
    administrator = try await DemoSeeder.seedIfEmpty(
      database: app.db, hasher: app.huzhu.passwordHasher, schemes: try DemoSeeder.bundledSchemes(),
      password: configuration.demoPassword)
  }
  app.huzhu.isReady = true
  return administrator
}

func routes(_ app: Application) throws {
  HealthController().register(on: app)
  // Who is asking (session cookie for pages, HTTP Basic for API clients); every change they
  // make is audited. `authenticated` routes refuse anyone not signed in.
  let identified = app.grouped(SessionAccountAuthenticator(), BasicAccountAuthenticator(), AuditMiddleware())
  let authenticated = identified.grouped(AuthenticatedAccount.guardMiddleware())
  PagesController().register(on: identified, authenticated: authenticated)
  UnitWorkPagesController().register(authenticated: authenticated)
  PortalController().register(on: app)
  RegistryController().register(authenticated: authenticated)
  EnrollmentController().register(public: identified, authenticated: authenticated)
  SchemeController().register(authenticated: authenticated)
  UnionWorkController().register(authenticated: authenticated)
  RosterController().register(authenticated: authenticated)
  ClaimController().register(authenticated: authenticated)
  app.get(.openAPI) { _ in
    var headers = HTTPHeaders()
    headers.contentType = HTTPMediaType(type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
    return Response(status: .ok, headers: headers, body: .init(data: try WebResources.openAPIDocument()))
  }
}

/// Files shipped inside the HuzhuWeb target.
public enum WebResources {
  static var publicDirectory: String {
    Bundle.module.resourceURL!.appendingPathComponent("Public").path + "/"
  }

  /// The OpenAPI description of `/api/v1`, served at `/api/openapi.yaml`.
  public static func openAPIDocument() throws -> Data {
    try Data(contentsOf: Bundle.module.url(forResource: "openapi", withExtension: "yaml")!)
  }
}

extension DemoSeeder {
  /// The schemes shipped in `HuzhuSchemeFiles`, for the demo data.
  static func bundledSchemes() throws -> [DemoScheme] {
    try BundledSchemes.all().map { DemoScheme(source: $0.source, definition: $0.definition) }
  }
}
