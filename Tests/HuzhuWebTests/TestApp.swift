import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import NIOCore
import Testing
import Vapor
import VaporTesting

/// An application on an isolated database of `kind`, configured and bootstrapped exactly
/// as `huzhu serve` does it, with the demo data unless told otherwise.
struct TestApp {
  static let demoPassword = "Test-Demo-Pass-1"

  let app: Application
  let administrator: DemoAdministrator?

  /// `Authorization: Basic …` for one of the demo accounts (JSON body).
  func headers(_ username: String) -> HTTPHeaders {
    var headers = HTTPHeaders()
    headers.basicAuthorization = BasicAuthorization(username: username, password: administrator!.password)
    headers.contentType = .json
    return headers
  }

  /// Sets the server's day: every date the rules depend on (a claim's receipt, a payment, an
  /// enrollment request) is the server's, so a test of a 2020 claim runs on a 2020 day.
  func setToday(_ year: Int, _ month: Int, _ day: Int) {
    app.serverClock = .fixed(CalendarDate(year: year, month: month, day: day)!)
  }

  /// Locks `username` as twenty wrong passwords from as many desks would (one desk is held
  /// back after five and never reaches the account's lock).
  func lockAccount(_ username: String) async throws {
    for _ in 0..<LoginThrottle.standard.maximumFailures {
      _ = try await FluentAccountStore(database: app.db).recordFailedLogin(
        username: username, at: Date(), throttle: .standard)
    }
  }

  /// The Anyang window clerk: enrolls, takes payments, opens claims.
  var clerkHeaders: HTTPHeaders { headers("ay-window") }

  /// A browser session of a demo account: the cookie to send and the token forms carry.
  struct Session {
    var cookie: HTTPHeaders
    var csrf: String

    /// Headers for a form post from this session.
    func form() -> HTTPHeaders {
      var headers = cookie
      headers.contentType = .urlEncodedForm
      return headers
    }
  }

  /// Signs in through the login form, as a browser does.
  func signIn(_ username: String, password: String? = nil) async throws -> Session {
    let form = try await get("/login")
    let cookie = try #require(form.headers.setCookie?["huzhu_session"]?.string)
    let token = try #require(Self.csrfToken(in: form.text))
    var headers = HTTPHeaders()
    headers.cookie = ["huzhu_session": .init(string: cookie)]
    headers.contentType = .urlEncodedForm
    let body = "_csrf=\(token)&username=\(username)&password=\(password ?? administrator!.password)"
      .addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!.replacingOccurrences(of: "+", with: "%2B")
    let signedIn = try await send(.POST, "/login", body: body, headers: headers)
    guard signedIn.status == .seeOther, let newCookie = signedIn.headers.setCookie?["huzhu_session"]?.string else {
      throw SignInRefused(username: username, status: signedIn.status)
    }
    var session = HTTPHeaders()
    session.cookie = ["huzhu_session": .init(string: newCookie)]
    // Someone holding a temporary password lands on the password form instead.
    var home = try await get("/", headers: session)
    if home.status == .seeOther, let location = home.headers.first(name: .location) {
      home = try await get(location, headers: session)
    }
    return Session(cookie: session, csrf: try #require(Self.csrfToken(in: home.text)))
  }

  struct SignInRefused: Error {
    let username: String
    let status: HTTPResponseStatus
  }

  /// A `multipart/form-data` body of text fields and (text) files, and its content type.
  static func multipart(
    _ fields: [(String, String)], files: [(name: String, fileName: String, type: String, content: String)]
  )
    -> (body: String, contentType: String)
  {
    let boundary = "huzhu-test-\(UUID().uuidString)"
    var body = ""
    for (name, value) in fields {
      body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
    }
    for file in files {
      body +=
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.fileName)\"\r\n"
        + "Content-Type: \(file.type)\r\n\r\n\(file.content)\r\n"
    }
    return (body + "--\(boundary)--\r\n", "multipart/form-data; boundary=\(boundary)")
  }

  static func csrfToken(in html: String) -> String? {
    guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
    return String(html[range.upperBound...].prefix { $0 != "\"" })
  }

  func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
    try await app.testing().performTest(
      request: TestingHTTPRequest(method: .GET, url: URI(path: path), headers: headers, body: ByteBuffer()))
  }

  /// Posts a form from `session`, its token first, every value percent-encoded.
  func post(_ path: String, form fields: [(String, String)], as session: Session) async throws -> TestingHTTPResponse {
    let body = ([("_csrf", session.csrf)] + fields).map { key, value in
      "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
    }.joined(separator: "&")
    return try await send(.POST, path, body: body, headers: session.form())
  }

  func post(_ path: String, json: String, headers: HTTPHeaders) async throws -> TestingHTTPResponse {
    try await app.testing().performTest(
      request: TestingHTTPRequest(method: .POST, url: URI(path: path), headers: headers, body: ByteBuffer(string: json))
    )
  }

  func send(_ method: HTTPMethod, _ path: String, body: String, headers: HTTPHeaders) async throws
    -> TestingHTTPResponse
  {
    try await app.testing().performTest(
      request: TestingHTTPRequest(
        method: method, url: URI(path: path), headers: headers, body: ByteBuffer(string: body)))
  }

  /// Through a real server on a free port: the body streams in, so the routes' body limits
  /// apply (in memory, a body arrives whole).
  func sendOverTheWire(_ method: HTTPMethod, _ path: String, body: String, headers: HTTPHeaders) async throws
    -> TestingHTTPResponse
  {
    try await app.testing(method: .running(hostname: "127.0.0.1", port: 0)).performTest(
      request: TestingHTTPRequest(
        method: method, url: URI(path: path), headers: headers, body: ByteBuffer(string: body)))
  }

  func send(_ method: HTTPMethod, _ path: String, data: Data, headers: HTTPHeaders) async throws -> TestingHTTPResponse
  {
    try await app.testing().performTest(
      request: TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: ByteBuffer(data: data)))
  }

  /// The JSON body as a dictionary.
  static func object(_ response: TestingHTTPResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
  }
}

func withTestApp(
  _ kind: TestDatabaseKind, demo: Bool = true, limits: InputLimits = .standard,
  secondFactor: SecondFactor.Policy = .optional, _ body: (TestApp) async throws -> Void
) async throws {
  try await withTestApp(
    on: try await IsolatedDatabase.create(kind), demo: demo, limits: limits, secondFactor: secondFactor, body)
}

func withTestApp(
  on isolated: IsolatedDatabase, demo: Bool = true, limits: InputLimits = .standard, trustedProxies: [String] = [],
  secondFactor: SecondFactor.Policy = .optional, metricsToken: String? = nil, _ body: (TestApp) async throws -> Void
) async throws {
  let app = try await Application.make(.testing)
  var failure: (any Error)?
  do {
    let configuration = AppConfiguration(
      dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-\(UUID())").path,
      database: isolated.target, logLevel: .warning, loadsDemoData: demo, demoPassword: TestApp.demoPassword,
      limits: limits, trustedProxies: trustedProxies, secondFactor: secondFactor, metricsToken: metricsToken)
    try configure(app, configuration, passwordHasher: PlainTestHasher())
    let administrator = try await bootstrap(app)
    try await body(TestApp(app: app, administrator: administrator))
  } catch {
    failure = error
  }
  try await app.asyncShutdown()
  try await isolated.drop()
  if let failure { throw failure }
}

extension TestingHTTPResponse {
  var text: String { body.string }
}
