import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing

@Suite("Union work, unit details and scheme store contract")
struct UnionWorkStoreContractTests {
  static let kinds = TestDatabaseKind.available

  let today = CalendarDate(year: 2022, month: 3, day: 1)!

  func setUp(_ db: MigratedDatabase) async throws -> (Organisation, Organisation, [WorkUnit], Worker) {
    let registry = FluentRegistryStore(database: db.database)
    let province = Organisation(parentID: nil, kind: .provincialOffice, code: "HLJ", name: "哈尔滨办事处")
    let yichun = Organisation(parentID: province.id, kind: .cityAgency, code: "HLJ-YC", name: "伊春代办处")
    let other = Organisation(parentID: province.id, kind: .cityAgency, code: "HLJ-QQ", name: "齐齐哈尔代办处")
    for organisation in [province, yichun, other] { try await registry.create(organisation) }
    let units = [
      WorkUnit(organisationID: yichun.id, name: "伊春森工集团", sector: .stateEnterprise),
      WorkUnit(organisationID: yichun.id, name: "伊春市第一医院", sector: .publicInstitution),
      WorkUnit(organisationID: other.id, name: "齐齐哈尔机床厂", sector: .stateEnterprise),
    ]
    for unit in units { try await registry.create(unit) }
    let worker = Worker(
      name: "王芳",
      idNumber: ResidentIDNumber.compose(
        region: "230700", birthDate: CalendarDate(year: 1978, month: 2, day: 3)!, sequence: 7, gender: .female),
      unitID: units[0].id)
    try await registry.create(worker, employedSince: CalendarDate(year: 2010, month: 1, day: 1)!)
    return (province, yichun, units, worker)
  }

  @Test(arguments: kinds)
  func outreachVisitsAreCountedPerUnitUnderTheirLatestOutcome(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let (_, yichun, units, _) = try await setUp(db)
      let store = FluentUnionWorkStore(database: db.database)
      let first = CalendarDate(year: 2022, month: 1, day: 5)!
      try await store.record(
        OutreachVisit(
          unitID: units[0].id, visitedOn: first, visitor: "张主席", contact: "工会主席", materials: "宣传册200份",
          outcome: .interested), today: today)
      try await store.record(
        OutreachVisit(unitID: units[0].id, visitedOn: first.adding(days: 20), visitor: "张主席", outcome: .joined),
        today: today)
      try await store.record(
        OutreachVisit(
          unitID: units[1].id, visitedOn: first, visitor: "李干事", outcome: .declined, declineReason: .cost),
        today: today)
      try await store.record(
        OutreachVisit(unitID: units[2].id, visitedOn: first, visitor: "赵干事", outcome: .interested), today: today)

      let missingReason = await #expect(throws: ValidationFailure.self) {
        try await store.record(
          OutreachVisit(unitID: units[1].id, visitedOn: first, visitor: "李干事", outcome: .declined),
          today: self.today)
      }
      #expect(missingReason?.errors.map(\.field) == ["declineReason"])
      let future = await #expect(throws: ValidationFailure.self) {
        try await store.record(
          OutreachVisit(unitID: .init(), visitedOn: self.today.adding(days: 1), visitor: "x", outcome: .joined),
          today: self.today)
      }
      #expect(Set(future?.errors.map(\.field) ?? []) == ["visitedOn", "unitId"])

      #expect(try await store.outreachVisits(unit: units[0].id).map(\.outcome) == [.joined, .interested])
      let summary = try await store.outreachSummary(under: yichun.id)
      #expect(summary.visits == 3 && summary.unitsVisited == 2)
      #expect(summary.byOutcome == [.joined: 1, .declined: 1])
      #expect(summary.declineReasons == [.cost: 1])
      #expect(try await store.outreachSummary(under: nil).unitsVisited == 3)
    }
  }

  @Test(arguments: kinds)
  func thePairingLedgerKeepsOnePairingPerWorkerAndItsVisits(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let (province, yichun, _, worker) = try await setUp(db)
      let store = FluentUnionWorkStore(database: db.database)
      let pairing = HardshipPairing(
        organisationID: yichun.id, cadreName: "刘洋", workerID: worker.id, hardshipLevel: .relative,
        startedOn: CalendarDate(year: 2022, month: 1, day: 1)!, cadrePaysContribution: true)
      try await store.create(pairing)
      let twice = await #expect(throws: ValidationFailure.self) {
        try await store.create(
          HardshipPairing(
            organisationID: yichun.id, cadreName: "陈静", workerID: worker.id, hardshipLevel: .severe,
            startedOn: self.today))
      }
      #expect(twice?.errors.map(\.code) == ["already_paired"])
      // The schema holds the rule too, whatever a racing writer's check saw.
      await #expect(throws: (any Error).self) {
        try await db.sql.raw(
          """
          INSERT INTO hardship_pairings (id, organisation_id, cadre_name, worker_id, hardship_level, started_on, cadre_pays, created_at)
          VALUES (\(bind: UUID()), \(bind: yichun.id.rawValue), '陈静', \(bind: worker.id.rawValue), 'severe', '2022-03-01', \(bind: false), \(bind: Date()))
          """
        ).run()
      }
      let invalid = await #expect(throws: ValidationFailure.self) {
        try await store.create(
          HardshipPairing(
            organisationID: yichun.id, cadreName: " ", cadrePhone: "12", workerID: .init(), hardshipLevel: .severe,
            startedOn: self.today, endedOn: self.today.adding(days: -1)))
      }
      #expect(Set(invalid?.errors.map(\.field) ?? []) == ["cadreName", "cadrePhone", "endedOn", "workerId"])

      try await store.record(
        PairingVisit(pairingID: pairing.id, visitedOn: CalendarDate(year: 2022, month: 2, day: 1)!, note: "春节慰问，代缴互助金"),
        today: today)
      #expect(try await store.visits(pairing: pairing.id).map(\.note) == ["春节慰问，代缴互助金"])
      #expect(try await store.pairings(under: province.id) == [pairing])
      #expect(try await store.pairing(pairing.id)?.cadrePaysContribution == true)
    }
  }

  @Test(arguments: kinds)
  func unitDetailsAreValidatedAndKept(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let (_, _, units, _) = try await setUp(db)
      let registry = FluentRegistryStore(database: db.database)
      try await registry.update(
        UnitDetails(
          address: " 伊春市伊美区新兴中大街1号 ", contactName: "孙丽", contactPhone: "0458-3600000", bankName: "中国工商银行伊春分行",
          bankAccount: "0905 0212 0900 0012 345"), of: units[0].id)
      let details = try #require(try await registry.details(of: units[0].id))
      #expect(details.address == "伊春市伊美区新兴中大街1号")
      #expect(details.bankAccount == "0905021209000012345")
      let bad = await #expect(throws: ValidationFailure.self) {
        try await registry.update(UnitDetails(contactPhone: "12345", bankAccount: "12AB"), of: units[0].id)
      }
      #expect(Set(bad?.errors.map(\.field) ?? []) == ["contactPhone", "bankAccount", "bankName"])
      #expect(try await registry.details(of: units[0].id) == details)
    }
  }

  @Test(arguments: kinds)
  func schemesAreSavedAsRevisions(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let (province, _, _, _) = try await setUp(db)
      let store = FluentSchemeStore(database: db.database)
      var definition = try TestSchemes.enrollmentDefinition
      let first = try await store.save(
        definition, source: TestSchemes.enrollmentYAML, organisationID: province.id, savedBy: "admin")
      definition.scheme.name = "测试互助保障（修订）"
      let second = try await store.save(definition, source: "…", organisationID: province.id, savedBy: "admin")
      #expect((first.revision, second.revision) == (1, 2))
      #expect(try await store.scheme(code: "test")?.definition == definition)
      #expect(try await store.schemes().map(\.revision) == [2])
      #expect(try await store.scheme(code: "test")?.compiled().name == "测试互助保障（修订）")
      definition.products = []
      await #expect(throws: ValidationFailure.self) {
        try await store.save(definition, source: "", organisationID: province.id, savedBy: "admin")
      }
      #expect(try await store.scheme(code: "test")?.revision == 2)
    }
  }
}
