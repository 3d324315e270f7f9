import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import Testing
import Vapor
import VaporTesting

/// A NUL byte inside an uploaded file (which streams past the body check of
/// `NullCharacterMiddleware`) is refused with the row and field, on both databases:
/// PostgreSQL cannot store one in text and would otherwise answer 500.
@Suite("NUL inside files")
struct NullInFilesTests {
  @Test(arguments: TestDatabaseKind.available)
  func aNulInARosterCellIsARowError(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let bus = try #require(
        try await FluentRegistryStore(database: test.app.db).units(in: nil, page: PageQuery(per: 200)).items.first {
          $0.name == "安阳公交集团"
        })
      let number = ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1990, month: 5, day: 6)!, sequence: 77, gender: .female)
      var csv = test.headers("ay-window")
      csv.contentType = HTTPMediaType(type: "text", subType: "csv")
      for roster in [
        "姓名,身份证号,开户银行,银行账号\n刘芳,\(number.value),中国\u{0}银行,6222020200001234567\n",
        "姓名,身份证号,手机号\n刘\u{0}芳,\(number.value),13800138000\n",
      ] {
        for path in ["/api/v1/units/\(bus.id)/roster/preview", "/api/v1/units/\(bus.id)/roster"] {
          let response = try await test.send(.POST, path, body: roster, headers: csv)
          #expect(response.status.code < 500, "\(path): \(response.status) \(response.text.prefix(300))")
        }
      }
      #expect(try await FluentRegistryStore(database: test.app.db).worker(idNumber: number) == nil)
    }
  }
}
