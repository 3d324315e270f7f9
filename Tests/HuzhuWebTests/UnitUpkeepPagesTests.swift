import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// A unit registered, its details kept, a headcount reported and a visit recorded from the
/// pages; a refused form comes back as typed, with each problem under its field.
@Suite("Unit upkeep pages")
struct UnitUpkeepPagesTests {
  @Test func theWindowRegistersAUnitAndKeepsItFromItsPage() async throws {
    try await withTestApp(.sqlite) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let anyang = try #require(try await registry.allOrganisations().first { $0.code == "HA-AY" })
      let clerk = try await test.signIn("ay-window")
      let node = try await test.get("/organisations/\(anyang.id)", headers: clerk.cookie)
      #expect(node.text.contains("new-unit"))

      let refused = try await test.post(
        "/organisations/\(anyang.id)/units",
        form: [("name", "安阳市新开公司"), ("creditCode", "91410500MA00000000"), ("sector", "private_enterprise")], as: clerk)
      #expect(refused.status == .unprocessableEntity)
      #expect(refused.text.contains("安阳市新开公司") && refused.text.contains("field-error"))
      let code = CreditCode.compose("91410500MA0000099").value
      let created = try await test.post(
        "/organisations/\(anyang.id)/units",
        form: [("name", "安阳市新开公司"), ("creditCode", code.lowercased()), ("sector", "private_enterprise")], as: clerk)
      #expect(created.status == .seeOther)
      let unit = try #require(try await registry.unit(creditCode: code))
      let page = "/units/\(unit.id)"
      #expect(try #require(created.headers.first(name: .location)) == page)

      let badDetails = try await test.post(
        "\(page)/details",
        form: [
          ("address", "安阳市文峰区"), ("contactName", "周九"), ("contactPhone", "12345"), ("bankName", "中国银行"),
          ("bankAccount", ""),
        ], as: clerk)
      #expect(badDetails.status == .unprocessableEntity)
      #expect(badDetails.text.contains("安阳市文峰区") && badDetails.text.contains("联系电话应为11位手机号"))
      let details = try await test.post(
        "\(page)/details",
        form: [
          ("address", "安阳市文峰区"), ("contactName", "周九"), ("contactPhone", "13800000009"), ("bankName", "中国银行"),
          ("bankAccount", "6216 6102 0000 0000 99"),
        ], as: clerk)
      #expect(details.status == .seeOther)
      #expect(try await registry.details(of: unit.id)?.bankAccount == "621661020000000099")

      let badCount = try await test.post(
        "\(page)/headcount", form: [("total", "40"), ("female", "41"), ("asOf", "2099-01-01")], as: clerk)
      #expect(badCount.status == .unprocessableEntity)
      #expect(badCount.text.contains("不晚于今天"))
      let count = try await test.post(
        "\(page)/headcount",
        form: [("total", "40"), ("female", "12"), ("asOf", test.app.serverClock.today.description)], as: clerk)
      #expect(count.status == .seeOther)
      #expect(try await registry.headcounts(of: unit.id).map(\.total) == [40])

      let badVisit = try await test.post(
        "\(page)/outreach",
        form: [("visitedOn", test.app.serverClock.today.description), ("visitor", "李娜"), ("outcome", "declined")],
        as: clerk)
      #expect(badVisit.status == .unprocessableEntity)
      #expect(badVisit.text.contains("李娜"))
      let visit = try await test.post(
        "\(page)/outreach",
        form: [
          ("visitedOn", test.app.serverClock.today.description), ("visitor", "李娜"), ("outcome", "declined"),
          ("declineReason", "cost"), ("materials", "宣传册"),
        ], as: clerk)
      #expect(visit.status == .seeOther)
      let shown = try await test.get(page, headers: clerk.cookie)
      #expect(shown.text.contains("单位信息已保存") == false)  // the flash of the last step only
      #expect(shown.text.contains("走访记录已保存") && shown.text.contains("宣传册") && shown.text.contains("费用负担"))

      // Another federation's clerk reaches none of it.
      let other = try await test.signIn("yc-window")
      for (path, fields) in [
        ("\(page)/details", [("address", "x")]), ("\(page)/headcount", [("total", "1"), ("female", "0")]),
        ("/organisations/\(anyang.id)/units", [("name", "x"), ("sector", "government")]),
      ] {
        let response = try await test.post(path, form: fields, as: other)
        #expect([.notFound, .forbidden, .unprocessableEntity].contains(response.status), "\(path)")
        #expect(!response.text.contains("安阳市新开公司"), "\(path)")
      }
      #expect(try await registry.details(of: unit.id)?.address == "安阳市文峰区")
      #expect(try await registry.headcounts(of: unit.id).count == 1)
    }
  }
}
