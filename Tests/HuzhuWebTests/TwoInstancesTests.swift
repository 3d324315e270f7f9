import FluentKit
import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Two app instances on one PostgreSQL database.
@Suite("Two instances", .enabled(if: TestDatabaseKind.postgresURL != nil))
struct TwoInstancesTests {
  /// Started at the same moment on an empty database, one migrates and loads the demo data
  /// while the other waits for the start-up lock, then finds both done: no migration fails on
  /// a table the other made, no demo node is loaded twice.
  @Test func startingTogetherMigratesAndSeedsOnce() async throws {
    let isolated = try await IsolatedDatabase.create(.postgresql)
    var applications: [Application] = []
    do {
      for _ in 0..<2 {
        let app = try await Application.make(.testing)
        applications.append(app)
        try configure(
          app,
          AppConfiguration(
            dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-\(UUID())").path,
            database: isolated.target, logLevel: .critical, loadsDemoData: true, demoPassword: TestApp.demoPassword),
          passwordHasher: PlainTestHasher())
      }
      let (first, second) = (applications[0], applications[1])
      async let one = bootstrap(first)
      async let other = bootstrap(second)
      let seeded = try await [one, other]
      #expect(seeded.filter { $0 != nil }.count == 1)
      let organisations = try await Registry(first.services(), actor: .system()).counts().organisations
      #expect(organisations == DemoData.standard().organisations.count)
      for app in applications {
        let ready = try await app.testing().performTest(
          request: TestingHTTPRequest(method: .GET, url: URI(path: "/readyz"), headers: [:], body: ByteBuffer()))
        #expect(ready.status == .ok)
      }
    } catch {
      Issue.record(error)
    }
    for app in applications { try await app.asyncShutdown() }
    try await isolated.drop()
  }

  /// An instance serving on a port of its own on loopback.
  struct Instance: Sendable {
    let app: Application
    let base: String

    func send(
      _ method: HTTPMethod, _ path: String, as user: String, body: ByteBuffer? = nil
    ) async throws -> (status: UInt, json: [String: Any]) {
      var headers = HTTPHeaders()
      headers.basicAuthorization = BasicAuthorization(username: user, password: TestApp.demoPassword)
      headers.contentType = .json
      let response = try await app.client.send(method, headers: headers, to: URI(string: base + path)) { request in
        if let body { request.body = body }
      }
      let data = response.body.map { Data($0.readableBytesView) } ?? Data()
      return (response.status.code, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    func send(_ method: HTTPMethod, _ path: String, as user: String, json: String) async throws
      -> (status: UInt, json: [String: Any])
    {
      try await send(method, path, as: user, body: ByteBuffer(string: json))
    }
  }

  /// Two instances on loopback, one PostgreSQL, one shared documents directory: claims are
  /// opened on one, their scans uploaded through the other and read back through the first,
  /// reviewed and approved across both; then finance asks both for a payment batch at the same
  /// moment and answers every bank line through both at once. Every claim lands in one batch
  /// and is paid exactly once, and the fund holds one payment per claim.
  @Test func claimsAndPaymentsThroughBothAtOncePayEveryClaimOnce() async throws {
    let isolated = try await IsolatedDatabase.create(.postgresql)
    let shared = FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-shared-\(UUID())").path
    let key = SymmetricKeyText.random()
    var instances: [Instance] = []
    do {
      for _ in 0..<2 {
        let app = try await Application.make(.testing)
        var configuration = AppConfiguration(
          dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-\(UUID())").path,
          database: isolated.target, logLevel: .critical, loadsDemoData: true, demoPassword: TestApp.demoPassword,
          secretsKey: .value(key))
        configuration.documentsDirectory = shared
        try configure(app, configuration, passwordHasher: PlainTestHasher())
        instances.append(Instance(app: app, base: ""))
      }
      let (a, b) = (instances[0].app, instances[1].app)
      async let startA = bootstrap(a)
      async let startB = bootstrap(b)
      _ = try await [startA, startB]
      for (index, instance) in instances.enumerated() {
        instance.app.serverClock = .fixed(CalendarDate(year: 2020, month: 3, day: 20)!)
        try await instance.app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(instance.app.http.server.shared.localAddress?.port)
        instances[index] = Instance(app: instance.app, base: "http://127.0.0.1:\(port)")
      }
      let sql = a.db as! any SQLDatabase
      let certificates = (1...6).map { String(format: "ANYANG-2019-%06d", $0) }
      try await sql.raw(
        """
        UPDATE workers SET bank_name = '中国银行安阳分行', bank_account = '6216610200001234567'
        WHERE id IN (SELECT worker_id FROM enrollments WHERE certificate_number LIKE 'ANYANG-2019-%')
        """
      ).run()

      // Six claims, each through both instances.
      let servers = instances
      let claims = try await withThrowingTaskGroup(of: (String, String).self) { group in
        for (index, certificate) in certificates.enumerated() {
          group.addTask {
            let (one, other) = index.isMultiple(of: 2) ? (servers[0], servers[1]) : (servers[1], servers[0])
            let opened = try await one.send(
              .POST, "/api/v1/claims", as: "ay-window",
              json: """
                {"schemeCode":"anyang","certificateNumber":"\(certificate)","channel":"window",
                 "intake":{"hospital":"安阳市人民医院","invoiceNumbers":["INV-\(index)"],"settlementSheetNumber":"JS-\(index)",
                   "event":{"admissionDate":"2020-03-02","dischargeDate":"2020-03-12","claimDate":"2020-03-20","hospitalDays":10,
                     "figures":{"in_scope_cost":"18000.00","pooled_fund_paid":"13500.00","critical_illness_insurance_paid":"1500.00"}}}}
                """)
            #expect(opened.status == 201, "\(opened.json)")
            let id = try #require(opened.json["id"] as? String)
            var documentID = ""
            for kind in ["certificate", "diagnosis", "invoice", "settlement_sheet"] {
              let uploaded = try await other.send(
                .POST, "/api/v1/claims/\(id)/documents?kind=\(kind)&fileName=\(kind).pdf", as: "ay-window",
                body: ByteBuffer(string: "%PDF-1.4\n% \(certificate) \(kind)\n"))
              #expect(uploaded.status == 201, "\(uploaded.json)")
              documentID = uploaded.json["id"] as? String ?? ""
            }
            // Uploaded through the other instance, read through this one.
            let read = try await one.app.client.get(URI(string: one.base + "/api/v1/documents/\(documentID)")) {
              $0.headers.basicAuthorization = BasicAuthorization(username: "ay-window", password: TestApp.demoPassword)
            }
            #expect(read.status == .ok)
            #expect(read.body.map { String(buffer: $0) }?.contains(certificate) == true)
            for (server, user, action) in [
              (one, "ay-window", "submit"), (other, "ay-reviewer", "review"), (one, "ay-approver", "approve"),
            ] {
              let acted = try await server.send(
                .POST, "/api/v1/claims/\(id)/actions", as: user, json: #"{"action":"\#(action)"}"#)
              #expect(acted.status == 200, "\(action): \(acted.json)")
            }
            let detail = try await other.send(.GET, "/api/v1/claims/\(id)", as: "ay-window")
            let total = try #require((detail.json["claim"] as? [String: Any])?["approvedTotal"] as? String)
            return (id, total)
          }
        }
        var all: [String: String] = [:]
        for try await (id, total) in group { all[id] = total }
        return all
      }
      #expect(claims.count == 6)

      // Both instances make a batch at the same moment: each claim goes into one of them.
      async let first = servers[0].send(
        .POST, "/api/v1/payment-batches", as: "ay-finance", json: #"{"schemeCode":"anyang"}"#)
      async let second = servers[1].send(
        .POST, "/api/v1/payment-batches", as: "ay-finance", json: #"{"schemeCode":"anyang"}"#)
      let batches = try await [first, second].filter { $0.status == 201 }.compactMap { $0.json["id"] as? String }
      #expect(!batches.isEmpty)
      var lines: [(batch: String, claim: String)] = []
      for batch in batches {
        let read = try await servers[0].send(.GET, "/api/v1/payment-batches/\(batch)", as: "ay-finance")
        for line in read.json["lines"] as? [[String: Any]] ?? [] {
          lines.append((batch, line["claimId"] as? String ?? ""))
        }
      }
      #expect(lines.map(\.claim).sorted() == claims.keys.sorted(), "every claim in exactly one batch")

      // Every line answered "paid" through both instances at once.
      try await withThrowingTaskGroup(of: UInt.self) { group in
        for line in lines {
          for server in servers {
            group.addTask {
              try await server.send(
                .POST, "/api/v1/payment-batches/\(line.batch)/lines/\(line.claim)", as: "ay-finance",
                json: #"{"paid":true,"note":"BOC-20200415"}"#
              ).status
            }
          }
        }
        for try await status in group { #expect(status == 200) }
      }
      for id in claims.keys {
        let detail = try await servers[1].send(.GET, "/api/v1/claims/\(id)", as: "ay-window")
        #expect((detail.json["claim"] as? [String: Any])?["state"] as? String == "paid")
      }
      let payments = try await sql.raw(
        "SELECT source_id AS s, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS t FROM fund_entries WHERE kind = 'claim_payment' GROUP BY source_id"
      ).all()
      #expect(payments.count == 6)
      for row in payments { #expect(try row.decode(column: "n", as: Int.self) == 1) }
      let paid = try payments.reduce(Int64(0)) { $0 + (try $1.decode(column: "t", as: Int64.self)) }
      let approved = claims.values.compactMap { Money(yuan: $0) }.reduce(Money.zero, +)
      #expect(abs(paid) == approved.fen, "\(paid) fen posted, \(approved) approved")
    } catch {
      Issue.record(error)
    }
    for instance in instances {
      await instance.app.server.shutdown()
      try await instance.app.asyncShutdown()
    }
    try? FileManager.default.removeItem(atPath: shared)
    try await isolated.drop()
  }
}

/// A secrets key as `HUZHU_SECRETS_KEY` takes it.
enum SymmetricKeyText {
  static func random() -> String {
    Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
  }
}
