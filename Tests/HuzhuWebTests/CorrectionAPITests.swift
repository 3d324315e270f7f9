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

/// A payment recorded in error, voided with four eyes through the API and the pages; nothing
/// of it reachable from another federation.
@Suite("Corrections over HTTP")
struct CorrectionAPITests {
  static let kinds = TestDatabaseKind.available
  let api: EnrollmentAPITests

  init() throws {
    api = try EnrollmentAPITests()
  }

  /// A payment of Anyang's first certificate holder's bill, by its receipt number.
  func receipt(_ test: TestApp) async throws -> (number: String, amount: Money, bill: Bill.ID) {
    let store = FluentEnrollmentStore(database: test.app.db)
    let certificate = try #require(try await store.certificate(number: "ANYANG-2019-000001"))
    let payment = try #require(try await store.payments(bill: certificate.enrollment.billID).first)
    return (payment.receiptNumber, payment.amount, certificate.enrollment.billID)
  }

  /// The receipt's 经办人 is the person, not the login name the payment keeps.
  @Test func theReceiptNamesWhoRecordedThePayment() async throws {
    try await withTestApp(.sqlite) { test in
      let (number, _, _) = try await receipt(test)
      try await (test.app.db as! any SQLDatabase).update("payments").set("recorded_by", to: "ay-window")
        .where("receipt_number", .equal, number).run()
      let clerk = try #require(try await FluentAccountStore(database: test.app.db).account(username: "ay-window"))
      #expect(clerk.displayName != "ay-window")
      let page = try await test.get("/receipts/\(number)", headers: try await test.signIn("ay-window").cookie).text
      #expect(page.contains("经办人：\(clerk.displayName)"))
      #expect(!page.contains("经办人：ay-window"))
    }
  }

  @Test(arguments: kinds)
  func aVoidIsAskedForByOneAndApprovedByAnother(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 4, 15)
      let (number, amount, billID) = try await receipt(test)
      let voidPath = "/api/v1/receipts/\(number)/void"
      let voidTemplate = "/api/v1/receipts/{number}/void"

      // Another federation's window finds no such receipt; finance elsewhere sees no corrections.
      let foreign = try await test.send(.POST, voidPath, body: #"{"reason":"x"}"#, headers: test.headers("yc-window"))
      #expect(foreign.status == .notFound)
      let unexplained = try await api.call(
        test, .POST, voidPath, template: voidTemplate, body: #"{"reason":""}"#, headers: test.clerkHeaders,
        expect: 422)
      #expect(api.fieldCodes(unexplained) == ["reason_required"])

      let asked = try await api.call(
        test, .POST, voidPath, template: voidTemplate, body: #"{"reason":"记错缴费单"}"#, headers: test.clerkHeaders,
        expect: 201)
      #expect(asked["status"] as? String == "requested")
      let id = try #require(asked["id"] as? String)
      let queue = try await api.call(
        test, .GET, "/api/v1/corrections?status=requested", template: "/api/v1/corrections",
        headers: test.headers("ay-finance"), expect: 200)
      #expect((queue["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
      let elsewhere = try await api.call(
        test, .GET, "/api/v1/corrections", template: "/api/v1/corrections", headers: test.headers("hlj-finance"),
        expect: 200)
      #expect(elsewhere["total"] as? Int == 0)
      #expect(
        try await test.get("/api/v1/corrections?status=nonsense", headers: test.headers("ay-finance")).status
          == .badRequest)

      // One correction: its clerk and finance see it; another federation's finance gets 404.
      let shown = try await api.call(
        test, .GET, "/api/v1/corrections/\(id)", template: "/api/v1/corrections/{id}", headers: test.clerkHeaders,
        expect: 200)
      #expect(shown["receiptNumber"] as? String == number && shown["reason"] as? String == "记错缴费单")
      #expect(
        try await test.get("/api/v1/corrections/\(id)", headers: test.headers("hlj-finance")).status == .notFound)
      #expect(
        try await test.get("/api/v1/corrections/\(UUID())", headers: test.headers("ay-finance")).status == .notFound)

      let decision = "/api/v1/corrections/\(id)/decision"
      let decisionTemplate = "/api/v1/corrections/{id}/decision"
      // The clerk may not decide; finance of another federation finds nothing to decide.
      #expect(
        try await test.send(.POST, decision, body: #"{"approve":true}"#, headers: test.clerkHeaders).status
          == .forbidden)
      #expect(
        try await test.send(.POST, decision, body: #"{"approve":true}"#, headers: test.headers("hlj-finance")).status
          == .notFound)
      let silent = try await api.call(
        test, .POST, decision, template: decisionTemplate, body: #"{"approve":false}"#,
        headers: test.headers("ay-finance"), expect: 422)
      #expect(api.fieldCodes(silent) == ["reason_required"])

      func balance() async throws -> [String: Any] {
        let balances = try await api.call(
          test, .GET, "/api/v1/funds/balances?scheme=anyang", template: "/api/v1/funds/balances",
          headers: test.headers("ay-finance"), expect: 200)
        return try #require((balances["items"] as? [[String: Any]])?.first { $0["versionLabel"] as? String == "2019" })
      }
      let before = try await balance()
      let approved = try await api.call(
        test, .POST, decision, template: decisionTemplate, body: #"{"approve":true,"note":"已核对"}"#,
        headers: test.headers("ay-finance"), expect: 200)
      #expect(approved["status"] as? String == "applied")
      #expect(approved["decidedBy"] as? String == "ay-finance")
      let after = try await balance()
      let reversalsBefore = try #require(Money(yuan: before["reversals"] as? String ?? ""))
      #expect(after["reversals"] as? String == (reversalsBefore - amount).decimalString)

      // The bill owes again; the receipt says it is void; the audit log has both steps.
      let bill = try await api.call(
        test, .GET, "/api/v1/bills/\(billID)", template: "/api/v1/bills/{id}", headers: test.clerkHeaders, expect: 200)
      #expect((bill["bill"] as? [String: Any])?["status"] as? String != "paid")
      let listed = try #require(bill["payments"] as? [[String: Any]])
      #expect(listed.first { $0["receiptNumber"] as? String == number }?["voided"] as? Bool == true)
      #expect(listed.filter { $0["voided"] as? Bool == false }.count == listed.count - 1)
      let session = try await test.signIn("ay-window")
      let page = try await test.get("/receipts/\(number)", headers: session.cookie).text
      #expect(page.contains("本收据已作废"))
      #expect(page.contains("记错缴费单"))
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      #expect(events.contains { $0.actor == "ay-window" && $0.detail.contains("void requested") })
      #expect(events.contains { $0.actor == "ay-finance" && $0.detail.contains("payment_void approved") })
    }
  }

  /// A receipt reissued through the API and the receipt's page: the new number is in force,
  /// the old one marked replaced; another federation's window finds neither.
  @Test(arguments: kinds)
  func aReceiptIsReissuedUnderANewNumber(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 4, 15)
      let (number, _, _) = try await receipt(test)
      let path = "/api/v1/receipts/\(number)/reissue"
      let template = "/api/v1/receipts/{number}/reissue"
      #expect(
        try await test.send(.POST, path, body: #"{"reason":"x"}"#, headers: test.headers("yc-window")).status
          == .notFound)
      #expect(
        try await test.send(.POST, path, body: #"{"reason":"x"}"#, headers: test.headers("ay-approver")).status
          == .forbidden)
      let reissued = try await api.call(
        test, .POST, path, template: template, body: #"{"reason":"收据遗失"}"#, headers: test.clerkHeaders,
        expect: 201)
      let newNumber = try #require(reissued["receiptNumber"] as? String)
      #expect(reissued["replaces"] as? String == number && newNumber.hasPrefix("SJ-ANYANG-2020-"))
      let again = try await api.call(
        test, .POST, path, template: template, body: #"{"reason":"再开"}"#, headers: test.clerkHeaders, expect: 422)
      #expect(api.fieldCodes(again) == ["receipt_replaced"])
      #expect(
        try await test.get("/api/v1/receipts/\(newNumber)", headers: test.headers("yc-window")).status == .notFound)

      let window = try await test.signIn("ay-window")
      let old = try await test.get("/receipts/\(number)", headers: window.cookie).text
      #expect(
        old.contains("id=\"receipt-replaced\"") && old.contains(newNumber) && !old.contains("id=\"reissue-form\""))
      let current = try await test.get("/receipts/\(newNumber)", headers: window.cookie).text
      #expect(current.contains("id=\"receipt-reissue\"") && current.contains("id=\"reissue-form\""))
      let byPage = try await test.send(
        .POST, "/receipts/\(newNumber)/reissue",
        body: "reason=%E6%8A%AC%E5%A4%B4%E5%86%99%E9%94%99&_csrf=\(window.csrf)",
        headers: window.form())
      #expect(byPage.status == .seeOther)
      let third = try #require(byPage.headers.first(name: .location))
      #expect(third != "/receipts/\(newNumber)")
      #expect(try await test.get(third, headers: window.cookie).text.contains("替代 \(newNumber)"))
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      #expect(events.contains { $0.actor == "ay-window" && $0.detail.contains("receipt reissued as \(newNumber)") })
    }
  }

  /// The pages: the receipt's form asks, finance's list approves; the fund page links there.
  @Test func theReceiptAsksAndTheCorrectionsPageDecides() async throws {
    try await withTestApp(.sqlite) { test in
      test.setToday(2020, 4, 15)
      let (number, _, _) = try await receipt(test)
      let window = try await test.signIn("ay-window")
      #expect(try await test.get("/receipts/\(number)", headers: window.cookie).text.contains("id=\"void-form\""))
      let asked = try await test.send(
        .POST, "/receipts/\(number)/void", body: "reason=%E8%AE%B0%E9%94%99&_csrf=\(window.csrf)",
        headers: window.form())
      #expect(asked.status == .seeOther)
      #expect(try await test.get("/receipts/\(number)", headers: window.cookie).text.contains("作废申请待复核"))

      let finance = try await test.signIn("ay-finance")
      #expect(try await test.get("/funds", headers: finance.cookie).text.contains("id=\"corrections-link\""))
      let list = try await test.get("/corrections?status=requested", headers: finance.cookie).text
      #expect(list.contains("approve-\(number)"))
      let correction = try #require(
        try await FluentEnrollmentStore(database: test.app.db).corrections(status: .requested, page: PageQuery()).items
          .first)
      let approved = try await test.send(
        .POST, "/corrections/\(correction.id)/decision", body: "approve=true&_csrf=\(finance.csrf)",
        headers: finance.form())
      #expect(approved.status == .seeOther)
      let decided = try await test.get("/corrections", headers: finance.cookie).text
      #expect(decided.contains("已生效"))
      #expect(try await test.get("/receipts/\(number)", headers: window.cookie).text.contains("本收据已作废"))
      // Another federation's finance lists nothing of it.
      let other = try await test.signIn("hlj-finance")
      #expect(!(try await test.get("/corrections", headers: other.cookie).text.contains(number)))
    }
  }
}
