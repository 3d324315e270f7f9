import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import Synchronization
import Testing
import Vapor
import VaporTesting

/// Guessing passwords is held back by address, nobody can lock another person out from one
/// desk, guessing from many desks still ends in the account's lock, an unknown name costs the
/// same work to refuse as a wrong password, and certificates cannot be enumerated.
@Suite("Sign-in throttling")
struct SignInThrottleTests {
  /// The sign-in form, through a proxy the installation trusts, so that `X-Forwarded-For`
  /// names the desk: 303 when signed in, 401 with the reason on the page when refused.
  static func attempt(_ test: TestApp, _ username: String, _ password: String, from address: String) async throws
    -> TestingHTTPResponse
  {
    var headers = HTTPHeaders()
    headers.replaceOrAdd(name: .xForwardedFor, value: address)
    let form = try await test.sendOverTheWire(.GET, "/login", body: "", headers: headers)
    let cookie = try #require(form.headers.setCookie?["huzhu_session"]?.string)
    let token = try #require(TestApp.csrfToken(in: form.text))
    headers.cookie = ["huzhu_session": .init(string: cookie)]
    headers.contentType = .urlEncodedForm
    return try await test.sendOverTheWire(
      .POST, "/login",
      body:
        "_csrf=\(token)&username=\(username)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
      headers: headers)
  }

  /// Whether `username` gets in from `address` (HTTP Basic: a signed-in form redirects, which the
  /// test client would follow).
  static func getsIn(_ test: TestApp, _ username: String, from address: String) async throws -> Bool {
    var headers = HTTPHeaders()
    headers.basicAuthorization = BasicAuthorization(username: username, password: TestApp.demoPassword)
    headers.replaceOrAdd(name: .xForwardedFor, value: address)
    return try await test.sendOverTheWire(.GET, "/api/v1/units", body: "", headers: headers).status == .ok
  }

  @Test func oneDeskCannotLockAnAccountButManyDesksDo() async throws {
    try await withTestApp(on: try await IsolatedDatabase.create(.sqlite), trustedProxies: ["127.0.0.1"]) { test in
      let right = TestApp.demoPassword
      for attempt in 1...5 {
        let wrong = try await Self.attempt(test, "ay-window", "Wrong-Pass-\(attempt)", from: "203.0.113.7")
        #expect(wrong.status == .unauthorized)
      }
      // The guessing desk is held back, even with the right password…
      let heldBack = try await Self.attempt(test, "ay-window", right, from: "203.0.113.7")
      #expect(heldBack.status == .unauthorized)
      #expect(heldBack.text.contains("密码错误次数过多"))
      // …while the clerk at her own desk signs in: the account is not locked.
      #expect(try await Self.getsIn(test, "ay-window", from: "198.51.100.20"))
      let account = try #require(try await FluentAccountStore(database: test.app.db).account(username: "ay-window"))
      #expect(!account.login.isLocked(at: Date()))

      // Twenty in a row from four more desks lock the account itself, for every desk.
      for desk in 1...4 {
        for attempt in 1...5 {
          _ = try await Self.attempt(test, "ay-window", "Wrong-\(desk)-\(attempt)", from: "192.0.2.\(desk)")
        }
      }
      let locked = try await Self.attempt(test, "ay-window", right, from: "198.51.100.21")
      #expect(locked.status == .unauthorized)
      #expect(locked.text.contains("账号已锁定"))

      // Thirty failures from one address, under any names, hold the address back entirely.
      for index in 1...30 {
        _ = try await Self.attempt(test, "nobody-\(index)", "Wrong-Pass-\(index)", from: "203.0.113.99")
      }
      let anyName = try await Self.attempt(test, "ay-reviewer", right, from: "203.0.113.99")
      #expect(anyName.text.contains("密码错误次数过多"))
      #expect(try await Self.getsIn(test, "ay-reviewer", from: "203.0.113.100"))
      // What is not an address is not believed: the request counts as the proxy's own.
      #expect(try await Self.getsIn(test, "ay-reviewer", from: "not-an-address"))
    }
  }

  /// A hasher that counts its work.
  final class CountingHasher: HuzhuCore.PasswordHasher {
    let hashes = Atomic(0)
    let verifications = Atomic(0)
    let plain = PlainTestHasher()

    func hash(_ password: String) throws -> String {
      hashes.add(1, ordering: .relaxed)
      return try plain.hash(password)
    }

    func verify(_ password: String, against hash: String) throws -> Bool {
      verifications.add(1, ordering: .relaxed)
      return try plain.verify(password, against: hash)
    }

    func decoyHash() throws -> String { try plain.hash("decoy") }
  }

  /// The issue measured 1.3–2.3 s for an unknown name and 0.6–0.9 s for a wrong password (two
  /// bcrypt operations against one); every refusal now does exactly one check.
  @Test func everyRefusalCostsOneCheck() async throws {
    try await withTestApp(.sqlite) { test in
      let hasher = CountingHasher()
      let services = AppServices(
        database: test.app.db, documents: FileDocumentStorage(directory: NSTemporaryDirectory()),
        passwordHasher: hasher)
      let signIns = SignIns(services, remembered: VerifiedCredentials(), throttles: Throttles())
      try await test.lockAccount("ay-finance")
      for (username, why) in [("no-such-person", "unknown"), ("ay-window", "wrong password"), ("ay-finance", "locked")]
      {
        let before = (hasher.hashes.load(ordering: .relaxed), hasher.verifications.load(ordering: .relaxed))
        let outcome = try await signIns.attempt(
          username: username, password: "Wrong-Pass-1", remembering: false, address: "192.0.2.50")
        guard case .refused = outcome else {
          Issue.record("\(why): not refused")
          continue
        }
        #expect(hasher.hashes.load(ordering: .relaxed) == before.0, "\(why)")
        #expect(hasher.verifications.load(ordering: .relaxed) == before.1 + 1, "\(why)")
      }
    }
  }

  @Test func certificatesCannotBeEnumerated() async throws {
    try await withTestApp(.sqlite) { test in
      for number in 1...AttemptRule.certificateLookups.limit {
        let response = try await test.get(String(format: "/api/v1/certificates/ANYANG-2019-%06d", number))
        #expect(response.status == .ok || response.status == .notFound)
      }
      let refused = try await test.get("/api/v1/certificates/ANYANG-2019-000001")
      #expect(refused.status == .tooManyRequests)
      #expect(Int(refused.headers.first(name: .retryAfter) ?? "") ?? 0 > 0)
      #expect(refused.text.contains("too_many_requests"))
      let page = try await test.get("/verify?number=ANYANG-2019-000001")
      #expect(page.status == .tooManyRequests)
      #expect(page.text.contains("查询过于频繁"))
    }
  }
}
