import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import HuzhuTestSupport
import HuzhuWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// A claim through the API from intake with scans to money posted, every response checked
/// against the OpenAPI document.
@Suite("Claim API")
struct ClaimAPITests {
  static let kinds = TestDatabaseKind.available
  let api: EnrollmentAPITests

  init() throws {
    api = try EnrollmentAPITests()
  }

  /// Operators at the Anyang city federation: the demo window clerk, approver and finance,
  /// and a checker holding both review and approval (allowed: the workflow still stops them
  /// approving what they reviewed themselves).
  func accounts(_ test: TestApp) async throws
    -> (clerk: HTTPHeaders, checker: HTTPHeaders, approver: HTTPHeaders, finance: HTTPHeaders)
  {
    let registry = FluentRegistryStore(database: test.app.db)
    let anyang = try #require(try await registry.organisations().first { $0.code == "HA-AY" })
    try await FluentAccountStore(database: test.app.db).create(
      UserAccount(
        username: "ay-checker", displayName: "审核审批 李", organisationID: anyang.id, roles: [.reviewer, .approver],
        passwordHash: try PlainTestHasher().hash(TestApp.demoPassword)))
    return (test.clerkHeaders, test.headers("ay-checker"), test.headers("ay-approver"), test.headers("ay-finance"))
  }

  @Test(arguments: kinds)
  func aClaimFromScansToMoneyPosted(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let (clerk, checker, approver, finance) = try await accounts(test)
      test.setToday(2020, 3, 20)
      // The holder of Anyang's first certificate gets a bank account for the transfer.
      let certificate = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001"))
      try await (test.app.db as! any SQLDatabase).update("workers").set("bank_name", to: "中国银行安阳分行")
        .set("bank_account", to: "6216610200001234567").where("id", .equal, certificate.enrollment.workerID.rawValue)
        .run()

      // Intake at the window by certificate number: Anyang's 3,000 yuan self-paid stay.
      let intake = """
        {"schemeCode":"anyang","certificateNumber":"anyang-2019-000001","channel":"window",
         "intake":{"hospital":"安阳市人民医院","invoiceNumbers":["AY-INV-0001"],"settlementSheetNumber":"JS-0001",
           "event":{"admissionDate":"2020-03-02","dischargeDate":"2020-03-12","claimDate":"2020-03-20","hospitalDays":10,
             "figures":{"in_scope_cost":"18000.00","pooled_fund_paid":"13500.00","critical_illness_insurance_paid":"1500.00"}}}}
        """
      let opened = try await api.call(
        test, .POST, "/api/v1/claims", template: "/api/v1/claims", body: intake, headers: clerk, expect: 201)
      let id = try #require(opened["id"] as? String)
      #expect(opened["calculatedTotal"] as? String == "1300.00")
      #expect(opened["state"] as? String == "draft")
      let missing = (opened["progress"] as? [String: Any])?["missingDocuments"] as? [[String: Any]]
      #expect(missing?.count == 4)

      // Scans, checked by content: a text file named .pdf is refused.
      let upload = "/api/v1/claims/\(id)/documents"
      let fake = try await test.send(
        .POST, "\(upload)?kind=invoice&fileName=invoice.pdf", body: "not a pdf", headers: clerk)
      #expect(fake.status == .unprocessableEntity)
      var documentID = ""
      for (index, kind) in ["certificate", "diagnosis", "invoice", "settlement_sheet"].enumerated() {
        let scan = Data("%PDF-1.4\n% scan \(index)\n".utf8)
        let response = try await test.send(
          .POST, "\(upload)?kind=\(kind)&fileName=\(kind).pdf", data: scan, headers: clerk)
        #expect(response.status == .created, "\(kind): \(response.text)")
        documentID = try TestApp.object(response)["id"] as? String ?? ""
      }
      let file = try await test.get("/api/v1/documents/\(documentID)", headers: clerk)
      #expect(file.headers.contentType?.description.hasPrefix("application/pdf") == true)
      #expect(file.text.hasPrefix("%PDF-1.4"))

      let actions = "/api/v1/claims/\(id)/actions"
      let submitted = try await api.call(
        test, .POST, actions, template: "/api/v1/claims/{id}/actions", body: #"{"action":"submit"}"#, headers: clerk,
        expect: 200)
      #expect((submitted["claim"] as? [String: Any])?["state"] as? String == "submitted")
      let queue = try await api.call(
        test, .GET, "/api/v1/claims?queue=open&scheme=anyang", template: "/api/v1/claims", headers: clerk, expect: 200)
      #expect(queue["total"] as? Int == 1)
      _ = try await api.call(
        test, .POST, actions, template: "/api/v1/claims/{id}/actions", body: #"{"action":"review"}"#, headers: checker,
        expect: 200)
      // The clerk may not approve at all; the checker may, but not what they reviewed.
      _ = try await api.call(
        test, .POST, actions, template: "/api/v1/claims/{id}/actions", body: #"{"action":"approve"}"#, headers: clerk,
        expect: 403)
      let own = try await api.call(
        test, .POST, actions, template: "/api/v1/claims/{id}/actions", body: #"{"action":"approve"}"#, headers: checker,
        expect: 422)
      #expect(api.fieldCodes(own) == ["own_review"])
      // The reviewer adjusts with a justification; the calculation stays visible.
      let adjusted = try await api.call(
        test, .POST, "/api/v1/claims/\(id)/adjustment", template: "/api/v1/claims/{id}/adjustment",
        body: #"{"amount":"1250.00","justification":"一张发票重复计入，扣除50元"}"#, headers: checker, expect: 200)
      #expect(adjusted["calculatedTotal"] as? String == "1300.00")
      #expect(adjusted["payable"] as? String == "1250.00")
      let approved = try await api.call(
        test, .POST, actions, template: "/api/v1/claims/{id}/actions", body: #"{"action":"approve"}"#,
        headers: approver,
        expect: 200)
      #expect((approved["claim"] as? [String: Any])?["approvedTotal"] as? String == "1250.00")

      // The batch, its bank file (twice, identical), the bank's answer.
      let batch = try await api.call(
        test, .POST, "/api/v1/payment-batches", template: "/api/v1/payment-batches",
        body: #"{"schemeCode":"anyang"}"#, headers: finance, expect: 201)
      let batchID = try #require(batch["id"] as? String)
      let csv = try await test.get("/api/v1/payment-batches/\(batchID)/export?format=csv", headers: finance)
      #expect(csv.text.contains("户名,账号,开户行,金额,用途"))
      #expect(csv.text.contains("6216610200001234567,中国银行安阳分行,1250.00"))
      #expect(
        try await test.get("/api/v1/payment-batches/\(batchID)/export?format=csv", headers: finance).text == csv.text)
      let xlsx = try await test.get("/api/v1/payment-batches/\(batchID)/export?format=xlsx", headers: finance)
      let sheet = try SheetReader.read(Data(xlsx.body.readableBytesView))
      #expect(sheet.textRows.last?[3] == "1250.00")
      _ = try await api.call(
        test, .GET, "/api/v1/payment-batches/\(batchID)", template: "/api/v1/payment-batches/{id}", headers: finance,
        expect: 200)
      let line = "/api/v1/payment-batches/\(batchID)/lines/\(id)"
      let lineTemplate = "/api/v1/payment-batches/{id}/lines/{claimId}"
      let settled = try await api.call(
        test, .POST, line, template: lineTemplate, body: #"{"paid":true,"note":"BOC-20200415-001"}"#, headers: finance,
        expect: 200)
      #expect((settled["lines"] as? [[String: Any]])?.first?["status"] as? String == "paid")
      _ = try await api.call(
        test, .POST, line, template: lineTemplate, body: #"{"paid":true,"note":"BOC-20200415-001"}"#, headers: finance,
        expect: 200)

      let detail = try await api.call(
        test, .GET, "/api/v1/claims/\(id)", template: "/api/v1/claims/{id}", headers: clerk, expect: 200)
      #expect((detail["claim"] as? [String: Any])?["state"] as? String == "paid")
      #expect(
        (detail["notifications"] as? [[String: Any]])?.map { $0["notice"] as? String } == [
          "submitted", "approved", "paid",
        ])
      let balances = try await api.call(
        test, .GET, "/api/v1/funds/balances?scheme=anyang", template: "/api/v1/funds/balances", headers: finance,
        expect: 200)
      #expect((balances["items"] as? [[String: Any]])?.first?["claimsPaid"] as? String == "1250.00")

      // The claim's page explains the benefit line by line, in Chinese.
      let page = try await test.get("/claims/\(id)", headers: clerk)
      #expect(page.status == .ok)
      for text in [
        "给付计算明细", "住院医疗互助金", "分段计算", "1000.00（含）以下的部分 × 30%", "超过 1000.00的部分 × 50%", "1300.00",
        "审核调整：¥1,300.00 → ¥1,250.00", "已支付", "医保结算单", "王建华",
      ] {
        #expect(page.text.contains(text), "\(text)")
      }
      // The history names each scan's document, not its code.
      #expect(!page.text.contains("invoice: invoice.pdf"))
      // The messages sent are listed with the phone masked, as on every other page.
      let holder = try #require(
        try await FluentRegistryStore(database: test.app.db).worker(certificate.enrollment.workerID))
      let phone = try #require(holder.phone)
      #expect(!page.text.contains(phone))
      #expect(page.text.contains("→ \(phone.prefix(3))****\(phone.suffix(4))"))
      #expect(try await test.get("/claims", headers: clerk).text.contains("理赔工作台"))
      // The paid case is told as a public, anonymised story once its worker agreed and staff
      // chose it: the amount, never the person.
      #expect(!(try await test.get("/stories").text.contains("获得互助金 ¥1,250.00")))
      let paidClaim = try #require(try await FluentClaimStore(database: test.app.db).claim(.init(id)!))
      let storyStore = FluentStoryStore(database: test.app.db)
      _ = try await storyStore.consent(to: paidClaim, by: "本人", at: Date())
      #expect(!(try await test.get("/stories").text.contains("获得互助金 ¥1,250.00")))
      _ = try await storyStore.publish(paidClaim.id, true, by: "审批", at: Date())
      let stories = try await test.get("/stories").text
      #expect(stories.contains("获得互助金 ¥1,250.00"))
      #expect(stories.contains("住院 10 天"))
      #expect(!stories.contains(certificate.holderName))
      #expect(!stories.contains("安彩"))
      // The reconciliation page: Anyang's 2019 period, 1,250.00 paid out of the 12 members' 90.00 each.
      let fund = try await test.get("/funds", headers: finance).text
      #expect(fund.contains("安阳市职工住院医疗互助保障"))
      #expect(fund.contains("¥1,250.00"))
      #expect(fund.contains("¥-170.00") || fund.contains("-¥170.00"))

      // Claims are for operators only.
      #expect(try await test.get("/api/v1/claims/\(id)").status == .unauthorized)
      let anonymousPage = try await test.get("/claims/\(id)")
      #expect(anonymousPage.status == .seeOther)
      #expect(anonymousPage.headers.first(name: .location)?.hasPrefix("/login?next=") == true)

      // The audit log says who read which medical and bank data, and what each change was.
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      func logged(_ kind: AuditKind, _ actor: String, _ subject: String, _ detail: String) -> Bool {
        events.contains {
          $0.kind == kind && $0.actor == actor && $0.subject == subject.lowercased() && $0.detail.contains(detail)
        }
      }
      #expect(logged(.personalDataView, "ay-window", "document:\(documentID)", "settlement_sheet"))
      #expect(logged(.personalDataView, "ay-window", "claim:\(id)", "diagnosis"))
      #expect(logged(.dataChange, "ay-checker", "claim:\(id)", "payable 1300.00 → 1250.00: 一张发票重复计入"))
      #expect(logged(.dataChange, "ay-approver", "claim:\(id)", "approve: state reviewed → approved"))
      #expect(logged(.export, "ay-finance", "payment_batch:\(batchID)", "bank file"))
      #expect(logged(.personalDataView, "ay-finance", "payment_batch:\(batchID)", "bank accounts"))
      #expect(try await HuzhuApp.AuditChainCheck(test.app.services()).verify().intact)
    }
  }

  @Test func theHolidayCalendarIsListedAndEditable() async throws {
    try await withTestApp(.sqlite) { test in
      let listed = try await api.call(
        test, .GET, "/api/v1/holidays", template: "/api/v1/holidays", headers: test.headers("ay-scheme"), expect: 200)
      #expect((listed["items"] as? [[String: Any]])?.count == 8)
      let year2027 =
        #"{"year":2027,"coverageStart":"2027-01-01","daysOff":["2027-01-01"],"workingWeekendDays":[],"source":"国务院办公厅通知"}"#
      _ = try await api.call(
        test, .PUT, "/api/v1/holidays/2027", template: "/api/v1/holidays/{year}", body: year2027,
        headers: test.headers("ay-scheme"), expect: 200)
      let mismatch = try await api.call(
        test, .PUT, "/api/v1/holidays/2028", template: "/api/v1/holidays/{year}", body: year2027,
        headers: test.headers("ay-scheme"), expect: 422)
      #expect(api.fieldCodes(mismatch) == ["year_mismatch"])
      let after = try await api.call(
        test, .GET, "/api/v1/holidays", template: "/api/v1/holidays", headers: test.headers("ay-scheme"), expect: 200)
      #expect((after["items"] as? [[String: Any]])?.last?["year"] as? Int == 2027)
    }
  }
}

extension ClaimAPITests {
  /// The other paths through the API: returned for documents and resubmitted, rejected with a
  /// coded reason, appealed once.
  /// An outpatient visit is a claim of its own: opened by its day, judged by the benefits that
  /// pay visits (Anyang's top-up pays stays: nothing, and why), shown with its setting; a visit
  /// with an admission date is refused at the field.
  @Test(arguments: kinds)
  func anOutpatientVisitIsAnEventOfItsOwn(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let (clerk, _, _, _) = try await accounts(test)
      test.setToday(2020, 5, 20)
      let body = """
        {"schemeCode":"anyang","certificateNumber":"ANYANG-2019-000002","channel":"window",
         "intake":{"invoiceNumbers":["MZ-1"],"event":{"visitDate":"2020-05-06","setting":"outpatient",
           "hospitalLevel":"level_2","hospitalLocation":"in_province",
           "figures":{"in_scope_cost":"800.00","pooled_fund_paid":"0.00","critical_illness_insurance_paid":"0.00",
             "medical_assistance_paid":"12.50"}}}}
        """
      let opened = try await api.call(
        test, .POST, "/api/v1/claims", template: "/api/v1/claims", body: body, headers: clerk, expect: 201)
      #expect(opened["calculatedTotal"] as? String == "0.00")
      let event = ((opened["intake"] as? [String: Any])?["event"] as? [String: Any])
      #expect(event?["visitDate"] as? String == "2020-05-06")
      #expect(event?["setting"] as? String == "outpatient")
      // The hospital and the later settlement figures are kept as sent, and shown.
      #expect(event?["hospitalLevel"] as? String == "level_2")
      #expect(event?["hospitalLocation"] as? String == "in_province")
      #expect((event?["figures"] as? [String: Any])?["medical_assistance_paid"] as? String == "12.50")
      let outcomes = (opened["explanation"] as? [String: Any])?["outcomes"] as? [[String: Any]] ?? []
      let reasons = outcomes.flatMap { ($0["reasons"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String } }
      #expect(reasons == ["setting_not_covered"])
      let page = try await test.get(
        "/claims/\(try #require(opened["id"] as? String))", headers: test.headers("ay-window"))
      #expect(page.text.contains("门诊 2020-05-06"))
      #expect(page.text.contains("二级医院，省内异地"))
      #expect(page.text.contains("医疗救助支付"))

      let both = try await api.call(
        test, .POST, "/api/v1/claims", template: "/api/v1/claims",
        body: body.replacingOccurrences(
          of: #""visitDate":"2020-05-06""#, with: #""visitDate":"2020-05-06","admissionDate":"2020-05-06""#),
        headers: clerk, expect: 422)
      #expect(api.fieldCodes(both) == ["visit_and_stay"])
    }
  }

  @Test(arguments: kinds)
  func returnedRejectedAndAppealed(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let (clerk, checker, _, _) = try await accounts(test)
      test.setToday(2020, 5, 20)
      let opened = try await api.call(
        test, .POST, "/api/v1/claims", template: "/api/v1/claims",
        body: """
          {"schemeCode":"anyang","certificateNumber":"ANYANG-2019-000002","channel":"unit","expedited":true,
           "intake":{"invoiceNumbers":["X-1"],"event":{"admissionDate":"2020-05-06","dischargeDate":"2020-05-09",
             "claimDate":"2020-05-20","figures":{"in_scope_cost":"800.00","pooled_fund_paid":"0.00","critical_illness_insurance_paid":"0.00"}}}}
          """, headers: clerk, expect: 201)
      let id = try #require(opened["id"] as? String)
      #expect(opened["calculatedTotal"] as? String == "240.00")
      for kind in ["certificate", "diagnosis", "invoice", "settlement_sheet"] {
        let response = try await test.send(
          .POST, "/api/v1/claims/\(id)/documents?kind=\(kind)", data: Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2]),
          headers: clerk)
        #expect(response.status == .created)
      }
      let actions = "/api/v1/claims/\(id)/actions"
      let template = "/api/v1/claims/{id}/actions"
      func act(_ body: String, _ headers: HTTPHeaders, expect status: Int = 200) async throws -> [String: Any] {
        try await api.call(test, .POST, actions, template: template, body: body, headers: headers, expect: status)
      }
      let submitted = try await act(#"{"action":"submit"}"#, clerk)
      #expect((submitted["claim"] as? [String: Any])?["dueOn"] != nil)
      let again = try await act(#"{"action":"submit"}"#, clerk)
      #expect(again["changed"] as? Bool == false)
      _ = try await act(#"{"action":"return","note":"请补充出院小结"}"#, checker)
      let expedited = try await api.call(
        test, .GET, "/api/v1/claims?queue=expedited", template: "/api/v1/claims", headers: clerk, expect: 200)
      #expect(expedited["total"] as? Int == 0)  // returned: the clock has stopped
      // The facts can change while it is back with the unit: it is recalculated.
      let updated = try await api.call(
        test, .PUT, "/api/v1/claims/\(id)/intake", template: "/api/v1/claims/{id}/intake",
        body: """
          {"invoiceNumbers":["X-1"],"event":{"admissionDate":"2020-05-06","dischargeDate":"2020-05-09",
            "claimDate":"2020-05-20","figures":{"in_scope_cost":"900.00","pooled_fund_paid":"0.00","critical_illness_insurance_paid":"0.00"}}}
          """, headers: clerk, expect: 200)
      #expect(updated["calculatedTotal"] as? String == "270.00")
      _ = try await act(#"{"action":"submit"}"#, clerk)
      let queued = try await api.call(
        test, .GET, "/api/v1/claims?queue=expedited", template: "/api/v1/claims", headers: clerk, expect: 200)
      #expect(queued["total"] as? Int == 1)
      let noReason = try await act(#"{"action":"reject","rejectionReason":"outside_scope"}"#, checker, expect: 422)
      #expect(api.fieldCodes(noReason) == ["reason_required"])
      let rejected = try await act(
        #"{"action":"reject","rejectionReason":"outside_scope","note":"美容项目不属于保障范围"}"#, checker)
      #expect((rejected["claim"] as? [String: Any])?["state"] as? String == "rejected")
      let appealed = try await act(#"{"action":"appeal","note":"系治疗性手术，附医院说明"}"#, clerk)
      #expect((appealed["claim"] as? [String: Any])?["state"] as? String == "submitted")
      _ = try await act(#"{"action":"reject","rejectionReason":"outside_scope","note":"复核维持"}"#, checker)
      let twice = try await act(#"{"action":"appeal","note":"再次申诉"}"#, clerk, expect: 422)
      #expect(api.fieldCodes(twice) == ["already_appealed"])
      let detail = try await api.call(
        test, .GET, "/api/v1/claims/\(id)", template: "/api/v1/claims/{id}", headers: clerk, expect: 200)
      let notices = (detail["notifications"] as? [[String: Any]])?.compactMap { $0["notice"] as? String }
      #expect(notices == ["submitted", "returned", "submitted", "rejected", "submitted", "rejected"])
    }
  }
}
