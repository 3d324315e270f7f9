import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Recoveries (追回) through the API and the pages: a paid claim found wrong, opened by the
/// approver, repaid at the window in parts (each reference once), the fund credited; nothing
/// of it reachable from another federation.
@Suite("Recoveries over HTTP")
struct RecoveryAPITests {
  static let kinds = TestDatabaseKind.available
  let api: EnrollmentAPITests
  let returns: PaymentReturnAPITests

  init() throws {
    api = try EnrollmentAPITests()
    returns = try PaymentReturnAPITests()
  }

  /// The approved claim of ``PaymentReturnAPITests``, batched and marked paid through the API.
  func paidClaim(_ test: TestApp) async throws -> ClaimRecord {
    let (claim, _) = try await returns.approvedClaim(test)
    let finance = test.headers("ay-finance")
    let batch = try await api.call(
      test, .POST, "/api/v1/payment-batches", template: "/api/v1/payment-batches",
      body: #"{"schemeCode":"anyang"}"#, headers: finance, expect: 201)
    let batchID = try #require(batch["id"] as? String)
    _ = try await api.call(
      test, .POST, "/api/v1/payment-batches/\(batchID)/lines/\(claim.id)",
      template: "/api/v1/payment-batches/{id}/lines/{claimId}", body: #"{"paid":true,"note":"BOC-1"}"#,
      headers: finance, expect: 200)
    return claim
  }

  @Test(arguments: kinds)
  func aPaidClaimFoundWrongIsRecoveredAndTheFundCredited(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 4, 10)
      let claim = try await paidClaim(test)
      let open = "/api/v1/claims/\(claim.id)/recovery"
      let openTemplate = "/api/v1/claims/{id}/recovery"
      let approver = test.headers("ay-approver")

      // The clerk may not open one; another federation finds no such claim; bad input is 4xx.
      #expect(
        try await test.send(.POST, open, body: #"{"reason":"duplicate","note":"x"}"#, headers: test.clerkHeaders)
          .status == .forbidden)
      let foreign = try await test.send(
        .POST, open, body: #"{"reason":"duplicate","note":"x"}"#, headers: test.headers("hlj-finance"))
      #expect(foreign.status == .notFound && !foreign.text.contains(claim.number))
      #expect(
        try await test.send(.POST, open, body: #"{"reason":"lost","note":"x"}"#, headers: approver).status
          == .badRequest)
      let tooMuch = try await api.call(
        test, .POST, open, template: openTemplate, body: #"{"reason":"overpaid","note":"多付","amount":"1300.01"}"#,
        headers: approver, expect: 422)
      #expect(api.fieldCodes(tooMuch) == ["amount_out_of_range"])

      let opened = try await api.call(
        test, .POST, open, template: openTemplate, body: #"{"reason":"duplicate","note":"同一住院已支付"}"#,
        headers: approver, expect: 201)
      #expect(opened["amountDue"] as? String == "1300.00" && opened["status"] as? String == "open")
      let id = try #require(opened["id"] as? String)
      let twice = try await api.call(
        test, .POST, open, template: openTemplate, body: #"{"reason":"duplicate","note":"again"}"#,
        headers: approver, expect: 422)
      #expect(api.fieldCodes(twice) == ["recovery_exists"])

      let repay = "/api/v1/recoveries/\(id)/repayments"
      let repayTemplate = "/api/v1/recoveries/{id}/repayments"
      let window = test.clerkHeaders
      #expect(
        try await test.send(.POST, repay, body: #"{"amount":"1.00","reference":"X"}"#, headers: approver).status
          == .forbidden)
      #expect(
        try await test.send(
          .POST, repay, body: #"{"amount":"1.00","reference":"X"}"#, headers: test.headers("yc-window")
        ).status == .notFound)
      #expect(
        try await test.send(
          .POST, repay, body: #"{"amount":"99999999999999999999.00","reference":"X"}"#, headers: window
        ).status == .badRequest)
      let first = try await api.call(
        test, .POST, repay, template: repayTemplate, body: #"{"amount":"500.00","reference":"HK-001"}"#,
        headers: window, expect: 201)
      #expect(first["outstanding"] as? String == "800.00")
      let again = try await api.call(
        test, .POST, repay, template: repayTemplate, body: #"{"amount":"500.00","reference":"HK-001"}"#,
        headers: window, expect: 200)
      #expect(again["recovered"] as? String == "500.00")
      let over = try await api.call(
        test, .POST, repay, template: repayTemplate, body: #"{"amount":"800.01","reference":"HK-002"}"#,
        headers: window, expect: 422)
      #expect(api.fieldCodes(over) == ["amount_out_of_range"])
      let rest = try await api.call(
        test, .POST, repay, template: repayTemplate, body: #"{"amount":"800.00","reference":"HK-002"}"#,
        headers: window, expect: 201)
      #expect(rest["status"] as? String == "settled")
      #expect((rest["repayments"] as? [[String: Any]])?.map { $0["reference"] as? String } == ["HK-001", "HK-002"])

      let shown = try await api.call(
        test, .GET, "/api/v1/recoveries/\(id)", template: "/api/v1/recoveries/{id}",
        headers: test.headers("ay-finance"),
        expect: 200)
      #expect(shown["claimNumber"] as? String == claim.number)
      #expect(
        try await test.get("/api/v1/recoveries/\(id)", headers: test.headers("hlj-finance")).status == .notFound)
      let settled = try await api.call(
        test, .GET, "/api/v1/recoveries?status=settled", template: "/api/v1/recoveries",
        headers: test.headers("ay-finance"), expect: 200)
      #expect(settled["total"] as? Int == 1)
      let elsewhere = try await api.call(
        test, .GET, "/api/v1/recoveries", template: "/api/v1/recoveries", headers: test.headers("hlj-finance"),
        expect: 200)
      #expect(elsewhere["total"] as? Int == 0)
      #expect(
        try await test.get("/api/v1/recoveries?status=nonsense", headers: test.headers("ay-finance")).status
          == .badRequest)

      let balances = try await api.call(
        test, .GET, "/api/v1/funds/balances?scheme=anyang", template: "/api/v1/funds/balances",
        headers: test.headers("ay-finance"), expect: 200)
      let anyang = try #require(
        (balances["items"] as? [[String: Any]])?.first { $0["versionLabel"] as? String == "2019" })
      #expect(anyang["claimsPaid"] as? String == "1300.00" && anyang["recoveries"] as? String == "1300.00")
      // The ledger's export has every entry: the payment out, the two repayments in.
      let finance = try await test.signIn("ay-finance")
      let export = try await test.get(
        "/funds/export?scheme=anyang&version=2019&format=csv", headers: finance.cookie)
      #expect(export.status == .ok)
      let csv = export.text
      #expect(csv.contains("-1300.00") && csv.contains("追回") && csv.contains("500.00") && csv.contains("800.00"))
      #expect(csv.contains("合计"))
      #expect(
        try await test.get("/funds/export?scheme=anyang&version=2019&format=xlsx", headers: finance.cookie).status
          == .ok)
      #expect(
        try await test.get("/funds/export?scheme=anyang&version=%22%0D%0Ax&format=csv", headers: finance.cookie)
          .status == .badRequest)
      #expect(
        try await test.get("/funds/export?scheme=anyang&format=pdf", headers: finance.cookie).status == .badRequest)
      let hlj = try await test.signIn("hlj-finance")
      let foreignExport = try await test.get(
        "/funds/export?scheme=anyang&version=2019&format=csv", headers: hlj.cookie)
      #expect(foreignExport.status == .notFound && !foreignExport.text.contains("1300.00"))
      // The window may export statistics but does not see the fund.
      let clerk = try await test.signIn("ay-window")
      #expect(
        try await test.get("/funds/export?scheme=anyang&format=csv", headers: clerk.cookie).status == .forbidden)
      #expect(try await test.get("/funds", headers: finance.cookie).text.contains("ledger-export"))

      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      #expect(events.contains { $0.actor == "ay-approver" && $0.detail.contains("recovery opened: 1300.00") })
      #expect(events.filter { $0.actor == "ay-window" && $0.detail.contains("recovery repaid") }.count == 2)
      #expect(events.contains { $0.actor == "ay-finance" && $0.subject == "fund_ledger/anyang" })
    }
  }

  /// From the claim's page: the approver opens it, the window records money on its page.
  @Test func theClaimPageOpensItAndTheRecoveryPageRecordsMoney() async throws {
    try await withTestApp(.sqlite) { test in
      test.setToday(2020, 4, 10)
      let claim = try await paidClaim(test)
      let approver = try await test.signIn("ay-approver")
      let page = try await test.get("/claims/\(claim.id)", headers: approver.cookie).text
      #expect(page.contains("id=\"open-recovery\""))
      // A typed amount that is no amount comes back to the claim with the reason.
      let bad = try await test.send(
        .POST, "/claims/\(claim.id)/recovery", body: "reason=overpaid&amount=abc&note=x&_csrf=\(approver.csrf)",
        headers: approver.form())
      #expect(bad.status == .seeOther)
      #expect(try await test.get("/claims/\(claim.id)", headers: approver.cookie).text.contains("不是金额"))
      let opened = try await test.send(
        .POST, "/claims/\(claim.id)/recovery",
        body: "reason=overpaid&amount=300.00&note=%E5%A4%9A%E4%BB%98&_csrf=\(approver.csrf)", headers: approver.form())
      #expect(opened.status == .seeOther)
      let location = try #require(opened.headers.first(name: .location))
      let recoveryPage = try await test.get(location, headers: approver.cookie).text
      #expect(recoveryPage.contains("¥300.00") && !recoveryPage.contains("id=\"record-repayment\""))
      #expect(
        try await test.get("/claims/\(claim.id)", headers: approver.cookie).text.contains("id=\"claim-recovery\""))

      let window = try await test.signIn("ay-window")
      #expect(try await test.get(location, headers: window.cookie).text.contains("id=\"record-repayment\""))
      let repaid = try await test.send(
        .POST, location + "/repayments", body: "amount=300.00&reference=SJ-9&_csrf=\(window.csrf)",
        headers: window.form())
      #expect(repaid.status == .seeOther)
      let after = try await test.get(location, headers: window.cookie).text
      #expect(after.contains("已登记收回") && after.contains("SJ-9") && after.contains("已追回"))
      let list = try await test.get("/recoveries", headers: window.cookie).text
      #expect(list.contains(claim.number))
      let other = try await test.signIn("yc-window")
      #expect(!(try await test.get("/recoveries", headers: other.cookie).text.contains(claim.number)))
      #expect(try await test.get(location, headers: other.cookie).status == .notFound)
    }
  }
}
