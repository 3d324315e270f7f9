import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import HuzhuTestSupport
import Testing
import Vapor
import VaporTesting

/// What the audit log keeps besides sign-ins: each changed field of a person before and after
/// (personal numbers masked), and the audit administrator's export, which holds their own
/// federation's entries only and is itself logged.
@Suite("Audit trail")
struct AuditTrailTests {
  static func events(_ test: TestApp) async throws -> [AuditEvent] {
    try await FluentAuditStore(database: test.app.db).events(
      AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
    )
    .items
  }

  @Test(arguments: TestDatabaseKind.available)
  func aRosterChangeIsLoggedFieldByFieldWithNumbersMasked(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let bus = try #require(
        try await registry.units(in: nil, page: PageQuery(per: 200)).items.first { $0.name == "安阳公交集团" })
      let worker = try #require(try await registry.workers(in: bus.id, page: PageQuery(per: 5)).items.first)
      var csv = test.headers("ay-window")
      csv.contentType = HTTPMediaType(type: "text", subType: "csv")
      let roster = "姓名,身份证号,手机号\n\(worker.name),\(worker.idNumber.value),13912345678\n"
      let response = try await test.send(.POST, "/api/v1/units/\(bus.id)/roster", body: roster, headers: csv)
      #expect(response.status == .created, "\(response.text)")

      let events = try await Self.events(test)
      let change = try #require(events.first { $0.subject == "worker:\(worker.id)" && $0.kind == .dataChange })
      #expect(change.actor == "ay-window")
      #expect(change.detail.contains("phone: "), "\(change.detail)")
      #expect(change.detail.contains("→ ••••5678"), "\(change.detail)")
      #expect(!change.detail.contains("13912345678"))
      #expect(!change.detail.contains(worker.idNumber.value))
      #expect(events.contains { $0.subject == "unit:\(bus.id)" && $0.detail.contains("1 updated") })

      // The same roster again changes nothing, and says so with no person's line.
      let again = try await test.send(.POST, "/api/v1/units/\(bus.id)/roster", body: roster, headers: csv)
      #expect(again.status == .created)
      let after = try await Self.events(test)
      #expect(after.filter { $0.subject == "worker:\(worker.id)" }.count == 1)
      #expect(try await AuditChainCheck(test.app.services()).verify().intact)
    }
  }

  @Test func theExportHoldsTheAuditorsFederationOnlyAndIsLogged() async throws {
    try await withTestApp(.sqlite) { test in
      // Entries on both sides: a claim page each, a failed sign-in with a name nobody has.
      _ = try await test.get("/workers?q=王", headers: test.headers("ay-window"))
      _ = try await test.get("/workers?q=王", headers: test.headers("yc-window"))
      _ = try await test.send(
        .POST, "/api/v1/claims", body: "{}", headers: test.headers("ay-window"))

      let anyang = try await test.get("/audit/export?format=csv", headers: test.headers("ay-auditor"))
      #expect(anyang.status == .ok)
      #expect(anyang.headers.contentType?.description.hasPrefix("text/csv") == true)
      #expect(anyang.headers.first(name: .contentDisposition)?.contains("huzhu-audit-") == true)
      #expect(anyang.text.contains("时间,类型,账号,对象,说明,地址"))
      let harbin = try await test.get("/audit/export?format=csv", headers: test.headers("auditor"))
      #expect(harbin.status == .ok)
      for line in harbin.text.split(separator: "\r\n").dropFirst() {
        #expect(!line.contains(",ay-"), "Harbin's export holds \(line)")
        #expect(!line.contains("安阳"), "Harbin's export holds \(line)")
      }
      let excel = try await test.get("/audit/export?format=xlsx&kind=export", headers: test.headers("ay-auditor"))
      let sheet = try SheetReader.read(Data(excel.body.readableBytesView))
      #expect(sheet.textRows.first?.first == "时间")
      #expect(sheet.textRows.dropFirst().allSatisfy { $0[1] == "导出" })
      #expect(sheet.textRows.count >= 2)  // the CSV export before it

      let exports = try await Self.events(test).filter { $0.kind == .export && $0.subject.hasPrefix("audit_log.") }
      #expect(Set(exports.map(\.actor)) == ["ay-auditor", "auditor"])
      #expect(exports.contains { $0.detail.contains("kind=export") })
      // Only audit administrators export the log.
      let refused = try await test.get("/audit/export?format=csv", headers: test.headers("ay-admin"))
      #expect(refused.status == .forbidden)
      // Days are the filter's too: nothing is dated in 2099.
      let future = try await test.get("/audit?from=2099-01-01&to=2099-12-31", headers: test.headers("ay-auditor"))
      #expect(future.text.contains("共 0 条"))
      #expect(future.text.contains(#"value="2099-01-01""#))
    }
  }
}
