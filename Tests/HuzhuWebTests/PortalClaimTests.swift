import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing
import VaporTesting

@testable import HuzhuWeb

extension TestApp {
  /// Signs a worker in to the portal as a phone would: the ID number and phone, then the code
  /// the fake gateway delivered. Returns the session's headers.
  func portalSignIn(_ worker: Worker) async throws -> HTTPHeaders {
    let phone = try #require(worker.phone)
    let login = try await get("/portal/login")
    var cookie = HTTPHeaders()
    cookie.cookie = ["huzhu_session": .init(string: try #require(login.headers.setCookie?["huzhu_session"]?.string))]
    var headers = cookie
    headers.contentType = .urlEncodedForm
    let sent = try await send(
      .POST, "/portal/login",
      body: "_csrf=\(try #require(Self.csrfToken(in: login.text)))&idNumber=\(worker.idNumber.value)&phone=\(phone)",
      headers: headers)
    if let renewed = sent.headers.setCookie?["huzhu_session"] {
      cookie.cookie = ["huzhu_session": .init(string: renewed.string)]
    }
    let delivered = try #require(app.fakeMessageGateway?.latest(.portalCode, to: phone))
    let code = try #require(delivered.text.firstMatch(of: /验证码为 (\d{6})/)?.1).description
    headers = cookie
    headers.contentType = .urlEncodedForm
    let signedIn = try await send(
      .POST, "/portal/code", body: "_csrf=\(try #require(Self.csrfToken(in: sent.text)))&code=\(code)",
      headers: headers)
    #expect(signedIn.status == .seeOther)
    if let renewed = signedIn.headers.setCookie?["huzhu_session"] {
      cookie.cookie = ["huzhu_session": .init(string: renewed.string)]
    }
    return cookie
  }
}

/// A worker's own claims in the portal: the explanation in sentences, the decision letter to
/// print, an appeal; another worker's claims do not exist there.
@Suite("Portal claims")
struct PortalClaimTests {
  static let kinds = TestDatabaseKind.available

  func worker(_ certificate: String, _ test: TestApp) async throws -> Worker {
    let held = try #require(try await FluentEnrollmentStore(database: test.app.db).certificate(number: certificate))
    return try #require(try await FluentRegistryStore(database: test.app.db).worker(held.enrollment.workerID))
  }

  /// A 3,000-yuan stay at the window, its four scans, submitted: 1,300.00 under Anyang's rules.
  func openClaim(for certificate: String, invoice: String, _ test: TestApp) async throws -> String {
    let opened = try await test.send(
      .POST, "/api/v1/claims",
      body: """
        {"schemeCode":"anyang","certificateNumber":"\(certificate)","channel":"window",
         "intake":{"hospital":"安阳市人民医院","invoiceNumbers":["\(invoice)"],"settlementSheetNumber":"JS-\(invoice)",
           "event":{"admissionDate":"2020-03-02","dischargeDate":"2020-03-12","claimDate":"2020-03-20","hospitalDays":10,
             "figures":{"in_scope_cost":"18000.00","pooled_fund_paid":"13500.00","critical_illness_insurance_paid":"1500.00"}}}}
        """, headers: test.clerkHeaders)
    #expect(opened.status == .created, "\(opened.text)")
    let id = try #require(try TestApp.object(opened)["id"] as? String)
    for kind in ["certificate", "diagnosis", "invoice", "settlement_sheet"] {
      let scan = try await test.send(
        .POST, "/api/v1/claims/\(id)/documents?kind=\(kind)&fileName=\(kind).pdf",
        data: Data("%PDF-1.4\n%\(kind)\n".utf8),
        headers: test.clerkHeaders)
      #expect(scan.status == .created)
    }
    try await act(id, #"{"action":"submit"}"#, test.clerkHeaders, test)
    return id
  }

  func act(_ id: String, _ body: String, _ headers: HTTPHeaders, _ test: TestApp) async throws {
    let response = try await test.send(.POST, "/api/v1/claims/\(id)/actions", body: body, headers: headers)
    #expect(response.status == .ok, "\(body): \(response.text)")
  }

  @Test(arguments: kinds)
  func aWorkerReadsWhyPrintsTheLetterAndAppeals(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let (_, checker, approver, _) = try await ClaimAPITests().accounts(test)
      test.setToday(2020, 3, 20)
      let member = try await worker("ANYANG-2019-000001", test)
      let other = try await worker("ANYANG-2019-000002", test)
      let id = try await openClaim(for: "ANYANG-2019-000001", invoice: "PC-1", test)
      let othersClaim = try await openClaim(for: "ANYANG-2019-000002", invoice: "PC-2", test)
      try await act(
        id, #"{"action":"reject","rejectionReason":"outside_scope","note":"美容项目不属于保障范围"}"#, checker, test)

      let portal = try await test.portalSignIn(member)
      let home = try await test.get("/portal", headers: portal)
      #expect(home.text.lowercased().contains("/portal/claims/\(id.lowercased())"))
      // A refused claim shows no amount as if it were coming.
      #expect(!home.text.contains("¥1,300.00"))
      // The e-certificate, QR code included; another worker's is not there.
      let certificate = try await test.get("/portal/certificates/ANYANG-2019-000001", headers: portal)
      #expect(certificate.status == .ok && certificate.text.contains("certificate-qr"))
      #expect(certificate.text.contains(member.name))
      #expect(try await test.get("/portal/certificates/ANYANG-2019-000002", headers: portal).status == .notFound)
      let page = try await test.get("/portal/claims/\(id)", headers: portal)
      #expect(page.status == .ok)
      // The decision and every step of the calculation, in sentences.
      #expect(page.text.contains("经审核不予给付：不属于保障范围：美容项目不属于保障范围。"))
      #expect(page.text.contains("计算基数"))
      #expect(page.text.contains("按规则计算合计：¥1,300.00"))
      #expect(page.text.contains("id=\"portal-appeal\""))
      // The letter: a refusal with its reason and the way to appeal.
      let letter = try await test.get("/portal/claims/\(id)/letter", headers: portal)
      #expect(letter.status == .ok)
      #expect(letter.text.contains("互助金不予给付通知书"))
      #expect(letter.text.contains("不予给付。理由：不属于保障范围：美容项目不属于保障范围"))
      #expect(letter.text.contains("可申诉一次"))
      #expect(letter.text.contains(member.idNumber.masked) && !letter.text.contains(member.idNumber.value))

      // Another worker's claim does not exist here: not its page, letter or appeal.
      for path in ["/portal/claims/\(othersClaim)", "/portal/claims/\(othersClaim)/letter"] {
        let refused = try await test.get(path, headers: portal)
        #expect(refused.status == .notFound, "\(path)")
        #expect(!refused.text.contains(other.name))
      }
      var form = portal
      form.contentType = .urlEncodedForm
      let token = try #require(TestApp.csrfToken(in: page.text))
      let stolen = try await test.send(
        .POST, "/portal/claims/\(othersClaim)/appeal", body: "_csrf=\(token)&reason=x", headers: form)
      #expect(stolen.status == .notFound)
      #expect(try await FluentClaimStore(database: test.app.db).claim(.init(othersClaim)!)?.state == .submitted)
      // Not signed in: to the sign-in page.
      #expect(try await test.get("/portal/claims/\(id)").status == .seeOther)

      // An empty reason is refused; a reason sends the claim back to review, once.
      let empty = try await test.send(
        .POST, "/portal/claims/\(id)/appeal", body: "_csrf=\(token)&reason=%20", headers: form)
      #expect(empty.status == .seeOther)
      #expect(try await FluentClaimStore(database: test.app.db).claim(.init(id)!)?.state == .rejected)
      let appealed = try await test.send(
        .POST, "/portal/claims/\(id)/appeal", body: "_csrf=\(token)&reason=系治疗性手术，附医院说明", headers: form)
      #expect(appealed.status == .seeOther)
      let claim = try #require(try await FluentClaimStore(database: test.app.db).claim(.init(id)!))
      #expect(claim.state == .submitted && claim.progress.appealed)
      let history = try await FluentClaimStore(database: test.app.db).history(of: claim.id)
      #expect(history.last?.actor.contains("本人网上申诉") == true && history.last?.note == "系治疗性手术，附医院说明")
      let after = try await test.get("/portal/claims/\(id)", headers: portal)
      #expect(after.text.contains("申诉已提交"))
      #expect(!after.text.contains("id=\"portal-appeal\""))
      // Not decided now: no letter.
      #expect(try await test.get("/portal/claims/\(id)/letter", headers: portal).status == .seeOther)

      // Approved on review: the payment letter, the amount in capitals, the decision final.
      try await act(id, #"{"action":"review"}"#, checker, test)
      try await act(id, #"{"action":"approve"}"#, approver, test)
      let paid = try await test.get("/portal/claims/\(id)/letter", headers: portal)
      #expect(paid.text.contains("互助金给付通知书"))
      #expect(paid.text.contains("给付互助金人民币 壹仟叁佰元整（¥1,300.00）"))
      #expect(paid.text.contains("本决定为复核后的最终决定"))
      let approvedPage = try await test.get("/portal/claims/\(id)", headers: portal)
      #expect(approvedPage.text.contains("经审核给付互助金 ¥1,300.00。"))
      #expect(approvedPage.text.contains("本申请已申诉过一次"))
    }
  }
}

/// A paid claim is told as a story only with its worker's consent and staff's choice; the
/// worker can take consent back, which takes the story down; another area's staff cannot
/// publish it.
@Suite("Portal: consent to claim stories")
struct StoryConsentTests {
  /// An Anyang member's claim, approved; `pay` then pays it from a batch.
  func approvedClaim(invoice: String, _ test: TestApp) async throws -> (id: String, pay: () async throws -> Void) {
    let claims = PortalClaimTests()
    let (_, checker, approver, finance) = try await ClaimAPITests().accounts(test)
    test.setToday(2020, 3, 20)
    let id = try await claims.openClaim(for: "ANYANG-2019-000001", invoice: invoice, test)
    try await claims.act(id, #"{"action":"review"}"#, checker, test)
    try await claims.act(id, #"{"action":"approve"}"#, approver, test)
    return (
      id,
      {
        let batch = try await test.send(
          .POST, "/api/v1/payment-batches", body: #"{"schemeCode":"anyang"}"#, headers: finance)
        let batchID = try #require(try TestApp.object(batch)["id"] as? String)
        let settled = try await test.send(
          .POST, "/api/v1/payment-batches/\(batchID)/lines/\(id)", body: #"{"paid":true,"note":"BOC-\#(invoice)"}"#,
          headers: finance)
        #expect(settled.status == .ok, "\(settled.text)")
        #expect(try await FluentClaimStore(database: test.app.db).claim(.init(id)!)?.state == .paid)
      }
    )
  }

  @Test(arguments: TestDatabaseKind.available)
  func aStoryIsToldOnlyWithConsentAndAChoiceAndComesDownWhenConsentIsTakenBack(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let member = try await PortalClaimTests().worker("ANYANG-2019-000001", test)
      try await (test.app.db as! any SQLDatabase).update("workers").set("bank_name", to: "中国银行安阳分行")
        .set("bank_account", to: "6216610200001234567").where("id", .equal, member.id.rawValue).run()
      let (id, pay) = try await approvedClaim(invoice: "ST-1", test)
      let portal = try await test.portalSignIn(member)
      var form = portal
      form.contentType = .urlEncodedForm
      // Not paid yet: nothing to consent to.
      let approved = try await test.get("/portal/claims/\(id)", headers: portal)
      #expect(!approved.text.contains("portal-story"))
      let token = try #require(TestApp.csrfToken(in: approved.text))
      _ = try await test.send(.POST, "/portal/claims/\(id)/story", body: "_csrf=\(token)&consent=yes", headers: form)
      #expect(try await FluentStoryStore(database: test.app.db).consent(of: .init(id)!) == nil)
      try await pay()

      let paid = try await test.get("/portal/claims/\(id)", headers: portal)
      #expect(paid.text.contains("您尚未同意展示本案例"))
      #expect(!(try await test.get("/stories").text.contains("住院 10 天")))
      let agreed = try await test.send(
        .POST, "/portal/claims/\(id)/story", body: "_csrf=\(token)&consent=yes", headers: form)
      #expect(agreed.status == .seeOther)
      #expect(try await test.get("/portal/claims/\(id)", headers: portal).text.contains("您已同意，案例尚未被选用展示"))
      #expect(!(try await test.get("/stories").text.contains("住院 10 天")), "consent alone publishes nothing")

      // Yichun's approver neither sees nor publishes it.
      let yichun = try await test.signIn("yc-approver")
      #expect(!(try await test.get("/stories/manage", headers: yichun.cookie).text.contains("住院 10 天")))
      let foreign = try await test.post("/stories/\(id)/publish", form: [("published", "yes")], as: yichun)
      #expect(foreign.status == .notFound)
      #expect(!(try await test.get("/stories").text.contains("住院 10 天")))
      // Anyang's approver sees the story as it would read, and publishes it.
      let anyang = try await test.signIn("ay-approver")
      let manage = try await test.get("/stories/manage", headers: anyang.cookie)
      #expect(manage.text.contains("住院 10 天") && manage.text.contains("本人网上同意"))
      #expect(!manage.text.contains(member.name.dropFirst()))
      #expect(
        try await test.post("/stories/\(id)/publish", form: [("published", "1")], as: anyang).status == .badRequest)
      #expect(!(try await test.get("/stories").text.contains("住院 10 天")))
      let published = try await test.post("/stories/\(id)/publish", form: [("published", "yes")], as: anyang)
      #expect(published.status == .seeOther)
      #expect(try await test.get("/stories").text.contains("住院 10 天"))
      #expect(try await test.get("/portal/claims/\(id)", headers: portal).text.contains("您已同意，案例正在展示"))
      // A reviewer who does not approve has no such page.
      #expect(
        try await test.get("/stories/manage", headers: try await test.signIn("ay-window").cookie).status == .forbidden)

      // The worker takes it back: down at once, and staff cannot put it up again.
      // A value other than yes or no is refused and takes nothing back.
      let odd = try await test.send(
        .POST, "/portal/claims/\(id)/story", body: "_csrf=\(token)&consent=maybe", headers: form)
      #expect(odd.status == .badRequest)
      #expect(try await test.get("/stories").text.contains("住院 10 天"))
      let withdrawn = try await test.send(
        .POST, "/portal/claims/\(id)/story", body: "_csrf=\(token)&consent=no", headers: form)
      #expect(withdrawn.status == .seeOther)
      #expect(!(try await test.get("/stories").text.contains("住院 10 天")))
      let again = try await test.post("/stories/\(id)/publish", form: [("published", "yes")], as: anyang)
      #expect(again.status == .notFound || again.status == .seeOther)
      #expect(!(try await test.get("/stories").text.contains("住院 10 天")))
      #expect(try await FluentStoryStore(database: test.app.db).consent(of: .init(id)!)?.isPublic == false)
    }
  }

  /// A worker without a phone signs the consent form at the window, which records it on the
  /// claim's page: only once the claim is paid, only in its own area.
  @Test(arguments: TestDatabaseKind.available)
  func theWindowRecordsASignedConsentForAPaidClaimOfItsOwnArea(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let (id, pay) = try await approvedClaim(invoice: "ST-2", test)
      let window = try await test.signIn("ay-window")
      // Approved, not paid: no consent to record.
      #expect(!(try await test.get("/claims/\(id)", headers: window.cookie).text.contains("claim-story")))
      let early = try await test.post("/claims/\(id)/story", form: [("consent", "yes")], as: window)
      #expect(early.status == .seeOther)
      #expect(try await FluentStoryStore(database: test.app.db).consent(of: .init(id)!) == nil)

      try await pay()
      #expect(try await test.get("/claims/\(id)", headers: window.cookie).text.contains("职工未同意展示本案例"))

      // Yichun's window: the claim does not exist for it, and nothing is recorded.
      let yichun = try await test.signIn("yc-window")
      let foreign = try await test.post("/claims/\(id)/story", form: [("consent", "yes")], as: yichun)
      #expect(foreign.status == .notFound)
      #expect(!foreign.text.contains("ANYANG") && !foreign.text.contains("安阳"))
      #expect(try await FluentStoryStore(database: test.app.db).consent(of: .init(id)!) == nil)
      // A reviewer (no window work) may not record it.
      let reviewer = try await test.signIn("ay-reviewer")
      #expect(try await test.post("/claims/\(id)/story", form: [("consent", "yes")], as: reviewer).status == .forbidden)

      let recorded = try await test.post("/claims/\(id)/story", form: [("consent", "yes")], as: window)
      #expect(recorded.status == .seeOther)
      let consent = try #require(try await FluentStoryStore(database: test.app.db).consent(of: .init(id)!))
      #expect(consent.isGiven && consent.consentedBy.hasPrefix("书面同意"))
      #expect(try await test.get("/claims/\(id)", headers: window.cookie).text.contains("尚未选用展示"))
      // The approver now finds it among the candidates, marked as signed on paper.
      let manage = try await test.get("/stories/manage", headers: try await test.signIn("ay-approver").cookie)
      #expect(manage.text.contains("书面同意"))
      // An odd value is refused, and the consent stands.
      let odd = try await test.post("/claims/\(id)/story", form: [("consent", "No")], as: window)
      #expect(odd.status == .badRequest)
      #expect(try await FluentStoryStore(database: test.app.db).consent(of: .init(id)!)?.isGiven == true)
      // Withdrawn at the window too.
      _ = try await test.post("/claims/\(id)/story", form: [("consent", "no")], as: window)
      #expect(try await FluentStoryStore(database: test.app.db).consent(of: .init(id)!)?.isGiven == false)
      #expect(try await test.get("/claims/\(id)", headers: window.cookie).text.contains("职工已撤回同意"))
    }
  }
}

/// The worker's side for older eyes and for scanning: large text kept by a cookie, and the
/// certificate's QR code that opens its public verification page.
@Suite("Portal: large text and the certificate's QR code")
struct PortalReadingTests {
  @Test func largeTextIsChosenByALinkAndKept() async throws {
    try await withTestApp(.sqlite) { test in
      let plain = try await test.get("/portal/login")
      #expect(!plain.text.contains("class=\"large-text\""))
      #expect(plain.text.contains("href=\"/portal/login?text=large\""))
      let large = try await test.get("/portal/login?text=large")
      #expect(large.text.contains("<body class=\"large-text\">"))
      #expect(large.text.contains("href=\"/portal/login?text=normal\""))
      let kept = try #require(large.headers.setCookie?["text_size"]?.string)
      #expect(kept == "large")
      var headers = HTTPHeaders()
      headers.cookie = ["text_size": .init(string: kept)]
      #expect(try await test.get("/portal/login", headers: headers).text.contains("<body class=\"large-text\">"))
      // Anything else is ignored: no cookie, standard text.
      let odd = try await test.get("/portal/login?text=%3Cscript%3E")
      #expect(odd.headers.setCookie?["text_size"] == nil && !odd.text.contains("large-text\">"))
      // Staff pages have no switch.
      #expect(!(try await test.get("/login").text.contains("text-switch")))
    }
  }

  @Test func theCertificatesQRCodeOpensItsVerificationPage() async throws {
    try await withTestApp(.sqlite) { test in
      let clerk = try await test.signIn("ay-window")
      var headers = clerk.cookie
      headers.replaceOrAdd(name: .host, value: "huzhu.example.cn")
      let page = try await test.get("/certificates/ANYANG-2019-000001", headers: headers)
      #expect(page.status == .ok)
      let expected = try QRCode.encode("http://huzhu.example.cn/verify?number=ANYANG-2019-000001").svg
      #expect(page.text.contains(expected))
      // A Host header that is no host name is not written into the code.
      headers.replaceOrAdd(name: .host, value: "evil.example/<x>")
      let odd = try await test.get("/certificates/ANYANG-2019-000001", headers: headers)
      #expect(!odd.text.contains("evil.example") && odd.text.contains("certificate-qr"))
    }
  }
}

/// The worker changes the account their benefit is paid to, confirmed by a code sent to their
/// registered phone; a wrong or reused code changes nothing, tries are limited, and the member
/// is told once it changed.
@Suite("Portal: the bank account")
struct PortalAccountTests {
  @Test(arguments: TestDatabaseKind.available)
  func aChangeOfAccountNeedsTheCodeSentToThePhone(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let member = try await PortalClaimTests().worker("ANYANG-2019-000001", test)
      let phone = try #require(member.phone)
      let gateway = try #require(test.app.fakeMessageGateway)
      let portal = try await test.portalSignIn(member)
      var form = portal
      form.contentType = .urlEncodedForm
      let page = try await test.get("/portal/account", headers: portal)
      #expect(page.status == .ok)
      let token = try #require(TestApp.csrfToken(in: page.text))
      func post(_ path: String, _ body: String) async throws -> TestingHTTPResponse {
        try await test.send(.POST, path, body: "_csrf=\(token)&" + body, headers: form)
      }
      func account() async throws -> String? {
        try await FluentRegistryStore(database: test.app.db).worker(member.id)?.bankAccount
      }
      let before = try await account()

      // Not an account number: refused at the field, nothing sent.
      let bad = try await post("/portal/account", "bankName=中国银行&bankAccount=12ab")
      #expect(bad.status == .unprocessableEntity)
      #expect(gateway.latest(.accountCode, to: phone) == nil)

      let asked = try await post("/portal/account", "bankName=中国工商银行安阳分行&bankAccount=6222 0217 0000 8888 123")
      #expect(asked.status == .ok)
      #expect(asked.text.contains("id=\"account-confirm\""))
      let sent = try #require(gateway.latest(.accountCode, to: phone))
      #expect(sent.text.contains("尾号8123"))
      let code = try #require(sent.text.firstMatch(of: /验证码 (\d{6})/)?.1).description
      #expect(try await account() == before, "nothing changes before the code")
      // The outbox keeps no usable code.
      let kept = try #require(
        try await FluentMessageStore(database: test.app.db).messages(
          status: .sent, troubledOnly: false, page: PageQuery()
        )
        .items.first { $0.message.id == sent.id })
      #expect(!kept.message.text.contains(code))

      let wrong = try await post("/portal/account/confirm", "code=\(code == "000000" ? "111111" : "000000")")
      #expect(wrong.status == .unprocessableEntity)
      #expect(try await account() == before)
      let confirmed = try await post("/portal/account/confirm", "code=\(code)")
      #expect(confirmed.status == .seeOther)
      #expect(try await account() == "6222021700008888123")
      let shown = try await test.get("/portal/account", headers: portal)
      #expect(shown.text.contains("收款账户已变更为") && !shown.text.contains("6222021700008888123"))
      // Used once.
      #expect(try await post("/portal/account/confirm", "code=\(code)").status == .unprocessableEntity)
      // The member is told, and the change is in the audit log by the last four digits only.
      let round = try await test.app.messageDispatcher!.drain()
      #expect(round.sent >= 1)
      #expect(gateway.latest(.accountChanged, to: phone)?.text.contains("尾号8123") == true)
      let audit = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(actor: "worker:\(member.id)"), limit: 50
      ).map(\.detail)
      #expect(audit.contains { $0.contains("confirmed by code") && $0.contains("****8123") })
      #expect(!audit.contains { $0.contains("6222021700008888123") })

      // Five wrong tries and the right code no longer works.
      let again = try await post("/portal/account", "bankName=中国农业银行&bankAccount=6228480000000000999")
      #expect(again.status == .ok)
      let second = try #require(gateway.latest(.accountCode, to: phone))
      let secondCode = try #require(second.text.firstMatch(of: /验证码 (\d{6})/)?.1).description
      let wrongCode = secondCode == "000000" ? "111111" : "000000"
      for _ in 0..<PortalSignIn.maximumAttempts {
        _ = try await post("/portal/account/confirm", "code=\(wrongCode)")
      }
      #expect(try await post("/portal/account/confirm", "code=\(secondCode)").status == .unprocessableEntity)
      #expect(try await account() == "6222021700008888123")
      // Not signed in: nothing.
      #expect(try await test.get("/portal/account").status == .seeOther)
    }
  }
}

/// A gig worker joins on her own online: only products taking individuals are offered, the
/// bill waits for the window, and cover begins once it is paid; a unit's member is not offered
/// anything and cannot join this way.
@Suite("Portal: joining on one's own")
struct PortalEnrollTests {
  @Test(arguments: TestDatabaseKind.available)
  func aGigWorkerJoinsOnlineAndIsCoveredOnceThePaymentIsRecorded(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let yichun = try #require(try await registry.organisations().first { $0.code == "HLJ-YC" })
      let number = ResidentIDNumber.compose(
        region: "230702", birthDate: CalendarDate(year: 1992, month: 3, day: 8)!, sequence: 88, gender: .female)
      _ = try await registry.register(
        individual: Worker(
          name: "李娜", idNumber: number, unitID: nil, homeOrganisationID: yichun.id, phone: "13945678901",
          categories: [.gigWorker]))
      let rider = try #require(try await registry.worker(idNumber: number))
      test.setToday(2024, 1, 1)
      let portal = try await test.portalSignIn(rider)
      let page = try await test.get("/portal/enroll", headers: portal)
      #expect(page.text.contains("hlj-yichun|yc-female"))
      #expect(!page.text.contains("yc-comprehensive"))
      let token = try #require(TestApp.csrfToken(in: page.text))
      var form = portal
      form.contentType = .urlEncodedForm
      // A product not offered to individuals is refused even when sent by hand.
      let forged = try await test.send(
        .POST, "/portal/enroll", body: "_csrf=\(token)&choice=hlj-yichun%7Cyc-comprehensive-plus", headers: form)
      #expect(forged.status == .unprocessableEntity)
      let joined = try await test.send(
        .POST, "/portal/enroll", body: "_csrf=\(token)&choice=hlj-yichun%7Cyc-female", headers: form)
      #expect(joined.status == .seeOther)
      let bill = try #require(try await FluentEnrollmentStore(database: test.app.db).bills(individual: rider.id).first)
      #expect(bill.due.map(\.payer) == [.worker] && bill.totalDue == Money(yuan: "30.00"))
      #expect(bill.period.start == CalendarDate(year: 2024, month: 1, day: 1)!, "from the server's day")
      let waiting = try await test.get("/portal/enroll", headers: portal)
      #expect(waiting.text.contains(bill.number) && waiting.text.contains("¥30.00"))
      #expect(try await test.get("/portal", headers: portal).text.contains("待缴费"))

      // The window records the payment: covered, the bill no longer waiting.
      let clerk = try await test.signIn("yc-window")
      let paid = try await test.send(
        .POST, "/bills/\(bill.id)/pay", body: "_csrf=\(clerk.csrf)&payer=worker%7C&amount=30.00&reference=WX-0002",
        headers: clerk.form())
      #expect(paid.status == .seeOther)
      let after = try await test.get("/portal", headers: portal).text
      #expect(after.contains("HLJ-YICHUN-2024-"))
      #expect(!(try await test.get("/portal/enroll", headers: portal).text.contains(bill.number)))

      // A unit's member is offered nothing and cannot join this way.
      let member = try await PortalClaimTests().worker("ANYANG-2019-000001", test)
      let memberPortal = try await test.portalSignIn(member)
      let offered = try await test.get("/portal/enroll", headers: memberPortal)
      #expect(offered.text.contains("id=\"no-offers\""))
      var memberForm = memberPortal
      memberForm.contentType = .urlEncodedForm
      let refused = try await test.send(
        .POST, "/portal/enroll",
        body:
          "_csrf=\(try #require(TestApp.csrfToken(in: try await test.get("/portal", headers: memberPortal).text)))&choice=anyang%7Canyang-hospital",
        headers: memberForm)
      #expect(refused.status == .unprocessableEntity)
    }
  }
}
