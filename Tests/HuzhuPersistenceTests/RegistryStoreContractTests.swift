import FluentKit
import Foundation
import HuzhuCore
import HuzhuTestSupport
import SQLKit
import Testing

@testable import HuzhuPersistence

/// The registry store's contract. Every case runs on SQLite, and on PostgreSQL when
/// `DATABASE_URL` is set: the same schema and the same code must behave the same.
@Suite("Registry store contract")
struct RegistryStoreContractTests {
  static let kinds = TestDatabaseKind.available

  private func hierarchy() -> (province: Organisation, agency: Organisation, county: Organisation, other: Organisation)
  {
    let province = Organisation(parentID: nil, kind: .provincialOffice, code: "HLJ", name: "哈尔滨办事处")
    let agency = Organisation(parentID: province.id, kind: .cityAgency, code: "HLJ-YC", name: "伊春代办处", nameEn: "Yichun")
    let county = Organisation(parentID: agency.id, kind: .countyUnion, code: "HLJ-YC-TL", name: "铁力市总工会")
    let other = Organisation(parentID: nil, kind: .cityFederation, code: "HA-AY", name: "安阳市总工会")
    return (province, agency, county, other)
  }

  /// ``hierarchy()`` stored.
  private func storedHierarchy(_ store: FluentRegistryStore) async throws -> (
    province: Organisation, agency: Organisation, county: Organisation, other: Organisation
  ) {
    let tree = hierarchy()
    for organisation in [tree.province, tree.agency, tree.county, tree.other] {
      try await store.create(organisation)
    }
    return tree
  }

  @Test(arguments: kinds)
  func organisationsRoundTrip(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let tree = try await storedHierarchy(store)
      #expect(try await store.organisation(tree.agency.id) == tree.agency)
      #expect(try await store.organisation(.init()) == nil)
      #expect(try await store.organisations().map(\.code) == ["HA-AY", "HLJ", "HLJ-YC", "HLJ-YC-TL"])
    }
  }

  @Test(arguments: kinds)
  func aNodesLineageIsReadUpwardsNearestFirstAndWithinTheScope(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let tree = try await storedHierarchy(store)
      #expect(try await store.lineage(of: tree.county.id) == [tree.county, tree.agency, tree.province])
      #expect(try await store.lineage(of: tree.other.id) == [tree.other])
      #expect(try await store.lineage(of: .init()).isEmpty)
      // A store scoped to the agency's subtree does not see the province above it.
      let scoped = FluentRegistryStore(
        database: db.database, scope: .organisations([tree.agency.id, tree.county.id]))
      #expect(try await scoped.lineage(of: tree.county.id) == [tree.county, tree.agency])
    }
  }

  @Test(arguments: kinds)
  func duplicateCodesAndBadParentsAreRejectedWithFields(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let tree = hierarchy()
      try await store.create(tree.province)
      let duplicate = Organisation(parentID: nil, kind: .cityFederation, code: "hlj", name: "重复")
      let failure = await #expect(throws: ValidationFailure.self) { try await store.create(duplicate) }
      #expect(failure?.errors.map(\.code) == ["duplicate_code"])
      let orphan = Organisation(parentID: .init(), kind: .countyUnion, code: "X", name: "孤儿")
      let orphanFailure = await #expect(throws: ValidationFailure.self) { try await store.create(orphan) }
      #expect(orphanFailure?.errors.map(\.field) == ["parentId"])
      #expect(try await store.counts().organisations == 1)
    }
  }

  /// The constraints live in the schema, not only in the store: raw SQL that bypasses the
  /// store's checks is refused by the database itself.
  @Test(arguments: kinds)
  func schemaEnforcesForeignKeysUniquenessAndChecks(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let tree = hierarchy()
      try await store.create(tree.province)
      let now = Date()

      func rejected(_ insert: SQLInsertBuilder) async -> Bool {
        do {
          try await insert.run()
          return false
        } catch let error as any DatabaseError {
          return error.isConstraintFailure
        } catch {
          Issue.record("unexpected error \(error)")
          return false
        }
      }
      // A unit under a node that does not exist.
      #expect(
        await rejected(
          db.sql.insert(into: "units").columns("id", "organisation_id", "name", "sector", "created_at")
            .values(SQLBind(UUID()), SQLBind(UUID()), SQLBind("幽灵单位"), SQLBind("government"), SQLBind(now))))
      // A second node with the same code.
      #expect(
        await rejected(
          db.sql.insert(into: "organisations").columns("id", "kind", "code", "name", "created_at")
            .values(SQLBind(UUID()), SQLBind("city_agency"), SQLBind("HLJ"), SQLBind("重复"), SQLBind(now))))
      // A kind outside the enumeration.
      #expect(
        await rejected(
          db.sql.insert(into: "organisations").columns("id", "kind", "code", "name", "created_at")
            .values(SQLBind(UUID()), SQLBind("galaxy"), SQLBind("G1"), SQLBind("银河"), SQLBind(now))))
      // A required column left out.
      #expect(
        await rejected(
          db.sql.insert(into: "organisations").columns("id", "kind", "code", "created_at")
            .values(SQLBind(UUID()), SQLBind("city_agency"), SQLBind("N1"), SQLBind(now))))
      #expect(try await store.counts() == RegistryCounts(organisations: 1, units: 0, workers: 0))
    }
  }

  @Test(arguments: kinds)
  func unitsPageAndFilterBySubtree(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let tree = try await storedHierarchy(store)
      for index in 0..<7 {
        try await store.create(WorkUnit(organisationID: tree.county.id, name: "铁力单位\(index)", sector: .stateEnterprise))
      }
      try await store.create(WorkUnit(organisationID: tree.agency.id, name: "伊春市医药公司", sector: .stateEnterprise))
      try await store.create(WorkUnit(organisationID: tree.other.id, name: "安阳卷烟厂", sector: .stateEnterprise))

      let all = try await store.units(in: nil, page: PageQuery(page: 1, per: 50))
      #expect(all.total == 9)
      let province = try await store.units(in: tree.province.id, page: PageQuery(page: 1, per: 5))
      #expect(province.total == 8)
      #expect(province.items.count == 5)
      #expect(province.pageCount == 2)
      let secondPage = try await store.units(in: tree.province.id, page: PageQuery(page: 2, per: 5))
      #expect(secondPage.items.count == 3)
      #expect(Set(province.items.map(\.id)).isDisjoint(with: secondPage.items.map(\.id)))
      let county = try await store.units(in: tree.county.id, page: PageQuery(page: 1, per: 50))
      #expect(county.items.map(\.name) == (0..<7).map { "铁力单位\($0)" })
      #expect(try await store.unitCounts()[tree.county.id] == 7)
    }
  }

  @Test(arguments: kinds)
  func unitValidationAndDuplicateCreditCodes(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let tree = hierarchy()
      try await store.create(tree.other)
      let code = "91410500706772860B"
      try await store.create(
        WorkUnit(organisationID: tree.other.id, name: "安彩高科", creditCode: code, sector: .stateEnterprise))
      let duplicate = await #expect(throws: ValidationFailure.self) {
        try await store.create(
          WorkUnit(organisationID: tree.other.id, name: "另一家", creditCode: code, sector: .privateEnterprise))
      }
      #expect(duplicate?.errors.map(\.code) == ["duplicate_credit_code"])
      let invalid = await #expect(throws: ValidationFailure.self) {
        try await store.create(WorkUnit(organisationID: .init(), name: "", creditCode: "abc", sector: .government))
      }
      #expect(Set(invalid?.errors.map(\.field) ?? []) == ["name", "organisationId", "creditCode"])
    }
  }

  @Test(arguments: kinds)
  func workersAreOnePersonPerIDNumber(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let tree = hierarchy()
      try await store.create(tree.other)
      let unit = WorkUnit(organisationID: tree.other.id, name: "安阳公交集团", sector: .stateEnterprise)
      try await store.create(unit)
      let since = CalendarDate(year: 2020, month: 1, day: 15)!
      var created: [Worker] = []
      for index in 0..<5 {
        let number = ResidentIDNumber.compose(
          region: "410502", birthDate: CalendarDate(year: 1980 + index, month: 3, day: 8)!, sequence: index,
          gender: index % 2 == 0 ? .female : .male)
        let worker = Worker(name: "职工\(index)", idNumber: number, unitID: unit.id)
        try await store.create(worker, employedSince: since)
        created.append(worker)
      }
      #expect(try await store.worker(idNumber: created[2].idNumber) == created[2])
      let page = try await store.workers(in: unit.id, page: PageQuery(page: 1, per: 3))
      #expect(page.total == 5)
      #expect(page.items.count == 3)
      // What enrollment measures participation against: the people employed now (three of
      // them women), until the unit reports its headcount, which then wins.
      let counted = try await FluentRegistryStore.headcount(of: unit.id, on: since, database: db.database)
      #expect(counted.total == 5 && counted.female == 3)
      try await store.record(HeadcountReport(asOf: since, total: 40, female: 22), for: unit.id)
      let reported = try await FluentRegistryStore.headcount(of: unit.id, on: since, database: db.database)
      #expect(reported.total == 40 && reported.female == 22)

      let again = Worker(name: "换了名字", idNumber: created[0].idNumber, unitID: unit.id)
      let failure = await #expect(throws: ValidationFailure.self) {
        try await store.create(again, employedSince: since)
      }
      #expect(failure?.errors.map(\.code) == ["duplicate_id_number"])
      #expect(try await store.counts().workers == 5)
    }
  }

  /// A gig worker registered at a window belongs to that node: its subtree sees them (page,
  /// search, ID number, bulk read), other areas and units do not; a person still employed is
  /// never registered twice, and one who has left their unit is taken over, not duplicated.
  @Test(arguments: kinds)
  func individualsAreKeptByTheNodeThatRegisteredThem(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let tree = hierarchy()
      for organisation in [tree.province, tree.agency, tree.county, tree.other] { try await store.create(organisation) }
      let unit = WorkUnit(organisationID: tree.county.id, name: "铁力林业局", sector: .stateEnterprise)
      try await store.create(unit)
      func number(_ sequence: Int) -> ResidentIDNumber {
        ResidentIDNumber.compose(
          region: "230781", birthDate: CalendarDate(year: 1990, month: 5, day: 1)!, sequence: sequence, gender: .male)
      }
      let rider = Worker(
        name: "外卖骑手", idNumber: number(1), unitID: nil, homeOrganisationID: tree.county.id, phone: "13800001111",
        categories: [.gigWorker])
      let county = FluentRegistryStore(database: db.database, scope: .organisations([tree.county.id]))
      #expect(try await county.register(individual: rider) == rider)

      let agency = FluentRegistryStore(
        database: db.database, scope: .organisations([tree.agency.id, tree.county.id]))
      let anyang = FluentRegistryStore(database: db.database, scope: .organisations([tree.other.id]))
      let officer = FluentRegistryStore(database: db.database, scope: .unit(unit.id))
      #expect(try await agency.worker(rider.id) == rider)
      #expect(try await agency.worker(idNumber: rider.idNumber) == rider)
      #expect(try await agency.searchWorkers(matching: "骑手", page: PageQuery()).items == [rider])
      #expect(try await agency.workers([rider.id]) == [rider.id: rider])
      for outsider in [anyang, officer] {
        #expect(try await outsider.worker(rider.id) == nil)
        #expect(try await outsider.searchWorkers(matching: "13800001111", page: PageQuery()).total == 0)
        #expect(try await outsider.workers([rider.id]).isEmpty)
      }
      // Registering at a node outside the scope, or without a node, is refused by field.
      var elsewhere = rider
      elsewhere.homeOrganisationID = tree.other.id
      let outOfScope = await #expect(throws: ValidationFailure.self) {
        try await county.register(individual: elsewhere)
      }
      #expect(outOfScope?.errors.map(\.code) == ["organisation_out_of_scope"])

      // Employed people are not registered again; someone who left is taken over.
      let employed = Worker(name: "在职职工", idNumber: number(2), unitID: unit.id)
      try await store.create(employed, employedSince: CalendarDate(year: 2020, month: 1, day: 1)!)
      let twice = Worker(name: "在职职工", idNumber: number(2), unitID: nil, homeOrganisationID: tree.agency.id)
      let duplicate = await #expect(throws: ValidationFailure.self) { try await agency.register(individual: twice) }
      #expect(duplicate?.errors.map(\.code) == ["duplicate_id_number"])
      try await db.sql.update("employments").set("end_date", to: "2024-06-30")
        .where("worker_id", .equal, employed.id.rawValue).run()
      #expect(try await agency.worker(employed.id) == nil)
      let back = try await agency.register(
        individual: Worker(
          name: "在职职工", idNumber: number(2), unitID: nil, homeOrganisationID: tree.agency.id, phone: "13900002222"))
      #expect(back.id == employed.id)
      #expect(back.phone == "13900002222")
      #expect(try await agency.worker(employed.id)?.homeOrganisationID == tree.agency.id)
      #expect(try await store.counts().workers == 2)
    }
  }

  @Test(arguments: kinds)
  func demoSeedingIsAllOrNothingAndRunsOnce(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      // A failure at the very end (hashing the password) leaves nothing behind.
      await #expect(throws: FailingHasher.Failure.self) {
        try await DemoSeeder.seedIfEmpty(
          database: db.database, hasher: FailingHasher(), schemes: try DemoScheme.bundled)
      }
      let store = FluentRegistryStore(database: db.database)
      #expect(try await store.counts() == RegistryCounts(organisations: 0, units: 0, workers: 0))

      let administrator = try #require(
        try await DemoSeeder.seedIfEmpty(
          database: db.database, hasher: PlainTestHasher(), schemes: try DemoScheme.bundled))
      let demo = DemoData.standard()
      #expect(
        try await store.counts()
          == RegistryCounts(
            organisations: demo.organisations.count, units: demo.units.count, workers: demo.workers.count))
      let account = try #require(
        try await FluentAccountStore(database: db.database).account(username: administrator.username))
      #expect(try PlainTestHasher().verify(administrator.password, against: account.passwordHash))
      #expect(account.roles == [.systemAdministrator])
      #expect(administrator.password.count == 16)
      // Every demo enrollment is paid, so the cover is on and the fund holds the money:
      // Anyang 4 units × 3 workers × (60 + 30 subsidy); Yichun 5 units × 2 workers × 120.
      let enrollments = FluentEnrollmentStore(database: db.database)
      for unit in demo.units {
        #expect(try await enrollments.bills(unit: unit.id).allSatisfy { $0.status == .paid })
      }
      let balances = try await enrollments.fundBalances(scheme: nil)
      #expect(balances.map(\.schemeCode) == ["anyang", "hlj-yichun"])
      #expect(balances.map(\.balance) == [Money(fen: 12 * 9000), Money(fen: 10 * 12000)])
      #expect(balances.first?.subsidies == Money(fen: 12 * 3000))
      let pairings = try await FluentUnionWorkStore(database: db.database).pairings(under: nil)
      let paired = try #require(pairings.first)
      let cadrePaid = try #require(try await enrollments.enrollments(worker: paired.workerID).first)
      let bill = try #require(try await enrollments.bill(cadrePaid.billID))
      #expect(bill.paid.contains { $0.payer == .thirdParty && $0.payerName == "孙志刚（包联干部）" })

      #expect(
        try await DemoSeeder.seedIfEmpty(
          database: db.database, hasher: PlainTestHasher(), schemes: try DemoScheme.bundled)
          == nil)
      #expect(try await store.counts().organisations == demo.organisations.count)
    }
  }

  @Test(arguments: kinds)
  func migrationsRevertAndReapplyCleanly(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let eventLoop = db.database.eventLoop
      try await HuzhuDatabase.revertAll(db.databases, logger: TestLogging.logger, on: eventLoop)
      try await HuzhuDatabase.migrate(db.databases, logger: TestLogging.logger, on: eventLoop)
      try await HuzhuDatabase.migrate(db.databases, logger: TestLogging.logger, on: eventLoop)
      #expect(try await FluentRegistryStore(database: db.database).counts().organisations == 0)
    }
  }
}
