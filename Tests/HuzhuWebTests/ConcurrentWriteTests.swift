import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The embedded database takes a window full of clerks and a unit's roster at once: on the
/// SQLite file `huzhu serve` uses, writers wait their turn instead of failing with "database is
/// locked" (8 clients lost 19 of 40 claims before; without the write gate this test loses half).
@Suite("Concurrent writes")
struct ConcurrentWriteTests {
  static let clients = 16
  /// Stays in January to May 2020, one a month.
  static let claimsEach = 5

  /// Sends as a client told "busy, nothing saved, try again" would. A 503 is accepted only after
  /// the server waited its whole patience for the write lock (on a 2-core machine running every
  /// suite at once, 80 claims and a roster can outwait it); an earlier one is the failure the
  /// write gate exists to prevent. Then the request goes again, three times at most.
  static func sendPatiently(_ test: TestApp, _ path: String, body: String, headers: HTTPHeaders) async throws
    -> TestingHTTPResponse
  {
    var attempts = 0
    while true {
      attempts += 1
      let start = ContinuousClock.now
      let response = try await test.send(.POST, path, body: body, headers: headers)
      let waited = ContinuousClock.now - start
      guard response.status == .serviceUnavailable, attempts <= 3 else { return response }
      #expect(waited >= WriteTransaction.busyTimeout - .seconds(1), "busy after only \(waited)")
    }
  }

  /// SQLite as a file in WAL mode (the in-memory database of the other tests locks differently).
  @Test(arguments: TestDatabaseKind.available)
  func sixteenClerksAtOnceLoseNoClaim(kind: TestDatabaseKind) async throws {
    let isolated = kind == .sqlite ? IsolatedDatabase.sqliteFile() : try await IsolatedDatabase.create(kind)
    try await withTestApp(on: isolated) { test in
      test.setToday(2020, 6, 30)
      let sql = test.app.db as! any SQLDatabase
      // The demo's insured of 2019; clients share them, each claim a stay of its own.
      let insured = try await sql.raw(
        "SELECT certificate_number FROM enrollments WHERE certificate_number LIKE 'ANYANG-2019-%' ORDER BY 1"
      ).all().map { try $0.decode(column: "certificate_number", as: String.self) }
      #expect(insured.count >= 4)
      let certificates = (0..<Self.clients).map { insured[$0 % insured.count] }
      let before = try await Self.count("claims", sql)

      // Meanwhile a unit's roster of 500 new workers is imported in one transaction.
      let bus = try #require(
        try await FluentRegistryStore(database: test.app.db).units(in: nil, page: PageQuery(per: 200)).items.first {
          $0.name == "安阳公交集团"
        })
      var roster = RosterField.templateHeader.joined(separator: ",") + "\n"
      for index in 0..<500 {
        let birth = CalendarDate(year: 1970 + index % 30, month: 1 + index % 12, day: 1 + index % 28)!
        let number = ResidentIDNumber.compose(
          region: "650102", birthDate: birth, sequence: 100 + index / 360, gender: index % 2 == 0 ? .female : .male)
        roster += "并发\(index),\(number.value),,,,城镇职工,,2020-01-15,1,是,,\n"
      }
      var csv = test.headers("ay-window")
      csv.contentType = HTTPMediaType(type: "text", subType: "csv")
      let workersBefore = try await Self.count("workers", sql)

      let clerk = test.headers("ay-window")
      async let imported = Self.sendPatiently(test, "/api/v1/units/\(bus.id)/roster", body: roster, headers: csv)
      let statuses = try await withThrowingTaskGroup(of: [HTTPStatus].self) { group in
        for (client, certificate) in certificates.enumerated() {
          group.addTask {
            var statuses: [HTTPStatus] = []
            for claim in 0..<Self.claimsEach {
              let response = try await Self.sendPatiently(
                test, "/api/v1/claims",
                body: """
                  {"schemeCode":"anyang","certificateNumber":"\(certificate)","channel":"window",
                   "intake":{"invoiceNumbers":["C\(client)-\(claim)"],
                     "event":{"admissionDate":"2020-0\(1 + claim)-\(10 + client)","dischargeDate":"2020-0\(1 + claim)-\(10 + client)",
                       "figures":{"in_scope_cost":"\(8_000 + claim * 100).00","pooled_fund_paid":"5000.00"}}}}
                  """, headers: clerk)
              statuses.append(response.status)
              if response.status != .created { Issue.record("\(response.status): \(response.text.prefix(300))") }
            }
            return statuses
          }
        }
        return try await group.reduce(into: []) { $0 += $1 }
      }
      let rosterResponse = try await imported
      #expect(rosterResponse.status == .created, "\(rosterResponse.text.prefix(500))")
      #expect(try await Self.count("workers", sql) - workersBefore == 500, "\(rosterResponse.text.prefix(800))")
      #expect(statuses.count == Self.clients * Self.claimsEach)
      #expect(statuses.allSatisfy { $0 == .created })
      let after = try await Self.count("claims", sql)
      #expect(after - before == Self.clients * Self.claimsEach)
      // Every claim has its own number.
      let numbers = try await sql.raw("SELECT COUNT(DISTINCT number) AS n FROM claims").first()?.decode(
        column: "n", as: Int.self)
      #expect(numbers == after)
    }
  }

  static func count(_ table: String, _ sql: any SQLDatabase) async throws -> Int {
    try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
  }
}
