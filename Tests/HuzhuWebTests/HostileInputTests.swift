import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import Testing
import Vapor
import VaporTesting

/// Single requests that used to stop the server (Swift traps on integer overflow): each now
/// answers with a clear refusal, and the server answers the next request.
@Suite("Hostile input")
struct HostileInputTests {
  @Test func numbersPastTheirRangeAreRefusedNotTrapped() async throws {
    try await withTestApp(.sqlite) { test in
      let clerk = test.headers("ay-window")
      // The last page the API takes: an empty page, not an overflowing offset.
      for path in ["/api/v1/claims?page=10000000", "/api/v1/units?page=10000000&per=200"] {
        let response = try await test.get(path, headers: clerk)
        #expect(response.status == .ok, "\(path)")
        #expect((try TestApp.object(response)["items"] as? [Any])?.isEmpty == true)
      }
      // Past the document's ranges: refused by name (the API never quietly changes a number).
      for (path, field) in [
        ("/api/v1/claims?page=9223372036854775807", "page"), ("/api/v1/units?per=201", "per"),
        ("/api/v1/units?page=0", "page"), ("/api/v1/transfers?per=-1", "per"),
      ] {
        let response = try await test.get(path, headers: clerk)
        #expect(response.status == .badRequest, "\(path)")
        #expect(response.text.contains("out_of_range") && response.text.contains(field), "\(path): \(response.text)")
      }
      // A body whose document allows no other fields: a misspelt one is named, not dropped.
      let unit = try #require(
        try await FluentRegistryStore(database: test.app.db).units(in: nil, page: PageQuery(per: 5)).items.first)
      let details = try await test.send(
        .PUT, "/api/v1/units/\(unit.id)/details", body: #"{"adress":"文峰大道1号"}"#, headers: clerk)
      #expect(details.status == .unprocessableEntity)
      #expect(details.text.contains("unknown_field") && details.text.contains("adress"))
      let session = try await test.signIn("ay-window")
      #expect(try await test.get("/claims?page=9223372036854775807", headers: session.cookie).status == .ok)
      #expect(
        try await test.get("/payments?page=9223372036854775807", headers: test.headers("ay-finance")).status
          != .internalServerError)

      // An amount of twenty digits: the JSON is refused as a bad amount.
      let claim = try await test.send(
        .POST, "/api/v1/claims",
        body: """
          {"schemeCode":"anyang","certificateNumber":"ANYANG-2019-000001",
           "intake":{"invoiceNumbers":[],"event":{"admissionDate":"2020-03-02",
             "figures":{"in_scope_cost":"99999999999999999999.00"}}}}
          """, headers: clerk)
      #expect(claim.status == .badRequest)

      // The same typed into a form: a field error next to the figure.
      let worker = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001")
      ).enrollment.workerID
      let form = TestApp.multipart(
        [
          ("_csrf", session.csrf), ("schemeCode", "anyang"), ("admissionDate", "2020-03-02"),
          ("figure_in_scope_cost", "99999999999999999999.00"),
        ], files: [])
      var headers = session.cookie
      headers.replaceOrAdd(name: .contentType, value: form.contentType)
      let typed = try await test.send(.POST, "/claims/new?worker=\(worker)", body: form.body, headers: headers)
      #expect(typed.status == .unprocessableEntity)
      #expect(typed.text.contains("金额应为元"))

      // A roster whose cell reference overflows the column number.
      let units = try await FluentRegistryStore(database: test.app.db).units(in: nil, page: PageQuery(per: 200)).items
      let bus = try #require(units.first { $0.name == "安阳公交集团" })
      let sheet =
        #"<worksheet><sheetData><row r="1"><c r="AAAAAAAAAAAAAAAA1" t="inlineStr"><is><t>姓名</t></is></c></row></sheetData></worksheet>"#
      var xlsx = test.headers("ay-window")
      xlsx.contentType = HTTPMediaType(type: "application", subType: "octet-stream")
      let roster = try await test.send(
        .POST, "/api/v1/units/\(bus.id)/roster/preview", data: try HandMadeXLSX.workbook(sheet: sheet), headers: xlsx)
      #expect(roster.status == .unprocessableEntity)

      // Still serving.
      #expect(try await test.get("/healthz").status == .ok)
    }
  }
}
