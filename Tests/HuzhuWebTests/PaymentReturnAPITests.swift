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

/// A transfer the bank sends back (退汇) through the API and the batch page: the fund credited
/// by reversal, the claim paid again once, nothing of it reachable from another federation.
@Suite("Payment returns over HTTP")
struct PaymentReturnAPITests {
  static let kinds = TestDatabaseKind.available
  let api: EnrollmentAPITests

  init() throws {
    api = try EnrollmentAPITests()
  }

  /// Anyang's first certificate holder's 3,000 yuan stay, approved (made through the store: the
  /// intake's own API is ClaimAPITests' subject), with a bank account to pay.
  func approvedClaim(_ test: TestApp) async throws -> (claim: ClaimRecord, worker: Worker.ID) {
    let db = test.app.db
    let certificate = try #require(
      try await FluentEnrollmentStore(database: db).certificate(number: "ANYANG-2019-000001"))
    let worker = certificate.enrollment.workerID
    try await (db as! any SQLDatabase).update("workers").set("bank_name", to: "中国银行安阳分行")
      .set("bank_account", to: "6216610200001234567").where("id", .equal, worker.rawValue).run()
    let scheme = try #require(try await FluentSchemeStore(database: db).scheme(code: "anyang")).compiled()
    let today = CalendarDate(year: 2020, month: 3, day: 20)!
    func context(_ name: String) -> ClaimContext {
      ClaimContext(
        actor: ClaimActor(accountID: .init(), name: name, organisationKind: .cityFederation), address: "10.0.0.1",
        today: today, scheme: scheme, calendar: .publishedChina)
    }
    let store = FluentClaimStore(database: db)
    let intake = ClaimIntake(
      hospital: "安阳市人民医院",
      event: ClaimEvent(
        admissionDate: CalendarDate(year: 2020, month: 3, day: 2)!,
        dischargeDate: CalendarDate(year: 2020, month: 3, day: 12)!, claimDate: today, hospitalDays: 10,
        figures: SettlementFigures([
          .inScopeCost: Money(fen: 300_000), .pooledFundPaid: .zero, .criticalIllnessInsurancePaid: .zero,
        ])),
      invoiceNumbers: ["RET-INV-1"], settlementSheetNumber: "RET-JS-1")
    var claim = try await store.open(intake, for: worker, channel: .window, expedited: false, context: context("窗口"))
    for kind in claim.progress.missingDocuments {
      claim = try await store.attach(
        ClaimDocument(
          claimID: claim.id, kind: kind, fileName: "\(kind).pdf", format: .pdf, size: 10,
          sha256: String(repeating: "b", count: 64), uploadedBy: "窗口", uploadedAt: Date()),
        to: claim.id, context: context("窗口"))
    }
    let clerk = context("窗口")
    claim = try await store.perform(.submit, on: claim.id, context: clerk).record
    claim = try await store.perform(.review, on: claim.id, context: clerk).record
    claim = try await store.perform(.approve, on: claim.id, context: context("审批")).record
    #expect(claim.state == .approved)
    return (claim, worker)
  }

  @Test(arguments: kinds)
  func aReturnedTransferIsCreditedAndPaidAgainOnce(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 4, 10)
      let (claim, worker) = try await approvedClaim(test)
      let finance = test.headers("ay-finance")
      let batch = try await api.call(
        test, .POST, "/api/v1/payment-batches", template: "/api/v1/payment-batches",
        body: #"{"schemeCode":"anyang"}"#, headers: finance, expect: 201)
      let batchID = try #require(batch["id"] as? String)
      let line = "/api/v1/payment-batches/\(batchID)/lines/\(claim.id)"
      let returnPath = line + "/return"
      let template = "/api/v1/payment-batches/{id}/lines/{claimId}/return"

      // Not paid yet: nothing to return.
      let early = try await api.call(
        test, .POST, returnPath, template: template, body: #"{"reason":"账户已销户"}"#, headers: finance, expect: 422)
      #expect(api.fieldCodes(early) == ["not_paid"])
      _ = try await api.call(
        test, .POST, line, template: "/api/v1/payment-batches/{id}/lines/{claimId}",
        body: #"{"paid":true,"note":"BOC-1"}"#, headers: finance, expect: 200)

      // Another federation's finance, and a clerk without payments, get nothing.
      let foreign = try await test.send(
        .POST, returnPath, body: #"{"reason":"x"}"#, headers: test.headers("hlj-finance"))
      #expect(foreign.status == .notFound)
      #expect(!foreign.text.contains(claim.number))
      #expect(!foreign.text.contains("ZF-ANYANG"))
      let clerk = try await test.send(.POST, returnPath, body: #"{"reason":"x"}"#, headers: test.clerkHeaders)
      #expect(clerk.status == .forbidden)
      let unexplained = try await api.call(
        test, .POST, returnPath, template: template, body: #"{"reason":" "}"#, headers: finance, expect: 422)
      #expect(api.fieldCodes(unexplained) == ["reason_required"])
      #expect(try await test.send(.POST, returnPath, body: "{", headers: finance).status == .badRequest)

      test.setToday(2020, 4, 20)
      let returned = try await api.call(
        test, .POST, returnPath, template: template, body: #"{"reason":"账户已销户"}"#, headers: finance, expect: 200)
      let returnedLine = try #require((returned["lines"] as? [[String: Any]])?.first)
      #expect(returnedLine["status"] as? String == "paid")
      #expect((returnedLine["statusLabel"] as? [String: Any])?["zh"] as? String == "已退汇")
      #expect((returnedLine["returned"] as? [String: Any])?["returnedOn"] as? String == "2020-04-20")
      // Sent again: the same answer, nothing more posted.
      let again = try await api.call(
        test, .POST, returnPath, template: template, body: #"{"reason":"账户已销户"}"#, headers: finance, expect: 200)
      #expect((again["lines"] as? [[String: Any]])?.first?["returned"] != nil)

      func anyang() async throws -> [String: Any] {
        let balances = try await api.call(
          test, .GET, "/api/v1/funds/balances?scheme=anyang", template: "/api/v1/funds/balances", headers: finance,
          expect: 200)
        return try #require((balances["items"] as? [[String: Any]])?.first { $0["versionLabel"] as? String == "2019" })
      }
      var balance = try await anyang()
      #expect(balance["claimsPaid"] as? String == "1300.00")
      #expect(balance["reversals"] as? String == "1300.00")
      let detail = try await api.call(
        test, .GET, "/api/v1/claims/\(claim.id)", template: "/api/v1/claims/{id}", headers: finance, expect: 200)
      #expect((detail["claim"] as? [String: Any])?["state"] as? String == "approved")
      #expect(
        (detail["notifications"] as? [[String: Any]])?.last?["notice"] as? String == "payment_returned")

      // The account the money bounced from takes no new batch; corrected, it does.
      let refused = try await api.call(
        test, .POST, "/api/v1/payment-batches", template: "/api/v1/payment-batches",
        body: #"{"schemeCode":"anyang"}"#, headers: finance, expect: 422)
      #expect(api.fieldCodes(refused) == ["nothing_to_pay"])
      // The worker's page says why and takes the corrected account (a clerk's job, audited).
      let window = try await test.signIn("ay-window")
      let workerPage = try await test.get("/workers/\(worker)", headers: window.cookie).text
      #expect(workerPage.contains("id=\"account-returned\""))
      #expect(workerPage.contains("账户已销户"))
      let correct = "/workers/\(worker)/bank-account"
      let invalid = try await test.send(
        .POST, correct, body: "bankName=%E4%B8%AD%E5%9B%BD%E9%93%B6%E8%A1%8C&bankAccount=12ab&_csrf=\(window.csrf)",
        headers: window.form())
      #expect(invalid.status == .seeOther)
      #expect(try await test.get("/workers/\(worker)", headers: window.cookie).text.contains("银行账号应为10–30位数字"))
      let foreignWindow = try await test.signIn("yc-window")
      let foreignCorrection = try await test.send(
        .POST, correct, body: "bankName=x&bankAccount=6216610200009999999&_csrf=\(foreignWindow.csrf)",
        headers: foreignWindow.form())
      #expect(foreignCorrection.status == .notFound)
      // The same through the API: another federation finds no such member, a bad number is
      // refused by field, and nothing changed either way.
      let apiPath = "/api/v1/workers/\(worker)/bank-account"
      let apiTemplate = "/api/v1/workers/{id}/bank-account"
      #expect(
        try await test.send(
          .PUT, apiPath, body: #"{"bankName":"x","account":"6216610200009999999"}"#, headers: test.headers("yc-window")
        ).status == .notFound)
      let badNumber = try await api.call(
        test, .PUT, apiPath, template: apiTemplate, body: #"{"bankName":"中国银行","account":"12ab"}"#,
        headers: test.clerkHeaders, expect: 422)
      #expect(api.fieldCodes(badNumber) == ["invalid_account"])
      #expect(
        try await test.send(
          .PUT, apiPath, body: #"{"bankName":"x","account":"6216610200009999999"}"#, headers: finance
        ).status == .forbidden)
      let corrected = try await test.send(
        .POST, correct,
        body:
          "bankName=%E4%B8%AD%E5%9B%BD%E9%93%B6%E8%A1%8C&bankAccount=6216%200102%200000%207654%20321&_csrf=\(window.csrf)",
        headers: window.form())
      #expect(corrected.status == .seeOther)
      let viaAPI = try await api.call(
        test, .PUT, apiPath, template: apiTemplate, body: #"{"bankName":"中国银行","account":"6216610200007654321"}"#,
        headers: test.clerkHeaders, expect: 200)
      #expect(viaAPI["accountMasked"] as? String == "6216 **** 4321")
      let correctedPage = try await test.get("/workers/\(worker)", headers: window.cookie).text
      #expect(correctedPage.contains("银行账户已更正"))
      #expect(!correctedPage.contains("id=\"account-returned\""))
      let second = try await api.call(
        test, .POST, "/api/v1/payment-batches", template: "/api/v1/payment-batches",
        body: #"{"schemeCode":"anyang"}"#, headers: finance, expect: 201)
      let secondID = try #require(second["id"] as? String)

      // The batch page offers the return on a paid line and shows it on a returned one.
      let session = try await test.signIn("ay-finance")
      let firstPage = try await test.get("/payments/\(batchID)", headers: session.cookie).text
      #expect(firstPage.contains("已退汇"))
      #expect(firstPage.contains("账户已销户"))
      #expect(!firstPage.contains("return-\(claim.number)"))
      _ = try await api.call(
        test, .POST, "/api/v1/payment-batches/\(secondID)/lines/\(claim.id)",
        template: "/api/v1/payment-batches/{id}/lines/{claimId}", body: #"{"paid":true,"note":"BOC-2"}"#,
        headers: finance, expect: 200)
      balance = try await anyang()
      #expect(balance["claimsPaid"] as? String == "2600.00")
      #expect(balance["reversals"] as? String == "1300.00")
      let secondPage = try await test.get("/payments/\(secondID)", headers: session.cookie).text
      #expect(secondPage.contains("return-\(claim.number)"))
      let posted = try await test.send(
        .POST, "/payments/\(secondID)/return",
        body: "claimId=\(claim.id)&reason=%E6%88%B7%E5%90%8D%E4%B8%8D%E7%AC%A6&_csrf=\(session.csrf)",
        headers: session.form())
      #expect(posted.status == .seeOther, "\(posted.text)")
      #expect(try await test.get("/payments/\(secondID)", headers: session.cookie).text.contains("户名不符"))
      balance = try await anyang()
      #expect(balance["reversals"] as? String == "2600.00")

      // Each return is in the audit log, under the batch and with the bank's reason.
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      #expect(
        events.contains {
          $0.actor == "ay-window" && $0.subject == "worker:\(worker)" && $0.detail.contains("****4567 → 中国银行 ****4321")
        })
      // The other federation's clerk changed nothing.
      #expect(!events.contains { $0.actor == "yc-window" && $0.subject == "worker:\(worker)" })
      #expect(
        events.filter { $0.actor == "ay-finance" && $0.detail.contains("returned by the bank") }.map(\.subject)
          == ["payment_batch:\(secondID)".lowercased(), "payment_batch:\(batchID)".lowercased()])
    }
  }

  /// A batch of Anyang's approved claims made by its finance officer, by its id.
  func batch(_ test: TestApp) async throws -> String {
    let batch = try await api.call(
      test, .POST, "/api/v1/payment-batches", template: "/api/v1/payment-batches",
      body: #"{"schemeCode":"anyang"}"#, headers: test.headers("ay-finance"), expect: 201)
    return try #require(batch["id"] as? String)
  }

  /// The bank's answer file on the batch page: uploaded, checked row by row, recorded once, in
  /// one go; a file with a row in error records nothing; another federation's finance finds no
  /// batch, a clerk may not.
  @Test(arguments: kinds)
  func aBankAnswerFileIsCheckedThenRecordedOnce(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 4, 10)
      let (claim, _) = try await approvedClaim(test)
      let finance = test.headers("ay-finance")
      let batchID = try await batch(test)
      let sent = try await test.get("/api/v1/payment-batches/\(batchID)/export?format=csv", headers: finance)
      // The bank returns its file with a result column.
      let rows = sent.text.replacingOccurrences(of: "\u{FEFF}", with: "")
        .split(separator: "\r\n").map(String.init)
      #expect(rows.count == 2)
      func answerFile(_ line: String) -> String { rows[0] + ",处理结果,失败原因\r\n" + line + "\r\n" }
      let session = try await test.signIn("ay-finance")
      func upload(_ content: String, as who: TestApp.Session) async throws -> TestingHTTPResponse {
        let form = TestApp.multipart(
          [("_csrf", who.csrf)], files: [(name: "file", fileName: "回盘.csv", type: "text/csv", content: content)])
        var headers = who.cookie
        headers.replaceOrAdd(name: .contentType, value: form.contentType)
        return try await test.send(.POST, "/payments/\(batchID)/answers/upload", body: form.body, headers: headers)
      }
      let page = try await test.get("/payments/\(batchID)", headers: session.cookie).text
      #expect(page.contains("id=\"settle-all\"") && page.contains("id=\"answer-upload\""))

      // A wrong amount: shown on its row, nothing can be recorded.
      let wrong = try await upload(
        answerFile(rows[1].replacingOccurrences(of: ",1300.00,", with: ",1300.10,") + ",成功,"), as: session)
      #expect(wrong.status == .seeOther)
      let wrongLocation = try #require(wrong.headers.first(name: .location))
      let wrongCheck = try await test.get(wrongLocation, headers: session.cookie).text
      #expect(wrongCheck.contains("与批次中的 ¥1,300.00 不符"))
      #expect(!wrongCheck.contains("id=\"answer-apply\""))
      let wrongFile = String(try #require(wrongLocation.split(separator: "file=").last))
      let forced = try await test.send(
        .POST, "/payments/\(batchID)/answers", body: "file=\(wrongFile)&_csrf=\(session.csrf)", headers: session.form())
      #expect(forced.status == .unprocessableEntity)
      #expect(try await FluentClaimStore(database: test.app.db).claim(claim.id)?.state == .inPayment)

      // Another federation's finance and a clerk: nothing.
      let foreign = try await test.signIn("hlj-finance")
      let foreignUpload = try await upload(answerFile(rows[1] + ",成功,"), as: foreign)
      #expect(foreignUpload.status == .notFound)
      let foreignCheck = try await test.get(wrongLocation, headers: foreign.cookie)
      #expect(foreignCheck.status == .notFound)
      #expect(!foreignCheck.text.contains(claim.number))
      let window = try await test.signIn("ay-window")
      #expect(try await upload(answerFile(rows[1] + ",成功,"), as: window).status == .forbidden)

      // The right file: checked, then recorded; the fund pays once.
      let right = try await upload(answerFile(rows[1] + ",交易成功,"), as: session)
      let location = try #require(right.headers.first(name: .location))
      let check = try await test.get(location, headers: session.cookie).text
      #expect(check.contains("到账 1 笔 ¥1,300.00"))
      #expect(check.contains("id=\"answer-apply\""))
      let file = String(try #require(location.split(separator: "file=").last))
      let recorded = try await test.send(
        .POST, "/payments/\(batchID)/answers", body: "file=\(file)&_csrf=\(session.csrf)", headers: session.form())
      #expect(recorded.status == .seeOther)
      let after = try await test.get("/payments/\(batchID)", headers: session.cookie).text
      #expect(after.contains("已按回盘文件登记：到账 1 笔，失败 0 笔"))
      #expect(!after.contains("id=\"settle-all\""))
      #expect(try await FluentClaimStore(database: test.app.db).claim(claim.id)?.state == .paid)
      let again = try await upload(answerFile(rows[1] + ",交易成功,"), as: session)
      let againCheck = try await test.get(try #require(again.headers.first(name: .location)), headers: session.cookie)
      #expect(againCheck.text.contains("已登记，无变化"))
      #expect(!againCheck.text.contains("id=\"answer-apply\""))
      let balances = try await api.call(
        test, .GET, "/api/v1/funds/balances?scheme=anyang", template: "/api/v1/funds/balances", headers: finance,
        expect: 200)
      let balance = try #require(
        (balances["items"] as? [[String: Any]])?.first { $0["versionLabel"] as? String == "2019" })
      #expect(balance["claimsPaid"] as? String == "1300.00")
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      #expect(events.filter { $0.detail.contains("bank answer file") }.count == 1)
    }
  }

  /// "All paid": every pending line of the batch recorded paid at once.
  @Test(arguments: kinds)
  func everyPendingLineIsRecordedPaidAtOnce(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 4, 10)
      let (claim, _) = try await approvedClaim(test)
      let batchID = try await batch(test)
      let foreign = try await test.signIn("hlj-finance")
      let refused = try await test.send(
        .POST, "/payments/\(batchID)/settle-all", body: "_csrf=\(foreign.csrf)", headers: foreign.form())
      #expect(refused.status == .notFound)
      let session = try await test.signIn("ay-finance")
      for _ in 0..<2 {
        let posted = try await test.send(
          .POST, "/payments/\(batchID)/settle-all", body: "_csrf=\(session.csrf)", headers: session.form())
        #expect(posted.status == .seeOther)
      }
      let page = try await test.get("/payments/\(batchID)", headers: session.cookie).text
      #expect(page.contains("已登记 0 笔到账"))
      #expect(try await FluentClaimStore(database: test.app.db).claim(claim.id)?.state == .paid)
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      #expect(events.filter { $0.detail.contains("marked paid at once") }.count == 1)
    }
  }
}
