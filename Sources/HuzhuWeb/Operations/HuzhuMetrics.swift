import HuzhuCore
import HuzhuPersistence
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import Vapor

/// The installation's metrics in the Prometheus text format, recorded through swift-metrics
/// into a registry of this application's own: not the process-wide `MetricsSystem`, which can
/// be set once per process, while tests run many applications side by side.
///
/// Recorded as they happen: requests by route pattern (never the raw path, whose IDs would
/// make a series per claim) and status, their durations, requests in flight, answers refused
/// because the database was busy. Read at each scrape: claims by state, the outbox backlog, and
/// on PostgreSQL the connections to the database by state.
final class HuzhuMetrics: Sendable {
  let registry = PrometheusCollectorRegistry()
  let factory: PrometheusMetricsFactory
  private let inFlight: Metrics.Gauge
  private let inFlightCount = NIOLockedValueBox(0)
  let databaseBusy: Metrics.Counter

  init() {
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.defaultDurationHistogramBuckets = [
      .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5),
      .seconds(15),
    ]
    self.factory = factory
    inFlight = Metrics.Gauge(label: "huzhu_http_requests_in_flight", factory: factory)
    databaseBusy = Metrics.Counter(label: "huzhu_database_busy_total", factory: factory)
  }

  /// One answered request.
  func record(method: String, route: String, status: UInt, duration: Duration) {
    Metrics.Counter(
      label: "huzhu_http_requests_total",
      dimensions: [("method", method), ("route", route), ("status", String(status))],
      factory: factory
    ).increment()
    Metrics.Timer(
      label: "huzhu_http_request_duration_seconds", dimensions: [("method", method), ("route", route)],
      factory: factory
    ).record(duration: duration)
  }

  func started() {
    inFlight.record(
      inFlightCount.withLockedValue {
        $0 += 1
        return $0
      })
  }
  func finished() {
    inFlight.record(
      inFlightCount.withLockedValue {
        $0 -= 1
        return $0
      })
  }

  /// Sets the gauges read at scrape time.
  func update(_ figures: OperationalFigures, ready: Bool, poolSize: Int) {
    for (state, count) in figures.claimsByState {
      Metrics.Gauge(label: "huzhu_claims", dimensions: [("state", state.rawValue)], factory: factory).record(count)
    }
    Metrics.Gauge(label: "huzhu_outbox_unsent", factory: factory).record(figures.unsentMessages)
    Metrics.Gauge(label: "huzhu_outbox_oldest_unsent_seconds", factory: factory).record(figures.oldestUnsentSeconds)
    Metrics.Gauge(label: "huzhu_outbox_undelivered", factory: factory).record(figures.undeliveredMessages)
    for (state, count) in figures.databaseConnections {
      Metrics.Gauge(label: "huzhu_database_connections", dimensions: [("state", state)], factory: factory).record(count)
    }
    Metrics.Gauge(label: "huzhu_database_pool_size", factory: factory).record(poolSize)
    Metrics.Gauge(label: "huzhu_ready", factory: factory).record(ready ? 1 : 0)
  }

  func text() -> String { registry.emitToString() }
}

/// Counts every request by its route pattern, outermost, so that errors turned into answers
/// further in are counted with their status.
struct MetricsMiddleware: AsyncMiddleware {
  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    let metrics = request.application.huzhu.metrics
    let started = ContinuousClock.now
    metrics.started()
    defer { metrics.finished() }
    do {
      let response = try await next.respond(to: request)
      metrics.record(
        method: request.method.rawValue, route: Self.route(of: request, status: response.status),
        status: response.status.code, duration: ContinuousClock.now - started)
      return response
    } catch {
      metrics.record(
        method: request.method.rawValue, route: Self.route(of: request, status: .internalServerError), status: 500,
        duration: ContinuousClock.now - started)
      throw error
    }
  }

  /// The pattern the request matched (`/api/v1/claims/:id`); a file from the public
  /// directory is `static`, anything else that matched no route `unmatched`.
  static func route(of request: Request, status: HTTPResponseStatus) -> String {
    if let route = request.route { return "/" + route.path.map(\.description).joined(separator: "/") }
    return status.code < 400 ? "static" : "unmatched"
  }
}

/// `GET /metrics`: answers only with the configured bearer token (404 when none is set, so a
/// scanner cannot tell it is there); Prometheus sends it with `authorization: credentials_file`.
struct MetricsController {
  func register(on routes: any RoutesBuilder) {
    routes.get(.metrics, use: scrape)
  }

  @Sendable func scrape(_ request: Request) async throws -> Response {
    guard let token = request.application.huzhu.configuration?.metricsToken else { throw Abort(.notFound) }
    guard let presented = request.headers.bearerAuthorization?.token,
      Self.constantTimeEqual(Array(presented.utf8), Array(token.utf8))
    else {
      // Answered here: the error middleware would send a browser to the sign-in page.
      return Response(
        status: .unauthorized, headers: ["WWW-Authenticate": "Bearer realm=\"huzhu-metrics\""],
        body: .init(string: "401 unauthorized\n"))
    }
    let metrics = request.application.huzhu.metrics
    metrics.update(
      try await OperationalFigures.read(request.db), ready: request.application.huzhu.isReady,
      poolSize: Self.poolSize(request.application))
    var headers = HTTPHeaders()
    headers.contentType = HTTPMediaType(
      type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
    return Response(status: .ok, headers: headers, body: .init(string: metrics.text()))
  }

  static func poolSize(_ app: Application) -> Int {
    guard let target = app.huzhu.configuration?.database else { return 0 }
    return HuzhuDatabase.connectionsPerEventLoop(target) * app.eventLoopGroup.makeIterator().reduce(0) { n, _ in n + 1 }
  }

  static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
    guard left.count == right.count else { return false }
    return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
  }
}
