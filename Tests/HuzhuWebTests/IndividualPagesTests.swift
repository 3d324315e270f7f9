import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// People on their own (gig workers): registered at a window, enrolled individually, their bill
/// paid from their page, seen by that window's area only, signing in to the portal.
@Suite("Individual members")
struct IndividualPagesTests {
  static let kinds = TestDatabaseKind.available

  static func encoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
  }

  @Test(arguments: kinds)
  func theWindowRegistersAGigWorkerEnrollsHerAndTakesThePayment(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let organisations = try await FluentRegistryStore(database: test.app.db).organisations()
      let yichun = try #require(organisations.first { $0.code == "HLJ-YC" })
      let clerk = try await test.signIn("yc-window")
      let blank = try await test.get("/workers/new", headers: clerk.cookie)
      #expect(blank.status == .ok)
      #expect(blank.text.contains("个人参保登记"))
      #expect(blank.text.contains(#"id="category-gig_worker" checked"#))

      // Everything wrong at once: each field named, what was typed kept, nothing stored.
      let name = Self.encoded("李娜")
      let refused = try await test.send(
        .POST, "/workers/new",
        body:
          "_csrf=\(clerk.csrf)&name=\(name)&idNumber=230702199203081234&phone=0458-3612345&insuranceType=urban_employee&categories[]=gig_worker&bankAccount=12ab&organisationId=\(yichun.id)",
        headers: clerk.form())
      #expect(refused.status == .unprocessableEntity)
      #expect(refused.text.contains("身份证号码无效"))
      #expect(refused.text.contains("应为11位手机号"))
      #expect(refused.text.contains("银行账号应为10–30位数字"))
      #expect(refused.text.contains(#"value="李娜""#))

      let number = ResidentIDNumber.compose(
        region: "230702", birthDate: CalendarDate(year: 1992, month: 3, day: 8)!, sequence: 88, gender: .female)
      let registered = try await test.send(
        .POST, "/workers/new",
        body:
          "_csrf=\(clerk.csrf)&name=\(name)&idNumber=\(number.value)&phone=13945678901&insuranceType=urban_employee&categories[]=gig_worker&bankName=\(Self.encoded("建设银行"))&bankAccount=6217000012345678&organisationId=\(yichun.id)",
        headers: clerk.form())
      #expect(registered.status == .seeOther, "\(registered.text)")
      let page = try #require(registered.headers.first(name: .location))
      let rider = try #require(try await FluentRegistryStore(database: test.app.db).worker(idNumber: number))
      #expect(page == SiteURL.worker(.value(rider.id)).path)
      #expect(rider.unitID == nil && rider.homeOrganisationID == yichun.id && rider.categories.contains(.gigWorker))
      let registeredPage = try await test.get(page, headers: clerk.cookie).text
      #expect(registeredPage.contains("已登记 李娜"))
      #expect(registeredPage.contains("无（个人参保）"))
      #expect(registeredPage.contains("enroll-individual"))
      // Staff search finds her; Anyang's window, and a unit officer, do not.
      #expect(try await test.get("/workers?q=\(name)", headers: clerk.cookie).text.contains(page))
      let anyang = try await test.signIn("ay-window")
      #expect(try await test.get(page, headers: anyang.cookie).status == .notFound)
      #expect(!(try await test.get("/workers?q=\(name)", headers: anyang.cookie).text.contains(page)))
      let officer = try await test.signIn("ancai")
      #expect(try await test.get("/workers/new", headers: officer.cookie).status == .forbidden)

      // Only products that take individuals are offered; the bill is hers alone.
      let form = try await test.get("/workers/\(rider.id)/enroll", headers: clerk.cookie).text
      #expect(form.contains("hlj-yichun|yc-female"))
      #expect(!form.contains("hlj-yichun|yc-comprehensive"))
      test.setToday(2023, 12, 20)
      let enrolled = try await test.send(
        .POST, "/workers/\(rider.id)/enroll",
        body:
          "_csrf=\(clerk.csrf)&product=hlj-yichun%7Cyc-female&periodStart=2024-01-01&requestDate=2023-12-20&subsidyPayer=&subsidyPerPerson=&thirdPartyName=",
        headers: clerk.form())
      #expect(enrolled.status == .seeOther, "\(enrolled.text)")
      let withBill = try await test.get(page, headers: clerk.cookie).text
      #expect(withBill.contains("已办理个人参保"))
      #expect(withBill.contains("payment-form"))
      let bill = try #require(
        try await FluentEnrollmentStore(database: test.app.db).bills(individual: rider.id).first)
      #expect(bill.unitID == nil)
      #expect(bill.due.map(\.payer) == [.worker])
      #expect(bill.totalDue == Money(yuan: "30.00"))
      test.setToday(2023, 12, 21)
      let paid = try await test.send(
        .POST, "/bills/\(bill.id)/pay",
        body: "_csrf=\(clerk.csrf)&payer=worker%7C&amount=30.00&reference=WX-0001",
        headers: clerk.form())
      #expect(paid.status == .seeOther)
      #expect(paid.headers.first(name: .location) == page)
      let covered = try await test.get(page, headers: clerk.cookie).text
      #expect(covered.contains("1 人保障生效"))
      #expect(covered.contains("HLJ-YICHUN-2024-"))
      let receipt = try #require(covered.firstMatch(of: /href="(\/receipts\/SJ-[^"]+)"/)?.1).description
      #expect(try await test.get(receipt, headers: clerk.cookie).text.contains("¥30.00"))
      // Her bill is Yichun's: Anyang reads it as no bill at all.
      #expect(try await test.get("/api/v1/bills/\(bill.id)", headers: test.clerkHeaders).status == .notFound)
      #expect(try await test.get("/api/v1/bills/\(bill.id)", headers: test.headers("yc-window")).status == .ok)

      // The same person cannot be registered twice, through the page or the API.
      let again = try await test.send(
        .POST, "/api/v1/individuals",
        body: #"{"name":"李娜","idNumber":"\#(number.value)","phone":"13945678901"}"#, headers: test.headers("yc-window"))
      #expect(again.status == .unprocessableEntity)
      #expect(again.text.contains("duplicate_id_number"))

      // She signs in to the portal with her ID number and phone.
      let login = try await test.get("/portal/login")
      var cookie = HTTPHeaders()
      cookie.cookie = ["huzhu_session": .init(string: try #require(login.headers.setCookie?["huzhu_session"]?.string))]
      var headers = cookie
      headers.contentType = .urlEncodedForm
      let token = try #require(TestApp.csrfToken(in: login.text))
      let sent = try await test.send(
        .POST, "/portal/login", body: "_csrf=\(token)&idNumber=\(number.value)&phone=13945678901", headers: headers)
      #expect(sent.status == .ok)
      #expect(sent.text.contains("验证码为"))

      // A database of real members (not filled by the demo seeder) never shows the code on
      // screen, even with HUZHU_DEMO_DATA left on: the code goes to the text-message outbox only.
      try await (test.app.db as! any SQLDatabase).raw("DELETE FROM installation_facts").run()
      try await bootstrap(test.app)
      let other = try await test.get("/portal/login")
      var otherHeaders = HTTPHeaders()
      otherHeaders.cookie = [
        "huzhu_session": .init(string: try #require(other.headers.setCookie?["huzhu_session"]?.string))
      ]
      otherHeaders.contentType = .urlEncodedForm
      let quiet = try await test.send(
        .POST, "/portal/login",
        body: "_csrf=\(try #require(TestApp.csrfToken(in: other.text)))&idNumber=\(number.value)&phone=13945678901",
        headers: otherHeaders)
      #expect(quiet.status == .ok)
      #expect(!quiet.text.contains("验证码为"))
      // Nor does the fake gateway mark real members' texts sent: they wait for a real gateway.
      #expect(test.app.messageDispatcher == nil && test.app.fakeMessageGateway == nil)
    }
  }

  @Test(arguments: kinds)
  func theAPIRegistersAPersonOnTheirOwn(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let number = ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1988, month: 7, day: 1)!, sequence: 17, gender: .male)
      let created = try await test.send(
        .POST, "/api/v1/individuals",
        body: #"{"name":"张强","idNumber":"\#(number.value)","phone":"13700001234","categories":["gig_worker"]}"#,
        headers: test.clerkHeaders)
      #expect(created.status == .created, "\(created.text)")
      #expect(try TestApp.object(created)["idNumberMasked"] as? String == number.masked)
      let worker = try #require(try await FluentRegistryStore(database: test.app.db).worker(idNumber: number))
      let anyang = try #require(
        try await FluentRegistryStore(database: test.app.db).organisations().first { $0.code == "HA-AY" })
      #expect(worker.homeOrganisationID == anyang.id)
      // Every field at fault, by name; a unit officer registers nobody.
      let bad = try await test.send(
        .POST, "/api/v1/individuals", body: #"{"name":"","idNumber":"123","phone":"5"}"#, headers: test.clerkHeaders)
      #expect(bad.status == .unprocessableEntity)
      let fields = try #require(
        (try TestApp.object(bad)["error"] as? [String: Any])?["fields"] as? [[String: Any]])
      #expect(Set(fields.compactMap { $0["field"] as? String }) == ["name", "idNumber", "phone"])
      let officer = try await test.send(
        .POST, "/api/v1/individuals",
        body: #"{"name":"王五","idNumber":"\#(number.value)","phone":"13700001234"}"#, headers: test.headers("ancai"))
      #expect(officer.status == .forbidden)
    }
  }
}
