import Foundation
import HuzhuPersistence
import HuzhuTestSupport
@testable import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// PostgreSQL gone: every request that needs it answers 503 with `Retry-After` (the API used
/// to answer 500), and readiness says so (it stayed 200), so a load balancer stops sending.
@Suite("Database outage")
struct DatabaseOutageTests {
  @Test func aDatabaseThatCannotBeReachedAnswers503() async throws {
    let app = try await Application.make(.testing)
    do {
      // Nothing listens on port 1.
      let location = try PostgresLocation.parse("postgres://huzhu@127.0.0.1:1/huzhu").get()
      let configuration = AppConfiguration(
        dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-\(UUID())").path,
        database: .postgres(location), logLevel: .critical, loadsDemoData: false)
      try configure(app, configuration, passwordHasher: PlainTestHasher())
      // As if it had started while the database was up (bootstrap would fail now).
      app.huzhu.isReady = true
      let tester = try app.testing()

      var basic = HTTPHeaders()
      basic.basicAuthorization = BasicAuthorization(username: "ay-window", password: "whatever-it-is-1A")
      let api = try await tester.performTest(
        request: TestingHTTPRequest(method: .GET, url: "/api/v1/claims", headers: basic, body: ByteBuffer()))
      #expect(api.status == .serviceUnavailable)
      #expect(api.headers.first(name: .retryAfter) == "5")
      #expect(api.body.string.contains("database_unavailable"))

      var browser = HTTPHeaders()
      browser.cookie = HTTPCookies(dictionaryLiteral: (SessionCookie.name, HTTPCookies.Value(string: "x")))
      let page = try await tester.performTest(
        request: TestingHTTPRequest(method: .GET, url: "/claims", headers: browser, body: ByteBuffer()))
      #expect(page.status == .serviceUnavailable)
      #expect(page.body.string.contains("数据库暂时无法访问"))

      for probe in ["/readyz", "/healthz"] {
        let response = try await tester.performTest(
          request: TestingHTTPRequest(method: .GET, url: URI(path: probe), headers: [:], body: ByteBuffer()))
        #expect(response.status == .serviceUnavailable, "\(probe)")
      }
    } catch {
      Issue.record(error)
    }
    try await app.asyncShutdown()
  }
}
