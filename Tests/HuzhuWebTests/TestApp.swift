import Foundation
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
  let app: Application
  let administrator: DemoAdministrator?

  /// `Authorization: Basic …` for the demo administrator.
  var adminHeaders: HTTPHeaders {
    var headers = HTTPHeaders()
    headers.basicAuthorization = BasicAuthorization(
      username: administrator!.username, password: administrator!.password)
    headers.contentType = .json
    return headers
  }

  func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
    try await app.testing().performTest(
      request: TestingHTTPRequest(method: .GET, url: URI(path: path), headers: headers, body: ByteBuffer()))
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
      request: TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: ByteBuffer(string: body)))
  }

  func send(_ method: HTTPMethod, _ path: String, data: Data, headers: HTTPHeaders) async throws -> TestingHTTPResponse {
    try await app.testing().performTest(
      request: TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: ByteBuffer(data: data)))
  }

  /// The JSON body as a dictionary.
  static func object(_ response: TestingHTTPResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
  }
}

func withTestApp(
  _ kind: TestDatabaseKind, demo: Bool = true, _ body: (TestApp) async throws -> Void
) async throws {
  let isolated = try await IsolatedDatabase.create(kind)
  let app = try await Application.make(.testing)
  var failure: (any Error)?
  do {
    let configuration = AppConfiguration(
      dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-\(UUID())").path,
      database: isolated.target, logLevel: .warning, loadsDemoData: demo)
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
