import Fluent
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSMS
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
  app.routes.defaultMaxBodySize = BodyLimits.standard

  try HuzhuDatabase.use(configuration.database, on: app.databases)
  useMessages(configuration.messages, on: app)

  // Sessions live in the database (they survive a restart and serve several processes).
  // The cookie is HttpOnly and SameSite=Strict, Secure when served over HTTPS.
  app.sessions.use(.fluent)
  app.sessions.configuration = SessionsConfiguration(cookieName: SessionCookie.name) { id in
    HTTPCookies.Value(
      string: id.string, path: "/", isSecure: configuration.secureCookies, isHTTPOnly: true, sameSite: .strict)
  }

  // Outermost first: every request is counted and logged, every response carries the security
  // headers, every error becomes a JSON or HTML answer, then the session and the
  // cross-site request check before anything reads a form.
  app.middleware = Middlewares()
  app.middleware.use(MetricsMiddleware())
  app.middleware.use(RequestLogMiddleware())
  app.middleware.use(SecurityHeadersMiddleware())
  app.middleware.use(HuzhuErrorMiddleware())
  app.middleware.use(NullCharacterMiddleware())
  app.middleware.use(StaticFilesMiddleware(files: .shipped))
  app.middleware.use(StartingMiddleware())
  app.middleware.use(app.sessions.middleware)
  app.middleware.use(
    CSRFMiddleware(sessionCookieName: SessionCookie.name, largestForm: BodyLimits.largest(configuration.limits)))
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
  switch configuration.secretsKey {
  case .value(let text): app.huzhu.secrets = SecretBox(base64: text) ?? app.huzhu.secrets
  case .file(let path): app.huzhu.secrets = try SecretBox.kept(at: path)
  case .ephemeral: break
  }
  try await HuzhuDatabase.prepare(app.db, target: configuration.database)
  // Two instances starting together: the second waits here, then finds nothing to do.
  let administrator = try await HuzhuDatabase.withStartupLock(app.db) { () -> DemoAdministrator? in
    var administrator: DemoAdministrator?
    try await HuzhuDatabase.migrate(app.databases, logger: app.logger, on: app.eventLoopGroup.any())
    if configuration.loadsDemoData {
      let schemes = try DemoSeeder.bundledSchemes()
      if configuration.loadsDemoHistory {
        if try await Registry(app.services(), actor: .system()).counts().organisations == 0 {
          app.logger.notice("载入演示数据及其历史（首次启动约需一分钟）/ loading the demo data and its history (about a minute, once)")
        }
        let started = ContinuousClock.now
        administrator = try await DemoSeeder.seedWithHistoryIfEmpty(
          database: app.db, hasher: app.huzhu.passwordHasher, schemes: schemes, password: configuration.demoPassword,
          scans: try await DemoScans.store(in: app), calendar: .publishedChina)
        if administrator != nil { app.logger.notice("演示数据已载入 / demo data loaded in \(ContinuousClock.now - started)") }
      } else {
        administrator = try await DemoSeeder.seedIfEmpty(
          database: app.db, hasher: app.huzhu.passwordHasher, schemes: schemes, password: configuration.demoPassword)
      }
    }
    return administrator
  }
  // One-time codes on screen only where the demonstration's people live: never in a database
  // of real members, whatever HUZHU_DEMO_DATA says.
  let demoDatabase = try await InstallationFacts.holdsDemoData(app.db)
  app.huzhu.showsPortalCodes = configuration.loadsDemoData && demoDatabase
  // The fake gateway "delivers" by keeping texts in memory: only for the demonstration's
  // people. For real members, texts wait in the outbox until a real gateway is configured.
  if configuration.messages == .fake, !demoDatabase {
    app.huzhu.messageDispatcher = nil
    app.huzhu.fakeGateway = nil
    app.logger.warning(
      "短信：数据库为真实会员，不使用模拟网关；配置 HUZHU_SMS=http 后发送 / messages: not sent through the fake gateway to real members; set HUZHU_SMS=http"
    )
  }
  app.huzhu.isReady = true
  return administrator
}

/// The message gateway and the dispatcher that drains the outbox through it.
func useMessages(_ setting: MessageGatewaySetting, on app: Application) {
  switch setting {
  case .off:
    app.huzhu.messageDispatcher = nil
    app.huzhu.fakeGateway = nil
  case .fake:
    let fake = FakeMessageGateway()
    app.huzhu.fakeGateway = fake
    app.huzhu.messageDispatcher = MessageDispatcher(app.services(), gateway: fake)
  case .http(let settings, let perSecond):
    app.huzhu.fakeGateway = nil
    app.huzhu.messageDispatcher = MessageDispatcher(
      app.services(), gateway: HTTPMessageGateway(settings), perSecond: perSecond)
  }
}

func routes(_ app: Application) throws {
  HealthController().register(on: app)
  MetricsController().register(on: app)
  // Who is asking (session cookie for pages, HTTP Basic for API clients); every change they
  // make is audited. `authenticated` routes refuse anyone not signed in.
  let identified = app.grouped(
    SessionAccountAuthenticator(), BasicAccountAuthenticator(), AuditMiddleware(), PasswordChangeMiddleware(),
    SecondFactorMiddleware())
  let authenticated = identified.grouped(AuthenticatedAccount.guardMiddleware())
  PagesController().register(on: identified, authenticated: authenticated)
  UnitWorkPagesController(limits: app.huzhu.limits).register(authenticated: authenticated)
  RegistryImportsController(limits: app.huzhu.limits).register(authenticated: authenticated)
  YearEndController().register(authenticated: authenticated)
  SettlementPagesController(limits: app.huzhu.limits).register(authenticated: authenticated)
  BankAnswersController(limits: app.huzhu.limits).register(authenticated: authenticated)
  UnitUpkeepController().register(authenticated: authenticated)
  CorrectionsPagesController().register(authenticated: authenticated)
  RecoveriesPagesController().register(authenticated: authenticated)
  RefundsPagesController().register(authenticated: authenticated)
  MessagesPagesController().register(authenticated: authenticated)
  StoriesManageController().register(authenticated: authenticated)
  IndividualPagesController().register(authenticated: authenticated)
  PortalController().register(on: app)
  RegistryController().register(authenticated: authenticated)
  EnrollmentController().register(public: identified, authenticated: authenticated)
  SchemeController().register(authenticated: authenticated)
  UnionWorkController().register(authenticated: authenticated)
  RosterController(limits: app.huzhu.limits).register(authenticated: authenticated)
  TransfersController().register(authenticated: authenticated)
  ClaimController().register(authenticated: authenticated)
  SettlementController().register(authenticated: authenticated)
  CorrectionController().register(authenticated: authenticated)
  RecoveryController().register(authenticated: authenticated)
  RefundController().register(authenticated: authenticated)
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

/// The placeholder scans demo claims carry (a certificate, a diagnosis, an invoice, a
/// settlement sheet and, where a product asks for one, a pathology report), stored once by their checksum so that a demo claim's documents open.
enum DemoScans {
  static func store(in app: Application) async throws -> [ClaimRequest.Document] {
    let kinds = [
      ("certificate", "互助金保障书"), ("diagnosis", "诊断书"), ("invoice", "住院费用票据"), ("settlement_sheet", "医保结算单"),
      ("pathology_report", "病理报告"),
    ]
    var documents: [ClaimRequest.Document] = []
    for (kind, title) in kinds {
      let bytes = Data(
        """
        %PDF-1.4
        % 演示扫描件 demo scan: \(title)
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
        trailer << /Root 1 0 R >>
        %%EOF

        """.utf8)
      let checksum = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
      try app.huzhu.documents.save(bytes, sha256: checksum)
      documents.append(
        ClaimRequest.Document(kind: kind, fileName: "\(title).pdf", format: .pdf, size: bytes.count, sha256: checksum))
    }
    return documents
  }
}
