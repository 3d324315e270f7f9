import Foundation
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// `GET /metrics` speaks the Prometheus text format, only to the holder of the configured
/// token, and counts requests by route pattern, never by a path that carries an ID.
@Suite("Metrics")
struct MetricsTests {
  static let token = "metrics-token-for-the-tests-0123456789"

  func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }

  /// The sample for `name` with exactly these labels, as a number.
  static func sample(_ text: String, _ name: String, _ labels: String = "") -> Double? {
    let prefix = labels.isEmpty ? name + " " : "\(name){\(labels)} "
    return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap {
      Double($0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces))
    }
  }

  @Test(arguments: TestDatabaseKind.available)
  func scrapesRequestsClaimsAndTheOutboxWithTheToken(kind: TestDatabaseKind) async throws {
    try await withTestApp(on: try await IsolatedDatabase.create(kind), metricsToken: Self.token) { app in
      #expect(try await app.get("/metrics").status == .unauthorized)
      #expect(try await app.get("/metrics", headers: bearer("wrong")).status == .unauthorized)
      #expect(try await app.get("/metrics", headers: bearer(Self.token + "x")).status == .unauthorized)
      #expect(try await app.get("/metrics", headers: ["Authorization": "Basic \(Self.token)"]).status == .unauthorized)
      // A signed-in administrator is not the scraper either.
      #expect(try await app.get("/metrics", headers: app.headers("admin")).status == .unauthorized)

      #expect(try await app.get("/healthz").status == .ok)
      let claimID = UUID().uuidString.lowercased()
      #expect(try await app.get("/api/v1/claims/\(claimID)", headers: app.headers("ay-window")).status == .notFound)
      #expect(try await app.get("/no/such/page/\(claimID)").status == .notFound)

      let response = try await app.get("/metrics", headers: bearer(Self.token))
      #expect(response.status == .ok)
      #expect(response.headers.contentType?.description.hasPrefix("text/plain") == true)
      let text = response.body.string
      #expect(Self.sample(text, "huzhu_http_requests_total", #"method="GET",route="/healthz",status="200""#) == 1)
      #expect(
        Self.sample(text, "huzhu_http_requests_total", #"method="GET",route="/api/v1/claims/:id",status="404""#) == 1,
        "\(text)")
      #expect(Self.sample(text, "huzhu_http_requests_total", #"method="GET",route="unmatched",status="404""#) == 1)
      #expect(!text.contains(claimID))
      #expect(text.contains(#"huzhu_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="#))
      #expect(text.contains("# TYPE huzhu_http_request_duration_seconds histogram"))
      // The demo holds no claims; every state is there, at zero.
      #expect(Self.sample(text, "huzhu_claims", #"state="draft""#) == 0)
      #expect(Self.sample(text, "huzhu_claims", #"state="paid""#) == 0)
      #expect(Self.sample(text, "huzhu_outbox_unsent") == 0)
      #expect(Self.sample(text, "huzhu_outbox_undelivered") == 0)
      #expect(Self.sample(text, "huzhu_ready") == 1)
      #expect((Self.sample(text, "huzhu_database_pool_size") ?? 0) >= 1)
      #expect(Self.sample(text, "huzhu_http_requests_in_flight") == 1)  // the scrape itself
      if kind == .postgresql {
        #expect(text.contains("huzhu_database_connections{state="), "\(text)")
      }
      // The refused scrapes were counted too, by their route.
      #expect(Self.sample(text, "huzhu_http_requests_total", #"method="GET",route="/metrics",status="401""#) == 5)
    }
  }

  @Test func withoutATokenThereIsNoMetricsEndpoint() async throws {
    try await withTestApp(.sqlite) { app in
      let anonymous = try await app.get("/metrics")
      let withToken = try await app.get("/metrics", headers: bearer(Self.token))
      #expect(anonymous.status == .notFound && withToken.status == .notFound)
    }
  }
}
