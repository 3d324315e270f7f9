import Fluent
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// The pages of the rules, the pairing ledger and the accounts, and session expiry.
@Suite("Schemes, pairing ledger, accounts and sessions")
struct AdministrationPagesTests {
  @Test func schemesReadAsTablesAndARevisionIsCheckedWhole() async throws {
    try await withTestApp(.sqlite) { test in
      let clerk = try await test.signIn("ay-window")
      let page = try await test.get("/schemes/anyang", headers: clerk.cookie)
      #expect(page.status == .ok)
      for text in ["分段累进", "1000.00（含）以下", "超过 1000.00", "30%", "50%", "每期累计 ¥100,000.00", "¥60.00 / 12 个月"] {
        #expect(page.text.contains(text), "\(text)")
      }
      #expect(!page.text.contains("save-scheme"))
      #expect(page.text.contains("演示数据 · ") && !page.text.contains(">demo"))
      // A clerk may read the rules but not change them.
      let source = try #require(try await FluentSchemeStore(database: test.app.db).scheme(code: "anyang")).source
      let encoded = source.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
      #expect(
        try await test.send(
          .POST, "/schemes/anyang", body: "_csrf=\(clerk.csrf)&source=\(encoded)", headers: clerk.form()
        )
        .status == .forbidden)

      let admin = try await test.signIn("ay-scheme")
      let broken = source.replacingOccurrences(of: "perShare: \"60.00\"", with: "perShare: \"sixty\"")
      #expect(broken != source)
      let refused = try await test.send(
        .POST, "/schemes/anyang",
        body: "_csrf=\(admin.csrf)&source=\(broken.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
        headers: admin.form())
      #expect(refused.status == .unprocessableEntity)
      #expect(refused.text.contains("perShare"))
      #expect(refused.text.contains("sixty"))  // what was typed is still in the box
      let saved = try await test.send(
        .POST, "/schemes/anyang", body: "_csrf=\(admin.csrf)&source=\(encoded)", headers: admin.form())
      #expect(saved.status == .seeOther)
      let revised = try await test.get("/schemes/anyang", headers: admin.cookie).text
      #expect(revised.contains("已保存为第 2 次修订"))
      // The revision names who saved it, not their login.
      #expect(revised.contains("安阳方案管理员 · ") && !revised.contains("ay-scheme · "))
      #expect(try await test.get("/schemes", headers: admin.cookie).text.contains("安阳方案管理员 · "))
      // Hospitals, hospital overrides and a death benefit read as rows of their benefits.
      let extended =
        source + """
                    - code: anyang-level
                      name: 三级医院补助
                      kind: hospital
                      hospitals: { levels: [level_3] }
                      hospital:
                        base: self_paid_in_scope
                        schedule: { flat: "10%" }
                        hospitalOverrides:
                          - hospitals: { locations: [out_of_province] }
                            deductible: { firstStay: "800.00" }
                    - code: anyang-death
                      name: 身故互助金
                      kind: death
                      death: { madeUpTo: "1000.00" }

          """
      let third = try await test.send(
        .POST, "/schemes/anyang",
        body: "_csrf=\(admin.csrf)&source=\(extended.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
        headers: admin.form())
      #expect(third.status == .seeOther)
      let rows = try await test.get("/schemes/anyang", headers: admin.cookie).text
      for text in ["限就医医院", "三级医院", "省外：起付线 ¥800.00", "身故时本期给付补足至（每份）", "¥1,000.00", "身故互助金 · 身故"] {
        #expect(rows.contains(text), "\(text)")
      }
      // Yichun's rules belong to the Harbin office: for Anyang's administrator they do not exist.
      let yichun = try #require(try await FluentSchemeStore(database: test.app.db).scheme(code: "hlj-yichun")).source
      let foreign = try await test.send(
        .POST, "/schemes/hlj-yichun",
        body: "_csrf=\(admin.csrf)&source=\(yichun.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
        headers: admin.form())
      #expect(foreign.status == .notFound)
      #expect(try await test.get("/schemes/hlj-yichun", headers: admin.cookie).status == .notFound)
      #expect(try await FluentSchemeStore(database: test.app.db).scheme(code: "hlj-yichun")?.revision == 1)
    }
  }

  @Test func theCadreKeepsThePairingLedger() async throws {
    try await withTestApp(.sqlite) { test in
      let cadre = try await test.signIn("yc-cadre")
      let ledger = try await test.get("/pairings", headers: cadre.cookie)
      #expect(ledger.status == .ok)
      #expect(ledger.text.contains("孙志刚"))
      #expect(ledger.text.contains("干部代缴互助金"))
      let pairing = try #require(
        try await FluentUnionWorkStore(database: test.app.db).pairings(under: nil).first)
      let recorded = try await test.send(
        .POST, "/pairings/\(pairing.id)/visits",
        body:
          "_csrf=\(cadre.csrf)&visitedOn=2022-01-20&note=%E6%98%A5%E8%8A%82%E5%89%8D%E5%85%A5%E6%88%B7%E8%B5%B0%E8%AE%BF",
        headers: cadre.form())
      #expect(recorded.status == .seeOther)
      let after = try await test.get("/pairings", headers: cadre.cookie).text
      #expect(after.contains("走访已记录"))
      #expect(after.contains("春节前入户走访"))
      // Anyang's window keeps no pairing of Yichun's.
      let anyang = try await test.signIn("ay-window")
      #expect(!(try await test.get("/pairings", headers: anyang.cookie).text.contains("孙志刚")))
    }
  }

  @Test func administratorsOpenAccountsAndUnlockThem() async throws {
    try await withTestApp(.sqlite) { test in
      let admin = try await test.signIn("admin")
      let organisations = try await FluentRegistryStore(database: test.app.db).organisations()
      let yichun = try #require(organisations.first { $0.code == "HLJ-YC" })
      func create(_ fields: String) async throws -> TestingHTTPResponse {
        try await test.send(.POST, "/accounts", body: "_csrf=\(admin.csrf)&" + fields, headers: admin.form())
      }
      let weak = try await create(
        "username=yc-new&displayName=%E6%96%B0&organisation=\(yichun.id)&password=short&roles[]=reviewer")
      #expect(weak.status == .unprocessableEntity)
      #expect(weak.text.contains("密码至少 10 位"))
      #expect(weak.text.contains(#"value="yc-new""#))
      // The message sits under the password field, not only in the list at the top.
      #expect(
        weak.text.contains(
          #"autocomplete="new-password"/><span class="field-message">密码至少 10 位"#))
      // An administrator role cannot be granted from the page, even by a forged form.
      let opened = try await create(
        "username=yc-new&displayName=%E6%96%B0&organisation=\(yichun.id)&password=Strong-Pass-77&roles[]=reviewer&roles[]=audit_admin"
      )
      #expect(opened.status == .seeOther)
      let account = try #require(try await FluentAccountStore(database: test.app.db).account(username: "yc-new"))
      #expect(account.roles == [.reviewer])
      // The administrator chose that password: until the holder chooses their own, every page
      // leads to the password form and the API refuses.
      let first = try await test.signIn("yc-new", password: "Strong-Pass-77")
      for path in ["/", "/workers", "/claims"] {
        let page = try await test.get(path, headers: first.cookie)
        #expect(page.status == .seeOther && page.headers.first(name: .location) == "/password", "\(path)")
      }
      #expect(try await test.get("/password", headers: first.cookie).text.contains("password-required"))
      var basic = HTTPHeaders()
      basic.basicAuthorization = BasicAuthorization(username: "yc-new", password: "Strong-Pass-77")
      let api = try await test.get("/api/v1/claims", headers: basic)
      #expect(api.status == .forbidden)
      #expect(api.text.contains("password_change_required"))
      let chosen = try await test.send(
        .POST, "/password",
        body: "_csrf=\(first.csrf)&current=Strong-Pass-77&password=Chosen-Pass-55&repeat=Chosen-Pass-55",
        headers: first.form())
      #expect(chosen.status == .seeOther && chosen.headers.first(name: .location) == "/")
      #expect(try await test.get("/workers", headers: first.cookie).status == .ok)
      // Locked by wrong passwords from many desks; the security administrator unlocks it.
      try await test.lockAccount("yc-new")
      #expect((try? await test.signIn("yc-new", password: "Chosen-Pass-55")) == nil)
      let security = try await test.signIn("security")
      let list = try await test.get("/accounts", headers: security.cookie)
      #expect(list.text.contains("unlock-yc-new"))
      #expect(!list.text.contains("create-account"))
      let unlocked = try await test.send(
        .POST, "/accounts/\(account.id)/unlock", body: "_csrf=\(security.csrf)", headers: security.form())
      #expect(unlocked.status == .seeOther)
      _ = try await test.signIn("yc-new", password: "Chosen-Pass-55")
      // A new temporary password from the security administrator; the user must change it.
      let reset = try await test.send(
        .POST, "/accounts/\(account.id)/password", body: "_csrf=\(security.csrf)&password=Temporary-Pass-88",
        headers: security.form())
      #expect(reset.status == .seeOther)
      let user = try await test.signIn("yc-new", password: "Temporary-Pass-88")
      #expect(try await test.get("/workers", headers: user.cookie).status == .seeOther)
      let wrong = try await test.send(
        .POST, "/password", body: "_csrf=\(user.csrf)&current=nope&password=Own-Choice-99&repeat=Own-Choice-99",
        headers: user.form())
      #expect(wrong.status == .unprocessableEntity)
      #expect(wrong.text.contains("当前密码不正确"))
      let changed = try await test.send(
        .POST, "/password",
        body: "_csrf=\(user.csrf)&current=Temporary-Pass-88&password=Own-Choice-99&repeat=Own-Choice-99",
        headers: user.form())
      #expect(changed.status == .seeOther)
      #expect(try await test.get("/workers", headers: user.cookie).status == .ok)
      _ = try await test.signIn("yc-new", password: "Own-Choice-99")
      // Disabled by the system administrator: no more sign-in, and the open session ends.
      let disabled = try await test.send(
        .POST, "/accounts/\(account.id)/state", body: "_csrf=\(admin.csrf)&disabled=true", headers: admin.form())
      #expect(disabled.status == .seeOther)
      #expect((try? await test.signIn("yc-new", password: "Own-Choice-99")) == nil)
      #expect(try await test.get("/workers", headers: user.cookie).status == .seeOther)
      // The administrators themselves are not administered from this page.
      let auditor = try #require(try await FluentAccountStore(database: test.app.db).account(username: "auditor"))
      #expect(
        try await test.send(
          .POST, "/accounts/\(auditor.id)/state", body: "_csrf=\(admin.csrf)&disabled=true", headers: admin.form()
        ).status == .forbidden)
      let changes = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(kind: .accountChange), page: PageQuery())
      #expect(
        changes.items.map(\.detail).sorted()
          == [
            "created: reviewer", "disabled", "own password changed", "own password changed", "password reset",
            "unlocked",
          ])
    }
  }

  /// HTTP Basic clients do not pay bcrypt on every request (a passing check is remembered for
  /// a few minutes), yet the old password stops working the moment it is changed.
  @Test func aRememberedBasicCredentialEndsWithThePassword() async throws {
    try await withTestApp(.sqlite) { test in
      let basic = test.headers("ay-reviewer")
      for _ in 0..<3 { #expect(try await test.get("/api/v1/claims", headers: basic).status == .ok) }
      let session = try await test.signIn("ay-reviewer")
      let changed = try await test.send(
        .POST, "/password",
        body: "_csrf=\(session.csrf)&current=\(TestApp.demoPassword)&password=Reviewer-New-42&repeat=Reviewer-New-42",
        headers: session.form())
      #expect(changed.status == .seeOther)
      #expect(try await test.get("/api/v1/claims", headers: basic).status == .unauthorized)
      var renewed = basic
      renewed.basicAuthorization = BasicAuthorization(username: "ay-reviewer", password: "Reviewer-New-42")
      #expect(try await test.get("/api/v1/claims", headers: renewed).status == .ok)
    }
  }

  @Test func anIdleSessionEnds() async throws {
    try await withTestApp(.sqlite) { test in
      let session = try await test.signIn("ay-window")
      #expect(try await test.get("/workers", headers: session.cookie).status == .ok)
      // Thirty-one minutes without a request.
      let key = try #require(session.cookie.cookie?["huzhu_session"]?.string)
      let record = try #require(
        try await SessionRecord.query(on: test.app.db).filter(\.$key == SessionID(string: key)).first())
      record.data["seen"] = String(Int(Date().timeIntervalSince1970) - 31 * 60)
      try await record.save(on: test.app.db)
      let expired = try await test.get("/workers", headers: session.cookie)
      #expect(expired.status == .seeOther)
      #expect(expired.headers.first(name: .location)?.hasPrefix("/login") == true)
      let login = try await test.get("/login", headers: session.cookie)
      #expect(login.text.contains("长时间未操作"))
    }
  }
}
