import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// The registry on any Fluent database (SQLite or PostgreSQL, same schema, same code).
///
/// Every read and write goes through `scope`: a unit or worker outside it does not exist
/// for this store (nil, empty, or "unknown unit"), whatever page or API asked.
public struct FluentRegistryStore: RegistryStore {
  let database: any Database
  let scope: AccessScope

  /// A store that sees everything: for the command line, the seeder and tests.
  public init(database: any Database) {
    self.init(database: database, scope: .unrestricted)
  }

  /// A store that sees only `scope`: what the web application hands each request.
  public init(database: any Database, scope: AccessScope) {
    self.database = database
    self.scope = scope
  }

  public func organisations() async throws -> [Organisation] {
    try await scoped(OrganisationModel.query(on: database)).sort(\.$code).all().map { try $0.domain() }
  }

  /// How many nodes there are (in the scope): nodes are only ever added, so this tells whether
  /// a kept copy of the tree is current.
  public func organisationCount() async throws -> Int {
    try await scoped(OrganisationModel.query(on: database)).count()
  }

  public func organisation(_ id: Organisation.ID) async throws -> Organisation? {
    try await scoped(OrganisationModel.query(on: database)).filter(\.$id == id.rawValue).first()?.domain()
  }

  /// The node and every node above it, nearest first, read in one walk up the parent links
  /// (not the whole tree); empty when the node is unknown. Nodes outside the scope are left out.
  public func lineage(of node: Organisation.ID) async throws -> [Organisation] {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    // The depth bound ends the walk should bad data ever hold a cycle.
    let steps = try await sql.raw(
      """
      WITH RECURSIVE up(id, parent_id, depth) AS (
        SELECT id, parent_id, 0 FROM organisations WHERE id = \(bind: node.rawValue)
        UNION ALL
        SELECT o.id, o.parent_id, up.depth + 1 FROM organisations o JOIN up ON o.id = up.parent_id
        WHERE up.depth < 16
      )
      SELECT id, depth FROM up
      """
    ).all().map {
      (id: try $0.decode(column: "id", as: UUID.self), depth: try $0.decode(column: "depth", as: Int.self))
    }
    var depth: [UUID: Int] = [:]
    for step in steps where depth[step.id] == nil { depth[step.id] = step.depth }
    return try await scoped(OrganisationModel.query(on: database)).filter(\.$id ~~ Array(depth.keys)).all()
      .sorted { depth[$0.id!, default: 0] < depth[$1.id!, default: 0] }.map { try $0.domain() }
  }

  /// The organisation nodes the scope shows: the subtree; for a unit officer, none.
  func scoped(_ query: QueryBuilder<OrganisationModel>) -> QueryBuilder<OrganisationModel> {
    switch scope {
    case .unrestricted: query
    case .organisations(let ids): query.filter(\.$id ~~ ids.map(\.rawValue))
    case .unit, .nothing: query.filter(\.$id == UUID())
    }
  }

  /// The units the scope shows.
  func scoped(_ query: QueryBuilder<UnitModel>) -> QueryBuilder<UnitModel> {
    switch scope {
    case .unrestricted: query
    case .organisations(let ids): query.filter(\.$organisationID ~~ ids.map(\.rawValue))
    case .unit(let id): query.filter(\.$id == id.rawValue)
    case .nothing: query.filter(\.$id == UUID())
    }
  }

  /// The unit when it exists and the scope shows it.
  func visibleUnit(_ id: WorkUnit.ID, on database: (any Database)? = nil) async throws -> UnitModel? {
    try await scoped(UnitModel.query(on: database ?? self.database)).filter(\.$id == id.rawValue).first()
  }

  public func create(_ organisation: Organisation) async throws {
    try await mappingConstraintFailure(to: duplicateOrganisationCode(organisation.code)) {
      try await database.writeTransaction { transaction in
        let existing = try await OrganisationModel.query(on: transaction).all().map { try $0.domain() }
        var errors = Organisation.validate(organisation, existing: existing)
        // A new node goes under a node of the scope; a new root only from outside the web.
        let parentVisible = organisation.parentID.map { scope.contains(organisation: $0) } ?? scope.isUnrestricted
        if errors.isEmpty && !parentVisible {
          errors.append(
            FieldError(
              field: "parentId", code: "parent_out_of_scope",
              message: LocalizedText(zh: "只能在本组织及下级组织之下新建", en: "new nodes go under your own organisation")))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        try await OrganisationModel(organisation).create(on: transaction)
      }
    }
  }

  public func units(in organisation: Organisation.ID?, matching text: String?, page: PageQuery) async throws
    -> PagedResult<WorkUnit>
  {
    var query = scoped(UnitModel.query(on: database))
    if let organisation {
      let subtree = OrganisationTree.subtreeIDs(of: organisation, in: try await organisations())
      query = query.filter(\.$organisationID ~~ subtree.map(\.rawValue))
    }
    if let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
      query = query.filter(\.$name ~~ text)
    }
    let total = try await query.count()
    let rows = try await query.sort(\.$name).sort(\.$id).range(page.offset..<(page.offset + page.per)).all()
    return PagedResult(items: try rows.map { try $0.domain() }, request: page, total: total)
  }

  public func unit(_ id: WorkUnit.ID) async throws -> WorkUnit? {
    try await visibleUnit(id)?.domain()
  }

  /// Units by their ids with their details (contact, address), in one read per thousand.
  public func unitsWithDetails(_ ids: [WorkUnit.ID]) async throws -> [WorkUnit.ID: (
    unit: WorkUnit, details: UnitDetails
  )] {
    var found: [WorkUnit.ID: (unit: WorkUnit, details: UnitDetails)] = [:]
    for chunk in ids.map(\.rawValue).chunks(of: FluentEnrollmentStore.chunkSize) {
      for row in try await scoped(UnitModel.query(on: database)).filter(\.$id ~~ chunk).all() {
        let unit = try row.domain()
        found[unit.id] = (unit, row.details)
      }
    }
    return found
  }

  public func units(_ ids: [WorkUnit.ID]) async throws -> [WorkUnit.ID: WorkUnit] {
    var found: [WorkUnit.ID: WorkUnit] = [:]
    for chunk in ids.map(\.rawValue).chunks(of: FluentEnrollmentStore.chunkSize) {
      for row in try await scoped(UnitModel.query(on: database)).filter(\.$id ~~ chunk).all() {
        let unit = try row.domain()
        found[unit.id] = unit
      }
    }
    return found
  }

  public func create(_ unit: WorkUnit) async throws {
    let organisationExists = try await organisation(unit.organisationID) != nil
    let errors = WorkUnit.validate(unit, organisationExists: organisationExists)
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    let duplicate = ValidationFailure([
      FieldError(
        field: "creditCode", code: "duplicate_credit_code",
        message: LocalizedText(zh: "该统一社会信用代码已登记", en: "this credit code is already registered"))
    ])
    try await mappingConstraintFailure(to: duplicate) {
      try await UnitModel(unit).create(on: database)
    }
  }

  public func unitCounts() async throws -> [Organisation.ID: Int] {
    let rows = try await scoped(UnitModel.query(on: database)).field(\.$organisationID).all()
    var counts: [Organisation.ID: Int] = [:]
    for row in rows { counts[.init(row.organisationID), default: 0] += 1 }
    return counts
  }

  public func workers(in unit: WorkUnit.ID, page: PageQuery) async throws -> PagedResult<Worker> {
    guard try await visibleUnit(unit) != nil else { return PagedResult(items: [], request: page, total: 0) }
    let current = EmploymentModel.query(on: database)
      .filter(\.$unitID == unit.rawValue).filter(\.$endDate == nil)
    let total = try await current.count()
    let employments = try await current.sort(\.$startDate).sort(\.$id)
      .range(page.offset..<(page.offset + page.per)).all()
    let people = try await WorkerModel.query(on: database)
      .filter(\.$id ~~ employments.map(\.workerID)).all()
    let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0) })
    let workers = try employments.compactMap { employment in
      try byID[employment.workerID]?.domain(unitID: employment.unitID)
    }
    return PagedResult(items: workers, request: page, total: total)
  }

  public func worker(idNumber: ResidentIDNumber) async throws -> Worker? {
    guard let person = try await WorkerModel.query(on: database).filter(\.$idNumber == idNumber.value).first()
    else { return nil }
    return try await visible(person)
  }

  /// The person as the scope may see them: through their current unit, or, for someone
  /// employed by nobody now, through the node that keeps their record.
  func visible(_ person: WorkerModel, on database: (any Database)? = nil) async throws -> Worker? {
    let database = database ?? self.database
    if let employment = try await EmploymentModel.query(on: database)
      .filter(\.$workerID == person.requireID()).filter(\.$endDate == nil).first()
    {
      guard try await visibleUnit(.init(employment.unitID), on: database) != nil else { return nil }
      return try person.domain(unitID: employment.unitID)
    }
    guard let home = person.homeOrganisationID, scope.contains(organisation: .init(home)) else { return nil }
    return try person.domain(unitID: nil)
  }

  static let duplicateIDNumber = ValidationFailure([
    FieldError(
      field: "idNumber", code: "duplicate_id_number",
      message: LocalizedText(zh: "该身份证号码已登记", en: "this ID number is already registered"))
  ])

  public func create(_ worker: Worker, employedSince: CalendarDate) async throws {
    guard let unit = worker.unitID else { throw ValidationFailure([Self.unknownUnit]) }
    try await mappingConstraintFailure(to: Self.duplicateIDNumber) {
      try await database.writeTransaction { transaction in
        guard try await visibleUnit(unit, on: transaction) != nil else {
          throw ValidationFailure([Self.unknownUnit])
        }
        if try await WorkerModel.query(on: transaction).filter(\.$idNumber == worker.idNumber.value).count() > 0 {
          throw Self.duplicateIDNumber
        }
        try await WorkerModel(worker).create(on: transaction)
        try await EmploymentModel(workerID: worker.id.rawValue, unitID: unit.rawValue, startDate: employedSince)
          .create(on: transaction)
      }
    }
  }

  public func register(individual worker: Worker) async throws -> Worker {
    var errors: [FieldError] = []
    if worker.unitID != nil || worker.homeOrganisationID == nil {
      errors.append(.missing("organisationId", LocalizedText(zh: "登记组织", en: "organisation")))
    }
    if let home = worker.homeOrganisationID, !scope.contains(organisation: home) {
      errors.append(
        FieldError(
          field: "organisationId", code: "organisation_out_of_scope",
          message: LocalizedText(zh: "只能登记到本组织及下级组织", en: "register people at your own organisation or below")))
    }
    guard errors.isEmpty, let home = worker.homeOrganisationID else { throw ValidationFailure(errors) }
    return try await mappingConstraintFailure(to: Self.duplicateIDNumber) {
      try await database.writeTransaction { transaction in
        guard try await OrganisationModel.find(home.rawValue, on: transaction) != nil else {
          throw ValidationFailure([
            FieldError(
              field: "organisationId", code: "unknown_organisation",
              message: LocalizedText(zh: "组织不存在", en: "no such organisation"))
          ])
        }
        guard
          let known = try await WorkerModel.query(on: transaction).filter(\.$idNumber == worker.idNumber.value).first()
        else {
          try await WorkerModel(worker).create(on: transaction)
          return worker
        }
        // Someone who left their unit comes back on their own: the same person, taken over by
        // this node, never a second record. Anyone still employed, or already kept by a node,
        // is registered already.
        let employed =
          try await EmploymentModel.query(on: transaction)
          .filter(\.$workerID == known.requireID()).filter(\.$endDate == nil).count() > 0
        if employed || known.homeOrganisationID != nil { throw Self.duplicateIDNumber }
        var taken = try known.domain(unitID: nil)
        taken.phone = worker.phone
        taken.insuranceType = worker.insuranceType
        taken.categories = worker.categories
        taken.bankName = worker.bankName
        taken.bankAccount = worker.bankAccount
        taken.homeOrganisationID = home
        known.update(from: taken)
        known.homeOrganisationID = home.rawValue
        try await known.update(on: transaction)
        return taken
      }
    }
  }

  public func counts() async throws -> RegistryCounts {
    let units = try await scoped(UnitModel.query(on: database)).all(\.$id)
    let workers =
      if case .unrestricted = scope {
        try await WorkerModel.query(on: database).count()
      } else {
        try await EmploymentModel.query(on: database).filter(\.$endDate == nil).filter(\.$unitID ~~ units).count()
      }
    return RegistryCounts(
      organisations: try await scoped(OrganisationModel.query(on: database)).count(), units: units.count,
      workers: workers)
  }

  func duplicateOrganisationCode(_ code: String) -> ValidationFailure {
    ValidationFailure([
      FieldError(
        field: "code", code: "duplicate_code",
        message: LocalizedText(zh: "编码“\(code)”已被使用", en: "the code \"\(code)\" is already used"))
    ])
  }
}

// MARK: Rosters

extension FluentRegistryStore {
  public func unit(creditCode: String) async throws -> WorkUnit? {
    try await scoped(UnitModel.query(on: database)).filter(\.$creditCode == creditCode.uppercased()).first()?.domain()
  }

  public func standings(of idNumbers: [ResidentIDNumber]) async throws -> [ResidentIDNumber: RegistryStanding] {
    try await Self.standings(of: idNumbers, on: database)
  }

  /// Found in chunks, so that a 100,000-row roster does not become one enormous `IN` list.
  static func standings(of idNumbers: [ResidentIDNumber], on database: any Database) async throws
    -> [ResidentIDNumber: RegistryStanding]
  {
    var result: [ResidentIDNumber: RegistryStanding] = [:]
    let numbers = Array(Set(idNumbers.map(\.value)))
    for start in stride(from: 0, to: numbers.count, by: 500) {
      let chunk = Array(numbers[start..<min(start + 500, numbers.count)])
      let people = try await WorkerModel.query(on: database).filter(\.$idNumber ~~ chunk).all()
      guard !people.isEmpty else { continue }
      let employments = try await EmploymentModel.query(on: database)
        .filter(\.$workerID ~~ people.map { try $0.requireID() }).filter(\.$endDate == nil).all()
      let byWorker = Dictionary(employments.map { ($0.workerID, $0) }, uniquingKeysWith: { first, _ in first })
      let units = try await UnitModel.query(on: database).filter(\.$id ~~ Array(Set(employments.map(\.unitID)))).all()
      let unitsByID = Dictionary(uniqueKeysWithValues: units.map { ($0.id!, $0) })
      for person in people {
        guard let number = ResidentIDNumber(person.idNumber) else { continue }
        let id = try person.requireID()
        let employment = byWorker[id].flatMap { employment in
          unitsByID[employment.unitID].map {
            CurrentEmployment(
              worker: .init(id), unit: .init(employment.unitID), unitName: $0.name,
              organisation: .init($0.organisationID))
          }
        }
        result[number] = RegistryStanding(
          worker: .init(id), employment: employment, homeOrganisation: person.homeOrganisationID.map { .init($0) })
      }
    }
    return result
  }

  /// A commit whose facts changed under it (someone else moved a person between the preview
  /// and the import) writes nothing.
  static let standingChanged = ValidationFailure([
    FieldError(
      field: "file", code: "registry_changed",
      message: LocalizedText(
        zh: "预览后名册中有人员的登记情况发生了变化，请重新预览后再提交",
        en: "someone on the roster was changed since the preview: preview again, then commit"))
  ])

  public func importRoster(_ commit: RosterCommit, on date: CalendarDate, requestedBy: String) async throws
    -> RosterImportResult
  {
    guard !commit.rows.isEmpty else {
      throw ValidationFailure([
        FieldError(
          field: "rows", code: "no_rows",
          message: LocalizedText(zh: "名册中没有可提交的职工", en: "the roster has no workers to commit"))
      ])
    }
    return try await mappingConstraintFailure(to: Self.standingChanged) {
      try await database.writeTransaction { transaction in
        guard let unit = try await visibleUnit(commit.unit, on: transaction) else {
          throw ValidationFailure([Self.unknownUnit])
        }
        let unitID = try unit.requireID()
        // The plan was made on what the registry held at the preview; it holds only if that
        // is still so (a person moved meanwhile would otherwise be moved again from there).
        let numbers = commit.rows.compactMap(\.row.idNumber)
        let now = try await Self.standings(of: numbers, on: transaction)
        for row in commit.rows where now[row.row.idNumber!] != row.standing { throw Self.standingChanged }
        let known = try await Self.people(with: numbers.filter { now[$0] != nil }, on: transaction)
        var result = RosterImportResult()
        var newWorkers: [Worker] = []
        var newEmployments: [NewEmployment] = []
        var ending: [UUID] = []
        for planned in commit.rows {
          let row = planned.row
          guard let number = row.idNumber else { continue }
          switch planned.plan {
          case .create:
            let worker = Self.applying(row, to: Worker(name: row.name, idNumber: number, unitID: commit.unit))
            newWorkers.append(worker)
            newEmployments.append(NewEmployment(worker: worker.id.rawValue, unit: unitID, start: row.hireDate ?? date))
            result.created += 1
          case .update, .transfer:
            guard let person = known[number.value] else { throw Self.standingChanged }
            person.update(from: Self.applying(row, to: try person.domain(unitID: unitID)))
            person.homeOrganisationID = nil
            try await person.update(on: transaction)
            if case .update = planned.plan {
              result.updated += 1
              continue
            }
            if planned.standing?.employment != nil { ending.append(try person.requireID()) }
            newEmployments.append(
              NewEmployment(worker: try person.requireID(), unit: unitID, start: row.hireDate ?? date))
            result.transferred += 1
          case .requestTransfer:
            guard let standing = planned.standing,
              let request = TransferRequest(
                row: row, standing: standing, into: commit.unit, at: .init(unit.organisationID),
                requestedBy: requestedBy, on: date)
            else { throw Self.standingChanged }
            try await Self.file(request, on: transaction)
            result.requested += 1
          }
        }
        for chunk in ending.chunks(of: 500) {
          try await EmploymentModel.query(on: transaction).filter(\.$workerID ~~ chunk).filter(\.$endDate == nil)
            .set(\.$endDate, to: date.description).update()
        }
        try await Self.insert(newWorkers, newEmployments, on: transaction)
        return result
      }
    }
  }

  public func create(_ workers: [Worker], employedSince: CalendarDate) async throws {
    guard !workers.isEmpty else { return }
    let taken = ValidationFailure([
      FieldError(
        field: "idNumber", code: "duplicate_id_number",
        message: LocalizedText(zh: "身份证号已登记", en: "an ID number is already registered"))
    ])
    try await mappingConstraintFailure(to: taken) {
      try await database.writeTransaction { transaction in
        try await Self.insert(
          workers,
          workers.compactMap { worker in
            worker.unitID.map { NewEmployment(worker: worker.id.rawValue, unit: $0.rawValue, start: employedSince) }
          },
          on: transaction)
      }
    }
  }

  struct NewEmployment {
    let worker: UUID
    let unit: UUID
    let start: CalendarDate
  }

  /// New people and employments as multi-row INSERTs through SQLKit, straight from the domain
  /// values: a 100,000-row roster is a few hundred statements, and no Fluent model is built
  /// per row (building them cost more than the database work).
  static func insert(_ workers: [Worker], _ employments: [NewEmployment], on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else {
      for worker in workers { try await WorkerModel(worker).create(on: database) }
      for employment in employments {
        try await EmploymentModel(workerID: employment.worker, unitID: employment.unit, startDate: employment.start)
          .create(on: database)
      }
      return
    }
    let now = Date()
    // 500 rows × 11 columns stays well inside SQLite's limit on bound parameters.
    for start in stride(from: 0, to: workers.count, by: 500) {
      var insert = sql.insert(into: WorkerModel.schema).columns(
        "id", "id_number", "name", "gender", "birth_date", "phone", "insurance_type", "categories", "bank_name",
        "bank_account", "created_at")
      for worker in workers[start..<min(start + 500, workers.count)] {
        insert = insert.values(
          SQLBind(worker.id.rawValue), SQLBind(worker.idNumber.value), SQLBind(worker.name),
          SQLBind(worker.gender.rawValue),
          SQLBind(worker.birthDate.description), SQLBind(worker.phone), SQLBind(worker.insuranceType.rawValue),
          SQLBind(WorkerModel.categoriesText(worker.categories)), SQLBind(worker.bankName), SQLBind(worker.bankAccount),
          SQLBind(now))
      }
      try await insert.run()
    }
    for start in stride(from: 0, to: employments.count, by: 500) {
      var insert = sql.insert(into: EmploymentModel.schema).columns(
        "id", "worker_id", "unit_id", "start_date", "end_date")
      for employment in employments[start..<min(start + 500, employments.count)] {
        insert = insert.values(
          SQLBind(UUID.timeOrdered()), SQLBind(employment.worker), SQLBind(employment.unit),
          SQLBind(employment.start.description),
          SQLBind(String?.none))
      }
      try await insert.run()
    }
  }

  static func people(with numbers: [ResidentIDNumber], on database: any Database) async throws -> [String: WorkerModel]
  {
    var result: [String: WorkerModel] = [:]
    let values = Array(Set(numbers.map(\.value)))
    for start in stride(from: 0, to: values.count, by: 500) {
      let chunk = Array(values[start..<min(start + 500, values.count)])
      for person in try await WorkerModel.query(on: database).filter(\.$idNumber ~~ chunk).all() {
        result[person.idNumber] = person
      }
    }
    return result
  }

  /// The roster's values for the details it carries; blanks keep what was known.
  static func applying(_ row: RosterRow, to worker: Worker) -> Worker {
    TransferRequest.Details(row).applied(to: worker)
  }
}

// MARK: Search

extension FluentRegistryStore {
  public func searchWorkers(matching text: String, page: PageQuery) async throws -> PagedResult<Worker> {
    // LIKE's wildcards typed by the user are taken literally by dropping them.
    let needle = text.trimmingCharacters(in: .whitespaces).filter { $0 != "%" && $0 != "_" && $0 != "\\" }
    guard !needle.isEmpty, let sql = database as? any SQLDatabase else {
      return PagedResult(items: [], request: page, total: 0)
    }
    // One statement: the page of rows, each carrying the total (a window count; a page past
    // the end has no row to carry it and reads 0).
    var select = PersonRow.select(from: sql, joining: .left)
      .column(SQLRaw("COUNT(*) OVER ()"), as: "total")
      .where {
        $0.where(SQLColumn("name", table: "w"), .like, SQLBind("%\(needle)%"))
          .orWhere(SQLColumn("id_number", table: "w"), .like, SQLBind("\(needle.uppercased())%"))
          .orWhere(SQLColumn("phone", table: "w"), .like, SQLBind("\(needle)%"))
      }
    // Employed people through their unit; people employed by nobody through the node that
    // keeps their record (never seen from a unit).
    let employed = SQLBinaryExpression(SQLColumn("unit_id", table: "e"), .isNot, SQLLiteral.null)
    let onTheirOwn = SQLBinaryExpression(SQLColumn("unit_id", table: "e"), .is, SQLLiteral.null)
    switch scope {
    case .unrestricted:
      select = select.where {
        $0.where(employed).orWhere(SQLColumn("home_organisation_id", table: "w"), .isNot, SQLLiteral.null)
      }
    case .organisations(let ids):
      let nodes = SQLBind.group(ids.map(\.rawValue))
      select = select.where {
        $0.where(SQLColumn("organisation_id", table: "u"), .in, nodes)
          .orWhere {
            $0.where(onTheirOwn).where(SQLColumn("home_organisation_id", table: "w"), .in, nodes)
          }
      }
    case .unit(let id): select = select.where(SQLColumn("id", table: "u"), .equal, SQLBind(id.rawValue))
    case .nothing: select = select.where(SQLLiteral.boolean(false))
    }
    let found =
      try await select
      .orderBy(SQLColumn("name", table: "w")).orderBy(SQLColumn("id_number", table: "w"))
      .limit(page.per).offset(page.offset)
      .all()
    let rows = try found.map { try $0.decode(model: PersonRow.self) }
    let total = try found.first?.decode(column: "total", as: Int.self) ?? 0
    return PagedResult(
      items: try rows.map { try $0.worker() }, request: page, total: total)
  }
}

// MARK: Unit details and headcounts

extension FluentRegistryStore {
  public func details(of unit: WorkUnit.ID) async throws -> UnitDetails? {
    try await visibleUnit(unit)?.details
  }

  public func update(_ details: UnitDetails, of unit: WorkUnit.ID) async throws {
    let valid = try details.validated()
    guard let row = try await visibleUnit(unit) else {
      throw ValidationFailure([Self.unknownUnit])
    }
    row.details = valid
    try await row.update(on: database)
  }

  public func headcounts(of unit: WorkUnit.ID) async throws -> [HeadcountReport] {
    guard try await visibleUnit(unit) != nil else { return [] }
    return try await UnitHeadcountModel.query(on: database).filter(\.$unitID == unit.rawValue).sort(\.$asOf).all()
      .map { try $0.domain() }
  }

  public func record(_ report: HeadcountReport, for unit: WorkUnit.ID) async throws {
    let errors = report.validate()
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    try await database.writeTransaction { transaction in
      guard try await visibleUnit(unit, on: transaction) != nil else {
        throw ValidationFailure([Self.unknownUnit])
      }
      // Two reports of one unit at once would each keep the latest they can see.
      try await StatisticsAggregates.lock("headcount/\(unit)", on: transaction as! any SQLDatabase)
      try await UnitHeadcountModel.query(on: transaction)
        .filter(\.$unitID == unit.rawValue).filter(\.$asOf == report.asOf.description).delete()
      try await UnitHeadcountModel(unitID: unit.rawValue, report).create(on: transaction)
      try await StatisticsAggregates.refreshLatestHeadcount(ofUnit: unit.rawValue, on: transaction)
    }
  }

  public func workers(_ ids: [Worker.ID]) async throws -> [Worker.ID: Worker] {
    var found: [Worker.ID: Worker] = [:]
    for chunk in ids.map(\.rawValue).chunks(of: FluentEnrollmentStore.chunkSize) {
      for row in try await PersonRow.current(chunk, on: database) {
        guard scope.shows(unit: row.unit_id, organisation: row.visibleThrough) else { continue }
        // Someone employed by nobody and kept by no node is seen from outside the web only.
        guard row.unit_id != nil || row.home_organisation_id != nil || scope.isUnrestricted else { continue }
        let worker = try row.worker()
        found[worker.id] = worker
      }
    }
    return found
  }

  public func worker(_ id: Worker.ID) async throws -> Worker? {
    guard let person = try await WorkerModel.find(id.rawValue, on: database) else { return nil }
    return try await visible(person)
  }

  /// Replaces a member's account for transfers; returns the person before and after.
  public func update(_ account: MemberBankAccount, of id: Worker.ID) async throws -> (before: Worker, after: Worker) {
    try await database.writeTransaction { transaction in
      guard let person = try await WorkerModel.find(id.rawValue, on: transaction),
        let before = try await visible(person, on: transaction)
      else {
        throw ValidationFailure([
          FieldError(
            field: "workerId", code: "unknown_worker", message: LocalizedText(zh: "职工不存在", en: "no such worker"))
        ])
      }
      person.bankName = account.bankName
      person.bankAccount = account.account
      try await person.update(on: transaction)
      var after = before
      after.bankName = account.bankName
      after.bankAccount = account.account
      return (before, after)
    }
  }

  /// The headcount in force on `date`: the latest report on or before it, or, when the unit
  /// never reported one, the workers the registry lists for it now.
  /// The unit's workers and its female workers on `date`: its latest headcount report on or
  /// before it, else the people it employs now.
  static func headcount(of unit: WorkUnit.ID, on date: CalendarDate, database: any Database) async throws
    -> (total: Int, female: Int)
  {
    if let report = try await UnitHeadcountModel.query(on: database)
      .filter(\.$unitID == unit.rawValue).filter(\.$asOf <= date.description)
      .sort(\.$asOf, .descending).first()
    {
      return (report.total, report.female)
    }
    let employed = EmploymentModel.query(on: database).filter(\.$unitID == unit.rawValue).filter(\.$endDate == nil)
    let female = try await employed.copy().join(WorkerModel.self, on: \EmploymentModel.$workerID == \WorkerModel.$id)
      .filter(WorkerModel.self, \.$gender == Gender.female.rawValue).count()
    return (try await employed.count(), female)
  }

  static var unknownUnit: FieldError {
    FieldError(
      field: "unitId", code: "unknown_unit", message: LocalizedText(zh: "单位不存在", en: "the unit does not exist"))
  }
}
