import HuzhuCore
import Testing

@Suite("Organisation hierarchy")
struct OrganisationTests {
  let province = Organisation(parentID: nil, kind: .provincialOffice, code: "HLJ", name: "哈尔滨办事处")

  @Test func acceptsAValidChild() {
    let agency = Organisation(parentID: province.id, kind: .cityAgency, code: "HLJ-YC", name: "伊春代办处")
    #expect(Organisation.validate(agency, existing: [province]).isEmpty)
  }

  @Test func reportsEveryProblemWithItsField() {
    let bad = Organisation(parentID: .init(), kind: .countyUnion, code: "bad code!", name: " ")
    let errors = Organisation.validate(bad, existing: [province])
    #expect(Set(errors.map(\.field)) == ["code", "name", "parentId"])
    #expect(errors.first { $0.field == "parentId" }?.code == "unknown_parent")
  }

  @Test func rejectsDuplicateCodesIgnoringCase() {
    let duplicate = Organisation(parentID: nil, kind: .cityFederation, code: "hlj", name: "x")
    let errors = Organisation.validate(duplicate, existing: [province])
    #expect(errors.map(\.code) == ["duplicate_code"])
    #expect(errors[0].message.zh.contains("已被使用"))
  }

  @Test func aParentMustBeHigherInTheHierarchy() {
    let county = Organisation(parentID: nil, kind: .countyUnion, code: "C1", name: "县总工会")
    let agency = Organisation(parentID: county.id, kind: .cityAgency, code: "A1", name: "代办处")
    #expect(Organisation.validate(agency, existing: [county]).map(\.code) == ["invalid_parent_kind"])
  }

  @Test func treeNestsChildrenAndCountsUnitsBelow() {
    let agency = Organisation(parentID: province.id, kind: .cityAgency, code: "HLJ-YC", name: "伊春代办处")
    let countyB = Organisation(parentID: agency.id, kind: .countyUnion, code: "HLJ-YC-B", name: "B")
    let countyA = Organisation(parentID: agency.id, kind: .countyUnion, code: "HLJ-YC-A", name: "A")
    let tree = OrganisationTree(
      organisations: [countyB, agency, province, countyA], unitCounts: [countyA.id: 2, countyB.id: 3, agency.id: 1])
    #expect(tree.roots.map(\.organisation.code) == ["HLJ"])
    #expect(tree.roots[0].totalUnitCount == 6)
    #expect(
      tree.flattened().map { "\($0.depth):\($0.node.organisation.code)" } == [
        "0:HLJ", "1:HLJ-YC", "2:HLJ-YC-A", "2:HLJ-YC-B",
      ])
    #expect(
      OrganisationTree.subtreeIDs(of: agency.id, in: [province, agency, countyA, countyB])
        == [agency.id, countyA.id, countyB.id])
  }

  @Test func aCycleInStoredDataDoesNotHangTheTree() {
    var a = Organisation(parentID: nil, kind: .countyUnion, code: "A", name: "A")
    let b = Organisation(parentID: a.id, kind: .countyUnion, code: "B", name: "B")
    a.parentID = b.id
    let tree = OrganisationTree(organisations: [a, b])
    #expect(tree.flattened().count <= 2)
    #expect(OrganisationTree.subtreeIDs(of: a.id, in: [a, b]).count == 2)
  }

  @Test func demoDataIsValidInTheOrderItIsWritten() {
    let demo = DemoData.standard()
    var accepted: [Organisation] = []
    for organisation in demo.organisations {
      #expect(Organisation.validate(organisation, existing: accepted).isEmpty, "\(organisation.code)")
      accepted.append(organisation)
    }
    let names = Set(demo.units.map(\.name))
    for named in ["河南安彩高科股份有限公司", "河南中烟工业有限责任公司安阳卷烟厂", "安阳公交集团", "安阳市道路绿化管理站"] {
      #expect(names.contains(named))
    }
    #expect(Set(demo.workers.map(\.worker.idNumber)).count == demo.workers.count)
    for unit in demo.units {
      #expect(WorkUnit.validate(unit, organisationExists: accepted.contains { $0.id == unit.organisationID }).isEmpty)
    }
  }
}
