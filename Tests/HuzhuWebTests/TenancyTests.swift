import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import HuzhuTestSupport
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Two federations in one installation (Anyang's city federation and the Harbin office with its
/// Yichun agency), each with claims, documents, bills, payments, a payment batch, a pairing and
/// accounts. Every route of the table, tried by every account of one federation, with the other
/// federation's identifiers in the address, the query and the body: no answer (page, JSON, file,
/// error, redirect) carries anything of the other federation, and nothing of it changes. Then
/// the same the other way round.
///
/// The route list is the application's own, so a new route is tried without anyone adding it.
@Suite("Tenancy: one federation gets nothing of another")
struct TenancyTests {
  static let kinds = TestDatabaseKind.available

  @Test(arguments: kinds)
  func noRouteGivesOneFederationAnythingOfTheOther(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      try await Self.makeHistory(test)
      let anyang = try await Federation.read("HA-AY", test)
      let heilongjiang = try await Federation.read("HLJ", test)
      #expect(anyang.claims.count >= 2 && heilongjiang.claims.count >= 2)
      #expect(!anyang.batches.isEmpty && !heilongjiang.batches.isEmpty)
      for (us, them) in [(anyang, heilongjiang), (heilongjiang, anyang)] {
        let before = try await them.fingerprint(test)
        let tried = try await Self.tryEveryRoute(test, as: us, against: them)
        #expect(tried > 1_000, "\(us.code) tried \(tried) requests")
        let after = try await them.fingerprint(test)
        #expect(before == after, "\(us.code)'s requests changed \(them.code)'s records")
      }
    }
  }

  // MARK: Every route

  /// Routes whose answers are public by design, the same to anyone signed in or not: the
  /// anonymised stories and the masked certificate check.
  /// The API's description and the static files are documents, not data (the OpenAPI examples
  /// name documents such as `LP-ANYANG-2020-000001`).
  static let publicByDesign: Set<String> = [
    "/stories", "/verify", "/api/v1/certificates/:number", "/api/openapi.yaml", "/huzhu.css", "/huzhu.js",
  ]
  /// Routes that would end the session the rest of the run uses, or sign in (bodies here carry
  /// no credentials).
  static let skipped: Set<String> = ["POST /logout", "POST /login", "POST /portal/logout"]

  static func tryEveryRoute(_ test: TestApp, as us: Federation, against them: Federation) async throws -> Int {
    var tried = 0
    let routes = test.app.routes.all
    // A name both federations use (two workers called 王秀英) is nobody's secret.
    let ours = us.markers.joined(separator: "\u{1}")
    let theirs = them.markers.filter { !ours.contains($0) }
    for username in us.usernames {
      let session = try await test.signIn(username)
      for route in routes {
        let template = "/" + route.path.map(\.description).joined(separator: "/")
        if skipped.contains("\(route.method.rawValue) \(template)") || publicByDesign.contains(template) { continue }
        let isAPI = template.hasPrefix("/api/")
        // Their records in the address; and, for a change, our own record in the address with
        // theirs in the body (our unit enrolled in their product, our claim put in their batch).
        var variants: [(path: String, query: String, body: String)] = []
        if route.method == .GET {
          variants = [(them.path(for: route), "", ""), (them.path(for: route), them.hostileQuery(format: "csv"), "")]
          if template.contains("export") {
            variants.append((them.path(for: route), them.hostileQuery(format: "xlsx"), ""))
          }
        } else {
          let body = isAPI ? them.hostileJSON : them.hostileForm(csrf: session.csrf)
          variants = [(them.path(for: route), "", body)]
          if route.path.contains(where: { if case .parameter = $0 { true } else { false } }) {
            variants.append((us.path(for: route), "", body))
          }
        }
        for (path, query, body) in variants {
          var headers: HTTPHeaders
          if isAPI {
            headers = test.headers(username)
          } else {
            headers = route.method == .GET ? session.cookie : session.form()
          }
          let address = path + (query.isEmpty ? "" : "?" + query)
          let response =
            route.method == .GET
            ? try await test.get(address, headers: headers)
            : try await test.send(route.method, address, body: body, headers: headers)
          tried += 1
          #expect(
            response.status.code < 500,
            "\(username) \(route.method) \(address): \(response.status) \(response.text.prefix(300))")
          // What the request itself said may come back (a search box keeps what was typed).
          let asked = ((address + "\n" + body).removingPercentEncoding ?? address + body).lowercased()
          // The session's own CSRF token is random: "hlj" may turn up in it by chance.
          let answer = Self.readable(response).lowercased().replacingOccurrences(
            of: session.csrf.lowercased(), with: "")
          // A value typed in comes back masked in its error ("第1行：230702********2000 不是本单位在职职工").
          let echoed = Set(them.derived.filter { asked.contains($0.key) }.flatMap(\.value))
          let leaked = theirs.filter { !asked.contains($0) && !echoed.contains($0) && answer.contains($0) }
          #expect(
            leaked.isEmpty,
            "\(username) \(route.method) \(address) (\(response.status)) shows \(them.code)'s \(leaked.prefix(5))")
        }
      }
    }
    return tried
  }

  /// The answer as text: the body (an XLSX file's cells), and the headers a browser acts on.
  static func readable(_ response: TestingHTTPResponse) -> String {
    let bytes = Data(response.body.readableBytesView)
    var text = String(decoding: bytes, as: UTF8.self)
    if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), let sheet = try? SheetReader.read(bytes) {
      text = sheet.rows.map { $0.map { "\($0)" }.joined(separator: "\t") }.joined(separator: "\n")
    }
    for name in ["Location", "Content-Disposition"] { text += "\n" + response.headers[name].joined(separator: " ") }
    // A new authenticator secret (base32: random letters and digits, shown in groups of four
    // and inside the otpauth address) may spell "HLJ" by chance.
    return text.replacingOccurrences(of: #"id="two-factor-secret">[^<]*"#, with: "", options: .regularExpression)
      .replacingOccurrences(of: #"[A-Z2-7]{16,}"#, with: "", options: .regularExpression)
  }

  // MARK: A history in both federations

  /// Claims from the window to the bank in both federations (one paid in a batch, one waiting),
  /// with scans; a visit to the Yichun pairing.
  static func makeHistory(_ test: TestApp) async throws {
    let scan = Data("%PDF-1.4\n% tenancy\n%%EOF\n".utf8)
    func claim(_ certificate: String, scheme: String, clerk: String, stay: (String, String), invoice: String)
      async throws
      -> String
    {
      let opened = try await test.send(
        .POST, "/api/v1/claims",
        body: """
          {"schemeCode":"\(scheme)","certificateNumber":"\(certificate)",
           "intake":{"invoiceNumbers":["\(invoice)"],"event":{"admissionDate":"\(stay.0)","dischargeDate":"\(stay.1)",
             "hospitalDays":9,"figures":{"in_scope_cost":"3000.00","pooled_fund_paid":"0.00","critical_illness_insurance_paid":"0.00"}}}}
          """, headers: test.headers(clerk))
      #expect(opened.status == .created, "\(opened.text)")
      let id = try #require(try TestApp.object(opened)["id"] as? String)
      for kind in ["certificate", "diagnosis", "invoice", "settlement_sheet"] {
        var headers = test.headers(clerk)
        headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        let uploaded = try await test.send(
          .POST, "/api/v1/claims/\(id)/documents?kind=\(kind)&fileName=\(kind).pdf",
          data: scan + Data(invoice.utf8), headers: headers)
        #expect(uploaded.status == .created, "\(uploaded.text)")
      }
      return id
    }
    func act(_ id: String, _ action: String, by username: String) async throws {
      let response = try await test.send(
        .POST, "/api/v1/claims/\(id)/actions", body: #"{"action":"\#(action)"}"#, headers: test.headers(username))
      #expect(response.status == .ok, "\(username) \(action): \(response.text)")
    }
    func pay(_ scheme: String, by username: String) async throws {
      let batch = try await test.send(
        .POST, "/api/v1/payment-batches", body: #"{"schemeCode":"\#(scheme)"}"#, headers: test.headers(username))
      #expect(batch.status == .created, "\(batch.text)")
      let body = try TestApp.object(batch)
      let lines = try #require(body["lines"] as? [[String: Any]])
      let batchID = try #require(body["id"] as? String)
      let claimID = try #require(lines.first?["claimId"] as? String)
      let settled = try await test.send(
        .POST, "/api/v1/payment-batches/\(batchID)/lines/\(claimID)", body: #"{"paid":true,"note":"BANK-1"}"#,
        headers: test.headers(username))
      #expect(settled.status == .ok, "\(settled.text)")
    }

    // An account of each federation for the account routes to act on with our own address
    // (disabled, its password reset), so that the accounts signing in stay as they are.
    let accounts = FluentAccountStore(database: test.app.db)
    for (code, username) in [("HA-AY", "ay-tenancy-target"), ("HLJ", "hlj-tenancy-target")] {
      let node = try #require(
        try await FluentRegistryStore(database: test.app.db).organisations().first { $0.code == code })
      try await accounts.create(
        UserAccount(
          username: username, displayName: username, organisationID: node.id, roles: [.windowClerk],
          passwordHash: try PlainTestHasher().hash(TestApp.demoPassword)))
    }

    test.setToday(2020, 3, 20)
    let anyangPaid = try await claim(
      "ANYANG-2019-000001", scheme: "anyang", clerk: "ay-window", stay: ("2020-03-02", "2020-03-12"), invoice: "AY-T-1")
    _ = try await claim(
      "ANYANG-2019-000002", scheme: "anyang", clerk: "ay-window", stay: ("2020-03-03", "2020-03-13"), invoice: "AY-T-2")
    try await act(anyangPaid, "submit", by: "ay-window")
    try await act(anyangPaid, "review", by: "ay-reviewer")
    try await act(anyangPaid, "approve", by: "ay-approver")
    try await pay("anyang", by: "ay-finance")

    test.setToday(2022, 3, 20)
    let certificates = try await FluentEnrollmentStore(database: test.app.db).enrollments(
      unit: try #require(
        try await FluentRegistryStore(database: test.app.db).units(in: nil, matching: "伊春森林工业", page: PageQuery())
          .items.first
      ).id, page: PageQuery()
    ).items.map(\.certificateNumber)
    let yichunPaid = try await claim(
      certificates[0], scheme: "hlj-yichun", clerk: "yc-window", stay: ("2022-03-01", "2022-03-10"), invoice: "YC-T-1")
    _ = try await claim(
      certificates[1], scheme: "hlj-yichun", clerk: "yc-window", stay: ("2022-03-02", "2022-03-11"), invoice: "YC-T-2")
    try await act(yichunPaid, "submit", by: "yc-window")
    try await act(yichunPaid, "review", by: "yc-reviewer")
    try await act(yichunPaid, "approve", by: "yc-approver")
    try await act(yichunPaid, "approve", by: "hlj-approver")
    try await pay("hlj-yichun", by: "hlj-finance")
    let pairing = try #require(try await FluentUnionWorkStore(database: test.app.db).pairings(under: nil).first)
    let visit = try await test.send(
      .POST, "/api/v1/pairings/\(pairing.id)/visits", body: #"{"visitedOn":"2022-03-15","note":"送去慰问金"}"#,
      headers: test.headers("yc-cadre"))
    #expect(visit.status == .created, "\(visit.text)")
    test.app.serverClock = .system
  }
}

/// One federation's records, as the other federation's requests must never see them: every
/// identifier, number and name, and the addresses and bodies that point at them.
struct Federation {
  let code: String
  let root: Organisation.ID
  let nodes: Set<Organisation.ID>
  let usernames: [String]
  let organisation: Organisation
  let unit: WorkUnit
  let worker: Worker
  let claims: [ClaimRecord]
  let document: ClaimDocument
  let bill: Bill
  let receipt: String
  let certificate: String
  let batches: [PaymentBatch]
  let pairing: HardshipPairing?
  let account: UserAccount
  let scheme: StoredScheme
  /// Every string of the federation's that the other must never be shown, lower-cased.
  var markers: [String]
  /// The masked forms of a full value (an ID number, a phone), which an answer may show when
  /// the request itself carried the full value.
  var derived: [String: [String]]
  let units: [WorkUnit.ID]
  let workers: [Worker.ID]

  static func read(_ rootCode: String, _ test: TestApp) async throws -> Federation {
    let database = test.app.db
    let registry = FluentRegistryStore(database: database)
    let enrollments = FluentEnrollmentStore(database: database)
    let claimStore = FluentClaimStore(database: database)
    let all = try await registry.organisations()
    let root = try #require(all.first { $0.code == rootCode })
    let nodes = OrganisationTree.subtreeIDs(of: root.id, in: all)
    let organisations = all.filter { nodes.contains($0.id) }
    let units = try await registry.units(in: root.id, matching: nil, page: PageQuery(per: 200)).items
    var workers: [Worker] = []
    var bills: [Bill] = []
    var certificates: [String] = []
    for unit in units {
      workers += try await registry.workers(in: unit.id, page: PageQuery(per: 200)).items
      bills += try await enrollments.bills(unit: unit.id)
      certificates += try await enrollments.enrollments(unit: unit.id, page: PageQuery(per: 200)).items
        .map(\.certificateNumber)
    }
    var claims: [ClaimRecord] = []
    var documents: [ClaimDocument] = []
    for worker in workers { claims += try await claimStore.claims(worker: worker.id) }
    for claim in claims { documents += try await claimStore.documents(of: claim.id) }
    let payments = try await enrollments.payments(bills: bills.map(\.id))
    let receipts = payments.values.flatMap { $0 }.map(\.receiptNumber)
    let batches = try await claimStore.batches(page: PageQuery(per: 200)).items.filter {
      $0.organisationID.map(nodes.contains) ?? false
    }
    let pairings = try await FluentUnionWorkStore(database: database).pairings(under: root.id)
    let accounts = try await FluentAccountStore(database: database).accounts().filter {
      nodes.contains($0.organisationID)
    }
    let schemes = try await FluentSchemeStore(database: database).schemes().filter { nodes.contains($0.organisationID) }
    let outreach = try await FluentUnionWorkStore(database: database).outreachSummary(under: root.id)
    _ = outreach

    var markers: [String] = []
    var derived: [String: [String]] = [:]
    for organisation in organisations {
      markers += [organisation.id.description, organisation.code, organisation.name]
      if let english = organisation.nameEn { markers.append(english) }
    }
    for unit in units {
      markers += [unit.id.description, unit.name]
      if let code = unit.creditCode { markers.append(code) }
    }
    for worker in workers {
      markers += [worker.id.description, worker.name, worker.idNumber.value, worker.idNumber.masked]
      derived[worker.idNumber.value.lowercased()] = [worker.idNumber.masked.lowercased()]
      if let phone = worker.phone {
        let masked = String(phone.prefix(3)) + "****" + String(phone.suffix(4))
        markers += [phone, masked]
        derived[phone] = [masked]
      }
      if let account = worker.bankAccount { markers.append(account) }
    }
    markers += claims.flatMap { [$0.id.description, $0.number] }
    markers += documents.flatMap { [$0.id.description, $0.sha256] }
    markers += bills.flatMap { [$0.id.description, $0.number] }
    markers += receipts + certificates
    markers += batches.flatMap { [$0.id.description, $0.number] }
    markers += pairings.flatMap { [$0.id.description, $0.cadreName] + [$0.cadrePhone].compactMap { $0 } }
    markers += accounts.flatMap { [$0.id.description, $0.username, $0.displayName] }
    markers += schemes.flatMap { scheme in
      [scheme.code, scheme.definition.scheme.name] + scheme.definition.products.flatMap { [$0.code, $0.name] }
    }
    let claimWithDocuments = try #require(claims.first { claim in documents.contains { $0.claimID == claim.id } })
    return Federation(
      code: rootCode, root: root.id, nodes: nodes,
      usernames: accounts.map(\.username).filter { !$0.contains("tenancy-target") }.sorted(),
      organisation: organisations.last { $0.id != root.id } ?? root,
      unit: try #require(units.first { unit in workers.contains { $0.unitID == unit.id } }),
      worker: try #require(workers.first { worker in claims.contains { $0.workerID == worker.id } }),
      claims: claims, document: try #require(documents.first { $0.claimID == claimWithDocuments.id }),
      bill: try #require(bills.first { !(payments[$0.id] ?? []).isEmpty }), receipt: try #require(receipts.first),
      certificate: try #require(certificates.first), batches: batches, pairing: pairings.first,
      account: try #require(accounts.first { $0.username.contains("tenancy-target") }),
      scheme: try #require(schemes.first),
      markers: Array(Set(markers.filter { $0.count >= 2 }.map { $0.lowercased() })),
      derived: derived,
      units: units.map(\.id), workers: workers.map(\.id))
  }

  /// The route's address with this federation's record for each parameter, chosen by what the
  /// address names before it.
  func path(for route: Route) -> String {
    var previous = ""
    let parts = route.path.map { component -> String in
      defer { previous = component.description }
      guard case .parameter(let name) = component else { return component.description }
      switch (previous, name) {
      case (_, "number"): return previous == "receipts" ? receipt : certificate
      case (_, "code"): return scheme.code
      case (_, "year"): return "2027"
      case (_, "claimId"): return claims[0].id.description
      case ("organisations", _): return organisation.id.description
      case ("units", _): return unit.id.description
      case ("workers", _): return worker.id.description
      case ("claims", _): return claims[0].id.description
      case ("payments", _), ("payment-batches", _): return batches[0].id.description
      case ("bills", _): return bill.id.description
      case ("pairings", _): return (pairing?.id ?? HardshipPairing.ID()).description
      case ("accounts", _): return account.id.description
      case ("documents", _): return document.id.description
      default: return UUID().uuidString
      }
    }
    return "/" + parts.joined(separator: "/")
  }

  /// Every query parameter any page or endpoint reads, pointing at this federation.
  func hostileQuery(format: String) -> String {
    let product = scheme.definition.products.first
    let pairs: [(String, String)] = [
      ("org", organisation.id.description), ("organisationId", organisation.id.description),
      ("scheme", scheme.code), ("unit", unit.id.description), ("worker", worker.id.description),
      ("q", worker.idNumber.value), ("number", certificate), ("from", "2019-01-01"), ("to", "2023-12-31"),
      ("month", "2022-03"), ("asOf", "2022-06-30"), ("table", "units"), ("format", format),
      ("version", "\(product?.code ?? "")|\(product?.versions.first?.version ?? "")"), ("product", product?.code ?? ""),
      ("file", document.sha256), ("kind", "login"), ("actor", account.username), ("state", "submitted,approved"),
      ("queue", "open"), ("status", "pending"), ("reveal", "1"), ("next", "/workers/\(worker.id)"),
    ]
    return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
      .joined(separator: "&")
  }

  /// A JSON body naming this federation's records under every key an endpoint reads.
  var hostileJSON: String {
    let product = scheme.definition.products.first?.code ?? ""
    return """
      {"schemeCode":"\(scheme.code)","productCode":"\(product)","workerId":"\(worker.id)","workerIds":["\(worker.id)"],
       "unitId":"\(unit.id)","organisationId":"\(organisation.id)","parentId":"\(organisation.id)",
       "claimId":"\(claims[0].id)","certificateNumber":"\(certificate)","idNumber":"\(worker.idNumber.value)",
       "periodStart":"2027-01-01","name":"测试","code":"T-\(UUID().uuidString.prefix(6))","kind":"county_union",
       "sector":"government","payer":"employer","amount":"1.00","reference":"T-1","action":"submit",
       "decision":"confirm","paid":true,"note":"x","visitedOn":"2026-12-01","visitor":"x","outcome":"joined",
       "cadreName":"x","hardshipLevel":"severe","startedOn":"2026-01-01","justification":"x",
       "intake":{"invoiceNumbers":[],"event":{"admissionDate":"2022-03-01"}},"year":2027,"coverageStart":"2027-01-01",
       "daysOff":[],"workingWeekendDays":[],"source":"x","asOf":"2026-12-01","total":10,"female":5}
      """
  }

  /// A form body naming this federation's records under every field a page reads.
  func hostileForm(csrf: String) -> String {
    let product = scheme.definition.products.first?.code ?? ""
    let pairs: [(String, String)] = [
      ("_csrf", csrf), ("scheme", scheme.code), ("schemeCode", scheme.code), ("product", "\(scheme.code)|\(product)"),
      ("claimId", claims[0].id.description), ("worker", worker.id.description), ("workerId", worker.id.description),
      ("workers[]", worker.id.description), ("unit", unit.id.description),
      ("organisation", organisation.id.description),
      ("organisationId", organisation.id.description), ("unitCreditCode", unit.creditCode ?? ""),
      ("idNumber", worker.idNumber.value), ("idNumbers", worker.idNumber.value),
      ("thirdPartyIdNumber", worker.idNumber.value), ("file", document.sha256), ("payer", "employer|"),
      ("amount", "1.00"), ("reference", "T-1"), ("paid", "true"), ("note", "x"), ("decision", "confirm"),
      ("action", "submit"), ("periodStart", "2027-01-01"), ("everyone", "on"), ("employerKind", "none"),
      ("visitedOn", "2026-12-01"), ("agency", organisation.id.description), ("year", "2027"), ("amountYuan", "1"),
      ("username", "tenancy-\(UUID().uuidString.prefix(6).lowercased())"), ("displayName", "x"),
      ("password", "Tenancy-Pass-1234"), ("roles", "window_clerk"), ("disabled", "true"),
    ]
    return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
      .joined(separator: "&")
  }

  /// The federation's rows as text, table by table: equal before and after means nothing of it
  /// changed (its people, their employment and details, claims, bills, payments, the fund,
  /// batches, pairings, schemes, accounts).
  func fingerprint(_ test: TestApp) async throws -> [String: [String]] {
    let sql = test.app.db as! any SQLDatabase
    let nodes = self.nodes.map(\.rawValue)
    let units = self.units.map(\.rawValue)
    let workers = self.workers.map(\.rawValue)
    let claims = self.claims.map(\.id.rawValue)
    let batches = self.batches.map(\.id.rawValue)
    let scheme = self.scheme.code
    let conditions: [(String, (SQLSelectBuilder) -> SQLSelectBuilder)] = [
      ("organisations", { $0.where("id", .in, nodes) }),
      ("units", { $0.where("organisation_id", .in, nodes) }),
      ("workers", { $0.where("id", .in, workers) }),
      ("employments", { $0.where("worker_id", .in, workers) }),
      ("claims", { $0.where("worker_id", .in, workers).orWhere("scheme_code", .equal, scheme) }),
      ("claim_documents", { $0.where("claim_id", .in, claims) }),
      ("bills", { $0.where("unit_id", .in, units).orWhere("scheme_code", .equal, scheme) }),
      ("enrollments", { $0.where("worker_id", .in, workers).orWhere("scheme_code", .equal, scheme) }),
      ("fund_entries", { $0.where("scheme_code", .equal, scheme) }),
      ("payment_batches", { $0.where("scheme_code", .equal, scheme) }),
      ("payment_batch_lines", { $0.where("batch_id", .in, batches) }),
      ("hardship_pairings", { $0.where("organisation_id", .in, nodes) }),
      ("outreach_visits", { $0.where("unit_id", .in, units) }),
      ("unit_headcounts", { $0.where("unit_id", .in, units) }),
      ("scheme_revisions", { $0.where("code", .equal, scheme) }),
      ("user_accounts", { $0.where("organisation_id", .in, nodes) }),
      ("transfer_requests", { $0.where("worker_id", .in, workers).orWhere("to_unit_id", .in, units) }),
    ]
    var result: [String: [String]] = [:]
    for (table, condition) in conditions {
      let rows = try await condition(sql.select().column("*").from(table)).all()
      result[table] = rows.map { row in
        row.allColumns.sorted().map { column in "\(column)=\(Self.text(row, column))" }.joined(separator: ",")
      }.sorted()
    }
    return result
  }

  /// A column's value as text, whatever its type on either database.
  static func text(_ row: any SQLRow, _ column: String) -> String {
    if (try? row.decodeNil(column: column)) == true { return "NULL" }
    if let value = try? row.decode(column: column, as: String.self) { return value }
    if let value = try? row.decode(column: column, as: Int64.self) { return String(value) }
    if let value = try? row.decode(column: column, as: UUID.self) { return value.uuidString }
    if let value = try? row.decode(column: column, as: Bool.self) { return String(value) }
    if let value = try? row.decode(column: column, as: Date.self) { return String(value.timeIntervalSince1970) }
    if let value = try? row.decode(column: column, as: Double.self) { return String(value) }
    if let value = try? row.decode(column: column, as: Data.self) { return value.base64EncodedString() }
    return "?"
  }
}
