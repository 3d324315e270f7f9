import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import VaporTesting

/// Reminders queued by the housekeeping round, on every database: each when it is due, once
/// however often the round runs, to the right phone and owned by the right node.
@Suite("Reminders")
struct ReminderTests {
  static let kinds = TestDatabaseKind.available

  @Test func documentsAreRemindedAfterOneTwoAndThreeWeeks() {
    let since = CalendarDate(year: 2020, month: 3, day: 1)!
    #expect(Reminders.documentsStep(since: since, today: since.adding(days: 6)) == nil)
    #expect(Reminders.documentsStep(since: since, today: since.adding(days: 7)) == 7)
    #expect(Reminders.documentsStep(since: since, today: since.adding(days: 13)) == 7)
    #expect(Reminders.documentsStep(since: since, today: since.adding(days: 14)) == 14)
    #expect(Reminders.documentsStep(since: since, today: since.adding(days: 60)) == 21)
  }

  func outbox(_ test: TestApp, _ kind: MessageKind) async throws -> [QueuedMessage] {
    try await FluentMessageStore(database: test.app.db).messages(
      status: nil, troubledOnly: false, page: PageQuery(per: 200)
    )
    .items.filter { $0.message.kind == kind }
  }

  @Test(arguments: kinds)
  func aClaimWaitingForDocumentsIsRemindedOncePerStep(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 3, 20)
      // A claim opened at the window with no scans yet: four documents missing.
      let opened = try await test.send(
        .POST, "/api/v1/claims",
        body: """
          {"schemeCode":"anyang","certificateNumber":"ANYANG-2019-000001","channel":"window",
           "intake":{"hospital":"安阳市人民医院","invoiceNumbers":["RM-1"],
             "event":{"admissionDate":"2020-03-02","dischargeDate":"2020-03-12","claimDate":"2020-03-20","hospitalDays":10,
               "figures":{"in_scope_cost":"3000.00","pooled_fund_paid":"0.00","critical_illness_insurance_paid":"0.00"}}}}
          """, headers: test.clerkHeaders)
      #expect(opened.status == .created)
      let number = try #require(try TestApp.object(opened)["number"] as? String)
      test.setToday(2020, 3, 26)
      #expect(try await test.app.remind().documents == 0)
      test.setToday(2020, 3, 27)
      #expect(try await test.app.remind().documents == 1)
      #expect(try await test.app.remind().documents == 0, "the same reminder is queued once")
      test.setToday(2020, 4, 3)
      #expect(try await test.app.remind().documents == 1)
      let reminders = try await outbox(test, .documentsReminder)
      #expect(reminders.count == 2)
      let text = try #require(reminders.first?.message.text)
      #expect(text.contains(number) && text.contains("诊断证明原件") && text.contains("医保结算单"))
      let claim = try #require(try await FluentClaimStore(database: test.app.db).claim(number: number))
      #expect(
        reminders.allSatisfy { $0.message.organisationID == claim.organisationID && $0.message.claimID == claim.id })
      #expect(claim.organisationID != nil)
      // Another federation's staff do not see it.
      let yichun = try await test.signIn("yc-window")
      #expect(!(try await test.get("/messages?show=all", headers: yichun.cookie).text.contains(number)))
    }
  }

  @Test(arguments: kinds)
  func certificatesAndRenewalsAreAnnouncedOnce(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let enrollments = FluentEnrollmentStore(database: test.app.db)
      let held = try #require(try await enrollments.certificate(number: "ANYANG-2019-000001")).enrollment
      // A few days after enrolling: every certificate of that day is announced, once.
      test.app.serverClock = .fixed(held.enrolledOn.adding(days: 3))
      let first = try await test.app.remind()
      #expect(first.certificates >= 1)
      #expect(try await test.app.remind().certificates == 0)
      let announced = try #require(
        try await outbox(test, .certificateIssued).first { $0.message.workerID == held.workerID })
      #expect(announced.message.text.contains("ANYANG-2019-000001"))
      #expect(announced.message.text.contains("\(held.period.start)至\(held.period.end)"))
      // Three weeks later, nothing new.
      test.app.serverClock = .fixed(held.enrolledOn.adding(days: 21))
      #expect(try await test.app.remind().certificates == 0)

      // Two months before the cover ends: nothing about it yet.
      test.app.serverClock = .fixed(held.period.end.adding(days: -60))
      _ = try await test.app.remind()
      #expect(try await outbox(test, .renewalReminder).allSatisfy { !$0.message.text.contains("\(held.period.end)到期") })
      // Ten days before, not renewed: the unit's contact is told, once.
      test.app.serverClock = .fixed(held.period.end.adding(days: -10))
      let ending = try await test.app.remind()
      #expect(ending.renewals >= 1)
      #expect(try await test.app.remind().renewals == 0)
      let unit = try #require(held.unitID)
      let renewal = try #require(
        try await outbox(test, .renewalReminder).first { $0.message.text.contains("\(held.period.end)到期") })
      let unitRecord = try #require(try await FluentRegistryStore(database: test.app.db).units([unit])[unit])
      #expect(renewal.message.organisationID == unitRecord.organisationID)
      #expect(renewal.message.text.contains(unitRecord.name))
    }
  }
}
