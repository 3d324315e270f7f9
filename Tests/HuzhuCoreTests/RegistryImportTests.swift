import Foundation
import Testing

@testable import HuzhuCore

/// The checks of the organisation and unit sheets, row by row.
@Suite("Registry import")
struct RegistryImportTests {
  static let top = Organisation(parentID: nil, kind: .cityFederation, code: "AY", name: "安阳市总工会")
  static let other = Organisation(parentID: nil, kind: .cityFederation, code: "WF", name: "潍坊市总工会")

  func cells(_ text: String) -> [[RosterCell]] {
    text.split(separator: "\n").map { line in
      line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.isEmpty ? RosterCell.empty : .text(String($0))
      }
    }
  }

  var scope: AccessScope { .organisations([Self.top.id]) }

  @Test func childrenMayComeBeforeTheirParentsAndAreWrittenAfterThem() {
    let province = Organisation(parentID: nil, kind: .provincialOffice, code: "HLJ", name: "黑龙江省办事处")
    let preview = RegistryImport.organisations(
      cells(
        """
        编码,上级编码,类型,名称
        HLJ-YC-1,HLJ-YC,县区总工会,伊美区总工会
        HLJ-YC,HLJ,市代办处,伊春代办处
        """), existing: [province, Self.other], scope: .organisations([province.id]))
    #expect(preview.canCommit, "\(preview.allErrors)")
    #expect(preview.rows.map(\.organisation.code) == ["HLJ-YC", "HLJ-YC-1"])
    #expect(preview.rows[1].organisation.parentID == preview.rows[0].organisation.id)
    #expect(preview.rows[0].organisation.parentID == province.id)
  }

  @Test func aLoopAWrongKindAndATakenCodeAreNamed() {
    let preview = RegistryImport.organisations(
      cells(
        """
        组织编码,上级编码,组织类型,组织名称
        X-1,X-2,产业工会,甲
        X-2,X-1,产业工会,乙
        AY-C,AY,省办事处,丙
        WF,AY,县区总工会,丁
        AY-D,AY,公司,戊
        AY-E,,县区总工会,己
        """), existing: [Self.top, Self.other], scope: scope)
    #expect(!preview.canCommit)
    let codes = preview.allErrors.map { "\($0.row ?? 0):\($0.code)" }
    // Two rows each other's parent: a kind cannot sit under its own level.
    #expect(codes.contains("2:invalid_parent_kind") && codes.contains("3:invalid_parent_kind"), "\(codes)")
    #expect(codes.contains("4:invalid_parent_kind"), "\(codes)")
    #expect(codes.contains("5:duplicate_code"), "\(codes)")
    #expect(codes.contains("6:invalid_kind"), "\(codes)")
    #expect(codes.contains("7:missing_parent"), "\(codes)")
  }

  @Test func aNodeThatIsThereAlreadyIsLeftAsItIs() {
    let county = Organisation(parentID: Self.top.id, kind: .countyUnion, code: "AY-WF", name: "文峰区总工会")
    let preview = RegistryImport.organisations(
      cells(
        """
        编码,上级编码,类型,名称
        AY-WF,AY,县区总工会,文峰区总工会
        """), existing: [Self.top, county], scope: .organisations([Self.top.id, county.id]))
    #expect(preview.canCommit)
    #expect(preview.rows.map(\.action) == [.unchanged])
    #expect(preview.rows.first?.organisation.id == county.id)
  }

  @Test func unitsAreCreatedUpdatedOrLeftAndCountsAreCheckedBeforeArithmetic() {
    let known = WorkUnit(
      organisationID: Self.top.id, name: "安阳公交集团", creditCode: CreditCode.compose("91410500000000001").value,
      sector: .stateEnterprise)
    let foreign = WorkUnit(
      organisationID: Self.other.id, name: "潍坊某厂", creditCode: CreditCode.compose("91370700000000002").value,
      sector: .stateEnterprise)
    let today = CalendarDate(year: 2026, month: 12, day: 4)!
    let registered = [
      known.creditCode!: RegisteredUnit(
        unit: known, details: UnitDetails(), latestHeadcount: HeadcountReport(asOf: today, total: 10, female: 5),
        inScope: true),
      foreign.creditCode!: RegisteredUnit(unit: foreign, details: UnitDetails(), latestHeadcount: nil, inScope: false),
    ]
    let fresh = CreditCode.compose("91410500000000003").value
    let preview = RegistryImport.units(
      cells(
        """
        所属组织编码,单位名称,统一社会信用代码,单位性质,职工人数,女职工人数,人数截至日期
        AY,安阳公交集团,\(known.creditCode!),国有企业,10,5,2026-12-04
        AY,安阳公交集团有限公司,\(known.creditCode!.lowercased()),,,,
        AY,新单位,\(fresh),社会组织,99999999999999999999,3,
        AY,潍坊某厂,\(foreign.creditCode!),国有企业,,,
        """), organisations: [Self.top, Self.other], scope: scope, registered: registered, today: today)
    #expect(preview.rows.map(\.action) == [.unchanged, .update, .create, .create])
    let codes = preview.allErrors.map { "\($0.row ?? 0):\($0.field):\($0.code)" }
    #expect(codes.contains("3:creditCode:duplicate_in_file"), "\(codes)")
    #expect(codes.contains("4:headcount:invalid_count"), "\(codes)")
    #expect(codes.contains("5:creditCode:duplicate_credit_code"), "\(codes)")
    #expect(preview.allErrors.allSatisfy { !$0.message.zh.contains("潍坊市") })
    #expect(RegistryImport.count("1,230") == 1_230)
    #expect(RegistryImport.count("2000001") == nil)
    #expect(RegistryImport.count("-5") == nil)
    #expect(RegistryImport.count("1e3") == nil)
  }
}
