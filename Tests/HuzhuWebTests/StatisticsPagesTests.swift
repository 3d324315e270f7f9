import Fluent
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// The statistics page, its exports, the monthly report, targets and the what-if, on the
/// demo data (twelve paid-up Anyang members, ten in Yichun).
@Suite("Statistics pages")
struct StatisticsPagesTests {
  static let kinds = TestDatabaseKind.available

  /// The text of the element with this id (the first text inside it).
  static func figure(_ id: String, in html: String) -> String? {
    guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
    guard let value = html[start.upperBound...].range(of: "class=\"figure-value\">") else { return nil }
    return String(html[value.upperBound...].prefix { $0 != "<" })
  }

  @Test("a leader reads the figures, charts and tables of their area", arguments: kinds)
  func leaderReadsStatistics(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let leader = try await test.signIn("ay-leader")
      let page = try await test.get("/statistics?from=2019-10-16&to=2020-11-30&scheme=anyang", headers: leader.cookie)
      #expect(page.status == .ok)
      #expect(Self.figure("stat-units", in: page.text) == "4")
      #expect(Self.figure("stat-insured", in: page.text) == "12")
      #expect(Self.figure("stat-collected", in: page.text) == "¥1,080.00")
      #expect(Self.figure("stat-subsidy", in: page.text) == "¥360.00")
      #expect(page.text.contains("<svg class=\"chart\""))
      for table in ["areas", "months", "payers", "benefits", "units", "indicators"] {
        #expect(page.text.contains("id=\"table-\(table)\""), "\(table)")
      }
      // The unit's row in the articles' form, linking to the unit.
      #expect(page.text.contains("河南安彩高科股份有限公司</a></td><td class=\"number\">2019-12-15</td><td class=\"number\">3<"))
      // Yichun is not Anyang's to read.
      let organisations = try await FluentRegistryStore(database: test.app.db).organisations()
      let yichun = try #require(organisations.first { $0.code == "HLJ-YC" })
      #expect(try await test.get("/statistics?org=\(yichun.id)", headers: leader.cookie).status == .notFound)
      // A clerk has no statistics; bad dates are named next to their field.
      let clerk = try await test.signIn("ay-window")
      #expect(try await test.get("/statistics", headers: clerk.cookie).status == .forbidden)
      let bad = try await test.get("/statistics?from=2020-13-01", headers: leader.cookie)
      #expect(bad.status == .ok)
      #expect(bad.text.contains("日期格式应为 2020-11-30"))
    }
  }

  @Test("every table exports as CSV and Excel, and the export is audited", arguments: kinds)
  func exports(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let leader = try await test.signIn("ay-leader")
      let query = "from=2019-10-16&to=2020-11-30&scheme=anyang"
      let csv = try await test.get("/statistics/export?table=units&format=csv&\(query)", headers: leader.cookie)
      #expect(csv.status == .ok)
      #expect(csv.headers.contentType?.subType == "csv")
      let bytes = Array(csv.body.readableBytesView)
      #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF])
      let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
      #expect(text.hasPrefix("单位,入保日期,参保人数"))
      #expect(text.contains("河南安彩高科股份有限公司,2019-12-15,3,"))
      #expect(text.contains("合计（全部单位）,,12,"))
      let xlsx = try await test.get("/statistics/export?table=payers&format=xlsx&\(query)", headers: leader.cookie)
      #expect(xlsx.status == .ok)
      #expect(Array(xlsx.body.readableBytesView.prefix(2)) == [0x50, 0x4B])
      #expect(
        try await test.get("/statistics/export?table=nothing&format=csv", headers: leader.cookie).status == .badRequest)
      #expect(
        try await test.get("/statistics/export?table=units&format=pdf", headers: leader.cookie).status == .badRequest)
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(kind: .export), page: PageQuery())
      #expect(events.items.map(\.subject).sorted() == ["statistics/payers.xlsx", "statistics/units.csv"])
      #expect(events.items.allSatisfy { $0.actor == "ay-leader" })
      // The scheme administrator reads statistics but may not take data away.
      let scheme = try await test.signIn("ay-scheme")
      #expect(
        try await test.get("/statistics/export?table=units&format=csv", headers: scheme.cookie).status == .forbidden)
      // The monthly report prints the month beside the year to date.
      let monthly = try await test.get("/statistics/monthly?month=2019-12&scheme=anyang", headers: leader.cookie)
      #expect(monthly.status == .ok)
      #expect(monthly.text.contains("职工互助保障月报 2019年12月"))
      // Another month is picked on the page (the scheme kept); printed from a button.
      #expect(monthly.text.contains(#"<input type="month" name="month" id="month" value="2019-12"/>"#))
      #expect(monthly.text.contains(#"<input type="hidden" name="scheme" value="anyang"/>"#))
      #expect(monthly.text.contains(#"id="print-report""#))
      #expect(try await test.get("/statistics/monthly?month=2019-13", headers: leader.cookie).status == .badRequest)
    }
  }

  @Test("the provincial office sets targets and the agencies are ranked", arguments: kinds)
  func targets(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let organisations = try await FluentRegistryStore(database: test.app.db).organisations()
      let yichun = try #require(organisations.first { $0.code == "HLJ-YC" })
      let office = try await test.signIn("hlj-scheme")
      let refused = try await test.send(
        .POST, "/targets",
        body:
          "_csrf=\(office.csrf)&organisationId=\(yichun.id)&from=2021-12-10&to=2021-12-01&measure=collected&target=abc",
        headers: office.form())
      #expect(refused.status == .unprocessableEntity)
      #expect(refused.text.contains("截止日期不能早于起始日期"))
      #expect(refused.text.contains("目标金额应大于零"))
      let saved = try await test.send(
        .POST, "/targets",
        body:
          "_csrf=\(office.csrf)&organisationId=\(yichun.id)&from=2021-12-10&to=2022-12-09&measure=collected&target=760000",
        headers: office.form())
      #expect(saved.status == .seeOther)
      let leader = try await test.signIn("hlj-leader")
      let page = try await test.get("/targets?asOf=2022-01-31", headers: leader.cookie)
      #expect(page.status == .ok)
      #expect(page.text.contains("省职工互助保障伊春代办处"))
      #expect(page.text.contains("¥760,000.00"))
      // Yichun's ten demo members paid in full on the opening day: 1,200 yuan of the 760,000.
      #expect(page.text.contains("¥1,200.00"))
      #expect(!page.text.contains("设定目标"))
      #expect(
        try await test.send(
          .POST, "/targets", body: "_csrf=\(leader.csrf)&organisationId=\(yichun.id)", headers: leader.form()
        ).status == .forbidden)
    }
  }

  @Test("the what-if shows a version's numbers and refuses a bad one by its field", arguments: kinds)
  func simulator(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let leader = try await test.signIn("ay-leader")
      let form = try await test.get("/simulator?scheme=anyang&version=anyang-hospital%7C2019", headers: leader.cookie)
      #expect(form.status == .ok)
      #expect(form.text.contains("name=\"p.anyang-hospital-topup.band.0.rate\""))
      #expect(form.text.contains("value=\"30%\""))
      #expect(!form.text.contains("whatif-result"))
      let run = try await test.get(
        "/simulator?run=1&scheme=anyang&version=anyang-hospital%7C2019&from=2019-10-16&to=2020-11-30"
          + "&p.anyang-hospital-topup.band.0.rate=40%25",
        headers: leader.cookie)
      #expect(run.status == .ok)
      #expect(run.text.contains("id=\"whatif-result\""))
      // The refusals are replayed with the paid claims; a higher rate admits none of them.
      #expect(run.text.contains("不予给付的申请中将获给付"))
      func figure(_ id: String, in html: String) -> String? {
        guard let range = html.range(of: "id=\"\(id)\"") else { return nil }
        let rest = html[range.upperBound...]
        guard let open = rest.range(of: "figure-value\">"), let close = rest[open.upperBound...].range(of: "<")
        else { return nil }
        return String(rest[open.upperBound..<close.lowerBound])
      }
      #expect(figure("whatif-refused", in: run.text)?.hasPrefix("0 / ") == true)
      // A dearer contribution brings more in from the same members: the collected row gains.
      let dearer = try await test.get(
        "/simulator?run=1&scheme=anyang&version=anyang-hospital%7C2019&from=2019-10-16&to=2020-11-30"
          + "&p.contribution.perShare=80.00",
        headers: leader.cookie)
      #expect(dearer.status == .ok)
      func collectedRow(_ html: String) -> Substring? {
        html.range(of: "<td>筹集（元）</td>").map { html[$0.upperBound...].prefix(300) }
      }
      #expect(collectedRow(run.text)?.contains(">+") == false, "the same price brings in nothing more")
      #expect(collectedRow(dearer.text)?.contains(">+") == true, "\(collectedRow(dearer.text) ?? "")")
      #expect(figure("whatif-members-needed", in: dearer.text) != nil)
      // A price of fifteen digits with every cap lifted: refused as a scheme would be, not a
      // crash; the largest price a scheme may hold gets an answer.
      let absurd = try await test.get(
        "/simulator?run=1&scheme=anyang&version=anyang-hospital%7C2019&from=2019-10-16&to=2020-11-30"
          + "&p.contribution.perShare=999999999999999.99&p.anyang-hospital-topup.limits.perPeriod=",
        headers: leader.cookie)
      #expect(absurd.status == .unprocessableEntity)
      #expect(absurd.text.contains("金额应为 0 至 1000000000.00 元"))
      // A problem of the changed version no one parameter holds is listed over them.
      let minimum = try await test.get(
        "/simulator?run=1&scheme=anyang&version=anyang-hospital%7C2019"
          + "&p.anyang-hospital-topup.limits.minimumPerClaim=500.00&p.anyang-hospital-topup.limits.perClaim=100.00",
        headers: leader.cookie)
      #expect(minimum.status == .unprocessableEntity)
      #expect(minimum.text.contains(#"id="parameter-errors""#))
      #expect(minimum.text.contains("limits.minimumPerClaim："))
      let largest = try await test.get(
        "/simulator?run=1&scheme=anyang&version=anyang-hospital%7C2019&from=2019-10-16&to=2020-11-30"
          + "&p.contribution.perShare=1000000000.00&p.anyang-hospital-topup.limits.perPeriod=",
        headers: leader.cookie)
      #expect(largest.status == .ok)
      #expect(try await test.get("/healthz").status == .ok)
      let bad = try await test.get(
        "/simulator?run=1&scheme=anyang&version=anyang-hospital%7C2019&p.anyang-hospital-topup.band.0.rate=140%25",
        headers: leader.cookie)
      #expect(bad.status == .unprocessableEntity)
      #expect(bad.text.contains("比例应为0%–100%"))
      let clerk = try await test.signIn("ay-window")
      #expect(try await test.get("/simulator", headers: clerk.cookie).status == .forbidden)

      // A whole draft file: the bundled scheme with the first band at 40%, judged against the
      // stored scheme over the article's period; the answer is the parameter edit's.
      let source = try BundledSchemes.source("anyang")
      let draft = source.replacingOccurrences(
        of: #"- { upTo: "1000.00", rate: "30%" }"#, with: #"- { upTo: "1000.00", rate: "40%" }"#)
      #expect(draft != source)
      let token = try #require(TestApp.csrfToken(in: form.text))
      func upload(_ content: String, fileName: String = "anyang-draft.yaml") async throws -> TestingHTTPResponse {
        let body = TestApp.multipart(
          [("_csrf", token), ("from", "2019-10-16"), ("to", "2020-11-30")],
          files: [(name: "draft", fileName: fileName, type: "text/yaml", content: content)])
        var headers = leader.cookie
        headers.replaceOrAdd(name: .contentType, value: body.contentType)
        return try await test.send(.POST, "/simulator", body: body.body, headers: headers)
      }
      let uploaded = try await upload(draft)
      #expect(uploaded.status == .ok, "\(uploaded.text.prefix(2_000))")
      #expect(uploaded.text.contains("id=\"whatif-draft\""))
      #expect(uploaded.text.contains("anyang-draft.yaml"))
      func difference(_ html: String) -> String? {
        guard let range = html.range(of: #"id="whatif-difference""#) else { return nil }
        return String(html[range.upperBound...].prefix(200))
      }
      #expect(difference(uploaded.text) != nil)
      #expect(difference(uploaded.text) == difference(run.text))
      // A broken file is refused at the upload field, with where it broke; nothing runs.
      let broken = try await upload("scheme: [unclosed", fileName: "broken.yaml")
      #expect(broken.status == .unprocessableEntity)
      #expect(broken.text.contains("YAML"))
      #expect(!broken.text.contains("id=\"whatif-result\""))
      let unknown = try await upload(draft.replacingOccurrences(of: "  code: anyang\n", with: "  code: nowhere\n"))
      #expect(unknown.status == .unprocessableEntity)
      #expect(unknown.text.contains("没有方案"))
      // Without the form's token the upload is refused.
      let forged = TestApp.multipart(
        [("from", "2019-10-16")], files: [(name: "draft", fileName: "d.yaml", type: "text/yaml", content: draft)])
      var forgedHeaders = leader.cookie
      forgedHeaders.replaceOrAdd(name: .contentType, value: forged.contentType)
      #expect(try await test.send(.POST, "/simulator", body: forged.body, headers: forgedHeaders).status == .forbidden)
    }
  }
}
