import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import Testing
import Vapor
import VaporTesting

@testable import HuzhuApp
@testable import HuzhuWeb

/// Two-factor sign-in: RFC 6238's own test values, then the whole journey where the
/// installation requires it: a finance officer is held at enrolment until they scan the QR
/// code, signs in with password and code from then on (a code never twice), calls the API
/// with the code in a header, and a security administrator resets a lost phone.
@Suite("Two-factor sign-in")
struct SecondFactorTests {
  /// RFC 6238 appendix B, SHA-1, the last six of its eight digits.
  @Test func theRFCsTestValues() {
    let secret = Array("12345678901234567890".utf8)
    let vectors: [(Int64, String)] = [
      (59, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"), (1_234_567_890, "005924"),
      (2_000_000_000, "279037"), (20_000_000_000, "353130"),
    ]
    for (time, code) in vectors {
      let step = SecondFactor.step(at: Date(timeIntervalSince1970: Double(time)))
      #expect(OneTimeCodes.code(secret: secret, step: step) == code, "at \(time)")
    }
    #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
    #expect(Base32.decode("mzxw 6ytb oi") == Array("foobar".utf8))
    #expect(Base32.decode("MZXW1") == nil)
  }

  @Test func aCodeIsGoodForItsStepAndOneEitherSideOnce() {
    let secret = Array("12345678901234567890".utf8)
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let step = SecondFactor.step(at: now)
    let code = { (step: Int64) in OneTimeCodes.code(secret: secret, step: step) }
    #expect(SecondFactor.matchingStep(code(step), at: now, after: nil, code: code) == step)
    #expect(SecondFactor.matchingStep(code(step - 1), at: now, after: nil, code: code) == step - 1)
    #expect(
      SecondFactor.matchingStep(
        String(code(step + 1).prefix(3)) + " " + code(step + 1).suffix(3), at: now, after: nil, code: code) == step + 1)
    #expect(SecondFactor.matchingStep(code(step - 2), at: now, after: nil, code: code) == nil)
    #expect(SecondFactor.matchingStep(code(step), at: now, after: step, code: code) == nil)
    #expect(SecondFactor.matchingStep("12345", at: now, after: nil, code: code) == nil)
    #expect(SecondFactor.matchingStep("１２３４５６", at: now, after: nil, code: code) == nil)
  }

  @Test func secretsAreSealedUnderTheInstallationsKey() throws {
    let box = SecretBox.ephemeral()
    let sealed = try box.seal([1, 2, 3])
    #expect(box.open(sealed) == [1, 2, 3])
    #expect(SecretBox.ephemeral().open(sealed) == nil)
    #expect(SecretBox(base64: "too short") == nil)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let kept = try SecretBox.kept(at: path)
    #expect(try SecretBox.kept(at: path).open(try kept.seal([9])) == [9])
    let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    #expect(permissions == 0o600)
  }

  /// A clock the test moves by whole steps.
  final class Steps: @unchecked Sendable {
    var now = Date(timeIntervalSince1970: 1_800_000_015)
  }

  static func secret(in page: String) throws -> [UInt8] {
    let marker = #"id="two-factor-secret">"#
    let range = try #require(page.range(of: marker))
    let text = page[range.upperBound...].prefix { $0 != "<" }
    return try #require(Base32.decode(String(text)))
  }

  /// The sign-in form's first step, as a browser sends it: its answer, and the headers of the
  /// session it leaves (waiting for the code).
  static func passwordStep(_ test: TestApp, _ username: String, next: String? = nil) async throws
    -> (TestingHTTPResponse, HTTPHeaders)
  {
    let login = try await test.get("/login")
    var cookie = try session(of: login)
    cookie.contentType = .urlEncodedForm
    var fields = [
      ("_csrf", try #require(TestApp.csrfToken(in: login.text))), ("username", username),
      ("password", TestApp.demoPassword),
    ]
    if let next { fields.append(("next", next)) }
    let answer = try await test.send(.POST, "/login", body: form(fields), headers: cookie)
    var pending = try session(of: answer)
    pending.contentType = .urlEncodedForm
    return (answer, pending)
  }

  /// Headers carrying the session cookie a response set.
  static func session(of response: TestingHTTPResponse) throws -> HTTPHeaders {
    var headers = HTTPHeaders()
    headers.cookie = [
      "huzhu_session": .init(string: try #require(response.headers.setCookie?["huzhu_session"]?.string))
    ]
    return headers
  }

  static func form(_ fields: [(String, String)]) -> String {
    fields.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
      .joined(separator: "&")
  }

  @Test(arguments: TestDatabaseKind.available)
  func financeEnrolsThenSignsInWithACode(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind, secondFactor: .required) { test in
      let steps = Steps()
      test.app.serverClock = ServerClock(now: { steps.now })

      // Held at enrolment: pages go there, the API refuses.
      let finance = try await test.signIn("ay-finance")
      let home = try await test.get("/funds", headers: finance.cookie)
      #expect(home.status == .seeOther)
      #expect(home.headers.first(name: .location) == "/two-factor")
      let api = try await test.get("/api/v1/funds/balances?scheme=anyang", headers: test.headers("ay-finance"))
      #expect(api.status == .forbidden)
      #expect(api.text.contains("second_factor_required"))
      // Others are not held.
      #expect(try await test.get("/api/v1/claims", headers: test.clerkHeaders).status == .ok)

      let enrolment = try await test.get("/two-factor", headers: finance.cookie)
      #expect(enrolment.text.contains("<svg"))
      let secret = try Self.secret(in: enrolment.text)
      #expect(secret.count == SecondFactor.secretBytes)
      // The same secret while the page is reloaded (the app may have scanned it already).
      #expect(try Self.secret(in: try await test.get("/two-factor", headers: finance.cookie).text) == secret)
      func code(_ offset: Int64 = 0) -> String {
        OneTimeCodes.code(secret: secret, step: SecondFactor.step(at: steps.now) + offset)
      }
      let wrong = try await test.send(
        .POST, "/two-factor", body: Self.form([("_csrf", finance.csrf), ("code", "000000")]), headers: finance.form())
      #expect(wrong.status == .unprocessableEntity)
      let enrolled = try await test.send(
        .POST, "/two-factor", body: Self.form([("_csrf", finance.csrf), ("code", code())]), headers: finance.form())
      #expect(enrolled.status == .seeOther)
      #expect(try await test.get("/funds", headers: finance.cookie).status == .ok)
      // Required for finance: it cannot be turned off.
      let drop = try await test.send(
        .POST, "/two-factor/remove", body: Self.form([("_csrf", finance.csrf)]), headers: finance.form())
      #expect(drop.status == .unprocessableEntity)
      #expect(
        try await FluentAccountStore(database: test.app.db).account(username: "ay-finance")?.hasSecondFactor == true)
      // The secret is sealed in the database, never stored as it was shown.
      let store = FluentAccountStore(database: test.app.db)
      let officer = try #require(try await store.account(username: "ay-finance"))
      let stored = try #require(try await store.secondFactor(of: officer.id))
      #expect(!stored.sealedSecret.contains(Base32.encode(secret)))

      // The API wants the code with the password.
      #expect(
        try await test.get("/api/v1/funds/balances?scheme=anyang", headers: test.headers("ay-finance")).status
          == .unauthorized)
      var withCode = test.headers("ay-finance")
      withCode.add(name: "X-Huzhu-One-Time-Code", value: code())
      #expect(try await test.get("/api/v1/funds/balances?scheme=anyang", headers: withCode).status == .ok)

      // Signing in: the password alone opens no session; the code does, once.
      steps.now += 30
      let (password, pending) = try await Self.passwordStep(test, "ay-finance", next: "/funds")
      #expect(password.status == .seeOther)
      #expect(password.headers.first(name: .location) == "/login/code")
      #expect(try await test.get("/funds", headers: pending).status == .seeOther)  // not signed in yet
      let codeForm = try await test.get("/login/code", headers: pending)
      #expect(codeForm.text.contains("one-time-code"))
      let token = try #require(TestApp.csrfToken(in: codeForm.text))
      let refused = try await test.send(
        .POST, "/login/code", body: Self.form([("_csrf", token), ("code", code(5))]), headers: pending)
      #expect(refused.status == .unauthorized)
      let accepted = try await test.send(
        .POST, "/login/code", body: Self.form([("_csrf", token), ("code", code())]), headers: pending)
      #expect(accepted.status == .seeOther)
      #expect(accepted.headers.first(name: .location) == "/funds")
      #expect(try await test.get("/funds", headers: try Self.session(of: accepted)).status == .ok)

      // The same code again, seen over a shoulder: refused.
      let (_, second) = try await Self.passwordStep(test, "ay-finance")
      let secondToken = try #require(TestApp.csrfToken(in: try await test.get("/login/code", headers: second).text))
      let replayed = try await test.send(
        .POST, "/login/code", body: Self.form([("_csrf", secondToken), ("code", code())]), headers: second)
      #expect(replayed.status == .unauthorized)

      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(actor: nil), page: PageQuery(per: 200)
      ).items
      #expect(events.contains { $0.detail == "two-factor enrolled" && $0.actor == "ay-finance" })
      #expect(events.contains { $0.detail == "wrong one-time code" && $0.subject == "account:ay-finance" })
      #expect(events.contains { $0.detail == "password and one-time code" && $0.actor == "ay-finance" })
    }
  }

  /// Where it is optional, anyone may enrol and remove it; where it is required, the roles
  /// that need it cannot remove it.
  @Test func enrolmentIsOptionalForOthersAndCannotBeDroppedWhereRequired() async throws {
    try await withTestApp(.sqlite, secondFactor: .required) { test in
      let clerk = try await test.signIn("ay-window")
      let page = try await test.get("/two-factor", headers: clerk.cookie)
      let secret = try Self.secret(in: page.text)
      let code = OneTimeCodes.code(secret: secret, step: SecondFactor.step(at: test.app.serverClock.instant))
      _ = try await test.send(
        .POST, "/two-factor", body: Self.form([("_csrf", clerk.csrf), ("code", code)]), headers: clerk.form())
      #expect(try await test.get("/two-factor", headers: clerk.cookie).text.contains("remove-two-factor"))
      let removed = try await test.send(
        .POST, "/two-factor/remove", body: Self.form([("_csrf", clerk.csrf)]), headers: clerk.form())
      #expect(removed.status == .seeOther)
      #expect(
        try await FluentAccountStore(database: test.app.db).account(username: "ay-window")?.hasSecondFactor == false)
    }
  }

  /// A lost phone: the federation's security administrator resets it (not another
  /// federation's, and not their own); the officer enrols again.
  @Test func aSecurityAdministratorResetsALostPhone() async throws {
    try await withTestApp(.sqlite) { test in
      let finance = try await test.signIn("ay-finance")
      let secret = try Self.secret(in: try await test.get("/two-factor", headers: finance.cookie).text)
      let code = OneTimeCodes.code(secret: secret, step: SecondFactor.step(at: test.app.serverClock.instant))
      _ = try await test.send(
        .POST, "/two-factor", body: Self.form([("_csrf", finance.csrf), ("code", code)]), headers: finance.form())
      let store = FluentAccountStore(database: test.app.db)
      #expect(try await store.account(username: "ay-finance")?.hasSecondFactor == true)

      let security = try await test.signIn("ay-security")
      let accounts = try await test.get("/accounts", headers: security.cookie)
      #expect(accounts.text.contains("reset-two-factor-ay-finance"))
      let financeID = try #require(try await store.account(username: "ay-finance")).id
      // Not another federation's: Harbin's security administrator gets nothing.
      let harbin = try await test.signIn("security")
      let foreign = try await test.send(
        .POST, "/accounts/\(financeID)/two-factor", body: Self.form([("_csrf", harbin.csrf)]), headers: harbin.form())
      #expect(foreign.status == .notFound)
      #expect(try await store.account(username: "ay-finance")?.hasSecondFactor == true)
      let reset = try await test.send(
        .POST, "/accounts/\(financeID)/two-factor", body: Self.form([("_csrf", security.csrf)]),
        headers: security.form())
      #expect(reset.status == .seeOther)
      #expect(try await store.account(username: "ay-finance")?.hasSecondFactor == false)
      let securityID = try #require(try await store.account(username: "ay-security")).id
      let own = try await test.send(
        .POST, "/accounts/\(securityID)/two-factor", body: Self.form([("_csrf", security.csrf)]),
        headers: security.form())
      #expect(own.status == .forbidden)
      let events = try await FluentAuditStore(database: test.app.db).events(AuditQuery(), page: PageQuery(per: 200))
        .items
      #expect(events.contains { $0.detail == "two-factor reset" && $0.actor == "ay-security" })
    }
  }
}
