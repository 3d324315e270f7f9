import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

@Suite("Unit, certificate and verification pages")
struct EnrollmentPagesTests {
  static let kinds = TestDatabaseKind.available

  func demoUnit(_ test: TestApp, named name: String) async throws -> WorkUnit {
    try #require(
      try await FluentRegistryStore(database: test.app.db).units(in: nil, page: PageQuery(per: 200)).items.first {
        $0.name == name
      })
  }

  /// A unit of hundreds is not drawn as hundreds of checkboxes: the window names the members
  /// by ID number (pasted from a list), and each line that names nobody the unit employs is
  /// refused with its line number, the list kept as typed.
  @Test(arguments: kinds)
  func aLargeUnitEnrollsTheMembersNamedByIDNumber(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let anyang = try #require(try await registry.organisations().first { $0.code == "HA-AY" })
      let unit = WorkUnit(organisationID: anyang.id, name: "安阳钢铁集团", sector: .stateEnterprise)
      try await registry.create(unit)
      let workers = (0..<250).map { index in
        Worker(
          name: "钢铁工人\(index)",
          idNumber: ResidentIDNumber.compose(
            region: "410506", birthDate: CalendarDate(year: 1970 + index % 30, month: 2, day: 3)!, sequence: index,
            gender: index % 2 == 0 ? .male : .female), unitID: unit.id)
      }
      try await registry.create(workers, employedSince: CalendarDate(year: 2019, month: 1, day: 1)!)
      let clerk = try await test.signIn("ay-window")
      let path = SiteURL.enrollPage(.value(unit.id)).path
      let form = try await test.get(path, headers: clerk.cookie).text
      #expect(form.contains("全部在职职工（250 人）"))
      #expect(!form.contains(#"name="workers[]""#))
      #expect(form.contains(#"id="idNumbers""#))

      let certificate = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001"))
      let elsewhere = certificate.holderIDNumber.value
      test.setToday(2023, 12, 20)
      func enroll(_ lines: [String], separator: String = "\n") async throws -> TestingHTTPResponse {
        let list = lines.joined(separator: separator).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return try await test.send(
          .POST, path,
          body:
            "_csrf=\(clerk.csrf)&product=anyang%7Canyang-hospital&periodStart=2024-01-01&requestDate=2023-12-20&employerKind=none&idNumbers=\(list)",
          headers: clerk.form())
      }
      let refused = try await enroll([workers[3].idNumber.value, "12345", elsewhere])
      #expect(refused.status == .unprocessableEntity)
      #expect(refused.text.contains("第2行：12345 不是有效的身份证号"))
      #expect(refused.text.contains("第3行：\(certificate.holderIDNumber.masked) 不是本单位在职职工"))
      #expect(refused.text.contains(workers[3].idNumber.value))
      #expect(
        try await FluentEnrollmentStore(database: test.app.db).enrollments(unit: unit.id, page: PageQuery()).total == 0)

      // Pasted one a line in a browser: its textarea sends CRLF between lines.
      let enrolled = try await enroll([workers[3].idNumber.value, "", workers[7].idNumber.value], separator: "\r\n")
      #expect(enrolled.status == .seeOther, "\(enrolled.text)")
      let cover = try await FluentEnrollmentStore(database: test.app.db).enrollments(unit: unit.id, page: PageQuery())
      #expect(Set(cover.items.map(\.workerID)) == [workers[3].id, workers[7].id])
    }
  }

  @Test(arguments: kinds)
  func unitPageShowsMembersCoverBillsAndOutreach(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let forestry = try await demoUnit(test, named: "伊春森林工业集团有限责任公司")
      let yichun = test.headers("yc-window")
      let html = try await test.get(SiteURL.unit(.value(forestry.id)).path, headers: yichun).text
      #expect(html.contains("<h1>伊春森林工业集团有限责任公司</h1>"))
      #expect(html.contains("在职职工（2 人）"))
      #expect(html.contains("参保记录（2 条）"))
      #expect(html.contains("HLJ-YICHUN-2021-000001"))
      #expect(html.contains("JF-HLJ-YICHUN-2021-000001"))
      // The forestry group pays 75%; the cadre pays the hardship worker's own share.
      #expect(html.contains("单位 ¥180.00"))
      #expect(html.contains("孙志刚（包联干部） ¥30.00"))
      #expect(html.contains("已缴清"))
      // Product names, and the 2021–22 cover shown as expired today.
      #expect(html.contains("在职职工住院医疗综合互助保障（住院+重疾+意外）"))
      #expect(html.contains(#"<span class="badge badge-expired">已到期</span>"#))
      // ID numbers are masked on the page.
      let workers = try await FluentRegistryStore(database: test.app.db).workers(in: forestry.id, page: PageQuery())
      for worker in workers.items {
        #expect(!html.contains(worker.idNumber.value))
        #expect(html.contains(worker.idNumber.masked))
      }

      let medicine = try await demoUnit(test, named: "伊春市医药公司")
      let visited = try await test.get(SiteURL.unit(.value(medicine.id)).path, headers: yichun).text
      #expect(visited.contains("伊春代办处 王主任"))
      #expect(visited.contains("政策宣传册50份"))
      let organisationPage = try await test.get(
        SiteURL.organisation(.value(forestry.organisationID)).path, headers: yichun
      ).text
      #expect(organisationPage.contains(SiteURL.unit(.value(forestry.id)).path))
      #expect(try await test.get("/units/\(UUID())", headers: yichun).status == .notFound)
      // Anyang's window cannot open a Yichun unit's page: it does not exist for them.
      #expect(
        try await test.get(SiteURL.unit(.value(forestry.id)).path, headers: test.clerkHeaders).status == .notFound)
    }
  }

  @Test(arguments: kinds)
  func thePrintableCertificateIsForStaffAndTheLookupIsMasked(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let number = "ANYANG-2019-000001"
      let enrollments = FluentEnrollmentStore(database: test.app.db)
      let certificate = try #require(try await enrollments.certificate(number: number))

      let anonymous = try await test.get(SiteURL.certificate(.value(number)).path)
      #expect(anonymous.status == .seeOther)
      #expect(anonymous.headers.first(name: .location)?.hasPrefix("/login") == true)
      let printed = try await test.get(SiteURL.certificate(.value(number)).path, headers: test.clerkHeaders)
      #expect(printed.status == .ok)
      #expect(printed.text.contains("互助金保障书"))
      #expect(printed.text.contains(certificate.holderName))
      #expect(printed.text.contains("安阳市职工住院医疗互助保障"))
      #expect(printed.text.contains("2019-12-15 至 2020-12-14"))

      let verified = try await test.get("\(SiteURL.verifyCertificate.path)?number=anyang-2019-000001").text
      #expect(verified.contains("该保障书真实，但今日不在保障期内"))
      #expect(verified.contains("已到期"))
      #expect(!verified.contains(certificate.holderName))
      #expect(verified.contains(PersonNameMask.masked(certificate.holderName)))
      let unknown = try await test.get("\(SiteURL.verifyCertificate.path)?number=NOPE-1").text
      #expect(unknown.contains("未找到编号为“NOPE-1”的保障书"))
      // The receipt of the bill's employer payment, amount in capitals.
      let payment = try #require(try await enrollments.payments(bill: certificate.enrollment.billID).first)
      #expect(try await test.get(SiteURL.receipt(.value(payment.receiptNumber)).path).status == .seeOther)
      let receipt = try await test.get(SiteURL.receipt(.value(payment.receiptNumber)).path, headers: test.clerkHeaders)
      #expect(receipt.text.contains("缴费收据"))
      #expect(receipt.text.contains("人民币" + payment.amount.chineseCapitals))
      #expect(receipt.text.contains("河南安彩高科股份有限公司"))
      let empty = try await test.get(SiteURL.verifyCertificate.path)
      #expect(empty.status == .ok)
      #expect(empty.text.contains("输入保障书上的编号"))
    }
  }
}

/// The masking rule the pages promise, restated so the test does not borrow the code under test.
enum PersonNameMask {
  static func masked(_ name: String) -> String {
    let characters = Array(name)
    if characters.count == 2 { return String(characters[0]) + "*" }
    return String(characters[0]) + String(repeating: "*", count: characters.count - 2) + String(characters.last!)
  }
}
