import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import Testing
import Vapor
import VaporTesting

/// The attacks issue 21 names, replayed: a unit officer taking over another province's worker
/// through a roster, dates typed by whoever benefits, and administrators of one federation
/// acting on another's accounts.
@Suite("Tenancy attacks")
struct TenancyAttackTests {
  static let kinds = TestDatabaseKind.available

  /// Ancai's officer uploads a roster row with a Yichun teacher's ID number and a new bank
  /// account. The preview says nothing of who or where she is; the import only asks; her
  /// phone and account stay hers until Yichun answers, and Ancai cannot answer for Yichun.
  @Test(arguments: kinds)
  func aRosterCannotTakeOverAnotherFederationsWorker(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let units = try await registry.units(in: nil, page: PageQuery(per: 200)).items
      let ancai = try #require(units.first { $0.name == "河南安彩高科股份有限公司" })
      let school = try #require(units.first { $0.name == "伊春市第一中学" })
      let teacher = try #require(try await registry.workers(in: school.id, page: PageQuery()).items.first)
      let roster = "姓名,身份证号,手机号,开户行,银行账号\n\(teacher.name),\(teacher.idNumber.value),13700000666,某银行,6200000000000666\n"
      var headers = test.headers("ancai")
      headers.contentType = HTTPMediaType(type: "text", subType: "csv")

      let preview = try await test.send(
        .POST, "/api/v1/units/\(ancai.id)/roster/preview", data: Data(roster.utf8), headers: headers)
      #expect(preview.status == .ok)
      for secret in [school.name, "伊春", teacher.id.description, "1390000", teacher.bankAccount ?? "-"] {
        #expect(!preview.text.contains(secret), "the preview shows \(secret)")
      }
      #expect(preview.text.contains("调入申请"))
      let imported = try await test.send(
        .POST, "/api/v1/units/\(ancai.id)/roster", data: Data(roster.utf8), headers: headers)
      #expect(imported.status == .created)
      #expect(try TestApp.object(imported)["requested"] as? Int == 1)
      let untouched = try #require(try await registry.worker(teacher.id))
      #expect(untouched.unitID == school.id)
      #expect(untouched.phone == teacher.phone && untouched.bankAccount == teacher.bankAccount)

      // Ancai sees its request, not where she is; it cannot confirm it for Yichun.
      let asked = try TestApp.object(try await test.get("/api/v1/transfers", headers: test.headers("ancai")))
      let request = try #require((asked["items"] as? [[String: Any]])?.first)
      #expect(request["workerId"] == nil || request["workerId"] is NSNull)
      #expect(request["decisions"] as? [String] == ["withdraw"])
      let requestID = try #require(request["id"] as? String)
      let forged = try await test.send(
        .POST, "/api/v1/transfers/\(requestID)/decision", body: #"{"decision":"confirm"}"#,
        headers: test.headers("ancai"))
      #expect(forged.status == .unprocessableEntity)
      // Another Anyang account outside Ancai sees nothing of it.
      let wenfeng = try TestApp.object(try await test.get("/api/v1/transfers", headers: test.headers("wf-window")))
      #expect(wenfeng["total"] as? Int == 0)

      // Yichun's window sees the request on its page and declines it: nothing changes.
      let yichun = try await test.signIn("yc-window")
      let page = try await test.get("/transfers", headers: yichun.cookie)
      #expect(page.text.contains("河南安彩高科股份有限公司"))
      #expect(page.text.lowercased().contains("decline-\(requestID.lowercased())"))
      let declined = try await test.send(
        .POST, "/transfers/\(requestID)",
        body: "_csrf=\(yichun.csrf)&decision=decline&note=%E6%9C%AA%E7%A6%BB%E8%81%8C",
        headers: yichun.form())
      #expect(declined.status == .seeOther)
      let after = try #require(try await registry.worker(teacher.id))
      #expect(after.unitID == school.id && after.bankAccount == teacher.bankAccount)
      let again = try await test.send(
        .POST, "/api/v1/transfers/\(requestID)/decision", body: #"{"decision":"confirm"}"#,
        headers: test.headers("yc-window"))
      #expect(again.status == .unprocessableEntity)
    }
  }

  /// The receipt date is the server's: a clerk cannot make a 2020 stay look claimed in time; a
  /// supervisor may record an earlier day only with a reason, which the audit log keeps.
  @Test func onlyASupervisorRecordsAnEarlierReceiptDateAndSaysWhy() async throws {
    try await withTestApp(.sqlite) { test in
      test.setToday(2026, 12, 3)
      func open(_ username: String, event: String) async throws -> TestingHTTPResponse {
        try await test.send(
          .POST, "/api/v1/claims",
          body: """
            {"schemeCode":"anyang","certificateNumber":"ANYANG-2019-000001",
             "intake":{"invoiceNumbers":["BD-\(UUID().uuidString.prefix(6))"],"event":{"admissionDate":"2020-03-02",
               "dischargeDate":"2020-03-12",\(event)
               "figures":{"in_scope_cost":"3000.00","pooled_fund_paid":"0.00","critical_illness_insurance_paid":"0.00"}}}}
            """, headers: test.headers(username))
      }
      func codes(_ response: TestingHTTPResponse) throws -> [String] {
        let error = try TestApp.object(response)["error"] as? [String: Any]
        return ((error?["fields"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
      }
      let clerk = try await open("ay-window", event: #""claimDate":"2020-03-20","#)
      #expect(clerk.status == .unprocessableEntity)
      #expect(try codes(clerk) == ["server_date"])
      // Left out, the claim is received today, and so past Anyang's deadline: nothing payable.
      let today = try await open("ay-window", event: "")
      #expect(today.status == .created)
      #expect(try TestApp.object(today)["calculatedTotal"] as? String == "0.00")
      let noReason = try await open("ay-window-lead", event: #""claimDate":"2020-03-20","#)
      #expect(try codes(noReason) == ["earlier_date_reason"])
      let future = try await open(
        "ay-window-lead", event: #""claimDate":"2026-12-24","claimDateReason":"x","#)
      #expect(try codes(future) == ["future_date"])
      let backdated = try await open(
        "ay-window-lead", event: #""claimDate":"2020-03-20","claimDateReason":"县窗口3月20日收件，今日补录","#)
      #expect(backdated.status == .created)
      #expect(try TestApp.object(backdated)["calculatedTotal"] as? String == "1300.00")
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(kind: .dataChange, actor: "ay-window-lead"), page: PageQuery())
      #expect(events.items.contains { $0.detail.contains("received on 2020-03-20: 县窗口3月20日收件") })

      // The window's page offers no date to a clerk, and refuses one typed in anyway.
      let worker = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001")
      ).enrollment.workerID
      let session = try await test.signIn("ay-window")
      let form = try await test.get("/claims/new?worker=\(worker)", headers: session.cookie)
      #expect(!form.text.contains(#"name="claimDate""#))
      #expect(form.text.contains("以系统当天为准"))

      // The same for an enrollment request on the unit's page: the clerk's typed date is
      // refused, the supervisor's stands with its reason.
      let bus = try #require(
        try await FluentRegistryStore(database: test.app.db).units(in: nil, matching: "安阳公交集团", page: PageQuery())
          .items.first)
      let enrollment =
        "product=anyang%7Canyang-hospital&periodStart=2024-01-01&requestDate=2023-12-20&everyone=on&employerKind=none"
      let refused = try await test.send(
        .POST, "/units/\(bus.id)/enroll", body: "_csrf=\(session.csrf)&\(enrollment)", headers: session.form())
      #expect(refused.status == .unprocessableEntity)
      #expect(refused.text.contains("申请日期由系统按办理当天"))
      let lead = try await test.signIn("ay-window-lead")
      let form2 = try await test.get("/units/\(bus.id)/enroll", headers: lead.cookie)
      #expect(form2.text.contains(#"name="requestDateReason""#))
      let enrolled = try await test.send(
        .POST, "/units/\(bus.id)/enroll",
        body: "_csrf=\(lead.csrf)&\(enrollment)&requestDateReason=%E5%8E%BF%E7%AA%97%E5%8F%A3%E6%94%B6%E4%BB%B6",
        headers: lead.form())
      #expect(enrolled.status == .seeOther, "\(enrolled.text)")
      let requested = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(kind: .dataChange, actor: "ay-window-lead"), page: PageQuery())
      #expect(requested.items.contains { $0.detail.contains("requested on 2023-12-20: 县窗口收件") })
    }
  }

  /// Each federation's own security administrator sees and unlocks its accounts; the other's
  /// sees none of them and unlocks none.
  @Test func eachFederationsAdministratorsActOnItsOwnAccountsOnly() async throws {
    try await withTestApp(.sqlite) { test in
      try await test.lockAccount("ay-window")
      let account = try #require(try await FluentAccountStore(database: test.app.db).account(username: "ay-window"))
      #expect(account.login.isLocked(at: Date()))

      let harbin = try await test.signIn("security")
      let theirs = try await test.get("/accounts", headers: harbin.cookie)
      #expect(!theirs.text.contains("ay-window"))
      let refused = try await test.send(
        .POST, "/accounts/\(account.id)/unlock", body: "_csrf=\(harbin.csrf)", headers: harbin.form())
      #expect(refused.status == .notFound)

      let anyang = try await test.signIn("ay-security")
      let ours = try await test.get("/accounts", headers: anyang.cookie)
      #expect(ours.text.contains("ay-window"))
      #expect(!ours.text.contains("yc-window"))
      let unlocked = try await test.send(
        .POST, "/accounts/\(account.id)/unlock", body: "_csrf=\(anyang.csrf)", headers: anyang.form())
      #expect(unlocked.status == .seeOther)
      _ = try await test.signIn("ay-window")
    }
  }
}
