import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// Inputs that used to exhaust the server (a roster inflating to a gigabyte, a sheet with a
/// cell on row 200,000,000, a report from year 1 to 9999) stop at a limit with a clear answer,
/// and the limits are the installation's to set.
@Suite("Input limits")
struct InputLimitTests {
  /// The issue's report took 9.5 s and returned 15.7 MB; the page now shows why it covers less.
  @Test func aReportCoversAtMostTheConfiguredYears() async throws {
    try await withTestApp(.sqlite) { test in
      let leader = try await test.signIn("ay-leader")
      let page = try await test.get("/statistics?from=0001-01-01&to=9999-12-31", headers: leader.cookie)
      #expect(page.status == .ok)
      #expect(page.text.contains("统计期间不能超过 20 年"))
      #expect(page.body.readableBytes < 1 << 20, "\(page.body.readableBytes) bytes")
      let months = try await test.get(
        "/statistics/export?format=csv&table=months&from=0001-01-01&to=9999-12-31", headers: leader.cookie)
      #expect(months.status == .ok)
      #expect(months.text.split(separator: "\n").count <= 20 * 12 + 2, "\(months.text.prefix(300))")

      // Without a start, the page reports the last twenty years and says nothing.
      let unasked = try await test.get("/statistics?to=2060-12-31", headers: leader.cookie)
      #expect(unasked.status == .ok)
      #expect(!unasked.text.contains("统计期间不能超过"))

      // The use case refuses on its own, whatever page or command asks.
      let actor = try #require(try await Actors(test.app.services()).operator(username: "ay-leader", address: nil))
      let reports = Reports(test.app.services(), actor: actor)
      let forever = try #require(ReportPeriod(from: CalendarDate("0001-01-01")!, to: CalendarDate("9999-12-31")!))
      let refusal = await #expect(throws: ValidationFailure.self) {
        _ = try await reports.statistics(node: nil, period: forever, scheme: nil, unitLimit: 10)
      }
      #expect(refusal?.errors.map(\.code) == ["period_too_long"])
      let simulator = try await test.get(
        "/simulator?run=1&scheme=anyang&version=anyang-hospital%7C2019&from=0001-01-01&to=9999-12-31",
        headers: leader.cookie)
      #expect(simulator.status == .unprocessableEntity)
      #expect(simulator.text.contains("统计期间不能超过 20 年"))
    }
  }

  @Test func anInstallationSetsItsOwnLimits() async throws {
    try await withTestApp(
      .sqlite, limits: InputLimits(sheet: SheetLimits(fileBytes: 64 << 10, rows: 3), reportYears: 2)
    ) {
      test in
      let bus = try #require(
        try await FluentRegistryStore(database: test.app.db).units(in: nil, page: PageQuery(per: 200)).items.first {
          $0.name == "安阳公交集团"
        })
      var csv = test.headers("ay-window")
      csv.contentType = HTTPMediaType(type: "text", subType: "csv")
      let header = RosterField.templateHeader.joined(separator: ",") + "\n"

      // Four rows of a three-row limit: a row error naming the limit, nothing read further.
      let long = try await test.send(
        .POST, "/api/v1/units/\(bus.id)/roster/preview", body: header + String(repeating: "张三\n", count: 3),
        headers: csv)
      #expect(long.status == .unprocessableEntity)
      #expect(long.text.contains("past the limit of 3 rows") || long.text.contains("超过 3 行的上限"), "\(long.text)")

      // A body past the upload limit is refused while it streams in.
      let large = try await test.sendOverTheWire(
        .POST, "/api/v1/units/\(bus.id)/roster/preview", body: header + String(repeating: "x", count: 2 << 20),
        headers: csv)
      #expect(large.status == .payloadTooLarge)

      let leader = try await test.signIn("ay-leader")
      let page = try await test.get("/statistics?from=2018-01-01&to=2020-12-31", headers: leader.cookie)
      #expect(page.text.contains("统计期间不能超过 2 年"))
      #expect(try await test.get("/healthz").status == .ok)
    }
  }

  /// JSON and field-only forms are small; a megabyte of them is refused before any handler.
  @Test func ordinaryBodiesAreSmall() async throws {
    try await withTestApp(.sqlite) { test in
      let padding = String(repeating: "x", count: 2 << 20)
      let json = try await test.sendOverTheWire(
        .POST, "/api/v1/individuals", body: #"{"name":"\#(padding)"}"#, headers: test.headers("ay-window"))
      #expect(json.status == .payloadTooLarge)
      #expect(json.text.contains("超过大小上限"), "\(json.text)")
      let session = try await test.signIn("ay-window")
      var form = session.cookie
      form.contentType = .urlEncodedForm
      let posted = try await test.sendOverTheWire(.POST, "/login", body: "username=\(padding)", headers: form)
      #expect(posted.status == .payloadTooLarge)
    }
  }

  @Test func limitsAreReadFromTheEnvironmentAndChecked() throws {
    let base = ["DATABASE_URL": "sqlite::memory:"]
    let set = try AppConfiguration.resolve(
      environment: base.merging([
        "HUZHU_LIMIT_UPLOAD_MB": "8", "HUZHU_LIMIT_SHEET_ROWS": "5000", "HUZHU_LIMIT_SHEET_COLUMNS": "40",
        "HUZHU_LIMIT_SHEET_CELLS": "200000", "HUZHU_LIMIT_SHEET_EXPANDED_MB": "64",
        "HUZHU_LIMIT_COMPRESSION_RATIO": "50",
        "HUZHU_LIMIT_REPORT_YEARS": "10",
      ]) { $1 })
    #expect(
      set.limits
        == InputLimits(
          sheet: SheetLimits(
            fileBytes: 8 << 20, rows: 5_000, columns: 40, cells: 200_000, expandedBytes: 64 << 20, compressionRatio: 50),
          reportYears: 10))
    #expect(try AppConfiguration.resolve(environment: base).limits == .standard)

    let error = #expect(throws: ConfigurationError.self) {
      try AppConfiguration.resolve(
        environment: base.merging([
          "HUZHU_LIMIT_UPLOAD_MB": "99999999999999999999", "HUZHU_LIMIT_SHEET_ROWS": "-1",
          "HUZHU_LIMIT_REPORT_YEARS": "ten",
        ]) { $1 })
    }
    #expect(
      Set(error?.problems.map(\.setting) ?? []) == [.uploadLimit, .rowLimit, .reportLimit],
      "\(String(describing: error))")
  }
}
