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

/// A member's cover withdrawn with four eyes through the API and the pages, its contributions
/// refunded and transferred; nothing of it reachable from another federation.
@Suite("Withdrawals and refunds over HTTP")
struct WithdrawalAPITests {
  static let kinds = TestDatabaseKind.available
  let api: EnrollmentAPITests

  init() throws {
    api = try EnrollmentAPITests()
  }

  /// An Anyang certificate whose member has no claims, paid in full.
  func certificate(_ test: TestApp) async throws -> (number: String, bill: Bill.ID) {
    struct Row: Decodable {
      let certificate_number: String
      let bill_id: UUID
    }
    let row = try #require(
      try await (test.app.db as! any SQLDatabase).raw(
        """
        SELECT e.certificate_number, e.bill_id FROM enrollments e JOIN bills b ON b.id = e.bill_id
        WHERE e.scheme_code = 'anyang' AND e.status = 'active' AND b.unit_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.worker_id = e.worker_id)
        ORDER BY e.certificate_number LIMIT 1
        """
      ).first(decoding: Row.self))
    return (row.certificate_number, .init(row.bill_id))
  }

  @Test(arguments: kinds)
  func aCoverIsWithdrawnByOneApprovedByAnotherAndItsRefundsTransferred(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 4, 15)
      let (number, billID) = try await certificate(test)
      let path = "/api/v1/certificates/\(number)/withdrawal"
      let template = "/api/v1/certificates/{number}/withdrawal"
      let store = FluentEnrollmentStore(database: test.app.db)
      let billBefore = try #require(try await store.bill(billID))

      // Another federation's window finds no such certificate.
      let foreign = try await test.send(
        .POST, path, body: #"{"kind":"enrollment_void","reason":"x"}"#, headers: test.headers("yc-window"))
      #expect(foreign.status == .notFound)
      // Too late to withdraw (the 2019 rules allow 30 days); a payment void is not asked for here;
      // a refund account must be an account.
      let late = try await api.call(
        test, .POST, path, template: template, body: #"{"kind":"withdrawal","reason":"本人退保"}"#,
        headers: test.clerkHeaders, expect: 422)
      #expect(api.fieldCodes(late) == ["withdrawal_too_late"])
      let wrongKind = try await api.call(
        test, .POST, path, template: template, body: #"{"kind":"payment_void","reason":"x"}"#,
        headers: test.clerkHeaders, expect: 422)
      #expect(api.fieldCodes(wrongKind) == ["invalid_kind"])
      let badAccount = try await api.call(
        test, .POST, path, template: template,
        body: #"{"kind":"enrollment_void","reason":"录错","refundBankName":"中国银行","refundBankAccount":"12ab"}"#,
        headers: test.clerkHeaders, expect: 422)
      #expect(api.fieldCodes(badAccount) == ["invalid_account"])

      let asked = try await api.call(
        test, .POST, path, template: template,
        body:
          #"{"kind":"enrollment_void","reason":"人员录错","refundBankName":"中国银行安阳分行","refundBankAccount":"6216 6102 0000 9999"}"#,
        headers: test.clerkHeaders, expect: 201)
      #expect(asked["status"] as? String == "requested")
      #expect(asked["certificateNumber"] as? String == number && asked["receiptNumber"] == nil)
      let id = try #require(asked["id"] as? String)
      let amount = try #require(Money(yuan: asked["amount"] as? String ?? ""))

      func balance() async throws -> [String: Any] {
        let balances = try await api.call(
          test, .GET, "/api/v1/funds/balances?scheme=anyang", template: "/api/v1/funds/balances",
          headers: test.headers("ay-finance"), expect: 200)
        return try #require((balances["items"] as? [[String: Any]])?.first { $0["versionLabel"] as? String == "2019" })
      }
      let before = try await balance()
      #expect(
        try await test.send(
          .POST, "/api/v1/corrections/\(id)/decision", body: #"{"approve":true}"#, headers: test.headers("hlj-finance")
        ).status == .notFound)
      let approved = try await api.call(
        test, .POST, "/api/v1/corrections/\(id)/decision", template: "/api/v1/corrections/{id}/decision",
        body: #"{"approve":true}"#, headers: test.headers("ay-finance"), expect: 200)
      #expect(approved["status"] as? String == "applied")

      // The bill was paid in full: every payer gets their part back, and the fund shows it.
      let listed = try await api.call(
        test, .GET, "/api/v1/refunds?status=due", template: "/api/v1/refunds", headers: test.headers("ay-finance"),
        expect: 200)
      let refunds = try #require(listed["items"] as? [[String: Any]])
      #expect(!refunds.isEmpty && refunds.allSatisfy { $0["certificateNumber"] as? String == number })
      let refunded = refunds.compactMap { Money(yuan: $0["amount"] as? String ?? "") }.reduce(Money.zero, +)
      #expect(refunded == amount)
      let after = try await balance()
      let refundsBefore = try #require(Money(yuan: before["refunds"] as? String ?? ""))
      #expect(after["refunds"] as? String == (refundsBefore + amount).decimalString)
      let balanceBefore = try #require(Money(yuan: before["balance"] as? String ?? ""))
      #expect(after["balance"] as? String == (balanceBefore - amount).decimalString)
      let billAfter = try #require(try await store.bill(billID))
      #expect(billAfter.totalDue == billBefore.totalDue - amount && billAfter.memberCount == billBefore.memberCount - 1)
      #expect(billAfter.status == .paid)
      let employer = try #require(refunds.first { $0["payer"] as? String == "employer" })
      #expect(employer["bankAccountMasked"] as? String == "6216 **** 9999")

      // Another federation sees no refund; the window may not record a transfer.
      let elsewhere = try await api.call(
        test, .GET, "/api/v1/refunds", template: "/api/v1/refunds", headers: test.headers("hlj-finance"), expect: 200)
      #expect(elsewhere["total"] as? Int == 0)
      let refundID = try #require(employer["id"] as? String)
      #expect(
        try await test.get("/api/v1/refunds/\(refundID)", headers: test.headers("hlj-finance")).status == .notFound)
      let transfer = "/api/v1/refunds/\(refundID)/transfer"
      let transferTemplate = "/api/v1/refunds/{id}/transfer"
      #expect(
        try await test.send(.POST, transfer, body: #"{"reference":"B1"}"#, headers: test.headers("hlj-finance")).status
          == .notFound)
      #expect(
        try await test.send(.POST, transfer, body: #"{"reference":"B1"}"#, headers: test.clerkHeaders).status
          == .forbidden)

      // The bank file has the employer's refund with its whole account; then the transfer is
      // recorded once.
      let finance = try await test.signIn("ay-finance")
      let file = try await test.get("/refunds/bank-file?format=csv", headers: finance.cookie)
      #expect(file.status == .ok)
      #expect(file.body.string.contains("6216610200009999"))
      let recorded = try await api.call(
        test, .POST, transfer, template: transferTemplate, body: #"{"reference":"BANK-TF-1"}"#,
        headers: test.headers("ay-finance"), expect: 201)
      #expect(recorded["status"] as? String == "paid" && recorded["paidReference"] as? String == "BANK-TF-1")
      _ = try await api.call(
        test, .POST, transfer, template: transferTemplate, body: #"{"reference":"BANK-TF-1"}"#,
        headers: test.headers("ay-finance"), expect: 200)
      let other = try await api.call(
        test, .POST, transfer, template: transferTemplate, body: #"{"reference":"BANK-TF-2"}"#,
        headers: test.headers("ay-finance"), expect: 422)
      #expect(api.fieldCodes(other) == ["already_paid"])
      #expect(
        !(try await test.get("/refunds/bank-file?format=csv", headers: finance.cookie).body.string
          .contains("6216610200009999")))

      // The certificate is void, on the staff page and the public check; the audit log has it all.
      let window = try await test.signIn("ay-window")
      let page = try await test.get("/certificates/\(number)", headers: window.cookie).text
      #expect(page.contains("id=\"certificate-void\"") && !page.contains("id=\"withdrawal-form\""))
      #expect(try await test.get("/verify?number=\(number)").text.contains("该保障书已作废"))
      let shown = try await api.call(
        test, .GET, "/api/v1/certificates/\(number)", template: "/api/v1/certificates/{number}",
        headers: test.clerkHeaders, expect: 200)
      #expect(shown["status"] as? String == "withdrawn")
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      #expect(events.contains { $0.actor == "ay-window" && $0.detail.contains("enrollment_void requested") })
      #expect(events.contains { $0.actor == "ay-finance" && $0.detail.contains("enrollment_void approved") })
      #expect(events.contains { $0.actor == "ay-finance" && $0.detail.contains("refund paid") })
      #expect(events.contains { $0.actor == "ay-finance" && $0.detail.contains("refund bank file") })
    }
  }

  /// The pages: the certificate's form asks, the corrections page approves, the refunds page
  /// records the transfer; the fund page links there and counts refunds.
  @Test func theCertificateAsksAndTheRefundsPageRecordsTheTransfer() async throws {
    try await withTestApp(.sqlite) { test in
      test.setToday(2020, 4, 15)
      let (number, _) = try await certificate(test)
      let window = try await test.signIn("ay-window")
      #expect(
        try await test.get("/certificates/\(number)", headers: window.cookie).text.contains("id=\"withdrawal-form\""))
      let tooLate = try await test.send(
        .POST, "/certificates/\(number)/withdrawal", body: "kind=withdrawal&reason=x&_csrf=\(window.csrf)",
        headers: window.form())
      #expect(tooLate.status == .seeOther)
      #expect(try await test.get("/certificates/\(number)", headers: window.cookie).text.contains("退保须在保障开始后 30 天内"))
      let asked = try await test.send(
        .POST, "/certificates/\(number)/withdrawal",
        body: "kind=enrollment_void&reason=%E5%BD%95%E9%94%99&refundBankName=&refundBankAccount=&_csrf=\(window.csrf)",
        headers: window.form())
      #expect(asked.status == .seeOther)
      #expect(try await test.get("/certificates/\(number)", headers: window.cookie).text.contains("待财务复核"))

      let finance = try await test.signIn("ay-finance")
      let queue = try await test.get("/corrections?status=requested", headers: finance.cookie).text
      #expect(queue.contains("/certificates/\(number)"))
      let correction = try #require(
        try await FluentEnrollmentStore(database: test.app.db).corrections(status: .requested, page: PageQuery()).items
          .first)
      _ = try await test.send(
        .POST, "/corrections/\(correction.id)/decision", body: "approve=true&_csrf=\(finance.csrf)",
        headers: finance.form())
      #expect(try await test.get("/funds", headers: finance.cookie).text.contains("id=\"refunds-link\""))
      // The statistics' key figures count the fund's refunds with its other corrections.
      let amount = correction.amount.decimalString
      let statistics = try await test.get(
        "/statistics/export?table=indicators&format=csv&scheme=anyang", headers: finance.cookie)
      #expect(statistics.status == .ok)
      #expect(statistics.body.string.contains("基金退费 / fund refunds,\(amount)"))
      let list = try await test.get("/refunds?status=due", headers: finance.cookie).text
      let refund = try #require(
        try await FluentEnrollmentStore(database: test.app.db).refunds(correction: correction.id).first)
      #expect(list.contains("transfer-\(refund.number)"))
      // Due, it is in Anyang's bank file and not in another federation's.
      #expect(
        try await test.get("/refunds/bank-file?format=csv", headers: finance.cookie).body.string.contains(refund.number)
      )
      let foreign = try await test.signIn("hlj-finance")
      let foreignFile = try await test.get("/refunds/bank-file?format=csv", headers: foreign.cookie)
      #expect(foreignFile.status == .ok && !foreignFile.body.string.contains(refund.number))
      let transferred = try await test.send(
        .POST, "/refunds/\(refund.id)/transfer", body: "reference=BANK-9&_csrf=\(finance.csrf)",
        headers: finance.form())
      #expect(transferred.status == .seeOther)
      #expect(try await test.get("/refunds?status=paid", headers: finance.cookie).text.contains("BANK-9"))
      // Another federation's finance lists nothing of it.
      let other = try await test.signIn("hlj-finance")
      #expect(!(try await test.get("/refunds", headers: other.cookie).text.contains(refund.number)))

    }
  }
}
