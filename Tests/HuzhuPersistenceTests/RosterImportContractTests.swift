import FluentKit
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import Testing

@Suite("Roster import contract")
struct RosterImportContractTests {
  static let kinds = TestDatabaseKind.available

  func cells(_ rows: [[String]]) -> [[RosterCell]] { rows.map { $0.map { $0.isEmpty ? .empty : .text($0) } } }

  func number(_ sequence: Int, gender: Gender = .female) -> String {
    ResidentIDNumber.compose(
      region: "410502", birthDate: CalendarDate(year: 1980 + sequence % 20, month: 1 + sequence % 12, day: 3)!,
      sequence: sequence, gender: gender
    ).value
  }

  func setUp(_ store: FluentRegistryStore) async throws -> (WorkUnit, WorkUnit) {
    let anyang = Organisation(parentID: nil, kind: .cityFederation, code: "HA-AY", name: "安阳市总工会")
    try await store.create(anyang)
    let first = WorkUnit(
      organisationID: anyang.id, name: "安阳卷烟厂", creditCode: "91110000600037341L", sector: .stateEnterprise)
    let second = WorkUnit(organisationID: anyang.id, name: "安阳公交集团", sector: .stateEnterprise)
    try await store.create(first)
    try await store.create(second)
    return (first, second)
  }

  @Test(arguments: kinds)
  func importsUpdatesAndTransfersWithoutDuplicatingPeople(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let (factory, buses) = try await setUp(store)
      let today = CalendarDate(year: 2020, month: 1, day: 15)!
      let roster = RosterReader.preview(
        cells([
          ["姓名", "身份证号", "手机号", "人员类别"],
          ["王秀英", number(1), "13800138001", "困难职工"],
          ["李建国", number(2, gender: .male), "", ""],
          ["张丽", number(3), "", ""],
        ]))
      #expect(try await store.importRoster(roster, into: factory.id, on: today) == RosterImportResult(created: 3))
      #expect(try await store.workers(in: factory.id, page: PageQuery()).total == 3)
      let wang = try #require(try await store.worker(idNumber: ResidentIDNumber(number(1))!))
      #expect(wang.phone == "13800138001")
      #expect(wang.categories == [.hardship])

      // The same roster again, with a new phone: the same people, updated.
      let again = RosterReader.preview(cells([["姓名", "身份证号", "手机号"], ["王秀英", number(1), "13900139000"]]))
      #expect(try await store.importRoster(again, into: factory.id, on: today) == RosterImportResult(updated: 1))
      #expect(try await store.worker(idNumber: ResidentIDNumber(number(1))!)?.phone == "13900139000")
      #expect(try await store.worker(idNumber: ResidentIDNumber(number(1))!)?.categories == [.hardship])

      // Li moves to the bus company: one person, employed by the new unit.
      let known = try await store.currentEmployments(of: [ResidentIDNumber(number(2, gender: .male))!])
      #expect(known.values.first?.unitName == "安阳卷烟厂")
      let transfer = RosterReader.preview(
        cells([["姓名", "身份证号", "入职日期"], ["李建国", number(2, gender: .male), "2020-03-01"]]))
      #expect(try await store.importRoster(transfer, into: buses.id, on: today) == RosterImportResult(transferred: 1))
      #expect(try await store.workers(in: factory.id, page: PageQuery()).total == 2)
      #expect(try await store.workers(in: buses.id, page: PageQuery()).items.map(\.name) == ["李建国"])
      #expect(try await store.counts().workers == 3)
      #expect(try await store.unit(creditCode: "91110000600037341l")?.id == factory.id)
    }
  }

  @Test(arguments: kinds)
  func aRosterWithErrorsWritesNothing(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let (factory, _) = try await setUp(store)
      let roster = RosterReader.preview(cells([["姓名", "身份证号"], ["王秀英", number(1)], ["坏行", "123"]]))
      let failure = await #expect(throws: ValidationFailure.self) {
        try await store.importRoster(roster, into: factory.id, on: CalendarDate(year: 2020, month: 1, day: 1)!)
      }
      #expect(failure?.errors.map(\.row) == [3])
      #expect(try await store.counts().workers == 0)
    }
  }

  /// A failure half-way through the transaction (here: the database's own unique constraint,
  /// reached because this preview was built by hand, skipping duplicate detection) leaves no
  /// partial rows.
  @Test(arguments: kinds)
  func aFailureHalfWayRollsEverythingBack(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let (factory, _) = try await setUp(store)
      let parsed = RosterReader.preview(cells([["姓名", "身份证号"], ["甲", number(1)], ["乙", number(2)]]))
      var rows = parsed.rows
      rows.append(rows[0])
      let forged = RosterPreview(columns: parsed.columns, rows: rows, fileErrors: [])
      await #expect(throws: (any Error).self) {
        try await store.importRoster(forged, into: factory.id, on: CalendarDate(year: 2020, month: 1, day: 1)!)
      }
      #expect(try await store.counts().workers == 0)
    }
  }
}
