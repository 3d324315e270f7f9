import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

@Suite("Pages and health")
struct PagesTests {
  static let kinds = TestDatabaseKind.available

  @Test(arguments: kinds)
  func healthAndReadinessReportTheDatabase(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let health = try await test.get("/healthz")
      #expect(health.status == .ok)
      let body = try TestApp.object(health)
      #expect(body["status"] as? String == "ok")
      #expect(body["database"] as? String == "ok")
      #expect(body["databaseKind"] as? String == (kind == .sqlite ? "sqlite" : "postgresql"))
      let ready = try await test.get("/readyz")
      #expect(ready.status == .ok)
      #expect(try TestApp.object(ready)["status"] as? String == "ready")
    }
  }

  @Test(arguments: kinds)
  func organisationTreeShowsTheOperatorsSubtreeInChinese(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let session = try await test.signIn("hlj-leader")
      let response = try await test.get("/organisations", headers: session.cookie)
      #expect(response.status == .ok)
      #expect(response.headers.contentType == .html)
      let html = response.text
      #expect(html.contains(#"<html lang="zh">"#))
      for name in ["中国职工保险互助会哈尔滨办事处", "省职工互助保障伊春代办处", "铁力市总工会", "伊春森工集团工会"] {
        #expect(html.contains(name), "\(name)")
      }
      // Anyang is another tree: the Harbin office's leader does not see it.
      #expect(!html.contains("安阳市总工会"))
      // The Yichun agency sits inside the Harbin office's branch of the tree.
      let harbin = try #require(html.range(of: "中国职工保险互助会哈尔滨办事处"))
      let yichun = try #require(html.range(of: "省职工互助保障伊春代办处"))
      #expect(harbin.lowerBound < yichun.lowerBound)
      #expect(html.contains(#"<span class="figure-value">5</span>"#))
      #expect(html.contains(#"<span class="figure-value">10</span>"#))
    }
  }

  @Test func englishSwitchTranslatesAndSticks() async throws {
    try await withTestApp(.sqlite) { test in
      let session = try await test.signIn("ay-leader")
      let response = try await test.get("/organisations?lang=en", headers: session.cookie)
      #expect(response.text.contains(#"<html lang="en">"#))
      #expect(response.text.contains("Anyang Federation of Trade Unions"))
      #expect(response.headers.setCookie?["lang"]?.string == "en")
      var headers = session.cookie
      headers.cookie?["lang"] = .init(string: "en")
      let next = try await test.get("/organisations", headers: headers)
      #expect(next.text.contains("Union organisations"))
    }
  }

  @Test(arguments: kinds)
  func organisationPageListsChildrenAndUnitsOfTheSubtree(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let organisations = try await FluentRegistryStore(database: test.app.db).organisations()
      let harbin = try #require(organisations.first { $0.code == "HLJ" })
      let session = try await test.signIn("hlj-leader")
      let response = try await test.get(SiteURL.organisation(.value(harbin.id)).path, headers: session.cookie)
      #expect(response.status == .ok)
      let html = response.text
      #expect(html.contains("省职工互助保障伊春代办处"))
      #expect(html.contains("伊春森林工业集团有限责任公司"))
      #expect(html.contains("铁力市自来水公司"))
      #expect(!html.contains("安阳卷烟厂"))
      #expect(html.contains("参保单位（含下级，共 5 家）"))
    }
  }

  @Test func missingPagesAreChinesePagesWith404() async throws {
    try await withTestApp(.sqlite) { test in
      let session = try await test.signIn("ay-leader")
      for path in ["/organisations/\(UUID())", "/organisations/not-a-uuid", "/no/such/page"] {
        let response = try await test.get(path, headers: session.cookie)
        #expect(response.status == .notFound, "\(path)")
        #expect(response.text.contains("页面不存在"), "\(path)")
        #expect(response.headers.first(name: "X-Request-Id") != nil)
      }
    }
  }

  @Test func everyResponseCarriesSecurityHeadersAndARequestID() async throws {
    try await withTestApp(.sqlite) { test in
      for path in ["/", "/healthz", "/api/v1/organisations", "/api/v1/missing", "/huzhu.css"] {
        let response = try await test.get(path)
        #expect(
          response.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true, "\(path)")
        #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
        #expect(response.headers.first(name: "X-Request-Id")?.isEmpty == false, "\(path)")
      }
      let stylesheet = try await test.get("/huzhu.css")
      #expect(stylesheet.status == .ok)
      #expect(stylesheet.text.contains(".org-tree"))
    }
  }
}
