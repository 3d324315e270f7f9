import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// A claim form refused for a wrong field keeps the scans chosen with it: the page names each
/// one kept and sends it back, so nobody chooses them again. What names a kept scan is good for
/// the account that chose it, for its kind, and only unaltered.
@Suite("Claim forms keep their scans")
struct ClaimFormPagesTests {
  static func pdf(_ name: String) -> (name: String, fileName: String, type: String, content: String) {
    (name: "scan_\(name)", fileName: "\(name).pdf", type: "application/pdf", content: "%PDF-1.4\n% \(name)\n")
  }

  static func token(_ kind: String, in html: String) -> String? {
    guard let range = html.range(of: #"name="held_\#(kind)" value=""#) else { return nil }
    return String(html[range.upperBound...].prefix { $0 != "\"" })
  }

  @Test func aRefusedWindowFormKeepsItsScansForTheClerkWhoChoseThem() async throws {
    try await withTestApp(.sqlite) { test in
      test.setToday(2020, 3, 20)
      let certificate = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001"))
      let worker = certificate.enrollment.workerID
      let path = "/claims/new?worker=\(worker)"
      func post(
        _ session: TestApp.Session, discharged: String, invoice: String, extra: [(String, String)] = [],
        files: [(name: String, fileName: String, type: String, content: String)]
      ) async throws -> TestingHTTPResponse {
        let form = TestApp.multipart(
          [
            ("_csrf", session.csrf), ("schemeCode", "anyang"), ("hospital", "安阳市人民医院"),
            ("admissionDate", "2020-03-02"), ("dischargeDate", discharged), ("hospitalDays", "10"),
            ("figure_in_scope_cost", "18000"), ("figure_pooled_fund_paid", "13500"),
            ("figure_critical_illness_insurance_paid", "1500"), ("invoiceNumbers", invoice),
            ("settlementSheetNumber", "JS-\(invoice)"),
          ] + extra, files: files)
        var headers = session.cookie
        headers.replaceOrAdd(name: .contentType, value: form.contentType)
        return try await test.send(.POST, path, body: form.body, headers: headers)
      }
      let clerk = try await test.signIn("ay-window")
      // Discharged before admitted, and one "PDF" that is not: refused, the good scan kept.
      let notPDF = (name: "scan_diagnosis", fileName: "diagnosis.pdf", type: "application/pdf", content: "hello")
      let refused = try await post(
        clerk, discharged: "2020-03-01", invoice: "KEEP-1", files: [Self.pdf("invoice"), notPDF])
      #expect(refused.status == .unprocessableEntity)
      #expect(refused.text.contains(#"id="kept-invoice""#) && refused.text.contains("已保留：invoice.pdf"))
      #expect(!refused.text.contains(#"id="kept-diagnosis""#))
      let token = try #require(Self.token("invoice", in: refused.text))

      // Another clerk of the same office cannot use it; nor an altered one; nor for another kind.
      let lead = try await test.signIn("ay-window-lead")
      let claims = FluentClaimStore(database: test.app.db)
      func kinds(of invoice: String) async throws -> [String] {
        let claim = try #require(
          try await claims.claims(worker: worker).first { $0.intake.invoiceNumbers == [invoice] })
        return try await claims.documents(of: claim.id).map(\.kind).sorted()
      }
      let theirs = try await post(
        lead, discharged: "2020-03-12", invoice: "KEEP-2", extra: [("held_invoice", token)],
        files: [Self.pdf("certificate")])
      #expect(theirs.status == .seeOther)
      #expect(try await kinds(of: "KEEP-2") == ["certificate"])
      var altered = Array(token)
      altered[altered.count / 2] = altered[altered.count / 2] == "A" ? "B" : "A"
      let tampered = try await post(
        clerk, discharged: "2020-03-12", invoice: "KEEP-3",
        extra: [("held_invoice", String(altered)), ("held_diagnosis", token)], files: [Self.pdf("certificate")])
      #expect(tampered.status == .seeOther)
      #expect(try await kinds(of: "KEEP-3") == ["certificate"])

      // The clerk who chose it sends the form again with the kept scan and the rest.
      let opened = try await post(
        clerk, discharged: "2020-03-12", invoice: "KEEP-1", extra: [("held_invoice", token)],
        files: [Self.pdf("certificate"), Self.pdf("diagnosis"), Self.pdf("settlement_sheet")])
      #expect(opened.status == .seeOther, "\(opened.text)")
      #expect(try await kinds(of: "KEEP-1") == ["certificate", "diagnosis", "invoice", "settlement_sheet"])
      let claim = try #require(try await claims.claims(worker: worker).first { $0.intake.invoiceNumbers == ["KEEP-1"] })
      let invoice = try #require(try await claims.documents(of: claim.id).first { $0.kind == "invoice" })
      #expect(invoice.fileName == "invoice.pdf")

      // A file chosen again replaces the kept one.
      let again = try await post(
        clerk, discharged: "2020-03-01", invoice: "KEEP-4", files: [Self.pdf("invoice")])
      let second = try #require(Self.token("invoice", in: again.text))
      let replaced = try await post(
        clerk, discharged: "2020-03-12", invoice: "KEEP-4", extra: [("held_invoice", second)],
        files: [
          (name: "scan_invoice", fileName: "new-invoice.pdf", type: "application/pdf", content: "%PDF-1.4\n% new\n")
        ])
      #expect(replaced.status == .seeOther)
      let fourth = try #require(
        try await claims.claims(worker: worker).first { $0.intake.invoiceNumbers == ["KEEP-4"] })
      #expect(try await claims.documents(of: fourth.id).map(\.fileName) == ["new-invoice.pdf"])
    }
  }

  /// A death without a stay is a claim of its own at the window (the setting, always posted,
  /// is not asked of it); the hospital's level and place are kept with a stay.
  @Test func theWindowTakesADeathAndAHospitalsLevelAndPlace() async throws {
    try await withTestApp(.sqlite) { test in
      test.setToday(2020, 3, 20)
      let certificate = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001"))
      let worker = certificate.enrollment.workerID
      let clerk = try await test.signIn("ay-window")
      func post(_ fields: [(String, String)]) async throws -> TestingHTTPResponse {
        let form = TestApp.multipart(
          [("_csrf", clerk.csrf), ("schemeCode", "anyang"), ("setting", "inpatient")] + fields, files: [])
        var headers = clerk.cookie
        headers.replaceOrAdd(name: .contentType, value: form.contentType)
        return try await test.send(.POST, "/claims/new?worker=\(worker)", body: form.body, headers: headers)
      }
      let death = try await post([("deathDate", "2020-03-10"), ("invoiceNumbers", "SG-1")])
      #expect(death.status == .seeOther, "\(death.text)")
      let claims = FluentClaimStore(database: test.app.db)
      let died = try #require(try await claims.claims(worker: worker).first { $0.intake.invoiceNumbers == ["SG-1"] })
      #expect(died.intake.event.deathDate == CalendarDate(year: 2020, month: 3, day: 10))
      #expect(died.intake.event.setting == nil)
      // A future day of death is refused at its field.
      let future = try await post([("deathDate", "2020-04-10"), ("invoiceNumbers", "SG-2")])
      #expect(future.status == .unprocessableEntity)
      #expect(future.text.contains("event.deathDate") || future.text.contains("身故日期"))

      let stay = try await post([
        ("admissionDate", "2020-03-02"), ("dischargeDate", "2020-03-12"), ("hospitalLevel", "level_3"),
        ("hospitalLocation", "local"), ("figure_self_paid_in_scope", "900"), ("invoiceNumbers", "SG-3"),
      ])
      #expect(stay.status == .seeOther, "\(stay.text)")
      let stayed = try #require(try await claims.claims(worker: worker).first { $0.intake.invoiceNumbers == ["SG-3"] })
      #expect(stayed.intake.event.hospitalLevel == .level3)
      #expect(stayed.intake.event.hospitalLocation == .local)
      let unknown = try await post([
        ("admissionDate", "2020-03-02"), ("dischargeDate", "2020-03-12"), ("hospitalLevel", "level_9"),
        ("invoiceNumbers", "SG-4"),
      ])
      #expect(unknown.status == .unprocessableEntity)
      #expect(unknown.text.contains("请选择医院等级"))
    }
  }
}
