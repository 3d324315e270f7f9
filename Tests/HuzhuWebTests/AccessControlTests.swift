import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// Who may do what, and see what: sign-in, sessions, CSRF, roles, scope, personal data and
/// the audit log, tried through HTTP as a user (or an intruder) would.
@Suite("Access control over HTTP")
struct AccessControlTests {
  static let kinds = TestDatabaseKind.available

  /// Five wrong passwords from one desk hold that desk back from the account (the lock of the
  /// account itself takes twenty from anywhere: `SignInThrottleTests`).
  @Test func signInIsHeldBackAfterRepeatedFailuresAndEveryAttemptIsAudited() async throws {
    try await withTestApp(.sqlite) { test in
      for attempt in 1...4 {
        let session = try? await test.signIn("ay-window", password: "Wrong-Password-\(attempt)")
        #expect(session == nil)
      }
      // The page says why, and keeps what was typed (the username), never the password.
      let form = try await test.get("/login")
      let cookie = try #require(form.headers.setCookie?["huzhu_session"]?.string)
      let token = try #require(TestApp.csrfToken(in: form.text))
      var headers = HTTPHeaders()
      headers.cookie = ["huzhu_session": .init(string: cookie)]
      headers.contentType = .urlEncodedForm
      let fifth = try await test.send(
        .POST, "/login", body: "_csrf=\(token)&username=ay-window&password=Wrong-5", headers: headers)
      #expect(fifth.status == .unauthorized)
      #expect(fifth.text.contains("密码错误次数过多，请 15 分钟后再试"))
      #expect(fifth.text.contains(#"value="ay-window""#))
      #expect(!fifth.text.contains("Wrong-5"))
      // Held back: even the right password is refused from here now.
      let right = try? await test.signIn("ay-window")
      #expect(right == nil)
      // Other accounts are not affected.
      _ = try await test.signIn("ay-reviewer")

      // Anyang's audit administrator reads Anyang's sign-ins; the Harbin office's reads none.
      let harbin = try await test.signIn("auditor")
      let elsewhere = try await test.get("/audit?kind=login_failed", headers: harbin.cookie)
      #expect(elsewhere.status == .ok)
      #expect(!elsewhere.text.contains("ay-window"))
      let auditor = try await test.signIn("ay-auditor")
      let log = try await test.get("/audit?kind=login_failed", headers: auditor.cookie)
      #expect(log.status == .ok)
      #expect(log.text.contains("共 6 条"))
      // In Chinese: the subject's kind and the reason, not the stored English.
      #expect(log.text.contains("<td>账号 ay-window</td>") && log.text.contains("<td>密码错误</td>"))
      #expect(!log.text.contains("wrong password") && !log.text.contains("account:ay-window"))
      let english = try await test.get("/audit?kind=login_failed&lang=en", headers: auditor.cookie)
      #expect(english.text.contains("wrong password"))
      let locked = try await test.get("/audit?kind=account_locked", headers: auditor.cookie)
      #expect(locked.text.contains("ay-window"))
      let logins = try await test.get("/audit?kind=login", headers: auditor.cookie)
      #expect(logins.text.contains("ay-reviewer"))
      #expect(logins.text.contains("ay-auditor"))
    }
  }

  @Test func sessionsRotateOnSignInAndEndOnSignOut() async throws {
    try await withTestApp(.sqlite) { test in
      let form = try await test.get("/login")
      let before = try #require(form.headers.setCookie?["huzhu_session"])
      #expect(before.isHTTPOnly)
      #expect(before.sameSite == .strict)
      let session = try await test.signIn("ay-window")
      let after = try #require(session.cookie.cookie?["huzhu_session"]?.string)
      #expect(after != before.string)
      // The cookie planted before sign-in is worth nothing after it (session fixation).
      var planted = HTTPHeaders()
      planted.cookie = ["huzhu_session": .init(string: before.string)]
      #expect(try await test.get("/workers", headers: planted).status == .seeOther)
      #expect(try await test.get("/workers", headers: session.cookie).status == .ok)
      var headers = session.form()
      let out = try await test.send(.POST, "/logout", body: "_csrf=\(session.csrf)", headers: headers)
      #expect(out.status == .seeOther)
      headers = session.cookie
      let afterwards = try await test.get("/workers", headers: headers)
      #expect(afterwards.status == .seeOther)
      #expect(afterwards.headers.first(name: .location) == "/login?next=/workers")
    }
  }

  @Test func formsWithoutTheSessionsTokenAreRefused() async throws {
    try await withTestApp(.sqlite) { test in
      let session = try await test.signIn("ay-finance")
      let withoutToken = try await test.send(.POST, "/payments", body: "scheme=anyang", headers: session.form())
      #expect(withoutToken.status == .forbidden)
      let wrongToken = try await test.send(
        .POST, "/payments", body: "scheme=anyang&_csrf=forged", headers: session.form())
      #expect(wrongToken.status == .forbidden)
      // With the token the request reaches the handler (nothing approved yet: a clear refusal).
      let withToken = try await test.send(
        .POST, "/payments", body: "scheme=anyang&_csrf=\(session.csrf)", headers: session.form())
      #expect(withToken.status == .unprocessableEntity)
      #expect(withToken.text.contains("没有可支付"))
      // JSON from a page's script carries the token in a header.
      var json = session.cookie
      json.contentType = .json
      let api = try await test.send(.POST, "/api/v1/payment-batches", body: #"{"schemeCode":"anyang"}"#, headers: json)
      #expect(api.status == .forbidden)
      json.add(name: "X-CSRF-Token", value: session.csrf)
      #expect(
        try await test.send(.POST, "/api/v1/payment-batches", body: #"{"schemeCode":"anyang"}"#, headers: json)
          .status == .unprocessableEntity)
      // Basic-authenticated writes never take a body type a cross-site form could send.
      var basic = test.headers("ay-finance")
      basic.contentType = .urlEncodedForm
      #expect(
        try await test.send(.POST, "/api/v1/payment-batches", body: "schemeCode=anyang", headers: basic)
          .status == .forbidden)
    }
  }

  /// Every role tries something it may not do.
  /// Every route that names a permission, tried by every job's demo account that lacks it
  /// (403, whatever the address or body), and by nobody at all (sign in first).
  @Test func everyRouteRefusesEveryRoleThatLacksItsPermission() async throws {
    try await withTestApp(.sqlite) { test in
      let guarded = test.app.routes.all.compactMap { route -> (Route, RoutePermissions)? in
        (route.userInfo[RoutePermissions.key] as? RoutePermissions).map { (route, $0) }
      }
      #expect(guarded.count > 80)
      func path(_ route: Route) -> String {
        "/"
          + route.path.map { component in
            if case .parameter = component { return UUID().uuidString }
            return component.description
          }.joined(separator: "/")
      }
      func call(_ route: Route, _ headers: HTTPHeaders) async throws -> TestingHTTPResponse {
        route.method == .GET
          ? try await test.get(path(route), headers: headers)
          : try await test.send(route.method, path(route), body: "{}", headers: headers)
      }
      let accounts = FluentAccountStore(database: test.app.db)
      var tried = 0
      for username in [
        "ay-window", "ay-reviewer", "ay-approver", "ay-finance", "ay-leader", "ay-scheme", "ancai", "yc-cadre",
        "hlj-approver", "admin", "security", "auditor",
      ] {
        let account = try #require(try await accounts.account(username: username))
        for (route, required) in guarded where required.anyOf.isDisjoint(with: account.permissions) {
          let response = try await call(route, test.headers(username))
          #expect(response.status == .forbidden, "\(username) \(route.method) \(path(route)): \(response.status)")
          tried += 1
        }
      }
      #expect(tried > 300)
      var anonymous = HTTPHeaders()
      anonymous.contentType = .json
      for (route, _) in guarded {
        let response = try await call(route, anonymous)
        #expect(
          response.status == .unauthorized
            || (response.status == .seeOther && response.headers.first(name: .location)?.hasPrefix("/login") == true),
          "nobody \(route.method) \(path(route)): \(response.status)")
      }
    }
  }

  @Test func everyRoleIsRefusedWhatItMayNotDo() async throws {
    try await withTestApp(.sqlite) { test in
      let refusals: [(String, HTTPMethod, String, String)] = [
        (
          "ay-leader", .POST, "/api/v1/claims",
          #"{"schemeCode":"anyang","certificateNumber":"ANYANG-2019-000001","intake":{"event":{"claimDate":"2020-03-01"}}}"#
        ),
        ("ay-reviewer", .POST, "/api/v1/payment-batches", #"{"schemeCode":"anyang"}"#),
        (
          "ay-finance", .PUT, "/api/v1/holidays/2027",
          #"{"year":2027,"coverageStart":"2027-01-01","daysOff":[],"workingWeekendDays":[],"source":"x"}"#
        ),
        ("ay-window", .GET, "/api/v1/funds/balances", ""),
        ("ay-approver", .POST, "/api/v1/units", #"{"organisationId":"\#(UUID())","name":"x","sector":"government"}"#),
        ("admin", .GET, "/api/v1/claims", ""),
        ("admin", .GET, "/api/v1/units", ""),
        ("security", .GET, "/api/v1/units", ""),
        ("auditor", .GET, "/api/v1/claims", ""),
        ("yc-cadre", .GET, "/api/v1/claims", ""),
        ("ancai", .GET, "/api/v1/funds/balances", ""),
        ("hlj-leader", .POST, "/api/v1/pairings", "{}"),
      ]
      for (username, method, path, body) in refusals {
        let response =
          method == .GET
          ? try await test.get(path, headers: test.headers(username))
          : try await test.send(method, path, body: body, headers: test.headers(username))
        #expect(response.status == .forbidden, "\(username) \(method) \(path): \(response.status)")
      }
      let pages: [(String, String)] = [
        ("ay-window", "/audit"), ("ay-leader", "/claims/new?worker=\(UUID())"), ("ay-reviewer", "/payments"),
        ("auditor", "/workers"), ("admin", "/claims"), ("yc-cadre", "/funds"),
      ]
      for (username, path) in pages {
        let session = try await test.signIn(username)
        #expect(try await test.get(path, headers: session.cookie).status == .forbidden, "\(username) \(path)")
      }
    }
  }

  @Test(arguments: kinds)
  func nobodySeesOutsideTheirOrganisationOrUnit(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let units = try await registry.units(in: nil, page: PageQuery(per: 200)).items
      let ancai = try #require(units.first { $0.name == "河南安彩高科股份有限公司" })
      let tobacco = try #require(units.first { $0.name == "河南中烟工业有限责任公司安阳卷烟厂" })
      let forestry = try #require(units.first { $0.name == "伊春森林工业集团有限责任公司" })
      test.setToday(2020, 3, 20)
      // The Anyang window opens a claim for an Ancai worker.
      let opened = try await test.send(
        .POST, "/api/v1/claims",
        body: """
          {"schemeCode":"anyang","certificateNumber":"ANYANG-2019-000001",
           "intake":{"invoiceNumbers":["AC-1"],"event":{"admissionDate":"2020-03-02","dischargeDate":"2020-03-12","claimDate":"2020-03-20",
             "figures":{"in_scope_cost":"3000.00","pooled_fund_paid":"0.00","critical_illness_insurance_paid":"0.00"}}}}
          """, headers: test.clerkHeaders)
      #expect(opened.status == .created)
      let claimID = try #require(try TestApp.object(opened)["id"] as? String)

      // Yichun's window, Wenfeng district's window and the tobacco factory's officer don't see it.
      for username in ["yc-window", "wf-window"] {
        let headers = test.headers(username)
        #expect(try await test.get("/api/v1/claims/\(claimID)", headers: headers).status == .notFound, "\(username)")
        #expect(
          try await test.send(
            .POST, "/api/v1/claims/\(claimID)/actions", body: #"{"action":"submit"}"#, headers: headers
          )
          .status == .notFound, "\(username)")
        #expect(try await test.get("/api/v1/units/\(ancai.id)", headers: headers).status == .notFound, "\(username)")
        #expect(try await test.get("/api/v1/units/\(ancai.id)/bills", headers: headers).status == .notFound)
      }
      #expect(try await test.get("/api/v1/units/\(forestry.id)", headers: test.headers("yc-window")).status == .ok)
      // Ancai's own union officer sees their unit and its claim, and nothing of the factory next door.
      let officer = test.headers("ancai")
      #expect(try await test.get("/api/v1/claims/\(claimID)", headers: officer).status == .ok)
      #expect(try await test.get("/api/v1/units/\(ancai.id)", headers: officer).status == .ok)
      #expect(try await test.get("/api/v1/units/\(tobacco.id)", headers: officer).status == .notFound)
      let listed = try TestApp.object(try await test.get("/api/v1/units", headers: officer))
      #expect(listed["total"] as? Int == 1)
      // Searching by name finds only people in scope.
      let session = try await test.signIn("yc-window")
      let search = try await test.get("/workers?q=%E7%8E%8B", headers: session.cookie)
      #expect(search.status == .ok)
      let anyangWorkers = try await registry.workers(in: ancai.id, page: PageQuery()).items
      for worker in anyangWorkers { #expect(!search.text.contains(worker.id.description)) }
    }
  }

  @Test func eachAreaReadsOnlyTheFundsItRunsOrCollectsFor() async throws {
    try await withTestApp(.sqlite) { test in
      func schemes(_ username: String) async throws -> [String] {
        let body = try TestApp.object(try await test.get("/api/v1/funds/balances", headers: test.headers(username)))
        return ((body["items"] as? [[String: Any]]) ?? []).compactMap { $0["schemeCode"] as? String }
      }
      #expect(try await schemes("ay-finance") == ["anyang"])
      #expect(try await schemes("hlj-finance") == ["hlj-yichun"])
      // The Yichun agency reads the provincial pool it collects for.
      #expect(try await schemes("yc-approver") == ["hlj-yichun"])
      #expect(
        try await test.get("/api/v1/funds/hlj-yichun/entries", headers: test.headers("ay-finance")).status == .notFound)
      let page = try await test.signIn("ay-leader")
      #expect(!(try await test.get("/funds", headers: page.cookie).text.contains("伊春")))
    }
  }

  @Test func personalDataIsMaskedUntilRevealedAndEveryRevealIsAudited() async throws {
    try await withTestApp(.sqlite) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let ancai = try #require(
        try await registry.units(in: nil, page: PageQuery(per: 200)).items.first { $0.name == "河南安彩高科股份有限公司" })
      let worker = try #require(try await registry.workers(in: ancai.id, page: PageQuery()).items.first)
      let clerk = try await test.signIn("ay-window")
      let page = try await test.get("/workers/\(worker.id)", headers: clerk.cookie)
      #expect(page.status == .ok)
      #expect(page.text.contains(worker.idNumber.masked))
      #expect(!page.text.contains(worker.idNumber.value))
      #expect(!page.text.contains(worker.phone!))
      let revealed = try await test.get("/workers/\(worker.id)?reveal=1", headers: clerk.cookie)
      #expect(revealed.text.contains(worker.idNumber.value))
      #expect(revealed.text.contains(worker.phone!))
      // A leader reads figures, not people's ID numbers.
      let leader = try await test.signIn("ay-leader")
      #expect(try await test.get("/workers/\(worker.id)?reveal=1", headers: leader.cookie).status == .forbidden)
      let leaderPage = try await test.get("/workers/\(worker.id)", headers: leader.cookie).text
      #expect(!leaderPage.contains("reveal=1"))

      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(kind: .personalDataView), page: PageQuery())
      #expect(events.items.map(\.actor) == ["ay-window"])
      #expect(events.items.first?.subject == "worker:\(worker.id)")
    }
  }

  @Test func changesThroughTheAPIAreAudited() async throws {
    try await withTestApp(.sqlite) { test in
      let response = try await test.send(
        .PUT, "/api/v1/holidays/2027",
        body:
          #"{"year":2027,"coverageStart":"2027-01-01","daysOff":["2027-01-01"],"workingWeekendDays":[],"source":"通知"}"#,
        headers: test.headers("ay-scheme"))
      #expect(response.status == .ok)
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(kind: .dataChange), page: PageQuery())
      #expect(events.items.map(\.subject) == ["PUT /api/v1/holidays/:year"])
      #expect(events.items.first?.actor == "ay-scheme")
    }
  }
}

/// The worker portal and the window's unit pages, through HTTP.
@Suite("Worker portal and unit pages")
struct PortalAndUnitPagesTests {
  @Test func aWorkerSignsInWithACodeAndFollowsOnlyTheirOwnClaims() async throws {
    try await withTestApp(.sqlite) { test in
      let certificate = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001"))
      let registry = FluentRegistryStore(database: test.app.db)
      let worker = try #require(try await registry.worker(certificate.enrollment.workerID))
      test.setToday(2020, 3, 20)
      let opened = try await test.send(
        .POST, "/api/v1/claims",
        body: """
          {"schemeCode":"anyang","certificateNumber":"ANYANG-2019-000001",
           "intake":{"invoiceNumbers":["P-1"],"event":{"admissionDate":"2020-03-02","dischargeDate":"2020-03-12",
             "claimDate":"2020-03-20","figures":{"in_scope_cost":"3000.00","pooled_fund_paid":"0.00","critical_illness_insurance_paid":"0.00"}}}}
          """, headers: test.clerkHeaders)
      let number = try #require(try TestApp.object(opened)["number"] as? String)

      func form(_ path: String, _ body: String, _ cookie: inout HTTPHeaders) async throws -> TestingHTTPResponse {
        var headers = cookie
        headers.contentType = .urlEncodedForm
        let response = try await test.send(.POST, path, body: body, headers: headers)
        if let renewed = response.headers.setCookie?["huzhu_session"] {
          cookie.cookie = ["huzhu_session": .init(string: renewed.string)]
        }
        return response
      }
      let page = try await test.get("/portal/login")
      var cookie = HTTPHeaders()
      cookie.cookie = ["huzhu_session": .init(string: try #require(page.headers.setCookie?["huzhu_session"]?.string))]
      let token = try #require(TestApp.csrfToken(in: page.text))
      // The wrong phone: refused, nothing said about whether the ID number exists.
      let wrong = try await form(
        "/portal/login", "_csrf=\(token)&idNumber=\(worker.idNumber.value)&phone=13800000000", &cookie)
      #expect(wrong.status == .unprocessableEntity)
      #expect(wrong.text.contains("不匹配"))
      let sent = try await form(
        "/portal/login", "_csrf=\(token)&idNumber=\(worker.idNumber.value)&phone=\(worker.phone!)", &cookie)
      #expect(sent.status == .ok)
      // Demo mode shows the text message where the phone would receive it.
      let code = try #require(sent.text.firstMatch(of: /验证码为 (\d{6})/)?.1).description
      let next = try #require(TestApp.csrfToken(in: sent.text))
      let bad = try await form("/portal/code", "_csrf=\(next)&code=000000", &cookie)
      #expect(bad.status == .unprocessableEntity || code == "000000")
      let signedIn = try await form("/portal/code", "_csrf=\(next)&code=\(code)", &cookie)
      #expect(signedIn.status == .seeOther)
      let home = try await test.get("/portal", headers: cookie)
      #expect(home.text.contains(number))
      #expect(home.text.contains("ANYANG-2019-000001"))
      #expect(home.text.contains(worker.idNumber.masked))
      #expect(!home.text.contains(worker.idNumber.value))
      // An online claim with the four scans: submitted at once, the clock started. Whatever
      // date the worker types, the claim is made the day it is sent.
      test.setToday(2020, 6, 20)
      let portalToken = try #require(TestApp.csrfToken(in: home.text))
      let kinds = ["certificate", "diagnosis", "invoice", "settlement_sheet"]
      func application(discharged: String, extra: [(String, String)] = [], scans: [String]) -> (
        body: String, contentType: String
      ) {
        TestApp.multipart(
          [
            ("_csrf", portalToken), ("schemeCode", "anyang"), ("hospital", "安阳市人民医院"),
            ("admissionDate", "2020-06-01"), ("dischargeDate", discharged), ("hospitalDays", "7"),
            ("claimDate", "2019-01-01"), ("figure_in_scope_cost", "2000"), ("figure_pooled_fund_paid", "0"),
            ("figure_critical_illness_insurance_paid", "0"), ("invoiceNumbers", "ONLINE-1"),
          ] + extra,
          files: scans.map {
            (name: "scan_\($0)", fileName: "\($0).pdf", type: "application/pdf", content: "%PDF-1.4\n% \($0)\n")
          })
      }
      // Discharged before admitted: refused, the four photos kept for the next try.
      let first = application(discharged: "2020-05-01", scans: kinds)
      var multipartHeaders = cookie
      multipartHeaders.replaceOrAdd(name: .contentType, value: first.contentType)
      let refusedApplication = try await test.send(
        .POST, "/portal/apply", body: first.body, headers: multipartHeaders)
      #expect(refusedApplication.status == .unprocessableEntity)
      let heldScans = try kinds.map { kind in
        (
          "held_\(kind)",
          try #require(ClaimFormPagesTests.token(kind, in: refusedApplication.text), "\(kind) kept")
        )
      }
      #expect(refusedApplication.text.contains("已保留：invoice.pdf"))
      let second = application(discharged: "2020-06-08", extra: heldScans, scans: [])
      multipartHeaders.replaceOrAdd(name: .contentType, value: second.contentType)
      let applied = try await test.send(.POST, "/portal/apply", body: second.body, headers: multipartHeaders)
      #expect(applied.status == .seeOther, "\(applied.text)")
      let afterApplying = try await test.get("/portal", headers: cookie).text
      #expect(afterApplying.contains("已提交，承诺"))
      let online = try #require(
        try await FluentClaimStore(database: test.app.db).claims(worker: worker.id).first { $0.channel == .selfService }
      )
      #expect(online.state == .submitted)
      #expect(online.calculatedTotal == Money(fen: 80_000))  // 1,000 × 30% + 1,000 × 50%
      #expect(online.intake.event.claimDate == CalendarDate(year: 2020, month: 6, day: 20)!)

      // The portal session opens no staff page or API.
      #expect(try await test.get("/workers", headers: cookie).status == .seeOther)
      #expect(try await test.get("/api/v1/claims", headers: cookie).status == .unauthorized)
      // A code signs in once: asked again within the minute, a new one is sent (the used one
      // holds nothing back) and shown in the demo, and the used one is refused.
      var other = HTTPHeaders()
      let again = try await test.get("/portal/login")
      other.cookie = ["huzhu_session": .init(string: try #require(again.headers.setCookie?["huzhu_session"]?.string))]
      let resent = try await form(
        "/portal/login",
        "_csrf=\(try #require(TestApp.csrfToken(in: again.text)))&idNumber=\(worker.idNumber.value)&phone=\(worker.phone!)",
        &other)
      #expect(!resent.text.contains("验证码刚刚已发送"))
      let newCode = try #require(
        resent.text.firstMatch(of: /验证码为 (\d{6})/).map { String($0.1) }, "the demo shows the new code")
      // Asked a third time within the minute, the new code still unused: nothing new is sent.
      let third = try await test.get("/portal/login")
      var another = HTTPHeaders()
      another.cookie = ["huzhu_session": .init(string: try #require(third.headers.setCookie?["huzhu_session"]?.string))]
      let held = try await form(
        "/portal/login",
        "_csrf=\(try #require(TestApp.csrfToken(in: third.text)))&idNumber=\(worker.idNumber.value)&phone=\(worker.phone!)",
        &another)
      #expect(held.text.contains("验证码刚刚已发送"))
      #expect(held.text.contains("验证码为 \(newCode)"))
      let reused = try await form(
        "/portal/code", "_csrf=\(try #require(TestApp.csrfToken(in: resent.text)))&code=\(code)", &other)
      #expect(reused.status == .unprocessableEntity)
      let withTheNewCode = try await form(
        "/portal/code", "_csrf=\(try #require(TestApp.csrfToken(in: reused.text)))&code=\(newCode)", &other)
      #expect(withTheNewCode.status == .seeOther, "the new code signs in")
    }
  }

  @Test func theWindowImportsARosterEnrollsTheUnitAndRecordsThePayment() async throws {
    try await withTestApp(.sqlite) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let bus = try #require(
        try await registry.units(in: nil, page: PageQuery(per: 200)).items.first { $0.name == "安阳公交集团" })
      let session = try await test.signIn("ay-window")
      // A roster with one bad row: previewed, refused, nothing written.
      let good = ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1985, month: 6, day: 1)!, sequence: 501, gender: .male)
      let csv = "姓名,身份证号,手机号\n赵新,\(good.value),13912345678\n钱错,410502198506019999,13912345679\n"
      let boundary = "huzhu-test-boundary"
      func multipart(_ content: String) -> String {
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(session.csrf)\r\n"
          + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n"
          + "Content-Type: text/csv\r\n\r\n\(content)\r\n--\(boundary)--\r\n"
      }
      var headers = session.cookie
      headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
      let uploaded = try await test.send(.POST, "/units/\(bus.id)/roster", body: multipart(csv), headers: headers)
      #expect(uploaded.status == .seeOther)
      let previewPath = try #require(uploaded.headers.first(name: .location))
      let preview = try await test.get(previewPath, headers: session.cookie)
      #expect(preview.text.contains("roster-blocked"))
      #expect(preview.text.contains("钱错"))
      let fixed = "姓名,身份证号,手机号\n赵新,\(good.value),13912345678\n"
      let second = try await test.send(.POST, "/units/\(bus.id)/roster", body: multipart(fixed), headers: headers)
      let file = try #require(second.headers.first(name: .location)?.split(separator: "=").last.map(String.init))
      let imported = try await test.send(
        .POST, "/units/\(bus.id)/roster/import", body: "_csrf=\(session.csrf)&file=\(file)", headers: session.form())
      #expect(imported.status == .seeOther)
      let unitPage = try await test.get("/units/\(bus.id)", headers: session.cookie)
      #expect(unitPage.text.contains("花名册已导入：新增 1 人"))
      // The imported file is not kept: the people are in the registry now.
      let replay = try await test.send(
        .POST, "/units/\(bus.id)/roster/import", body: "_csrf=\(session.csrf)&file=\(file)", headers: session.form())
      #expect(replay.status == .unprocessableEntity)
      #expect(replay.text.contains("找不到上传的文件"))
      #expect(try await registry.worker(idNumber: good) != nil)

      // Enroll the whole unit for 2024 with Anyang's split, the newcomer's own share paid by a
      // named third party; then pay the bill, twice by mistake.
      test.setToday(2023, 12, 20)
      let newcomer = try #require(try await registry.worker(idNumber: good))
      let enrolled = try await test.send(
        .POST, "/units/\(bus.id)/enroll",
        body:
          "_csrf=\(session.csrf)&product=anyang%7Canyang-hospital&periodStart=2024-01-01&requestDate=2023-12-20&everyone=on&employerKind=percent&employerValue=50&subsidyPayer=union_city&subsidyPerPerson=30&thirdPartyIdNumber=\(newcomer.idNumber.value)&thirdPartyName=%E5%91%A8%E6%95%8F",
        headers: session.form())
      #expect(enrolled.status == .seeOther, "\(enrolled.text)")
      let withBill = try await test.get("/units/\(bus.id)", headers: session.cookie).text
      #expect(withBill.contains("已办理参保 4 人"))
      let bills = try await FluentEnrollmentStore(database: test.app.db).bills(unit: bus.id)
      let bill = try #require(bills.first { $0.period.start == CalendarDate(year: 2024, month: 1, day: 1)! })
      // Half of each member's price from the unit, the other half from the member, except the
      // newcomer's half, which 周敏 pays.
      let thirdParty = try #require(bill.due.first { $0.payer == .thirdParty })
      let employer = try #require(bill.due.first { $0.payer == .employer })
      #expect(thirdParty.payerName == "周敏")
      #expect(thirdParty.amount * 4 == employer.amount)
      let part = try #require(bill.outstanding.first { $0.payer == .employer })
      let key = UUID().uuidString
      test.setToday(2023, 12, 28)
      for _ in 0..<2 {
        let paid = try await test.send(
          .POST, "/bills/\(bill.id)/pay",
          body:
            "_csrf=\(session.csrf)&payer=employer%7C&amount=\(part.amount.decimalString)&paidOn=2023-12-28&reference=ICBC-1&idempotencyKey=\(key)",
          headers: session.form())
        #expect(paid.status == .seeOther)
      }
      let after = try #require(try await FluentEnrollmentStore(database: test.app.db).bill(bill.id))
      #expect(after.totalPaid == part.amount)
      let paidPage = try await test.get("/units/\(bus.id)", headers: session.cookie).text
      #expect(paidPage.contains("已登记缴费"))
      // The receipt is a link on the bill it paid.
      #expect(paidPage.contains(#"href="/receipts/SJ-"#))
    }
  }
}
