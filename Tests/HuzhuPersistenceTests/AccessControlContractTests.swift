import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing

/// The stores enforce an account's scope themselves: the same calls, through stores bound to
/// different scopes, see different parts of the data. Run on SQLite and PostgreSQL.
@Suite("Access control: scoped stores, accounts and the audit log")
struct AccessControlContractTests {
  static let kinds = TestDatabaseKind.available

  struct World {
    let province: Organisation
    let yichun: Organisation
    let qiqihar: Organisation
    let units: [WorkUnit]
    let workers: [Worker]
  }

  func setUp(_ db: MigratedDatabase) async throws -> World {
    let registry = FluentRegistryStore(database: db.database)
    let province = Organisation(parentID: nil, kind: .provincialOffice, code: "HLJ", name: "哈尔滨办事处")
    let yichun = Organisation(parentID: province.id, kind: .cityAgency, code: "HLJ-YC", name: "伊春代办处")
    let qiqihar = Organisation(parentID: province.id, kind: .cityAgency, code: "HLJ-QQ", name: "齐齐哈尔代办处")
    for organisation in [province, yichun, qiqihar] { try await registry.create(organisation) }
    let units = [
      WorkUnit(organisationID: yichun.id, name: "伊春森工集团", sector: .stateEnterprise),
      WorkUnit(organisationID: yichun.id, name: "伊春市第一医院", sector: .publicInstitution),
      WorkUnit(organisationID: qiqihar.id, name: "齐齐哈尔机床厂", sector: .stateEnterprise),
    ]
    for unit in units { try await registry.create(unit) }
    var workers: [Worker] = []
    for (index, unit) in units.enumerated() {
      let worker = Worker(
        name: ["王芳", "李强", "赵敏"][index],
        idNumber: ResidentIDNumber.compose(
          region: "230700", birthDate: CalendarDate(year: 1978, month: 2, day: 3)!, sequence: 7 + index,
          gender: index == 1 ? .male : .female),
        unitID: unit.id, phone: "1390000000\(index)")
      try await registry.create(worker, employedSince: CalendarDate(year: 2010, month: 1, day: 1)!)
      workers.append(worker)
    }
    return World(province: province, yichun: yichun, qiqihar: qiqihar, units: units, workers: workers)
  }

  func scope(of organisation: Organisation, in db: MigratedDatabase) async throws -> AccessScope {
    let all = try await FluentRegistryStore(database: db.database).organisations()
    return .organisations(OrganisationTree.subtreeIDs(of: organisation.id, in: all))
  }

  @Test(arguments: kinds)
  func registryReadsAndWritesStayInsideTheScope(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await setUp(db)
      let yichun = FluentRegistryStore(database: db.database, scope: try await scope(of: world.yichun, in: db))
      let province = FluentRegistryStore(database: db.database, scope: try await scope(of: world.province, in: db))
      let unitOfficer = FluentRegistryStore(database: db.database, scope: .unit(world.units[0].id))
      let nobody = FluentRegistryStore(database: db.database, scope: .nothing)

      #expect(try await yichun.units(in: nil, page: PageQuery()).items.map(\.name).sorted() == ["伊春市第一医院", "伊春森工集团"])
      #expect(try await province.units(in: nil, page: PageQuery()).total == 3)
      #expect(try await unitOfficer.units(in: nil, page: PageQuery()).items.map(\.name) == ["伊春森工集团"])
      #expect(try await nobody.units(in: nil, page: PageQuery()).total == 0)
      // Naming another area's node explicitly yields nothing rather than its units.
      #expect(try await yichun.units(in: world.qiqihar.id, page: PageQuery()).total == 0)
      #expect(try await yichun.organisations().map(\.code) == ["HLJ-YC"])

      let foreignUnit = world.units[2]
      let foreignWorker = world.workers[2]
      #expect(try await yichun.unit(foreignUnit.id) == nil)
      #expect(try await yichun.worker(foreignWorker.id) == nil)
      #expect(try await yichun.worker(idNumber: foreignWorker.idNumber) == nil)
      #expect(try await yichun.workers(in: foreignUnit.id, page: PageQuery()).total == 0)
      #expect(try await yichun.details(of: foreignUnit.id) == nil)
      #expect(try await yichun.searchWorkers(matching: "赵", page: PageQuery()).total == 0)
      #expect(try await province.searchWorkers(matching: "赵", page: PageQuery()).items.map(\.name) == ["赵敏"])
      #expect(try await unitOfficer.searchWorkers(matching: "1390000", page: PageQuery()).items.map(\.name) == ["王芳"])
      #expect(try await yichun.counts() == RegistryCounts(organisations: 1, units: 2, workers: 2))

      // Writes: a worker for another area's unit, a unit under another area's node.
      let intruder = Worker(
        name: "越权",
        idNumber: ResidentIDNumber.compose(
          region: "230700", birthDate: CalendarDate(year: 1990, month: 1, day: 1)!, sequence: 99, gender: .male),
        unitID: foreignUnit.id)
      await #expect(throws: ValidationFailure.self) {
        try await yichun.create(intruder, employedSince: CalendarDate(year: 2020, month: 1, day: 1)!)
      }
      await #expect(throws: ValidationFailure.self) {
        try await yichun.create(WorkUnit(organisationID: world.qiqihar.id, name: "越权单位", sector: .government))
      }
      await #expect(throws: ValidationFailure.self) {
        try await yichun.create(Organisation(parentID: world.qiqihar.id, kind: .countyUnion, code: "X", name: "越权"))
      }
      await #expect(throws: ValidationFailure.self) {
        try await yichun.update(UnitDetails(address: "越权路 1 号"), of: foreignUnit.id)
      }
      #expect(try await FluentRegistryStore(database: db.database).worker(idNumber: intruder.idNumber) == nil)
    }
  }

  @Test(arguments: kinds)
  func accountsCountFailuresAtomicallyAndLock(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let world = try await setUp(db)
      let accounts = FluentAccountStore(database: db.database)
      let account = UserAccount(
        username: "yc-clerk", displayName: "窗口", organisationID: world.yichun.id, roles: [.windowClerk],
        passwordHash: "plain:x")
      try await accounts.create(account)
      // Two administrator roles on one account, a unit officer without a unit: refused.
      await #expect(throws: ValidationFailure.self) {
        try await accounts.create(
          UserAccount(
            username: "both", displayName: "两员", organisationID: world.province.id,
            roles: [.systemAdministrator, .auditAdministrator], passwordHash: "plain:x"))
      }
      await #expect(throws: ValidationFailure.self) {
        try await accounts.create(
          UserAccount(
            username: "officer", displayName: "基层", organisationID: world.yichun.id, roles: [.unitOfficer],
            passwordHash: "plain:x"))
      }
      let now = Date()
      // Five failures at once (as from a script): each counts, and the fifth locks.
      let throttle = LoginThrottle(maximumFailures: 5, lockDuration: 900)
      let states = try await withThrowingTaskGroup(of: LoginState?.self) { group in
        for _ in 0..<5 {
          group.addTask { try await accounts.recordFailedLogin(username: "yc-clerk", at: now, throttle: throttle) }
        }
        return try await group.reduce(into: [LoginState?]()) { $0.append($1) }
      }
      #expect(states.compactMap { $0 }.filter { $0.isLocked(at: now) }.count == 1)
      let stored = try #require(try await accounts.account(username: "yc-clerk"))
      #expect(stored.login.isLocked(at: now))
      #expect(!stored.login.isLocked(at: now.addingTimeInterval(901)))
      #expect(try await accounts.recordFailedLogin(username: "nobody", at: now, throttle: throttle) == nil)
      try await accounts.unlock(account.id)
      #expect(try await accounts.account(account.id)?.login == LoginState())
    }
  }

  @Test(arguments: kinds)
  func theAuditLogIsAppendOnlyAndFiltered(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let log = FluentAuditStore(database: db.database)
      let start = Date(timeIntervalSince1970: 1_700_000_000)
      for (offset, kind) in [AuditKind.login, .dataChange, .personalDataView, .loginFailed].enumerated() {
        try await log.record(
          AuditEvent(
            at: start.addingTimeInterval(Double(offset)), kind: kind, actor: offset == 3 ? "mallory" : "yc-clerk",
            subject: "worker:\(offset)", detail: "d", address: "127.0.0.1"))
      }
      let all = try await log.events(AuditQuery(), page: PageQuery())
      #expect(all.items.map(\.kind) == [.loginFailed, .personalDataView, .dataChange, .login])
      #expect(try await log.events(AuditQuery(kind: .personalDataView), page: PageQuery()).total == 1)
      #expect(try await log.events(AuditQuery(actor: "mallory"), page: PageQuery()).total == 1)
      let sql = db.database as! any SQLDatabase
      await #expect(throws: (any Error).self) {
        try await sql.raw("UPDATE audit_events SET actor = 'someone-else'").run()
      }
      await #expect(throws: (any Error).self) {
        try await sql.raw("DELETE FROM audit_events").run()
      }
      #expect(try await log.events(AuditQuery(actor: "yc-clerk"), page: PageQuery()).total == 3)
    }
  }
}
