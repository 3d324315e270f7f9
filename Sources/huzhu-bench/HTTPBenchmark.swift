import AsyncHTTPClient
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuWeb
import NIOCore
import NIOHTTP1
import SQLKit
import Vapor

/// Drives a Huzhu server started in this process over HTTP, with many clients at once, beside
/// a bare Vapor route served by the same process: every figure is read as a share of the bare
/// route's rate measured in the same run, so the machine's drift from hour to hour cancels out.
///
/// The clients run on async-http-client in this process too (two cores are shared by both
/// sides); what matters is the ratio, measured the same way for every request.
struct HTTPBenchmark {
  let target: DatabaseTarget
  let directory: URL
  /// Seconds each request kind is driven for, after a warm-up of a tenth of it.
  var seconds: Double = 5
  var connections = 64
  var intakeClients = 16
  /// Claims in each bulk intake request, and the clients sending them.
  var batchSize = 100
  var batchClients = 4
  /// Only the requests whose name contains this (the bare route always runs).
  var requests: String?

  struct Figure {
    let name: String
    let clients: Int
    let requests: Int
    let errors: Int
    let seconds: Double
    /// Each answered request's time, in seconds, sorted.
    let latencies: [Double]
    /// Claims each request opens (a bulk intake's batch), else 1.
    var itemsPerRequest = 1

    var rate: Double { Double(requests) / seconds }
    var itemRate: Double { rate * Double(itemsPerRequest) }
    func percentile(_ p: Double) -> Double {
      guard !latencies.isEmpty else { return .nan }
      return latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
    }
  }

  static let password = "Bench-Http-2026"

  func run() async throws -> [Figure] {
    let bare = try await Self.bareServer()
    let app = try await Application.make(.production)
    app.logger.logLevel = .error
    let configuration = AppConfiguration(
      dataDirectory: directory.appendingPathComponent("data").path, database: target, logLevel: .error,
      loadsDemoData: true, demoPassword: Self.password, messages: .off)
    try configure(app, configuration, passwordHasher: BcryptPasswordHasher(cost: 10))
    try await bootstrap(app)
    // The demo's first scheme year, so that its members' cover is in force for the claims.
    app.serverClock = .fixed(CalendarDate(year: 2020, month: 3, day: 20)!)
    try await app.server.start(address: .hostname("127.0.0.1", port: 0))
    let client = HTTPClient(
      eventLoopGroupProvider: .singleton,
      configuration: HTTPClient.Configuration(
        connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)))
    do {
      let huzhu = "http://127.0.0.1:\(app.http.server.shared.localAddress!.port!)"
      let bareBase = "http://127.0.0.1:\(bare.http.server.shared.localAddress!.port!)"
      let clerk = Self.basic("ay-window")
      let claim = try await openClaim(client, huzhu, clerk, invoice: "BENCH-READ", certificate: 1)
      var figures: [Figure] = []
      figures.append(
        try await drive("bare route (plain text)", clients: connections, client) { _ in
          (HTTPClientRequest(url: "\(bareBase)/bare"), .ok)
        })
      func wanted(_ name: String) -> Bool { requests.map { name.contains($0) } ?? true }
      if wanted("GET /huzhu.css") {
        figures.append(
          try await drive("GET /huzhu.css (static file)", clients: connections, client) { _ in
            (HTTPClientRequest(url: "\(huzhu)/huzhu.css"), .ok)
          })
      }
      if wanted("GET /healthz") {
        figures.append(
          try await drive("GET /healthz", clients: connections, client) { _ in
            (HTTPClientRequest(url: "\(huzhu)/healthz"), .ok)
          })
      }
      if wanted("GET /api/v1/claims/{id} (HTTP Basic)") {
        figures.append(
          try await drive("GET /api/v1/claims/{id} (HTTP Basic)", clients: connections, client) { _ in
            var request = HTTPClientRequest(url: "\(huzhu)/api/v1/claims/\(claim)")
            request.headers.add(name: "Authorization", value: clerk)
            return (request, .ok)
          })
      }
      let members = try await certificates(on: app)
      if wanted("POST /api/v1/claims (open a claim)") {
        figures.append(
          try await drive("POST /api/v1/claims (open a claim)", clients: intakeClients, client) { n in
            var request = HTTPClientRequest(url: "\(huzhu)/api/v1/claims")
            request.method = .POST
            request.headers.add(name: "Authorization", value: clerk)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(
              ByteBuffer(
                string: Self.intake(
                  certificate: members[n % members.count], invoice: "BENCH-\(n)", stay: n / members.count)))
            return (request, .created)
          })
      }
      let bulk = "POST /api/v1/claims/batch (\(batchSize) claims)"
      if wanted(bulk) {
        var figure = try await drive(bulk, clients: batchClients, client) { n in
          var request = HTTPClientRequest(url: "\(huzhu)/api/v1/claims/batch")
          request.method = .POST
          request.headers.add(name: "Authorization", value: clerk)
          request.headers.add(name: "Content-Type", value: "application/json")
          let claims = (0..<batchSize).map { index in
            let count = n * batchSize + index
            return Self.claim(
              certificate: members[count % members.count], invoice: "BULK-\(n)-\(index)", stay: count / members.count)
          }
          request.body = .bytes(
            ByteBuffer(
              string: #"{"schemeCode":"anyang","channel":"window","claims":[\#(claims.joined(separator: ","))]}"#))
          return (request, .created)
        }
        figure.itemsPerRequest = batchSize
        figures.append(figure)
      }
      try await Self.stop(client, app, bare)
      return figures
    } catch {
      try? await Self.stop(client, app, bare)
      throw error
    }
  }

  static func stop(_ client: HTTPClient, _ applications: Application...) async throws {
    try await client.shutdown()
    for application in applications {
      await application.server.shutdown()
      try await application.asyncShutdown()
    }
  }

  /// The baseline: Vapor with one plain-text route and no middleware at all.
  static func bareServer() async throws -> Application {
    let bare = try await Application.make(.production)
    bare.logger.logLevel = .error
    bare.middleware = Middlewares()
    bare.get("bare") { _ in "ok" }
    try await bare.server.start(address: .hostname("127.0.0.1", port: 0))
    return bare
  }

  static func basic(_ username: String) -> String {
    "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
  }

  static func intake(certificate: String, invoice: String, stay: Int = 0) -> String {
    #"{"schemeCode":"anyang","channel":"window",\#(claim(certificate: certificate, invoice: invoice, stay: stay).dropFirst())"#
  }

  /// One claim as a batch or a single intake carries it: Anyang's 3,000 yuan self-paid stay,
  /// the member's `stay`-th (each of ten days, eleven days after the one before, from
  /// 2019-10-20; the thirteenth starts over), so that a member's claims overlap only as often
  /// as a real member's would.
  static func claim(certificate: String, invoice: String, stay: Int = 0) -> String {
    let admission = CalendarDate(year: 2019, month: 10, day: 20)!.adding(days: 11 * (stay % 13))
    return """
      {"certificateNumber":"\(certificate)",
       "intake":{"hospital":"安阳市人民医院","invoiceNumbers":["\(invoice)"],"settlementSheetNumber":"JS-\(invoice)",
         "event":{"admissionDate":"\(admission)","dischargeDate":"\(admission.adding(days: 10))","hospitalDays":10,
           "figures":{"in_scope_cost":"18000.00","pooled_fund_paid":"13500.00","critical_illness_insurance_paid":"1500.00"}}}}
      """
  }

  /// Anyang's members with paid-up cover in 2020, by certificate number.
  func certificates(on app: Application) async throws -> [String] {
    guard let sql = app.db as? any SQLDatabase else { return [] }
    return try await sql.raw(
      "SELECT certificate_number AS c FROM enrollments WHERE certificate_number LIKE 'ANYANG-2019-%' AND status = 'active' ORDER BY 1"
    ).all().map { try $0.decode(column: "c", as: String.self) }
  }

  func openClaim(_ client: HTTPClient, _ base: String, _ clerk: String, invoice: String, certificate: Int)
    async throws -> String
  {
    var request = HTTPClientRequest(url: "\(base)/api/v1/claims")
    request.method = .POST
    request.headers.add(name: "Authorization", value: clerk)
    request.headers.add(name: "Content-Type", value: "application/json")
    request.body = .bytes(
      ByteBuffer(
        string: Self.intake(certificate: String(format: "ANYANG-2019-%06d", certificate), invoice: invoice)))
    let response = try await client.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 20)
    guard response.status == .created,
      let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
      let id = object["id"] as? String
    else { throw BenchError("could not open the claim to read: \(response.status) \(String(buffer: body))") }
    return id
  }

  /// `clients` loops, each sending the request `make` returns for the running count and
  /// waiting for its answer, for ``seconds`` (after a warm-up): the answers with the expected
  /// status are counted and timed, the others are errors.
  func drive(
    _ name: String, clients: Int, _ client: HTTPClient,
    make: @escaping @Sendable (Int) -> (HTTPClientRequest, HTTPResponseStatus)
  ) async throws -> Figure {
    let counter = ManagedAtomicCounter()
    let warmUp = seconds / 10
    let started = ContinuousClock.now
    let timedFrom = started + .milliseconds(Int64(warmUp * 1000))
    let until = timedFrom + .milliseconds(Int64(seconds * 1000))
    let results = try await withThrowingTaskGroup(of: (latencies: [Double], errors: Int).self) { group in
      for _ in 0..<clients {
        group.addTask {
          var latencies: [Double] = []
          var errors = 0
          while true {
            let sent = ContinuousClock.now
            if sent >= until { break }
            let (request, expected) = make(counter.next())
            var ok = false
            do {
              let response = try await client.execute(request, timeout: .seconds(30))
              _ = try await response.body.collect(upTo: 16 << 20)
              ok = response.status == expected
            } catch {
              ok = false
            }
            let answered = ContinuousClock.now
            guard sent >= timedFrom, answered <= until else { continue }
            if ok {
              latencies.append((answered - sent).seconds)
            } else {
              errors += 1
            }
          }
          return (latencies, errors)
        }
      }
      var all: [Double] = []
      var errors = 0
      for try await result in group {
        all += result.latencies
        errors += result.errors
      }
      return (all.sorted(), errors)
    }
    return Figure(
      name: name, clients: clients, requests: results.0.count, errors: results.1, seconds: seconds,
      latencies: results.0)
  }
}

/// A count shared by the client loops (each request gets its own number).
final class ManagedAtomicCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  func next() -> Int {
    lock.withLock {
      value += 1
      return value
    }
  }
}

extension Duration {
  var seconds: Double {
    let (whole, attoseconds) = components
    return Double(whole) + Double(attoseconds) / 1e18
  }
}

struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
