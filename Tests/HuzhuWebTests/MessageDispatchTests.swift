import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import SQLKit
import Testing
import VaporTesting

/// The outbox drained through a gateway, on every database: each message sent once however
/// many dispatchers drain at once, failures tried again on the policy's schedule, refusals and
/// lapsed leases handled, and the staff's view of what was not delivered kept to their area.
@Suite("Message dispatch")
struct MessageDispatchTests {
  static let kinds = TestDatabaseKind.available

  /// A gateway that counts what it is given, by message, and takes a moment over each (so that
  /// two dispatchers really overlap).
  final class CountingGateway: MessageGateway, @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [OutgoingMessage.ID: Int] = [:]

    func send(_ message: OutgoingMessage) async throws -> GatewayReceipt {
      try await Task.sleep(for: .milliseconds(1))
      lock.withLock { counts[message.id, default: 0] += 1 }
      return GatewayReceipt(providerID: "count-\(message.id)")
    }

    var sent: [OutgoingMessage.ID: Int] { lock.withLock { counts } }
  }

  static func node(_ code: String, _ test: TestApp) async throws -> Organisation.ID {
    try #require(try await FluentRegistryStore(database: test.app.db).organisations().first { $0.code == code }).id
  }

  /// Messages queued a second before `now` (PostgreSQL keeps microseconds: one queued at `now`
  /// itself may read as a moment after it).
  static func messages(_ count: Int, node: Organisation.ID?, at now: Date, phone: String = "13800000000")
    -> [OutgoingMessage]
  {
    (0..<count).map { index in
      OutgoingMessage(
        kind: .claimPaid, phone: phone, text: "【职工互助】测试 \(index)", parameters: ["number": "\(index)"],
        organisationID: node, createdAt: now.addingTimeInterval(-1))
    }
  }

  @Test(arguments: kinds)
  func twoInstancesDrainingAtOnceSendEachMessageOnce(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let node = try await Self.node("HA-AY", test)
      let now = Date()
      let queued = Self.messages(300, node: node, at: now)
      try await FluentMessageStore(database: test.app.db).enqueue(queued)
      let gateway = CountingGateway()
      let services = test.app.services()
      let first = MessageDispatcher(services, gateway: gateway, owner: "instance-a", perSecond: 1_000, parallel: 8)
      let second = MessageDispatcher(services, gateway: gateway, owner: "instance-b", perSecond: 1_000, parallel: 8)
      // Each drains in rounds of 40 until a round finds nothing: they interleave throughout.
      func drainAll(_ dispatcher: MessageDispatcher) async throws -> Int {
        var total = 0
        while true {
          let round = try await dispatcher.drain(at: now, limit: 40)
          guard round.handled > 0 else { return total }
          total += round.sent
        }
      }
      async let a = drainAll(first)
      async let b = drainAll(second)
      let (sentByA, sentByB) = try await (a, b)
      #expect(sentByA + sentByB == 300)
      #expect(sentByA > 0 && sentByB > 0, "both instances took part (\(sentByA) and \(sentByB))")
      let counts = gateway.sent
      #expect(counts.count == 300)
      #expect(counts.values.allSatisfy { $0 == 1 }, "no message went twice")
      let store = FluentMessageStore(database: test.app.db)
      #expect(try await store.counts()[.sent] == 300)
      let listed = try await store.messages(status: .sent, troubledOnly: false, page: PageQuery(per: 200)).items
      #expect(listed.allSatisfy { $0.attempts == 1 && $0.providerID == "count-\($0.message.id)" && $0.sentAt != nil })
    }
  }

  @Test(arguments: kinds)
  func aFailingGatewayIsTriedAgainOnScheduleAndARefusalIsGivenUp(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let node = try await Self.node("HA-AY", test)
      let start = Date()
      let store = FluentMessageStore(database: test.app.db)
      let gateway = FakeMessageGateway()
      let dispatcher = MessageDispatcher(test.app.services(), gateway: gateway, owner: "one", perSecond: 1_000)
      let message = Self.messages(1, node: node, at: start)[0]
      try await store.enqueue([message])

      // Down twice, then up: sent at the third try, 30 s and 2 min later.
      gateway.fail(with: [
        GatewayFailure(permanent: false, reason: "HTTP 503 busy"), GatewayFailure(permanent: false, reason: "timeout"),
      ])
      #expect(try await dispatcher.drain(at: start) == .init(retrying: 1))
      var row = try #require(try await store.messages(status: nil, troubledOnly: true, page: PageQuery()).items.first)
      #expect(row.status == .pending && row.attempts == 1 && row.lastError == "HTTP 503 busy")
      #expect(abs(row.nextAttemptAt.timeIntervalSince(start) - 30) < 5)
      // Not due yet: nothing happens, nothing is counted.
      #expect(try await dispatcher.drain(at: start.addingTimeInterval(10)) == .init())
      #expect(try await dispatcher.drain(at: start.addingTimeInterval(40)) == .init(retrying: 1))
      #expect(try await dispatcher.drain(at: start.addingTimeInterval(100)) == .init())
      #expect(try await dispatcher.drain(at: start.addingTimeInterval(200)) == .init(sent: 1))
      row = try #require(try await store.messages(status: .sent, troubledOnly: false, page: PageQuery()).items.first)
      #expect(row.attempts == 3 && row.lastError == nil && row.providerID != nil)
      #expect(gateway.attempts == 3 && gateway.delivered.map(\.id) == [message.id])

      // A number the provider refuses for good: given up at once, with the reason, and listed.
      let wrong = Self.messages(1, node: node, at: start, phone: "10000000000")[0]
      try await store.enqueue([wrong])
      gateway.fail(with: [GatewayFailure(permanent: true, reason: "isv.MOBILE_NUMBER_ILLEGAL")])
      #expect(try await dispatcher.drain(at: start) == .init(gaveUp: 1))
      let dead = try #require(
        try await store.messages(status: .dead, troubledOnly: false, page: PageQuery()).items.first)
      #expect(dead.message.id == wrong.id && dead.lastError == "isv.MOBILE_NUMBER_ILLEGAL")
      // Messages without a phone are given up as they are queued.
      let nowhere = OutgoingMessage(
        kind: .claimSubmitted, phone: nil, text: "t", organisationID: node, createdAt: start.addingTimeInterval(-1))
      try await store.enqueue([nowhere])
      #expect(try await store.counts()[.dead] == 2)
      #expect(try await dispatcher.drain(at: start.addingTimeInterval(86_400)) == .init())

      // Out of tries: seven temporary failures and it is given up.
      let flaky = Self.messages(1, node: node, at: start)[0]
      try await store.enqueue([flaky])
      gateway.fail(with: Array(repeating: GatewayFailure(permanent: false, reason: "HTTP 500"), count: 7))
      var clock = start
      var outcomes: [MessageDispatcher.Round] = []
      for _ in 0..<7 {
        outcomes.append(try await dispatcher.drain(at: clock))
        clock = clock.addingTimeInterval(30_000)
      }
      #expect(outcomes.dropLast().allSatisfy { $0 == .init(retrying: 1) })
      #expect(outcomes.last == .init(gaveUp: 1))
    }
  }

  @Test(arguments: kinds)
  func aLapsedLeaseIsTakenOverAndTheLateResultIsNotRecorded(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let node = try await Self.node("HA-AY", test)
      let start = Date()
      let store = FluentMessageStore(database: test.app.db)
      try await store.enqueue(Self.messages(1, node: node, at: start))
      // An instance leases the message and dies before sending it.
      let held = try await store.lease(owner: "dead-instance", for: 60, now: start, limit: 10, only: nil)
      #expect(held.count == 1)
      let gateway = FakeMessageGateway()
      let other = MessageDispatcher(test.app.services(), gateway: gateway, owner: "alive", perSecond: 1_000)
      // While its lease holds, nobody else takes the message.
      #expect(try await other.drain(at: start.addingTimeInterval(30)) == .init())
      #expect(
        try await store.lease(owner: "third", for: 60, now: start.addingTimeInterval(30), limit: 10, only: nil).isEmpty)
      // Once it lapses, the message goes (its second try).
      #expect(try await other.drain(at: start.addingTimeInterval(61)) == .init(sent: 1))
      #expect(gateway.delivered.count == 1)
      // The first instance's result, arriving late, changes nothing.
      #expect(try await store.recordSent(held[0], providerID: "late", at: start.addingTimeInterval(62)) == false)
      #expect(
        try await store.recordFailure(held[0], reason: "late", retryAt: nil, at: start.addingTimeInterval(62)) == false)
      let row = try #require(try await store.messages(status: nil, troubledOnly: false, page: PageQuery()).items.first)
      #expect(row.status == .sent && row.attempts == 2 && row.providerID != "late")
    }
  }

  @Test(arguments: kinds)
  func staffSeeAndResendOnlyTheirAreasUndeliveredMessages(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let anyang = try await Self.node("HA-AY", test)
      let yichun = try await Self.node("HLJ-YC", test)
      let start = Date()
      let store = FluentMessageStore(database: test.app.db)
      let gateway = try #require(test.app.fakeMessageGateway, "a demo configuration has the fake gateway")
      let dispatcher = try #require(test.app.messageDispatcher)
      let ours = Self.messages(1, node: anyang, at: start, phone: "13911112222")[0]
      let theirs = OutgoingMessage(
        kind: .claimApproved, phone: "13533334444", text: "【职工互助】伊春的短信 YC-SECRET", organisationID: yichun,
        createdAt: start.addingTimeInterval(-1))
      try await store.enqueue([ours, theirs])
      gateway.fail(with: [
        GatewayFailure(permanent: true, reason: "isv.MOBILE_NUMBER_ILLEGAL"),
        GatewayFailure(permanent: true, reason: "isv.MOBILE_NUMBER_ILLEGAL"),
      ])
      #expect(try await dispatcher.drain(at: start) == .init(gaveUp: 2))

      let clerk = try await test.signIn("ay-window")
      let page = try await test.get("/messages", headers: clerk.cookie)
      #expect(page.status == .ok)
      #expect(page.text.contains("测试 0"))
      #expect(page.text.contains("139****2222"))
      #expect(!page.text.contains("13911112222"))
      #expect(!page.text.contains("YC-SECRET") && !page.text.contains("3444"))
      // Yichun's clerk sees theirs only, and cannot send Anyang's again (as if it did not exist).
      let other = try await test.signIn("yc-window")
      let theirPage = try await test.get("/messages?show=all", headers: other.cookie)
      #expect(theirPage.text.contains("YC-SECRET") && !theirPage.text.contains("测试 0"))
      let refused = try await test.post("/messages/\(ours.id)/resend", form: [], as: other)
      #expect(refused.status == .notFound)
      #expect(try await store.messages(status: .dead, troubledOnly: false, page: PageQuery()).total == 2)

      // Anyang's clerk sends it again: queued at once and delivered on the next round.
      let resent = try await test.post("/messages/\(ours.id)/resend", form: [], as: clerk)
      #expect(resent.status == .seeOther)
      #expect(try await dispatcher.drain() == .init(sent: 1))
      #expect(gateway.latest(.claimPaid, to: "13911112222")?.id == ours.id)
      // A sign-in code given up is not sent again.
      let code = OutgoingMessage.portalCode(
        "135790", phone: "13911112222", organisationID: anyang, workerID: .init(), at: start.addingTimeInterval(-1))
      try await store.enqueue([code])
      gateway.fail(with: [GatewayFailure(permanent: true, reason: "refused")])
      #expect(try await dispatcher.deliver([code.id]) == .init(gaveUp: 1))
      let codeRow = try #require(
        try await store.messages(status: .dead, troubledOnly: false, page: PageQuery()).items.first {
          $0.message.id == code.id
        })
      #expect(!codeRow.message.text.contains("135790") && codeRow.message.parameters.isEmpty)
      let noCode = try await test.post("/messages/\(code.id)/resend", form: [], as: clerk)
      #expect(noCode.status == .seeOther)
      let after = try await test.get("/messages?show=all", headers: clerk.cookie)
      #expect(after.text.contains("验证码短信不能重发"))
      #expect(try await store.counts()[.dead] == 2)
      // An account that does not work claims (the auditor) has no such page.
      let auditor = try await test.get("/messages", headers: try await test.signIn("ay-auditor").cookie)
      #expect(auditor.status == .forbidden && !auditor.text.contains("测试 0"))
    }
  }

  @Test(arguments: kinds)
  func aPortalCodeArrivesThroughTheGatewayAndAfterAnOutageOnItsRetry(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let certificate = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001"))
      let worker = try #require(
        try await FluentRegistryStore(database: test.app.db).worker(certificate.enrollment.workerID))
      let phone = try #require(worker.phone)
      let gateway = try #require(test.app.fakeMessageGateway)
      let dispatcher = try #require(test.app.messageDispatcher)

      func askForACode() async throws -> (page: String, cookie: HTTPHeaders) {
        let login = try await test.get("/portal/login")
        var cookie = HTTPHeaders()
        cookie.cookie = [
          "huzhu_session": .init(string: try #require(login.headers.setCookie?["huzhu_session"]?.string))
        ]
        var headers = cookie
        headers.contentType = .urlEncodedForm
        let sent = try await test.send(
          .POST, "/portal/login",
          body:
            "_csrf=\(try #require(TestApp.csrfToken(in: login.text)))&idNumber=\(worker.idNumber.value)&phone=\(phone)",
          headers: headers)
        #expect(sent.status == .ok)
        if let renewed = sent.headers.setCookie?["huzhu_session"] {
          cookie.cookie = ["huzhu_session": .init(string: renewed.string)]
        }
        return (sent.text, cookie)
      }

      // The gateway is down: the code waits in the outbox, nothing is shown as delivered.
      gateway.fail(with: [GatewayFailure(permanent: false, reason: "HTTP 503")])
      let (page, cookie) = try await askForACode()
      #expect(!page.contains("验证码为"))
      #expect(gateway.latest(.portalCode, to: phone) == nil)
      let waiting = try #require(
        try await FluentMessageStore(database: test.app.db).messages(
          status: .pending, troubledOnly: true, page: PageQuery()
        )
        .items.first)
      #expect(waiting.message.kind == .portalCode && waiting.lastError == "HTTP 503")
      // Thirty seconds on, the dispatcher's round sends it: the phone has the code, the outbox
      // keeps none, and the code signs the worker in.
      #expect(try await dispatcher.drain(at: Date().addingTimeInterval(31)) == .init(sent: 1))
      let delivered = try #require(gateway.latest(.portalCode, to: phone))
      let code = try #require(delivered.text.firstMatch(of: /验证码为 (\d{6})/)?.1).description
      let row = try #require(
        try await FluentMessageStore(database: test.app.db).messages(
          status: .sent, troubledOnly: false, page: PageQuery()
        )
        .items.first { $0.message.id == delivered.id })
      #expect(!row.message.text.contains(code) && row.message.parameters.isEmpty)
      var headers = cookie
      headers.contentType = .urlEncodedForm
      let signedIn = try await test.send(
        .POST, "/portal/code", body: "_csrf=\(try #require(TestApp.csrfToken(in: page)))&code=\(code)", headers: headers
      )
      #expect(signedIn.status == .seeOther)
      #expect(gateway.delivered.filter { $0.kind == .portalCode }.count == 1, "sent once")
    }
  }
}
