import Foundation
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// The server listens before it has migrated and loaded its data; until then everything but
/// the probes and the stylesheet answers 503 "starting", and then the pages open.
@Suite("Starting")
struct StartingTests {
  @Test func untilReadyEveryPageSaysItIsStarting() async throws {
    let isolated = try await IsolatedDatabase.create(.sqlite)
    let app = try await Application.make(.testing)
    do {
      let configuration = AppConfiguration(
        dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-\(UUID())").path,
        database: isolated.target, logLevel: .critical, loadsDemoData: true, demoPassword: TestApp.demoPassword)
      try configure(app, configuration, passwordHasher: PlainTestHasher())
      let tester = try app.testing()
      func get(_ path: String) async throws -> TestingHTTPResponse {
        try await tester.performTest(
          request: TestingHTTPRequest(method: .GET, url: URI(path: path), headers: [:], body: ByteBuffer()))
      }
      for path in ["/login", "/api/v1/claims", "/verify"] {
        let response = try await get(path)
        #expect(response.status == .serviceUnavailable, "\(path)")
        #expect(response.headers.first(name: .retryAfter) == "5", "\(path)")
        #expect(response.body.string.contains("starting") || response.body.string.contains("系统正在启动"), "\(path)")
      }
      #expect(try await get("/healthz").status == .ok)
      #expect(try await get("/readyz").status == .serviceUnavailable)
      #expect(try await get("/huzhu.css").status == .ok)

      try await bootstrap(app)
      #expect(try await get("/readyz").status == .ok)
      #expect(try await get("/login").status == .ok)
    } catch {
      Issue.record(error)
    }
    try await app.asyncShutdown()
    try await isolated.drop()
  }
}
