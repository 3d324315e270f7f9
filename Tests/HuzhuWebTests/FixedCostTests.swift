import FluentKit
import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import HuzhuWeb

/// What each request no longer pays for, and that nothing is lost by it: static files from
/// memory with their versions, the organisation tree kept between requests (and still current
/// when another instance adds a node), audit lines of concurrent requests committed together
/// (every line there, the chain intact), and the health probe's answer kept for a second.
@Suite("Fixed costs per request")
struct FixedCostTests {
  @Test func pagesLinkVersionedFilesThatMayBeKeptAndTheBareAddressIsCheckedEachTime() async throws {
    try await withTestApp(.sqlite) { test in
      let page = try await test.get("/login")
      let link = try #require(
        page.text.firstMatch(of: /href="(\/huzhu\.css\?v=[0-9a-f]{10})"/).map { String($0.output.1) })
      #expect(page.text.contains(#"src="/huzhu.js?v="#))
      let versioned = try await test.get(link)
      #expect(versioned.status == .ok)
      #expect(versioned.headers.first(name: .cacheControl) == "public, max-age=31536000, immutable")
      #expect(versioned.headers.contentType == .css)
      #expect(versioned.text.contains(".org-tree"))
      let etag = try #require(versioned.headers.first(name: .eTag))
      // The file as it is: checked again each time, answered 304 while unchanged.
      let bare = try await test.get("/huzhu.css")
      #expect(bare.headers.first(name: .cacheControl) == "no-cache")
      #expect(bare.headers.first(name: .eTag) == etag)
      #expect(bare.headers.first(name: "Content-Security-Policy") != nil, "the security headers still apply")
      var conditional = HTTPHeaders()
      conditional.replaceOrAdd(name: .ifNoneMatch, value: etag)
      let unchanged = try await test.get("/huzhu.css", headers: conditional)
      #expect(unchanged.status == .notModified)
      #expect(unchanged.body.readableBytes == 0)
      // An old version's link is not promised to stay.
      #expect(try await test.get("/huzhu.css?v=0000000000").headers.first(name: .cacheControl) == "no-cache")
      // A path outside the shipped files is the application's (404 here), not the disk's.
      #expect(try await test.get("/Package.swift").status == .notFound)
      #expect(try await test.get("/../Package.swift").status == .notFound)
    }
  }

  /// The kept tree is checked against the table on every request: a node another instance
  /// added is in the next request's scope at once.
  @Test(arguments: TestDatabaseKind.available)
  func aNodeAddedBehindTheServersBackIsInTheNextRequestsScope(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let clerk = test.headers("ay-window")
      #expect(try await test.get("/api/v1/organisations", headers: clerk).status == .ok)
      let registry = FluentRegistryStore(database: test.app.db)
      let anyang = try #require(try await registry.organisations().first { $0.code == "HA-AY" })
      let district = Organisation(parentID: anyang.id, kind: .countyUnion, code: "HA-AY-NEW", name: "新设区总工会")
      try await registry.create(district)
      let unit = WorkUnit(organisationID: district.id, name: "新区机械厂", sector: .privateEnterprise)
      try await registry.create(unit)
      let read = try await test.get("/api/v1/units/\(unit.id)", headers: clerk)
      #expect(read.status == .ok, "\(read.text)")
      #expect(read.text.contains("新区机械厂"))
      // Yichun's clerk still sees nothing of it.
      #expect(try await test.get("/api/v1/units/\(unit.id)", headers: test.headers("yc-window")).status == .notFound)
    }
  }

  /// The compiled scheme is kept between claims, and a new revision is used from the next
  /// claim on (the first band's 30% raised to 35%: ¥1,300 becomes ¥1,350 on the same stay).
  @Test(arguments: TestDatabaseKind.available)
  func aClaimIsJudgedUnderTheSchemesLatestRevisionThoughTheCompiledOneIsKept(kind: TestDatabaseKind)
    async throws
  {
    try await withTestApp(kind) { test in
      test.setToday(2020, 3, 20)
      let claims = PortalClaimTests()
      func calculated(_ id: String) async throws -> Money? {
        try await FluentClaimStore(database: test.app.db).claim(.init(id)!)?.calculatedTotal
      }
      let first = try await claims.openClaim(for: "ANYANG-2019-000001", invoice: "REV-1", test)
      #expect(try await calculated(first) == Money(yuan: 1_300))
      let again = try await claims.openClaim(for: "ANYANG-2019-000001", invoice: "REV-2", test)
      #expect(try await calculated(again) == Money(yuan: 1_300))

      let source = try #require(try await FluentSchemeStore(database: test.app.db).scheme(code: "anyang")).source
      let raised = source.replacingOccurrences(
        of: #"- { upTo: "1000.00", rate: "30%" }"#, with: #"- { upTo: "1000.00", rate: "35%" }"#)
      #expect(raised != source)
      let admin = try await test.signIn("ay-scheme")
      let saved = try await test.post("/schemes/anyang", form: [("source", raised)], as: admin)
      #expect(saved.status == .seeOther)
      let after = try await claims.openClaim(for: "ANYANG-2019-000001", invoice: "REV-3", test)
      #expect(try await calculated(after) == Money(yuan: 1_350))

      // Naming the member by certificate stays within the clerk's area.
      let foreign = try await test.send(
        .POST, "/api/v1/claims",
        body: """
          {"schemeCode":"anyang","certificateNumber":"ANYANG-2019-000001","channel":"window",
           "intake":{"hospital":"安阳市人民医院","invoiceNumbers":["REV-4"],
             "event":{"admissionDate":"2020-03-02","dischargeDate":"2020-03-12","hospitalDays":10,
               "figures":{"in_scope_cost":"18000.00","pooled_fund_paid":"13500.00"}}}}
          """,
        headers: test.headers("yc-window"))
      #expect(foreign.status == .unprocessableEntity)
      #expect(foreign.text.contains("unknown_member"))
    }
  }

  @Test(arguments: TestDatabaseKind.available)
  func auditLinesWrittenAtOnceAreAllKeptInOneUnbrokenChain(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let services = test.app.services()
      let before = try await AuditChainCheck(services).verify().checked
      try await withThrowingTaskGroup(of: Void.self) { group in
        for number in 0..<60 {
          group.addTask {
            try await AuditWriter(services).record(
              .personalDataView, actor: "clerk\(number % 4)", organisation: nil, subject: "claim:\(number)",
              detail: "read \(number)", address: "10.0.0.\(number)")
          }
        }
        try await group.waitForAll()
      }
      let check = try await AuditChainCheck(services).verify()
      #expect(check.findings.isEmpty)
      #expect(check.checked == before + 60)
      let subjects = try await (test.app.db as! any SQLDatabase).raw(
        "SELECT subject FROM audit_events WHERE kind = 'personal_data_view' AND subject LIKE 'claim:%'"
      ).all().map { try $0.decode(column: "subject", as: String.self) }
      #expect(Set(subjects) == Set((0..<60).map { "claim:\($0)" }))
    }
  }

  /// A NUL character, which PostgreSQL refuses and SQLite cuts text at, is kept as U+FFFD: the
  /// line and those written beside it are all kept, and the chain still verifies.
  @Test(arguments: TestDatabaseKind.available)
  func aLineWithANullCharacterIsKeptAndTheChainHolds(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let services = test.app.services()
      let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
        for number in 0..<30 {
          group.addTask {
            do {
              try await AuditWriter(services).record(
                .dataChange, actor: "clerk", organisation: nil, subject: "line:\(number)",
                detail: number == 7 ? "bad\u{0}line" : "line \(number)", address: nil)
              return (number, true)
            } catch {
              return (number, false)
            }
          }
        }
        var outcomes: [Int: Bool] = [:]
        for await (number, written) in group { outcomes[number] = written }
        return outcomes
      }
      let failed = outcomes.filter { !$0.value }.map(\.key)
      #expect(failed.isEmpty && outcomes.count == 30)
      let check = try await AuditChainCheck(services).verify()
      #expect(check.findings.isEmpty)
      let kept = try await (test.app.db as! any SQLDatabase).raw(
        "SELECT detail FROM audit_events WHERE subject = 'line:7'"
      ).first()?.decode(column: "detail", as: String.self)
      #expect(kept == "bad\u{FFFD}line")
    }
  }

  /// A line written inside a use case's transaction belongs to it: undone with it.
  @Test func aLineInsideATransactionGoesWithIt() async throws {
    try await withTestApp(.sqlite) { test in
      let services = test.app.services()
      struct Undone: Error {}
      await #expect(throws: Undone.self) {
        try await services.database.writeTransaction { transaction in
          let inside = AppServices(
            database: transaction, documents: services.documents, passwordHasher: services.passwordHasher,
            auditLog: services.auditLog)
          try await AuditWriter(inside).record(
            .dataChange, actor: "clerk", organisation: nil, subject: "claim:undone", detail: "inside",
            address: nil)
          throw Undone()
        }
      }
      let count = try await (test.app.db as! any SQLDatabase).raw(
        "SELECT COUNT(*) AS n FROM audit_events WHERE subject = 'claim:undone'"
      ).first()?.decode(column: "n", as: Int.self)
      #expect(count == 0)
    }
  }

  @Test func theHealthProbesAnswerIsTrustedForASecondAndAFailureNotAtAll() {
    let probe = HealthProbe()
    let start = ContinuousClock.now
    #expect(!probe.answeredRecently(now: start))
    probe.answered(now: start)
    #expect(probe.answeredRecently(now: start + .milliseconds(999)))
    #expect(!probe.answeredRecently(now: start + .seconds(1)))
  }
}
