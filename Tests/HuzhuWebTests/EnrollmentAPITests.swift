import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// Enrollment and contributions through the API, from the scheme upload to the fund ledger;
/// every response is checked against the OpenAPI document as it goes.
@Suite("Enrollment API")
struct EnrollmentAPITests {
  static let kinds = TestDatabaseKind.available
  let openAPI: OpenAPITests

  init() throws {
    openAPI = try OpenAPITests()
  }

  /// Sends a request and checks the response's status and that its body matches the
  /// document's schema for that operation and status.
  func call(
    _ test: TestApp, _ method: HTTPMethod, _ path: String, template: String, body: String? = nil,
    headers: HTTPHeaders? = nil, expect status: Int, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws -> [String: Any] {
    let response =
      method == .GET && body == nil
      ? try await test.get(path, headers: headers ?? test.clerkHeaders)
      : try await test.send(method, path, body: body ?? "", headers: headers ?? test.clerkHeaders)
    #expect(Int(response.status.code) == status, "\(method) \(path): \(response.text)", sourceLocation: sourceLocation)
    let json = try JSONSerialization.jsonObject(
      with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
    let schema = try #require(
      openAPI.responseSchema(path: template, method: method.rawValue.lowercased(), status: status),
      "\(method) \(template) \(status) undocumented", sourceLocation: sourceLocation)
    let problems = SchemaValidator(document: openAPI.document).problems(json, against: schema, at: "$")
    #expect(problems.isEmpty, "\(path): \(problems)", sourceLocation: sourceLocation)
    return json as? [String: Any] ?? [:]
  }

  /// The demo Anyang bus company's three workers.
  func demoUnit(_ test: TestApp) async throws -> (WorkUnit, [Worker]) {
    let registry = FluentRegistryStore(database: test.app.db)
    let unit = try #require(
      try await registry.units(in: nil, page: PageQuery(per: 200)).items.first { $0.name == "安阳公交集团" })
    return (unit, try await registry.workers(in: unit.id, page: PageQuery()).items)
  }

  var yamlHeaders: (TestApp) -> HTTPHeaders {
    { test in
      var headers = test.headers("ay-scheme")
      headers.contentType = HTTPMediaType(type: "application", subType: "yaml")
      return headers
    }
  }

  @Test(arguments: kinds)
  func fromSchemeUploadToCoverAndTheFund(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let (unit, workers) = try await demoUnit(test)
      #expect(workers.count == 3)

      // The scheme, uploaded as its YAML file; a second upload is a new revision.
      let saved = try await call(
        test, .PUT, "/api/v1/schemes/test", template: "/api/v1/schemes/{code}", body: TestSchemes.enrollmentYAML,
        headers: yamlHeaders(test), expect: 201)
      #expect(saved["revision"] as? Int == 1)
      let mismatch = try await call(
        test, .PUT, "/api/v1/schemes/other", template: "/api/v1/schemes/{code}", body: TestSchemes.enrollmentYAML,
        headers: yamlHeaders(test), expect: 422)
      #expect(fieldCodes(mismatch) == ["code_mismatch"])
      let broken = try await call(
        test, .PUT, "/api/v1/schemes/test", template: "/api/v1/schemes/{code}",
        body: TestSchemes.enrollmentYAML.replacingOccurrences(of: "perShare: \"60.00\"", with: "perShare: \"sixty\""),
        headers: yamlHeaders(test), expect: 422)
      #expect(fieldPaths(broken).first?.contains("perShare") == true)
      let schemes = try await call(test, .GET, "/api/v1/schemes", template: "/api/v1/schemes", expect: 200)
      // Anyang's window sees Anyang's schemes only: Heilongjiang's serves another federation.
      #expect((schemes["items"] as? [[String: Any]])?.map { $0["code"] as? String } == ["anyang", "test"])
      _ = try await call(test, .GET, "/api/v1/schemes/test", template: "/api/v1/schemes/{code}", expect: 200)

      // Refusals: unknown scheme, too few of the unit, no credentials.
      func enrollment(_ ids: [Worker], scheme: String = "test") -> String {
        """
        {"schemeCode":"\(scheme)","productCode":"hospital","periodStart":"2024-01-01","requestDate":"2023-12-20",
         "workerIds":[\(ids.map { "\"\($0.id)\"" }.joined(separator: ","))],
         "split":{"employer":{"kind":"percent","rate":"50%"},
                  "unionSubsidies":[{"payer":"union_city","perPerson":"30.00","onTop":true}]}}
        """
      }
      let path = "/api/v1/units/\(unit.id)/enrollments"
      let template = "/api/v1/units/{id}/enrollments"
      test.setToday(2023, 12, 20)
      let unknown = try await call(
        test, .POST, path, template: template, body: enrollment(workers, scheme: "nope"), expect: 422)
      #expect(fieldCodes(unknown) == ["unknown_scheme"])
      let tooFew = try await call(test, .POST, path, template: template, body: enrollment([workers[0]]), expect: 422)
      #expect(fieldCodes(tooFew) == ["participation_too_low"])
      var anonymous = HTTPHeaders()
      anonymous.contentType = .json
      _ = try await call(
        test, .POST, path, template: template, body: enrollment(workers), headers: anonymous, expect: 401)

      // Enrolled: certificates, and one bill split as in Anyang.
      let plan = try await call(test, .POST, path, template: template, body: enrollment(workers), expect: 201)
      let bill = try #require(plan["bill"] as? [String: Any])
      let billID = try #require(bill["id"] as? String)
      #expect(bill["totalDue"] as? String == "270.00")
      #expect((bill["due"] as? [[String: Any]])?.map { $0["amount"] as? String } == ["90.00", "90.00", "90.00"])
      let certificates = (plan["enrollments"] as? [[String: Any]])?.compactMap { $0["certificateNumber"] as? String }
      #expect(certificates == ["TEST-2024-000001", "TEST-2024-000002", "TEST-2024-000003"])
      let listed = try await call(test, .GET, path, template: template, expect: 200)
      #expect(listed["total"] as? Int == 6)  // with the demo's Anyang enrollments

      // Payments: idempotent, partial, then the bill settles and cover starts.
      let payments = "/api/v1/bills/\(billID)/payments"
      let paymentsTemplate = "/api/v1/bills/{id}/payments"
      var keyed = test.clerkHeaders
      keyed.add(name: "Idempotency-Key", value: "window-7-0001")
      test.setToday(2023, 12, 28)
      let employer = #"{"payer":"employer","amount":"90.00","reference":"ICBC-778812"}"#
      let first = try await call(
        test, .POST, payments, template: paymentsTemplate, body: employer, headers: keyed, expect: 201)
      let receipt = try #require((first["payment"] as? [String: Any])?["receiptNumber"] as? String)
      #expect(receipt == "SJ-TEST-2023-000001")
      let replay = try await call(
        test, .POST, payments, template: paymentsTemplate, body: employer, headers: keyed, expect: 200)
      #expect(replay["replayed"] as? Bool == true)
      let over = try await call(
        test, .POST, payments, template: paymentsTemplate,
        body: #"{"payer":"worker","amount":"90.01","reference":"CASH-1"}"#, expect: 422)
      #expect(fieldCodes(over) == ["overpayment"])
      _ = try await call(
        test, .POST, payments, template: paymentsTemplate,
        body: #"{"payer":"worker","amount":"90.00","paidOn":"2023-12-28","reference":"CASH-1"}"#, expect: 201)
      // A clerk records payments on the day they are entered; an earlier day is finance's, with a reason.
      test.setToday(2023, 12, 29)
      let backdated = try await call(
        test, .POST, payments, template: paymentsTemplate,
        body: #"{"payer":"union_city","amount":"90.00","paidOn":"2023-12-27","reference":"UNION-2023-12"}"#,
        expect: 422)
      #expect(fieldCodes(backdated) == ["server_date"])
      let last = try await call(
        test, .POST, payments, template: paymentsTemplate,
        body: #"{"payer":"union_city","amount":"90.00","paidOn":"2023-12-29","reference":"UNION-2023-12"}"#,
        expect: 201)
      #expect(last["activated"] as? Int == 3)
      #expect((last["bill"] as? [String: Any])?["status"] as? String == "paid")

      let detail = try await call(test, .GET, "/api/v1/bills/\(billID)", template: "/api/v1/bills/{id}", expect: 200)
      #expect((detail["payments"] as? [Any])?.count == 3)
      #expect(
        (detail["enrollments"] as? [[String: Any]])?.allSatisfy { $0["coverFrom"] as? String == "2024-01-01" } == true)
      _ = try await call(test, .GET, payments, template: paymentsTemplate, expect: 200)
      _ = try await call(test, .GET, "/api/v1/receipts/\(receipt)", template: "/api/v1/receipts/{number}", expect: 200)
      _ = try await call(
        test, .GET, "/api/v1/units/\(unit.id)/bills", template: "/api/v1/units/{id}/bills", expect: 200)
      let cover = try await call(
        test, .GET, "/api/v1/workers/\(workers[0].id)/enrollments", template: "/api/v1/workers/{id}/enrollments",
        expect: 200)
      #expect((cover["items"] as? [[String: Any]])?.map { $0["schemeCode"] as? String } == ["test", "anyang"])

      // The certificate checks out, with the holder's name masked.
      let certificate = try await call(
        test, .GET, "/api/v1/certificates/test-2024-000001", template: "/api/v1/certificates/{number}", expect: 200)
      #expect((certificate["holderName"] as? String)?.contains("*") == true)
      #expect(certificate["status"] as? String == "active")
      _ = try await call(
        test, .GET, "/api/v1/certificates/TEST-2024-424242", template: "/api/v1/certificates/{number}", expect: 404)

      // The fund: 270.00 in, 90.00 of it union subsidy.
      let balances = try await call(
        test, .GET, "/api/v1/funds/balances?scheme=test", template: "/api/v1/funds/balances",
        headers: test.headers("ay-finance"), expect: 200)
      let balance = try #require((balances["items"] as? [[String: Any]])?.first)
      #expect(balance["balance"] as? String == "270.00")
      #expect(balance["subsidies"] as? String == "90.00")
      let entries = try await call(
        test, .GET, "/api/v1/funds/test/entries", template: "/api/v1/funds/{code}/entries",
        headers: test.headers("ay-finance"), expect: 200)
      #expect((entries["items"] as? [Any])?.count == 3)

      // Renewal for 2025, the split carried over.
      test.setToday(2024, 12, 10)
      let renewal = try await call(
        test, .POST, "/api/v1/units/\(unit.id)/renewals", template: "/api/v1/units/{id}/renewals",
        body: #"{"schemeCode":"test","productCode":"hospital","periodStart":"2024-01-01","requestDate":"2024-12-10"}"#,
        expect: 201)
      #expect((renewal["bill"] as? [String: Any])?["totalDue"] as? String == "270.00")
      #expect((renewal["enrollments"] as? [[String: Any]])?.first?["previousCoverEnd"] as? String == "2024-12-31")
    }
  }

  @Test(arguments: kinds)
  func individualEnrollmentNeedsARegisteredPersonAndAProductThatAllowsIt(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let (_, workers) = try await demoUnit(test)
      _ = try await call(
        test, .PUT, "/api/v1/schemes/test", template: "/api/v1/schemes/{code}", body: TestSchemes.enrollmentYAML,
        headers: yamlHeaders(test), expect: 201)
      let path = "/api/v1/enrollments/individual"
      let template = path
      let unknownPerson = ResidentIDNumber.compose(
        region: "230702", birthDate: CalendarDate(year: 1990, month: 1, day: 1)!, sequence: 999, gender: .male)
      let missing = try await call(
        test, .POST, path, template: template,
        body: #"{"schemeCode":"test","productCode":"gig","idNumber":"\#(unknownPerson.value)"}"#, expect: 422)
      #expect(fieldCodes(missing) == ["unknown_person"])
      let invalid = try await call(
        test, .POST, path, template: template, body: #"{"schemeCode":"test","productCode":"gig","idNumber":"123"}"#,
        expect: 422)
      #expect(fieldCodes(invalid) == ["invalid_id_number"])
      let unitOnly = try await call(
        test, .POST, path, template: template,
        body: #"{"schemeCode":"test","productCode":"hospital","idNumber":"\#(workers[0].idNumber.value)"}"#,
        expect: 422)
      #expect(fieldCodes(unitOnly) == ["individual_not_allowed"])
      let plan = try await call(
        test, .POST, path, template: template,
        body: #"{"schemeCode":"test","productCode":"gig","idNumber":"\#(workers[0].idNumber.value)"}"#, expect: 201)
      let bill = try #require(plan["bill"] as? [String: Any])
      #expect(bill["totalDue"] as? String == "100.00")
      #expect(bill["unitId"] == nil)
    }
  }

  @Test(arguments: kinds)
  func rostersArePreviewedThenImportedWholeOrNotAtAll(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let (unit, workers) = try await demoUnit(test)
      let newcomer = ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1990, month: 5, day: 6)!, sequence: 31, gender: .female)
      let bad = "姓名,身份证号,手机号\n刘芳,\(newcomer.value),13800138000\n张三,410502199001010000,12345\n"
      let preview = "/api/v1/units/\(unit.id)/roster/preview"
      let checked = try await call(
        test, .POST, preview, template: "/api/v1/units/{id}/roster/preview", body: bad, expect: 200)
      #expect(checked["canCommit"] as? Bool == false)
      #expect(checked["rowCount"] as? Int == 2)
      #expect(checked["errorCount"] as? Int == 2)
      let refused = try await call(
        test, .POST, "/api/v1/units/\(unit.id)/roster", template: "/api/v1/units/{id}/roster", body: bad, expect: 422)
      #expect(Set(fieldCodes(refused)) == ["invalid_id", "invalid_phone"])
      #expect(try await FluentRegistryStore(database: test.app.db).worker(idNumber: newcomer) == nil)

      // A good file, with one of the unit's own workers again: one new, one updated.
      let good = "姓名,身份证号\n刘芳,\(newcomer.value)\n\(workers[0].name),\(workers[0].idNumber.value)\n"
      let imported = try await call(
        test, .POST, "/api/v1/units/\(unit.id)/roster", template: "/api/v1/units/{id}/roster", body: good, expect: 201)
      #expect(imported["created"] as? Int == 1)
      #expect(imported["updated"] as? Int == 1)
      let notASheet = try await call(
        test, .POST, preview, template: "/api/v1/units/{id}/roster/preview", body: "", expect: 422)
      #expect(fieldCodes(notASheet) == ["empty_body"])
    }
  }

  @Test(arguments: kinds)
  func unitDetailsHeadcountsOutreachAndPairings(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let (unit, workers) = try await demoUnit(test)
      let details = "/api/v1/units/\(unit.id)/details"
      let saved = try await call(
        test, .PUT, details, template: "/api/v1/units/{id}/details",
        body:
          #"{"address":"安阳市文峰区中华路1号","contactName":"王主席","contactPhone":"0372-5990000","bankName":"中国银行安阳分行","bankAccount":"2563 1234 5678 9012"}"#,
        expect: 200)
      #expect(saved["bankAccount"] as? String == "2563123456789012")
      let invalid = try await call(
        test, .PUT, details, template: "/api/v1/units/{id}/details", body: #"{"contactPhone":"call me"}"#, expect: 422)
      #expect(fieldCodes(invalid) == ["invalid_phone"])
      _ = try await call(test, .GET, details, template: "/api/v1/units/{id}/details", expect: 200)

      let headcounts = "/api/v1/units/\(unit.id)/headcounts"
      _ = try await call(
        test, .POST, headcounts, template: "/api/v1/units/{id}/headcounts",
        body: #"{"asOf":"2020-01-01","total":1250,"female":430}"#, expect: 201)
      // A count dated after today is refused here as on the page.
      let future = try await call(
        test, .POST, headcounts, template: "/api/v1/units/{id}/headcounts",
        body: #"{"asOf":"2099-01-01","total":1,"female":0}"#, expect: 422)
      #expect(fieldCodes(future) == ["future_date"])
      let counted = try await call(test, .GET, headcounts, template: "/api/v1/units/{id}/headcounts", expect: 200)
      #expect((counted["items"] as? [[String: Any]])?.count == 1)
      #expect((counted["items"] as? [[String: Any]])?.first?["total"] as? Int == 1250)

      let outreach = "/api/v1/units/\(unit.id)/outreach"
      let declined = try await call(
        test, .POST, outreach, template: "/api/v1/units/{id}/outreach",
        body: #"{"visitedOn":"2020-03-01","visitor":"李干事","outcome":"declined"}"#, expect: 422)
      #expect(fieldCodes(declined) == ["reason_required"])
      _ = try await call(
        test, .POST, outreach, template: "/api/v1/units/{id}/outreach",
        body: #"{"visitedOn":"2020-03-01","visitor":"李干事","outcome":"declined","declineReason":"cost"}"#,
        expect: 201)
      _ = try await call(test, .GET, outreach, template: "/api/v1/units/{id}/outreach", expect: 200)
      let summary = try await call(
        test, .GET, "/api/v1/outreach/summary", template: "/api/v1/outreach/summary", expect: 200)
      // Anyang's window counts Anyang's visit; Yichun's the two in the demo data.
      #expect(summary["unitsVisited"] as? Int == 1)
      let yichun = try await call(
        test, .GET, "/api/v1/outreach/summary", template: "/api/v1/outreach/summary",
        headers: test.headers("yc-window"), expect: 200)
      #expect(yichun["unitsVisited"] as? Int == 2)

      let organisation = try #require(
        try await FluentRegistryStore(database: test.app.db).organisations().first { $0.code == "HA-AY" })
      let pairing = try await call(
        test, .POST, "/api/v1/pairings", template: "/api/v1/pairings",
        body: """
          {"organisationId":"\(organisation.id)","cadreName":"周敏","workerId":"\(workers[1].id)",
           "hardshipLevel":"relative","startedOn":"2020-02-01","cadrePaysContribution":true}
          """, expect: 201)
      let pairingID = try #require(pairing["id"] as? String)
      #expect(pairing["payerName"] as? String == "周敏（包联干部）")
      _ = try await call(
        test, .GET, "/api/v1/pairings/\(pairingID)", template: "/api/v1/pairings/{id}", expect: 200)
      // Another city's window sees neither the pairing nor Anyang's part of the ledger.
      _ = try await call(
        test, .GET, "/api/v1/pairings/\(pairingID)", template: "/api/v1/pairings/{id}",
        headers: test.headers("yc-window"), expect: 404)
      _ = try await call(
        test, .GET, "/api/v1/pairings?organisationId=\(organisation.id)", template: "/api/v1/pairings",
        headers: test.headers("yc-window"), expect: 404)
      let visits = "/api/v1/pairings/\(pairingID)/visits"
      _ = try await call(
        test, .POST, visits, template: "/api/v1/pairings/{id}/visits",
        body: #"{"visitedOn":"2020-02-10","note":"入户走访，了解就医情况"}"#, expect: 201)
      let listed = try await call(test, .GET, visits, template: "/api/v1/pairings/{id}/visits", expect: 200)
      #expect((listed["items"] as? [Any])?.count == 1)
      let scoped = try await call(
        test, .GET, "/api/v1/pairings?organisationId=\(organisation.id)", template: "/api/v1/pairings", expect: 200)
      #expect((scoped["items"] as? [Any])?.count == 1)
      _ = try await call(
        test, .GET, "/api/v1/pairings?organisationId=x", template: "/api/v1/pairings", expect: 400)
    }
  }

  func fieldCodes(_ body: [String: Any]) -> [String] {
    ((body["error"] as? [String: Any])?["fields"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
  }

  func fieldPaths(_ body: [String: Any]) -> [String] {
    ((body["error"] as? [String: Any])?["fields"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
  }
}
