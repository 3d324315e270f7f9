import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// Finance posts the opening balance and closes a period from the fund page; the window renews
/// every unit under a node from the renewal page. Another federation reaches none of it.
@Suite("Year-end pages")
struct YearEndPagesTests {
  @Test func financePostsTheOpeningBalanceAndClosesAPeriod() async throws {
    try await withTestApp(.sqlite) { test in
      let finance = try await test.signIn("ay-finance")
      let page = try await test.get("/funds", headers: finance.cookie)
      #expect(page.status == .ok)
      for part in ["opening-form", "close-form", "结转下期", "anyang|anyang-hospital|2020", "anyang|2019"] {
        #expect(page.text.contains(part), "\(part)")
      }

      let badAmount = try await test.post(
        "/funds/opening", form: [("choice", "anyang|anyang-hospital|2020"), ("amount", "很多"), ("reference", "V")],
        as: finance)
      #expect(badAmount.status == .unprocessableEntity)
      #expect(badAmount.text.contains("请填写金额") && badAmount.text.contains("很多"))
      let posted = try await test.post(
        "/funds/opening",
        form: [("choice", "anyang|anyang-hospital|2020"), ("amount", "12,000.50"), ("reference", "2019年决算 记字第8号")],
        as: finance)
      #expect(posted.status == .seeOther)
      let after = try await test.get("/funds", headers: finance.cookie)
      #expect(after.text.contains("已登记期初结余") && after.text.contains("¥12,000.50"))
      let twice = try await test.post(
        "/funds/opening",
        form: [("choice", "anyang|anyang-hospital|2020"), ("amount", "1.00"), ("reference", "again")], as: finance)
      #expect(twice.status == .unprocessableEntity && twice.text.contains("已登记期初结余；如有差错请冲正"))

      // The close: previewed (nothing written), then confirmed; the period then shows closed.
      let fund = FluentEnrollmentStore(database: test.app.db)
      let before = try await fund.fundBalances(scheme: "anyang")
      let preview = try await test.post(
        "/funds/close", form: [("choice", "anyang|2019"), ("reference", "2019年结账"), ("action", "preview")], as: finance)
      #expect(preview.status == .ok, "\(preview.text)")
      #expect(preview.text.contains("close-preview") && preview.text.contains("confirm-close"))
      #expect(try await fund.fundBalances(scheme: "anyang") == before)
      let carried = try #require(before.first { $0.versionLabel == "2019" }).balance
      #expect(preview.text.contains(carried.formatted))
      let closed = try await test.post(
        "/funds/close", form: [("choice", "anyang|2019"), ("reference", "2019年结账"), ("action", "close")], as: finance)
      #expect(closed.status == .seeOther)
      let balances = try await fund.fundBalances(scheme: "anyang")
      #expect(balances.first { $0.versionLabel == "2019" }?.balance == .zero)
      #expect(FundBalance.total(of: balances).balance == FundBalance.total(of: before).balance)
      let shut = try await test.get("/funds", headers: finance.cookie)
      #expect(shut.text.contains("已结账（2019年结账）") && !shut.text.contains("anyang|2019\""))
      let again = try await test.post(
        "/funds/close", form: [("choice", "anyang|2019"), ("reference", "x"), ("action", "close")], as: finance)
      #expect(again.status == .unprocessableEntity && again.text.contains("已结账，不能再记入"))
    }
  }

  @Test func noOneElseKeepsTheLedger() async throws {
    try await withTestApp(.sqlite) { test in
      // The window may not; Heilongjiang's finance sees no Anyang choice and gets nothing of it.
      let window = try await test.signIn("ay-window")
      let refused = try await test.post(
        "/funds/opening", form: [("choice", "anyang|anyang-hospital|2020"), ("amount", "1"), ("reference", "V")],
        as: window)
      #expect(refused.status == .forbidden)
      let other = try await test.signIn("hlj-finance")
      let page = try await test.get("/funds", headers: other.cookie)
      #expect(!page.text.contains("anyang|"))
      for (path, fields) in [
        ("/funds/opening", [("choice", "anyang|anyang-hospital|2020"), ("amount", "1"), ("reference", "V")]),
        ("/funds/close", [("choice", "anyang|2019"), ("reference", "R"), ("action", "close")]),
        ("/funds/close", [("choice", "anyang|2019"), ("reference", "R"), ("action", "preview")]),
      ] {
        let attempt = try await test.post(path, form: fields, as: other)
        #expect(attempt.status == .unprocessableEntity, "\(path)")
        for anyang in ["安阳", "¥", "close-preview"] {
          #expect(
            !attempt.text.contains(anyang) || anyang == "¥" && !attempt.text.contains("anyang-hospital"), "\(anyang)")
        }
      }
      let fund = FluentEnrollmentStore(database: test.app.db)
      let anyang = try await fund.fundBalances(scheme: "anyang")
      #expect(anyang.allSatisfy { $0.opening == .zero && $0.carriedForward == .zero })
    }
  }

  @Test func theWindowRenewsEveryUnitUnderANodeOnce() async throws {
    try await withTestApp(.sqlite) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let anyang = try #require(try await registry.allOrganisations().first { $0.code == "HA-AY" })
      let window = try await test.signIn("ay-window")
      let node = try await test.get("/organisations/\(anyang.id)", headers: window.cookie)
      #expect(node.text.contains("year-end-renewal"))
      let form = try await test.get("/renewals?node=\(anyang.id)", headers: window.cookie)
      #expect(form.status == .ok && form.text.contains("renewal-form") && form.text.contains("anyang|anyang-hospital"))

      let order = [
        ("product", "anyang|anyang-hospital"), ("periodStart", "2020-01-15"), ("node", anyang.id.description),
      ]
      let bad = try await test.post(
        "/renewals", form: [("product", "anyang|anyang-hospital"), ("periodStart", "明年")], as: window)
      #expect(bad.status == .unprocessableEntity && bad.text.contains("请填写保障期起始日"))
      let store = FluentEnrollmentStore(database: test.app.db)
      let candidates = try await store.renewalCandidates(
        scheme: "anyang", productCode: "anyang-hospital", periodStart: CalendarDate(year: 2020, month: 1, day: 15)!)
      #expect(!candidates.isEmpty)
      let preview = try await test.post("/renewals", form: order + [("action", "preview")], as: window)
      #expect(preview.status == .ok, "\(preview.text.prefix(400))")
      #expect(preview.text.contains("renewal-lines") && preview.text.contains("commit-renewal"))
      #expect(preview.text.contains("（确认后编号）"))
      let stillNone = try await store.renewalCandidates(
        scheme: "anyang", productCode: "anyang-hospital", periodStart: CalendarDate(year: 2020, month: 1, day: 15)!)
      #expect(stillNone.map(\.renewed) == candidates.map(\.renewed))

      let committed = try await test.post("/renewals", form: order + [("action", "commit")], as: window)
      #expect(committed.status == .ok && committed.text.contains("续保结果"))
      #expect(!committed.text.contains("commit-renewal"))
      let after = try await store.renewalCandidates(
        scheme: "anyang", productCode: "anyang-hospital", periodStart: CalendarDate(year: 2020, month: 1, day: 15)!)
      #expect(after.allSatisfy { $0.renewed })
      let twice = try await test.post("/renewals", form: order + [("action", "commit")], as: window)
      #expect(twice.text.contains("已续保 0 个单位") && twice.text.contains("已续保，跳过"))

      // Yichun's window reaches neither Anyang's node nor its scheme.
      let other = try await test.signIn("yc-window")
      let foreign = try await test.post("/renewals", form: order + [("action", "preview")], as: other)
      #expect(foreign.status == .unprocessableEntity)
      for unit in candidates { #expect(!foreign.text.contains(unit.unit.name)) }
    }
  }

  /// A careless or hostile client: a 25-digit amount, markup in every text field, choices
  /// that name nothing. Each is a clear 422 with the text shown as text; nothing is written.
  @Test func hostileInputIsRefusedAndShownAsText() async throws {
    try await withTestApp(.sqlite) { test in
      let finance = try await test.signIn("ay-finance")
      let hostile = "\"><script>alert(1)</script>"
      for (path, fields) in [
        (
          "/funds/opening",
          [
            ("choice", "anyang|anyang-hospital|2020"), ("amount", String(repeating: "9", count: 25)),
            ("reference", hostile),
          ]
        ),
        ("/funds/opening", [("choice", hostile), ("amount", "1.00"), ("reference", hostile)]),
        ("/funds/close", [("choice", hostile), ("reference", hostile), ("action", "close")]),
        (
          "/funds/close",
          [("choice", "anyang|2019"), ("reference", String(repeating: "长", count: 65)), ("action", "close")]
        ),
      ] {
        let answer = try await test.post(path, form: fields, as: finance)
        #expect(answer.status == .unprocessableEntity, "\(path) \(fields)")
        #expect(!answer.text.contains("<script>alert(1)"), "\(path)")
      }
      let window = try await test.signIn("ay-window")
      let renewal = try await test.post(
        "/renewals", form: [("product", hostile), ("periodStart", hostile), ("node", hostile), ("action", "commit")],
        as: window)
      #expect(renewal.status == .unprocessableEntity && !renewal.text.contains("<script>alert(1)"))
      let fund = FluentEnrollmentStore(database: test.app.db)
      #expect(
        try await fund.fundBalances(scheme: "anyang").allSatisfy { $0.opening == .zero && $0.carriedForward == .zero })
    }
  }
}
