import HuzhuCore
import Testing

/// The core's decisions behind isolation: which schemes an operator reaches, what a roster row
/// does to a person the registry knows, who may answer a transfer request, and when a date may
/// be earlier than the server's day.
@Suite("Tenancy decisions")
struct TenancyDecisionTests {
  // A province with two city agencies, and a city federation of its own.
  let province = Organisation(parentID: nil, kind: .provincialOffice, code: "P", name: "省办事处")
  let tree: (province: Organisation, east: Organisation, west: Organisation, county: Organisation, city: Organisation)

  init() {
    let east = Organisation(parentID: province.id, kind: .cityAgency, code: "P-E", name: "东代办处")
    let west = Organisation(parentID: province.id, kind: .cityAgency, code: "P-W", name: "西代办处")
    let county = Organisation(parentID: east.id, kind: .countyUnion, code: "P-E-1", name: "东一县")
    let city = Organisation(parentID: nil, kind: .cityFederation, code: "C", name: "另一市总")
    tree = (province, east, west, county, city)
  }

  var all: [Organisation] { [tree.province, tree.east, tree.west, tree.county, tree.city] }
  var hierarchy: OrganisationHierarchy { OrganisationHierarchy(all) }

  @Test func aSchemeServesItsSubtreeAndIsOverseenFromAbove() {
    let scope = { (node: Organisation) in AccessScope.organisations(OrganisationTree.subtreeIDs(of: node.id, in: all)) }
    let countyReach = SchemeReach(node: tree.county.id, scope: scope(tree.county), hierarchy: hierarchy)
    // The county uses the province's pool and its agency's scheme, never the other agency's.
    #expect(countyReach.contains(owner: tree.province.id))
    #expect(countyReach.contains(owner: tree.east.id))
    #expect(!countyReach.contains(owner: tree.west.id))
    #expect(!countyReach.contains(owner: tree.city.id))
    // The province oversees both agencies' schemes; another federation sees none of them.
    let provinceReach = SchemeReach(node: tree.province.id, scope: scope(tree.province), hierarchy: hierarchy)
    #expect(provinceReach.contains(owner: tree.west.id) && provinceReach.contains(owner: tree.east.id))
    #expect(!provinceReach.contains(owner: tree.city.id))
    let cityReach = SchemeReach(node: tree.city.id, scope: scope(tree.city), hierarchy: hierarchy)
    #expect(!cityReach.contains(owner: tree.province.id))
    // A unit officer reaches the schemes above their unit's node, and no others.
    let officer = SchemeReach(node: tree.county.id, scope: .unit(WorkUnit.ID()), hierarchy: hierarchy)
    #expect(officer.contains(owner: tree.province.id) && !officer.contains(owner: tree.west.id))
    #expect(hierarchy.federation(of: tree.county.id) == tree.province.id)
    #expect(SchemeReach.everything.contains(owner: tree.city.id))
  }

  @Test func aRosterRowMovesPeopleWithinTheAreaAndAsksForAnyoneElse() {
    let east = AccessScope.organisations(OrganisationTree.subtreeIDs(of: tree.east.id, in: all))
    let here = WorkUnit.ID()
    let worker = Worker.ID()
    func employed(at unit: WorkUnit.ID, under node: Organisation) -> RegistryStanding {
      RegistryStanding(
        worker: worker,
        employment: CurrentEmployment(worker: worker, unit: unit, unitName: "某单位", organisation: node.id),
        homeOrganisation: nil)
    }
    #expect(RosterRowPlan.plan(for: nil, into: here, scope: east) == .create)
    #expect(RosterRowPlan.plan(for: employed(at: here, under: tree.county), into: here, scope: east) == .update(worker))
    #expect(
      RosterRowPlan.plan(for: employed(at: WorkUnit.ID(), under: tree.county), into: here, scope: east)
        == .transfer(worker))
    let elsewhere = employed(at: WorkUnit.ID(), under: tree.west)
    let plan = RosterRowPlan.plan(for: elsewhere, into: here, scope: east)
    #expect(plan == .requestTransfer(worker))
    // The preview names neither the unit nor the area of someone kept elsewhere.
    #expect(plan.warning(elsewhere)?.zh.contains("某单位") == false)
    #expect(RosterRowPlan.transfer(worker).warning(elsewhere)?.zh.contains("某单位") == true)
    // People on their own: kept by a node of the area, or by nobody, move; kept elsewhere, asked.
    let keptHere = RegistryStanding(worker: worker, employment: nil, homeOrganisation: tree.county.id)
    let keptThere = RegistryStanding(worker: worker, employment: nil, homeOrganisation: tree.city.id)
    let nobodys = RegistryStanding(worker: worker, employment: nil, homeOrganisation: nil)
    #expect(RosterRowPlan.plan(for: keptHere, into: here, scope: east) == .transfer(worker))
    #expect(RosterRowPlan.plan(for: keptThere, into: here, scope: east) == .requestTransfer(worker))
    #expect(RosterRowPlan.plan(for: nobodys, into: here, scope: east) == .transfer(worker))
    // A unit officer's area is their unit.
    #expect(
      RosterRowPlan.plan(for: employed(at: WorkUnit.ID(), under: tree.county), into: here, scope: .unit(here))
        == .requestTransfer(worker))
  }

  @Test func theKeepingSideAnswersATransferAndTheAskingSideWithdraws() {
    let east = AccessScope.organisations(OrganisationTree.subtreeIDs(of: tree.east.id, in: all))
    let city = AccessScope.organisations([tree.city.id])
    let asking = WorkUnit.ID()
    let number = ResidentIDNumber.compose(
      region: "230702", birthDate: CalendarDate(year: 1980, month: 1, day: 3)!, sequence: 7, gender: .female)
    let row = RosterReader.preview([
      [.text("姓名"), .text("身份证号"), .text("手机号"), .text("银行账号")],
      [.text("周老师"), .text(number.value), .text("13700000000"), .text("6217000099998888")],
    ]).rows[0]
    let request = TransferRequest(
      workerID: Worker.ID(), fromUnitID: WorkUnit.ID(), fromOrganisationID: tree.county.id, toUnitID: asking,
      toOrganisationID: tree.city.id, details: .init(row), requestedBy: "某人",
      requestedOn: CalendarDate(year: 2026, month: 12, day: 3)!)
    #expect(request.refusal(of: .confirm, by: east) == nil)
    #expect(request.refusal(of: .decline, by: east) == nil)
    #expect(request.refusal(of: .withdraw, by: east) != nil)
    #expect(request.refusal(of: .confirm, by: city) != nil)
    #expect(request.refusal(of: .withdraw, by: city) == nil)
    #expect(request.refusal(of: .withdraw, by: .unit(asking)) == nil)
    let today = CalendarDate(year: 2026, month: 12, day: 4)!
    let confirmed = request.deciding(.confirm, by: "东一县", on: today, note: "  ", scope: east)
    #expect(confirmed?.status == .confirmed && confirmed?.note == nil && confirmed?.decidedOn == today)
    #expect(confirmed?.refusal(of: .decline, by: east) != nil)
    #expect(request.deciding(.confirm, by: "另一市", on: today, note: nil, scope: city) == nil)
    // Confirmed, the roster's details apply; blanks keep what was known.
    let before = Worker(name: "周老师", idNumber: number, unitID: nil, phone: "13900000000", bankName: "中国银行")
    let after = request.details.applied(to: before)
    #expect(after.phone == "13700000000" && after.bankAccount == "6217000099998888" && after.bankName == "中国银行")
  }

  @Test func aDateTheRulesDependOnIsTheServersUnlessSomeoneMaySayWhy() throws {
    let today = CalendarDate(year: 2026, month: 12, day: 3)!
    let earlier = CalendarDate(year: 2020, month: 3, day: 20)!
    let what = LocalizedText(zh: "受理日期", en: "receipt date")
    func resolve(_ date: CalendarDate?, _ reason: String?, may: Bool) -> Result<RecordedDate, ValidationFailure> {
      RecordedDate.resolve(
        date, reason: reason, today: today, mayRecordEarlier: may, field: "event.claimDate", what: what)
    }
    #expect(try resolve(nil, nil, may: false).get() == RecordedDate(date: today, earlierBecause: nil))
    #expect(try resolve(today, "ignored", may: false).get() == RecordedDate(date: today, earlierBecause: nil))
    func codes(_ result: Result<RecordedDate, ValidationFailure>) -> [String] {
      if case .failure(let failure) = result { return failure.errors.map(\.code) }
      return []
    }
    #expect(codes(resolve(earlier, "纸质材料", may: false)) == ["server_date"])
    #expect(codes(resolve(today.adding(days: 1), "x", may: true)) == ["future_date"])
    #expect(codes(resolve(earlier, "  ", may: true)) == ["earlier_date_reason"])
    if case .failure(let failure) = resolve(earlier, nil, may: true) {
      #expect(failure.errors.first?.field == "event.claimDateReason")
    }
    #expect(codes(resolve(earlier, String(repeating: "长", count: 201), may: true)) == ["too_long"])
    #expect(try resolve(earlier, " 县窗口收件 ", may: true).get() == RecordedDate(date: earlier, earlierBecause: "县窗口收件"))
  }
}
