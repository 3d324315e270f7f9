import FluentKit
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import Testing

@Suite("Roster import contract")
struct RosterImportContractTests {
  static let kinds = TestDatabaseKind.available

  func cells(_ rows: [[String]]) -> [[RosterCell]] { rows.map { $0.map { $0.isEmpty ? .empty : .text($0) } } }

  func number(_ sequence: Int, gender: Gender = .female, region: String = "410502") -> String {
    ResidentIDNumber.compose(
      region: region, birthDate: CalendarDate(year: 1980 + sequence % 20, month: 1 + sequence % 12, day: 3)!,
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

  /// The roster's rows planned against the registry as `store`'s scope sees it.
  func planned(
    _ rows: [[String]], into unit: WorkUnit.ID, _ store: FluentRegistryStore, scope: AccessScope = .unrestricted
  )
    async throws -> (preview: RosterPreview, commit: RosterCommit)
  {
    let parsed = RosterReader.preview(cells(rows))
    let standings = try await store.standings(of: parsed.rows.compactMap(\.idNumber))
    return parsed.planned(into: unit, standings: standings, scope: scope)
  }

  @Test(arguments: kinds)
  func importsUpdatesAndTransfersWithoutDuplicatingPeople(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let (factory, buses) = try await setUp(store)
      let today = CalendarDate(year: 2020, month: 1, day: 15)!
      let roster = try await planned(
        [
          ["姓名", "身份证号", "手机号", "人员类别"],
          ["王秀英", number(1), "13800138001", "困难职工"],
          ["李建国", number(2, gender: .male), "", ""],
          ["张丽", number(3), "", ""],
        ], into: factory.id, store)
      #expect(
        try await store.importRoster(roster.commit, on: today, requestedBy: "test") == RosterImportResult(created: 3))
      #expect(try await store.workers(in: factory.id, page: PageQuery()).total == 3)
      let wang = try #require(try await store.worker(idNumber: ResidentIDNumber(number(1))!))
      #expect(wang.phone == "13800138001")
      #expect(wang.categories == [.hardship])

      // The same roster again, with a new phone: the same people, updated.
      let again = try await planned(
        [["姓名", "身份证号", "手机号"], ["王秀英", number(1), "13900139000"]], into: factory.id, store)
      #expect(
        try await store.importRoster(again.commit, on: today, requestedBy: "test") == RosterImportResult(updated: 1))
      #expect(try await store.worker(idNumber: ResidentIDNumber(number(1))!)?.phone == "13900139000")
      #expect(try await store.worker(idNumber: ResidentIDNumber(number(1))!)?.categories == [.hardship])

      // Li moves to the bus company: one person, employed by the new unit.
      let known = try await store.standings(of: [ResidentIDNumber(number(2, gender: .male))!])
      #expect(known.values.first?.employment?.unitName == "安阳卷烟厂")
      let transfer = try await planned(
        [["姓名", "身份证号", "入职日期"], ["李建国", number(2, gender: .male), "2020-03-01"]], into: buses.id, store)
      #expect(transfer.preview.rows[0].warnings.first?.message.zh.contains("安阳卷烟厂") == true)
      #expect(
        try await store.importRoster(transfer.commit, on: today, requestedBy: "test")
          == RosterImportResult(transferred: 1))
      #expect(try await store.workers(in: factory.id, page: PageQuery()).total == 2)
      #expect(try await store.workers(in: buses.id, page: PageQuery()).items.map(\.name) == ["李建国"])
      #expect(try await store.counts().workers == 3)
      #expect(try await store.unit(creditCode: "91110000600037341l")?.id == factory.id)
    }
  }

  /// Someone employed outside the importer's area: the roster asks, the preview tells nothing of
  /// where they work, nothing of them changes until the side keeping them confirms; then they
  /// move with the roster's details, once.
  @Test(arguments: kinds)
  func aPersonKeptElsewhereIsRequestedNotTaken(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let everything = FluentRegistryStore(database: db.database)
      let (factory, _) = try await setUp(everything)
      let harbin = Organisation(parentID: nil, kind: .provincialOffice, code: "HLJ", name: "哈尔滨办事处")
      try await everything.create(harbin)
      let school = WorkUnit(organisationID: harbin.id, name: "伊春市第一中学", sector: .publicInstitution)
      try await everything.create(school)
      let today = CalendarDate(year: 2026, month: 12, day: 3)!
      let teacher = Worker(
        name: "周老师", idNumber: ResidentIDNumber(number(7, region: "230702"))!, unitID: school.id,
        phone: "13904580007", bankName: "中国银行", bankAccount: "6216000000000007")
      try await everything.create(teacher, employedSince: CalendarDate(year: 2015, month: 9, day: 1)!)

      let anyang = FluentRegistryStore(database: db.database, scope: .organisations([factory.organisationID]))
      let row = [
        ["姓名", "身份证号", "手机号", "开户行", "银行账号"],
        ["周老师", teacher.idNumber.value, "13999999999", "某银行", "6200000000000666"],
      ]
      let roster = try await planned(row, into: factory.id, anyang, scope: .organisations([factory.organisationID]))
      let warning = try #require(roster.preview.rows[0].warnings.first?.message)
      #expect(!warning.zh.contains("伊春") && !warning.en.contains("Yichun"))
      #expect(roster.commit.rows[0].plan == .requestTransfer(teacher.id))
      #expect(
        try await anyang.importRoster(roster.commit, on: today, requestedBy: "安彩高科工会")
          == RosterImportResult(requested: 1))
      // Nothing of the teacher changed.
      let unchanged = try #require(try await everything.worker(teacher.id))
      #expect(unchanged.unitID == school.id && unchanged.phone == "13904580007")
      #expect(unchanged.bankAccount == "6216000000000007")
      #expect(try await anyang.worker(teacher.id) == nil)
      // The same roster again: still one request, with the latest details.
      _ = try await anyang.importRoster(
        try await planned(row, into: factory.id, anyang, scope: .organisations([factory.organisationID])).commit,
        on: today, requestedBy: "安彩高科工会")
      let asked = try await anyang.transferRequests(status: nil, page: PageQuery())
      #expect(asked.total == 1)
      let request = try #require(asked.items.first)
      #expect(!request.isKeptWithin(.organisations([factory.organisationID])))

      // The side keeping the teacher sees the request and confirms it; the teacher moves.
      let yichun = FluentRegistryStore(database: db.database, scope: .organisations([harbin.id]))
      #expect(try await yichun.transferRequests(status: .pending, page: PageQuery()).items.map(\.id) == [request.id])
      #expect(request.refusal(of: .confirm, by: .organisations([factory.organisationID])) != nil)
      let confirmed = try #require(
        request.deciding(.confirm, by: "伊春", on: today, note: nil, scope: .organisations([harbin.id])))
      try await yichun.record(confirmed, on: today)
      let moved = try #require(try await everything.worker(teacher.id))
      #expect(moved.unitID == factory.id)
      #expect(moved.bankAccount == "6200000000000666")
      #expect(try await everything.workers(in: school.id, page: PageQuery()).total == 0)
      // Answered once: a second answer changes nothing.
      await #expect(throws: ValidationFailure.self) { try await yichun.record(confirmed, on: today) }
      #expect(try await anyang.transferRequests(status: .confirmed, page: PageQuery()).total == 1)
      // A third federation sees none of it.
      let other = FluentRegistryStore(database: db.database, scope: .organisations([Organisation.ID()]))
      #expect(try await other.transferRequests(status: nil, page: PageQuery()).total == 0)
      #expect(try await other.transferRequest(request.id) == nil)
    }
  }

  /// The plan holds only while the facts it was made on do: a person moved between the preview
  /// and the import stops the import, whole.
  @Test(arguments: kinds)
  func aPlanMadeOnChangedFactsWritesNothing(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let (factory, buses) = try await setUp(store)
      let today = CalendarDate(year: 2020, month: 1, day: 15)!
      let first = try await planned([["姓名", "身份证号"], ["甲", number(1)]], into: factory.id, store)
      _ = try await store.importRoster(first.commit, on: today, requestedBy: "test")
      let stale = try await planned([["姓名", "身份证号"], ["甲", number(1)], ["乙", number(2)]], into: buses.id, store)
      // Meanwhile someone else moves 甲 to the bus company.
      let moved = try await planned([["姓名", "身份证号"], ["甲", number(1)]], into: buses.id, store)
      _ = try await store.importRoster(moved.commit, on: today, requestedBy: "test")
      let failure = await #expect(throws: ValidationFailure.self) {
        try await store.importRoster(stale.commit, on: today, requestedBy: "test")
      }
      #expect(failure?.errors.map(\.code) == ["registry_changed"])
      #expect(try await store.counts().workers == 1)
    }
  }

  /// A failure half-way through the transaction (here: the database's own unique constraint,
  /// reached because this plan was built by hand, skipping duplicate detection) leaves no
  /// partial rows.
  @Test(arguments: kinds)
  func aFailureHalfWayRollsEverythingBack(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let store = FluentRegistryStore(database: db.database)
      let (factory, _) = try await setUp(store)
      let parsed = try await planned([["姓名", "身份证号"], ["甲", number(1)], ["乙", number(2)]], into: factory.id, store)
      let forged = RosterCommit(unit: factory.id, rows: parsed.commit.rows + [parsed.commit.rows[0]])
      await #expect(throws: (any Error).self) {
        try await store.importRoster(forged, on: CalendarDate(year: 2020, month: 1, day: 1)!, requestedBy: "test")
      }
      #expect(try await store.counts().workers == 0)
    }
  }
}
