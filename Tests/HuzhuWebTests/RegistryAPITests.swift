import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

@Suite("Registry API")
struct RegistryAPITests {
  static let kinds = TestDatabaseKind.available

  @Test(arguments: kinds)
  func listsOrganisationsWithUnitCounts(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let response = try await test.get("/api/v1/organisations", headers: test.headers("ay-leader"))
      #expect(response.status == .ok)
      let items = try #require(try TestApp.object(response)["items"] as? [[String: Any]])
      // The Anyang tree only: the city federation, its organs' union and six counties.
      #expect(items.count == 8)
      let anyang = try #require(items.first { $0["code"] as? String == "HA-AY" })
      #expect(anyang["name"] as? String == "安阳市总工会")
      #expect(anyang["unitCount"] as? Int == 3)
      #expect((anyang["kindLabel"] as? [String: String])?["zh"] == "市总工会")
    }
  }

  @Test(arguments: kinds)
  func pagesAndFiltersUnitsBySubtree(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let organisations = try await FluentRegistryStore(database: test.app.db).organisations()
      let anyang = try #require(organisations.first { $0.code == "HA-AY" })
      let leader = test.headers("ay-leader")
      let firstPage = try TestApp.object(
        try await test.get("/api/v1/units?organisationId=\(anyang.id)&per=3", headers: leader))
      #expect(firstPage["total"] as? Int == 4)
      #expect(firstPage["pageCount"] as? Int == 2)
      #expect((firstPage["items"] as? [Any])?.count == 3)
      let secondPage = try TestApp.object(
        try await test.get("/api/v1/units?organisationId=\(anyang.id)&per=3&page=2", headers: leader))
      #expect((secondPage["items"] as? [Any])?.count == 1)
      // Without a filter: every unit the account may see, which is Anyang's four.
      let all = try TestApp.object(try await test.get("/api/v1/units", headers: leader))
      #expect(all["total"] as? Int == 4)
      // Another province's subtree named explicitly yields nothing, not its units.
      let harbin = try #require(organisations.first { $0.code == "HLJ" })
      let foreign = try TestApp.object(try await test.get("/api/v1/units?organisationId=\(harbin.id)", headers: leader))
      #expect(foreign["total"] as? Int == 0)
    }
  }

  @Test func badQueryParametersAreNamed() async throws {
    try await withTestApp(.sqlite) { test in
      let page = try await test.get("/api/v1/units?page=two", headers: test.clerkHeaders)
      #expect(page.status == .badRequest)
      let fields = try #require((try TestApp.object(page)["error"] as? [String: Any])?["fields"] as? [[String: Any]])
      #expect(fields.first?["field"] as? String == "page")
      let organisation = try await test.get("/api/v1/units?organisationId=HA-AY", headers: test.clerkHeaders)
      #expect(organisation.status == .badRequest)
      #expect(organisation.text.contains("organisationId"))
    }
  }

  @Test(arguments: kinds)
  func workerListsMaskIDNumbers(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let demo = DemoData.standard()
      let store = FluentRegistryStore(database: test.app.db)
      let unit = try #require(try await store.units(in: nil, page: PageQuery()).items.first { $0.name == "安阳公交集团" })
      let response = try await test.get("/api/v1/units/\(unit.id)/workers", headers: test.clerkHeaders)
      #expect(response.status == .ok)
      let items = try #require(try TestApp.object(response)["items"] as? [[String: Any]])
      #expect(items.count == 3)
      for item in items {
        let masked = try #require(item["idNumberMasked"] as? String)
        #expect(masked.contains("********"))
      }
      for (worker, _) in demo.workers {
        #expect(!response.text.contains(worker.idNumber.value))
      }
      #expect(try await test.get("/api/v1/units/\(UUID())/workers", headers: test.clerkHeaders).status == .notFound)
    }
  }

  @Test func unknownAPIRoutesAnswerJSON404() async throws {
    try await withTestApp(.sqlite) { test in
      for path in ["/api/v1/nothing", "/api/v1/organisations/\(UUID())", "/api/v1/units/not-a-uuid"] {
        let response = try await test.get(path, headers: test.clerkHeaders)
        #expect(response.status == .notFound, "\(path)")
        #expect(response.headers.contentType == .json, "\(path)")
        let error = try #require(try TestApp.object(response)["error"] as? [String: Any])
        #expect(error["code"] as? String == "not_found")
        #expect((error["message"] as? [String: String])?["zh"] == "找不到请求的资源")
      }
    }
  }

  @Test func writesNeedValidCredentials() async throws {
    try await withTestApp(.sqlite) { test in
      var headers = HTTPHeaders()
      headers.contentType = .json
      let body = #"{"kind":"county_union","code":"X1","name":"测试"}"#
      let anonymous = try await test.post("/api/v1/organisations", json: body, headers: headers)
      #expect(anonymous.status == .unauthorized)
      #expect(anonymous.headers.first(name: .wwwAuthenticate)?.hasPrefix("Basic") == true)
      #expect(try TestApp.object(anonymous)["requestId"] as? String != nil)
      headers.basicAuthorization = BasicAuthorization(username: "admin", password: "wrong")
      #expect(try await test.post("/api/v1/organisations", json: body, headers: headers).status == .unauthorized)
    }
  }

  @Test func malformedBodiesAreRejectedNamingTheField() async throws {
    try await withTestApp(.sqlite) { test in
      /// "status code field" of the error the body gets.
      func errorOf(_ json: String) async throws -> String {
        let response = try await test.post("/api/v1/organisations", json: json, headers: test.headers("admin"))
        let error = try TestApp.object(response)["error"] as? [String: Any]
        let field = (error?["fields"] as? [[String: Any]])?.first?["field"] as? String
        return "\(response.status.code) \(error?["code"] as? String ?? "-") \(field ?? "-")"
      }
      let malformed = try await errorOf(#"{"kind": "#)
      #expect(malformed == "400 malformed_json ")
      let missing = try await errorOf(#"{"kind":"county_union","code":"X1"}"#)
      #expect(missing == "400 invalid_body name")
      let wrongType = try await errorOf(#"{"kind":"county_union","code":7,"name":"n"}"#)
      #expect(wrongType == "400 invalid_body code")
      let unknownKind = try await errorOf(#"{"kind":"galaxy","code":"X1","name":"n"}"#)
      #expect(unknownKind == "400 invalid_body kind")
      let invalid = try await errorOf(#"{"kind":"county_union","code":"x y","name":""}"#)
      #expect(invalid.hasPrefix("422 validation_failed"))
    }
  }

  @Test(arguments: kinds)
  func createsOrganisationsAndUnits(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let organisations = try await FluentRegistryStore(database: test.app.db).organisations()
      let yichun = try #require(organisations.first { $0.code == "HLJ-YC" })
      let created = try await test.post(
        "/api/v1/organisations",
        json: #"{"parentId":"\#(yichun.id)","kind":"county_union","code":"HLJ-YC-NC","name":"南岔县总工会"}"#,
        headers: test.headers("admin"))
      #expect(created.status == .created)
      let location = try #require(created.headers.first(name: .location))
      let fetched = try TestApp.object(try await test.get(location, headers: test.headers("admin")))
      #expect(fetched["name"] as? String == "南岔县总工会")
      #expect(
        fetched["parentId"] as? String == yichun.id.description.uppercased()
          || fetched["parentId"] as? String == yichun.id.description)

      let duplicate = try await test.post(
        "/api/v1/organisations",
        json: #"{"parentId":"\#(yichun.id)","kind":"county_union","code":"hlj-yc-nc","name":"重复"}"#,
        headers: test.headers("admin"))
      #expect(duplicate.status == .unprocessableEntity)
      let fields = (try TestApp.object(duplicate)["error"] as? [String: Any])?["fields"] as? [[String: Any]]
      #expect(fields?.map { $0["code"] as? String } == ["duplicate_code"])

      let newID = try #require(fetched["id"] as? String)
      let unit = try await test.post(
        "/api/v1/units",
        json:
          #"{"organisationId":"\#(newID)","name":"南岔林业局","sector":"state_enterprise","creditCode":"91230700MA1B2C3D48"}"#,
        headers: test.headers("yc-window"))
      #expect(unit.status == .created)
      let units = try TestApp.object(
        try await test.get("/api/v1/units?organisationId=\(yichun.id)&per=200", headers: test.headers("yc-window")))
      #expect((units["items"] as? [[String: Any]])?.contains { $0["name"] as? String == "南岔林业局" } == true)
    }
  }
}
