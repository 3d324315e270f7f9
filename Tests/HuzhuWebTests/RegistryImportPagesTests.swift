import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// The bulk imports as pages: upload, a preview of every row, then all rows or none.
@Suite("Registry import pages")
struct RegistryImportPagesTests {
  func upload(
    _ test: TestApp, _ session: TestApp.Session, _ path: String, _ content: String
  ) async throws -> TestingHTTPResponse {
    let boundary = "huzhu-test-boundary"
    let body =
      "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(session.csrf)\r\n"
      + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sheet.csv\"\r\n"
      + "Content-Type: text/csv\r\n\r\n\(content)\r\n--\(boundary)--\r\n"
    var headers = session.cookie
    headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
    return try await test.send(.POST, path, body: body, headers: headers)
  }

  @Test func theAdministratorImportsTheTreeAndTheWindowTheUnits() async throws {
    try await withTestApp(.sqlite) { test in
      let admin = try await test.signIn("ay-admin")
      // The accounts page leads there.
      #expect(try await test.get("/accounts", headers: admin.cookie).text.contains("/imports/organisations"))
      let bad = try await upload(
        test, admin, "/imports/organisations", "编码,上级编码,类型,名称\nAY-NEW,HA-AY,县区总工会,新区总工会\nAY-BAD,NOPE,县区总工会,错\n")
      #expect(bad.status == .seeOther)
      let badPreview = try await test.get(try #require(bad.headers.first(name: .location)), headers: admin.cookie)
      #expect(badPreview.text.contains("import-blocked"))
      #expect(badPreview.text.contains("第3行【上级编码】"))
      #expect(!badPreview.text.contains("import-commit"))

      let good = try await upload(
        test, admin, "/imports/organisations", "编码,上级编码,类型,名称\nAY-NEW,HA-AY,县区总工会,新区总工会\n")
      let location = try #require(good.headers.first(name: .location))
      let preview = try await test.get(location, headers: admin.cookie)
      #expect(preview.text.contains("import-commit") && preview.text.contains("新区总工会"))
      let file = try #require(location.split(separator: "=").last.map(String.init))
      let imported = try await test.send(
        .POST, "/imports/organisations/commit", body: "_csrf=\(admin.csrf)&file=\(file)", headers: admin.form())
      #expect(imported.status == .seeOther)
      let registry = FluentRegistryStore(database: test.app.db)
      #expect(try await registry.allOrganisations().contains { $0.code == "AY-NEW" })
      // Imported once: the kept file is gone.
      let replay = try await test.send(
        .POST, "/imports/organisations/commit", body: "_csrf=\(admin.csrf)&file=\(file)", headers: admin.form())
      #expect(replay.status == .unprocessableEntity)
      #expect(replay.text.contains("找不到上传的文件"))
      // The administrator keeps the tree, not the units.
      #expect(try await test.get("/imports/units", headers: admin.cookie).status == .forbidden)

      let clerk = try await test.signIn("ay-window")
      #expect(try await test.get("/imports/organisations", headers: clerk.cookie).status == .forbidden)
      #expect(try await test.get("/organisations", headers: clerk.cookie).text.contains("/imports/units"))
      let template = try await test.get("/imports/units/template", headers: clerk.cookie)
      #expect(template.headers.contentType?.subType.contains("spreadsheetml") == true)
      let code = CreditCode.compose("91410500MA0000123").value
      let units = try await upload(
        test, clerk, "/imports/units",
        "所属组织编码,单位名称,统一社会信用代码,单位性质,职工人数,女职工人数\nAY-NEW,新区某公司,\(code),民营及其他企业,80,30\n")
      let unitsLocation = try #require(units.headers.first(name: .location))
      let unitFile = try #require(unitsLocation.split(separator: "=").last.map(String.init))
      let committed = try await test.send(
        .POST, "/imports/units/commit", body: "_csrf=\(clerk.csrf)&file=\(unitFile)", headers: clerk.form())
      #expect(committed.status == .seeOther)
      let unit = try #require(try await registry.unit(creditCode: code))
      #expect(try await registry.headcounts(of: unit.id).map(\.total) == [80])
      let done = try await test.get(try #require(committed.headers.first(name: .location)), headers: clerk.cookie)
      #expect(done.text.contains("已导入：新建 1"))

      // Another federation's clerk cannot place units under Anyang's new node.
      let other = try await test.signIn("yc-window")
      let foreign = try await upload(
        test, other, "/imports/units",
        "所属组织编码,单位名称,统一社会信用代码\nAY-NEW,冒名,\(CreditCode.compose("91230700MA0000124").value)\n")
      let foreignPreview = try await test.get(
        try #require(foreign.headers.first(name: .location)), headers: other.cookie)
      #expect(foreignPreview.text.contains("不在您的辖区内"))
      #expect(!foreignPreview.text.contains("新区总工会"))
    }
  }

  /// A sheet of many wrong rows: the first 500 are listed, the rest counted; the page stays
  /// small enough to open.
  @Test func aSheetOfManyWrongRowsListsTheFirstAndCountsTheRest() async throws {
    try await withTestApp(.sqlite) { test in
      let clerk = try await test.signIn("ay-window")
      let rows = (1...1_200).map { "NOPE,单位\($0),BAD\($0),外企" }.joined(separator: "\n")
      let sent = try await upload(test, clerk, "/imports/units", "所属组织编码,单位名称,统一社会信用代码,单位性质\n" + rows)
      let preview = try await test.get(try #require(sent.headers.first(name: .location)), headers: clerk.cookie)
      #expect(preview.text.contains("import-blocked") && preview.text.contains("import-unlisted"))
      #expect(preview.text.contains("另有 700 行有错误未列出"))
      #expect(preview.text.contains("单位500<") && !preview.text.contains("单位501<"))
      #expect(preview.body.readableBytes < 2_000_000)
    }
  }
}
