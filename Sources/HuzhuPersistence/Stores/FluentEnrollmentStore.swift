import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Enrollments, bills, payments and the fund ledger on any Fluent database.
///
/// Each operation gathers the facts it needs inside its transaction, lets the core decide
/// (``EnrollmentPlanner``, ``Bill/validate(_:)``), then writes in bulk: an enrollment of
/// 1,000 workers is a handful of statements, not thousands.
///
/// Writes and the unit-level reads go through `scope`: a unit (and its bills) outside it
/// does not exist for this store. Individual enrollments belong to no unit: organisation
/// scopes see them, a unit officer's does not.
public struct FluentEnrollmentStore: EnrollmentStore {
  let database: any Database
  let scope: AccessScope

  /// A store that sees everything: for the command line, the seeder and tests.
  public init(database: any Database) {
    self.init(database: database, scope: .unrestricted)
  }

  public init(database: any Database, scope: AccessScope) {
    self.database = database
    self.scope = scope
  }

  /// Whether the scope shows records of `unit`.
  func shows(unit: UUID, on database: (any Database)? = nil) async throws -> Bool {
    switch scope {
    case .unrestricted: return true
    case .nothing: return false
    case .unit(let id): return unit == id.rawValue
    case .organisations:
      return try await FluentRegistryStore(database: database ?? self.database, scope: scope).visibleUnit(.init(unit))
        != nil
    }
  }

  /// Whether the scope shows a bill: a unit's through the unit, an individual's through the
  /// node that keeps its member's record (never from a unit).
  func shows(_ bill: BillModel, on database: (any Database)? = nil) async throws -> Bool {
    if let unit = bill.unitID { return try await shows(unit: unit, on: database) }
    return bill.organisationID.map { scope.contains(organisation: .init($0)) } ?? scope.isUnrestricted
  }

  static let unknownUnit = ValidationFailure([FluentRegistryStore.unknownUnit])
  static let unknownBill = ValidationFailure([
    FieldError(field: "billId", code: "unknown_bill", message: LocalizedText(zh: "缴费单不存在", en: "no such bill"))
  ])

  // MARK: Enrolling

  public func enroll(_ order: EnrollmentOrder, scheme: CompiledScheme) async throws -> EnrollmentPlan {
    try await mappingConstraintFailure(to: Self.raceLost) {
      try await database.writeTransaction { transaction in
        let organisation: UUID?
        if let unit = order.unitID {
          guard try await shows(unit: unit.rawValue, on: transaction) else { throw Self.unknownUnit }
          organisation = nil
        } else {
          organisation = try await individualsNode(order.workerIDs, on: transaction)
        }
        // The plan checks the order; numbers taken before a refusal are rolled back with it.
        let facts = try await Self.facts(for: order, scheme: scheme, on: transaction)
        return try await Self.write(order, facts: facts, scheme: scheme, organisation: organisation, on: transaction)
      }
    }
  }

  public func renew(
    unit: WorkUnit.ID, productCode: String, periodStart: CalendarDate, split: PayerSplitRule?,
    requestDate: CalendarDate, scheme: CompiledScheme
  ) async throws -> RenewalResult {
    try await mappingConstraintFailure(to: Self.raceLost) {
      try await database.writeTransaction { transaction in
        guard try await shows(unit: unit.rawValue, on: transaction) else { throw Self.unknownUnit }
        let previous = try await EnrollmentModel.query(on: transaction)
          .filter(\.$unitID == unit.rawValue).filter(\.$schemeCode == scheme.code)
          .filter(\.$productCode == productCode).filter(\.$periodStart == periodStart.description)
          .filter(\.$status != EnrollmentStatus.withdrawn.rawValue)
          .all().map { try $0.domain() }
        guard let first = previous.first else {
          throw ValidationFailure([
            FieldError(
              field: "periodStart", code: "nothing_to_renew",
              message: LocalizedText(
                zh: "该单位在 \(periodStart) 开始的保障期没有本产品的参保人员",
                en: "the unit has no members of this product in the period starting \(periodStart)"))
          ])
        }
        let workerIDs = previous.map(\.workerID.rawValue)
        let employed = try await EmploymentModel.query(on: transaction)
          .filter(\.$workerID ~~ workerIDs).filter(\.$unitID == unit.rawValue).filter(\.$endDate == nil).all()
        let people = try await WorkerModel.query(on: transaction).filter(\.$id ~~ workerIDs).all()
        let names = Dictionary(uniqueKeysWithValues: try people.map { (Worker.ID(try $0.requireID()), $0.name) })
        let previousSplit = try await Self.firstBillSplit(of: previous, on: transaction)
        guard
          var (order, leftOut) = RenewalPlanner.order(
            renewing: previous, stillEmployed: Set(employed.map { Worker.ID($0.workerID) }), names: names,
            split: split ?? previousSplit, requestDate: requestDate)
        else { preconditionFailure("previous is not empty") }

        var facts = try await Self.facts(for: order, scheme: scheme, on: transaction)
        facts = EnrollmentFacts(
          headcount: facts.headcount, femaleHeadcount: facts.femaleHeadcount, alreadyEnrolled: facts.alreadyEnrolled,
          members: facts.members.mapValues { $0.renewing(first.period.end) })
        // Members the rules no longer admit are left out with the rule's own words; what is
        // wrong with the unit as a whole (participation, window) stops the renewal, when the
        // plan checks the order again.
        let errors = EnrollmentPlanner.check(order, facts: facts, scheme: scheme)
        let refused = Dictionary(grouping: errors.filter { $0.row != nil }, by: { $0.row! - 1 })
        if !refused.isEmpty {
          for (index, id) in order.workerIDs.enumerated() {
            guard let problems = refused[index] else { continue }
            leftOut.append(
              RenewalPlanner.LeftOut(
                workerID: id, name: names[id] ?? "",
                reason: LocalizedText(
                  zh: problems.map { $0.message.zh }.joined(separator: "；"),
                  en: problems.map { $0.message.en }.joined(separator: "; "))))
          }
          order.workerIDs = order.workerIDs.enumerated().filter { refused[$0.offset] == nil }.map(\.element)
          order.split.thirdParties = order.split.thirdParties.filter { order.workerIDs.contains($0.key) }
        }
        let plan = try await Self.write(order, facts: facts, scheme: scheme, on: transaction)
        return RenewalResult(plan: plan, leftOut: leftOut)
      }
    }
  }

  /// A renewal's outcome without its writes: the renewal runs in a transaction that is then
  /// rolled back (its numbers with it), so the preview is exactly what a renewal would do.
  public func previewRenewal(
    unit: WorkUnit.ID, productCode: String, periodStart: CalendarDate, requestDate: CalendarDate,
    scheme: CompiledScheme
  ) async throws -> RenewalResult {
    struct Rollback: Error {
      let result: RenewalResult
    }
    do {
      try await database.writeTransaction { transaction in
        let result = try await FluentEnrollmentStore(database: transaction, scope: scope).renew(
          unit: unit, productCode: productCode, periodStart: periodStart, split: nil, requestDate: requestDate,
          scheme: scheme)
        throw Rollback(result: result)
      }
      preconditionFailure("the preview always rolls back")
    } catch let rollback as Rollback {
      return rollback.result
    }
  }

  /// A unit with members of a product in a period, for the year-end renewal.
  public struct RenewalCandidate: Sendable {
    public let unit: WorkUnit
    public let members: Int
    /// Whether the unit has members of the product in a later period already.
    public let renewed: Bool
  }

  /// The units in scope with members of `productCode` in the period starting `periodStart`.
  public func renewalCandidates(scheme: String, productCode: String, periodStart: CalendarDate) async throws
    -> [RenewalCandidate]
  {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    struct Row: Decodable {
      let unit_id: UUID
      let members: Int64
    }
    let rows = try await sql.select().column("unit_id").column(SQLRaw("CAST(COUNT(*) AS BIGINT)"), as: "members")
      .from(EnrollmentModel.schema).where("scheme_code", .equal, scheme).where("product_code", .equal, productCode)
      .where("period_start", .equal, periodStart.description).where("unit_id", .isNot, SQLLiteral.null)
      .where("status", .notEqual, EnrollmentStatus.withdrawn.rawValue)
      .groupBy("unit_id").all(decoding: Row.self)
    let renewed = try await sql.select().distinct().column("unit_id").from(EnrollmentModel.schema)
      .where("scheme_code", .equal, scheme).where("product_code", .equal, productCode)
      .where("period_start", .greaterThan, periodStart.description).where("unit_id", .isNot, SQLLiteral.null)
      .all(decodingColumn: "unit_id", as: UUID.self)
    let units = try await FluentRegistryStore(database: database, scope: scope).units(
      rows.map { WorkUnit.ID($0.unit_id) })
    let later = Set(renewed)
    return rows.compactMap { row in
      units[WorkUnit.ID(row.unit_id)].map {
        RenewalCandidate(unit: $0, members: Int(row.members), renewed: later.contains(row.unit_id))
      }
    }.sorted { ($0.unit.name, $0.unit.id.rawValue.uuidString) < ($1.unit.name, $1.unit.id.rawValue.uuidString) }
  }

  /// A concurrent enrollment of the same person got there first (the unique constraint on
  /// worker, product and period caught it).
  static var raceLost: ValidationFailure {
    ValidationFailure([
      FieldError(
        field: "workerIds", code: "already_enrolled",
        message: LocalizedText(
          zh: "其中有职工刚刚已在别处参保，请刷新后重试", en: "someone in the list was just enrolled elsewhere; reload and retry"))
    ])
  }

  static func firstBillSplit(of enrollments: [Enrollment], on database: any Database) async throws -> PayerSplitRule {
    let bills = try await BillModel.query(on: database).filter(\.$id ~~ Set(enrollments.map(\.billID.rawValue)))
      .sort(\.$issuedOn).sort(\.$number).all()
    guard let first = bills.first else { return PayerSplitRule() }
    return try first.domain(parts: [], payments: []).split
  }

  /// What the registry and the existing enrollments say about an order's people and unit.
  static func facts(for order: EnrollmentOrder, scheme: CompiledScheme, on database: any Database) async throws
    -> EnrollmentFacts
  {
    let version = scheme.product(order.productCode)?.version(forCoverageStartingOn: order.periodStart)
    let period = CoveragePeriod(start: order.periodStart, months: version?.periodMonths ?? 12)
    // Earlier cover counts only where the price depends on the years of membership.
    let pricedByYears = !(version?.contributionSteps.isEmpty ?? true)
    var headcount: Int?
    var femaleHeadcount: Int?
    var alreadyEnrolled: [Enrollment] = []
    if let unit = order.unitID {
      guard try await UnitModel.find(unit.rawValue, on: database) != nil else {
        throw ValidationFailure([
          FieldError(
            field: "unitId", code: "unknown_unit", message: LocalizedText(zh: "单位不存在", en: "the unit does not exist"))
        ])
      }
      let counts = try await FluentRegistryStore.headcount(of: unit, on: order.requestDate, database: database)
      (headcount, femaleHeadcount) = (counts.total, counts.female)
      alreadyEnrolled = try await overlapping(period, on: database) {
        $0.filter(\.$unitID == unit.rawValue).filter(\.$productCode == order.productCode)
      }
    }
    var members: [Worker.ID: EnrollmentFacts.Member] = [:]
    let ids = Array(Set(order.workerIDs.map(\.rawValue)))
    members.reserveCapacity(ids.count)
    // Plain SQL decoded into small rows: at 100,000 workers, building Fluent models for the
    // people, their employments and their cover took most of the time.
    for start in stride(from: 0, to: ids.count, by: chunkSize) {
      let chunk = Array(ids[start..<min(start + chunkSize, ids.count)])
      let people = try await PersonRow.current(chunk, on: database)
      let held = try await EnrollmentRow.overlapping(period, workers: chunk, scheme: order.schemeCode, on: database)
      let heldByWorker = Dictionary(grouping: held, by: \.workerID)
      let earlier =
        pricedByYears
        ? Dictionary(
          grouping: try await EnrollmentRow.active(workers: chunk, scheme: order.schemeCode, on: database).filter {
            $0.productCode == order.productCode && $0.period.end < period.start
          }, by: \.workerID)
        : [:]
      for person in people {
        let inUnit = order.unitID == nil || person.unit_id == order.unitID?.rawValue
        members[.init(person.id)] = EnrollmentFacts.Member(
          worker: try person.worker(),
          hireDate: inUnit ? person.start_date.flatMap(CalendarDate.init) : nil,
          inService: order.unitID == nil || (person.unit_id != nil && inUnit),
          overlapping: heldByWorker[.init(person.id)] ?? [],
          earlierCover: (earlier[.init(person.id)] ?? []).compactMap(\.heldCover))
      }
    }
    return EnrollmentFacts(
      headcount: headcount, femaleHeadcount: femaleHeadcount, alreadyEnrolled: alreadyEnrolled, members: members)
  }

  /// Ids per `IN` list: well inside SQLite's and PostgreSQL's limits on bound parameters.
  static let chunkSize = 2_000

  /// Enrollments whose period overlaps `period`, narrowed by `filter`. Dates are ISO text,
  /// so text comparison is date comparison.
  static func overlapping(
    _ period: CoveragePeriod, on database: any Database,
    _ filter: (QueryBuilder<EnrollmentModel>) -> QueryBuilder<EnrollmentModel>
  ) async throws -> [Enrollment] {
    try await filter(EnrollmentModel.query(on: database))
      .filter(\.$periodStart <= period.end.description).filter(\.$periodEnd >= period.start.description)
      .filter(\.$status != EnrollmentStatus.withdrawn.rawValue)
      .all().map { try $0.domain() }
  }

  /// Allocates the numbers, plans, and writes the bill, its parts and the enrollments.
  /// The node an individual enrollment's bill belongs to: that of its member's record, which
  /// the scope must show (a person outside it is as unknown as one who does not exist).
  func individualsNode(_ workers: [Worker.ID], on database: any Database) async throws -> UUID? {
    let registry = FluentRegistryStore(database: database, scope: scope)
    var node: UUID?
    for id in workers {
      guard let person = try await WorkerModel.find(id.rawValue, on: database),
        let worker = try await registry.visible(person, on: database)
      else {
        throw ValidationFailure([
          FieldError(
            field: "workerIds", code: "unknown_worker", message: LocalizedText(zh: "职工不存在", en: "no such worker"))
        ])
      }
      guard node == nil else { continue }
      if let unit = worker.unitID {
        node = try await UnitModel.find(unit.rawValue, on: database)?.organisationID
      } else {
        node = worker.homeOrganisationID?.rawValue
      }
    }
    return node
  }

  /// `organisation`: the node of an individual's bill (nil for a unit's).
  static func write(
    _ order: EnrollmentOrder, facts: EnrollmentFacts, scheme: CompiledScheme, organisation: UUID? = nil,
    on database: any Database
  ) async throws -> EnrollmentPlan {
    let year = order.periodStart.year
    let billNumber = try await Sequences.next(
      DocumentKind.bill.sequenceName(scheme: scheme.code, year: year), count: 1, on: database)
    // An empty order takes no certificate numbers; the plan then refuses it ("no workers").
    let certificates =
      order.workerIDs.isEmpty
      ? []
      : try await Sequences.next(
        DocumentKind.certificate.sequenceName(scheme: scheme.code, year: year), count: order.workerIDs.count,
        on: database
      ).map { DocumentNumbers.format(.certificate, scheme: scheme.code, year: year, sequence: $0) }
    let numbers = DocumentNumbers(
      bill: DocumentNumbers.format(.bill, scheme: scheme.code, year: year, sequence: billNumber.lowerBound),
      certificates: certificates)
    let plan = try EnrollmentPlanner.plan(order, facts: facts, scheme: scheme, numbers: numbers)
    let version = scheme.product(order.productCode)!.version(forCoverageStartingOn: order.periodStart)!
    let bill = try BillModel(plan.bill, pricePerShare: version.contributionPerShare!, rounding: scheme.rounding)
    bill.organisationID = organisation
    try await bill.create(on: database)
    for part in plan.bill.due {
      try await BillPartModel(billID: plan.bill.id.rawValue, part).create(on: database)
    }
    try await StatisticsAggregates.refresh(
      [
        .init(
          organisationID: try await StatisticsAggregates.organisation(ofUnit: plan.bill.unitID?.rawValue, on: database),
          schemeCode: plan.bill.schemeCode, day: plan.bill.issuedOn)
      ], of: [StatisticsAggregates.dueMonths], on: database)
    try await insert(plan.enrollments, on: database)
    return plan
  }

  static func insert(_ enrollments: [Enrollment], on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    let now = Date()
    for start in stride(from: 0, to: enrollments.count, by: 500) {
      var insert = sql.insert(into: EnrollmentModel.schema).columns(
        "id", "scheme_code", "product_code", "version_label", "worker_id", "unit_id", "period_start", "period_end",
        "shares", "status", "cover_from", "previous_cover_end", "certificate_number", "enrolled_on", "bill_id",
        "price_per_share", "created_at")
      for enrollment in enrollments[start..<min(start + 500, enrollments.count)] {
        insert = insert.values(
          SQLBind(enrollment.id.rawValue), SQLBind(enrollment.schemeCode), SQLBind(enrollment.productCode),
          SQLBind(enrollment.versionLabel), SQLBind(enrollment.workerID.rawValue), SQLBind(enrollment.unitID?.rawValue),
          SQLBind(enrollment.period.start.description), SQLBind(enrollment.period.end.description),
          SQLBind(enrollment.shares), SQLBind(enrollment.status.rawValue), SQLBind(enrollment.coverFrom?.description),
          SQLBind(enrollment.previousCoverEnd?.description), SQLBind(enrollment.certificateNumber),
          SQLBind(enrollment.enrolledOn.description), SQLBind(enrollment.billID.rawValue),
          SQLBind(enrollment.pricePerShare?.fen), SQLBind(now))
      }
      try await insert.run()
    }
  }

  // MARK: Reading

  public func enrollments(unit: WorkUnit.ID, page: PageQuery) async throws -> PagedResult<Enrollment> {
    guard try await shows(unit: unit.rawValue) else { return PagedResult(items: [], request: page, total: 0) }
    let query = EnrollmentModel.query(on: database).filter(\.$unitID == unit.rawValue)
    let total = try await query.count()
    let rows = try await query.sort(\.$periodStart, .descending).sort(\.$certificateNumber)
      .range(page.offset..<(page.offset + page.per)).all()
    return PagedResult(items: try rows.map { try $0.domain() }, request: page, total: total)
  }

  public func enrollments(worker: Worker.ID) async throws -> [Enrollment] {
    if !scope.isUnrestricted, try await FluentRegistryStore(database: database, scope: scope).worker(worker) == nil {
      return []
    }
    return try await EnrollmentModel.query(on: database).filter(\.$workerID == worker.rawValue)
      .sort(\.$periodStart, .descending).sort(\.$productCode).all().map { try $0.domain() }
  }

  public func enrollments(workers: [Worker.ID]) async throws -> [Worker.ID: [Enrollment]] {
    let visible = Array(try await FluentRegistryStore(database: database, scope: scope).workers(workers).keys)
    var found: [Worker.ID: [Enrollment]] = [:]
    for chunk in visible.chunks(of: FluentClaimStore.bulkChunk) {
      for row in try await EnrollmentModel.query(on: database).filter(\.$workerID ~~ chunk.map(\.rawValue))
        .sort(\.$periodStart, .descending).sort(\.$productCode).all()
      {
        let enrollment = try row.domain()
        found[enrollment.workerID, default: []].append(enrollment)
      }
    }
    return found
  }

  public func enrollments(bill: Bill.ID) async throws -> [Enrollment] {
    guard try await self.bill(bill) != nil else { return [] }
    return try await EnrollmentModel.query(on: database).filter(\.$billID == bill.rawValue)
      .sort(\.$certificateNumber).all().map { try $0.domain() }
  }

  /// The member a certificate in scope was issued to: what naming a member by certificate
  /// needs, without reading the certificate's holder, unit and scheme.
  public func holder(ofCertificate number: String) async throws -> Worker.ID? {
    let normalized = number.trimmingCharacters(in: .whitespaces).uppercased()
    guard let row = try await EnrollmentModel.query(on: database).filter(\.$certificateNumber == normalized).first(),
      let bill = try await BillModel.find(row.billID, on: database), try await shows(bill)
    else { return nil }
    return Worker.ID(row.workerID)
  }

  /// ``holder(ofCertificate:)`` for many numbers at once (a batch of claims): a few statements
  /// per 500 numbers, each bill's unit looked up once. Keyed by the number as stored
  /// (trimmed, upper case); numbers the scope does not show are absent.
  public func holders(ofCertificates numbers: [String]) async throws -> [String: Worker.ID] {
    let normalized = Array(Set(numbers.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }))
    var holders: [String: Worker.ID] = [:]
    var unitShown: [UUID: Bool] = [:]
    for piece in normalized.chunks(of: 500) {
      let rows = try await EnrollmentModel.query(on: database).filter(\.$certificateNumber ~~ piece).all()
      guard !rows.isEmpty else { continue }
      let bills = try await BillModel.query(on: database).filter(\.$id ~~ Set(rows.map(\.billID))).all()
      let billsByID = Dictionary(bills.compactMap { bill in bill.id.map { ($0, bill) } }) { first, _ in first }
      for row in rows {
        guard let bill = billsByID[row.billID] else { continue }
        let shown: Bool
        if let unit = bill.unitID {
          if let known = unitShown[unit] {
            shown = known
          } else {
            shown = try await shows(unit: unit)
            unitShown[unit] = shown
          }
        } else {
          shown = try await shows(bill)
        }
        if shown { holders[row.certificateNumber] = Worker.ID(row.workerID) }
      }
    }
    return holders
  }

  public func certificate(number: String) async throws -> Certificate? {
    let normalized = number.trimmingCharacters(in: .whitespaces).uppercased()
    guard let row = try await EnrollmentModel.query(on: database).filter(\.$certificateNumber == normalized).first(),
      let bill = try await BillModel.find(row.billID, on: database), try await shows(bill)
    else { return nil }
    let enrollment = try row.domain()
    guard let person = try await WorkerModel.find(row.workerID, on: database),
      let idNumber = ResidentIDNumber(person.idNumber)
    else { throw CorruptRow(table: EnrollmentModel.schema, column: "worker_id") }
    let unitName = try await row.unitID.asyncMap { try await UnitModel.find($0, on: database)?.name } ?? nil
    let scheme = try await FluentSchemeStore(database: database).scheme(code: enrollment.schemeCode)
    let product = scheme?.definition.products.first { $0.code == enrollment.productCode }
    return Certificate(
      enrollment: enrollment, holderName: person.name, holderIDNumber: idNumber, unitName: unitName,
      schemeName: scheme?.definition.scheme.name ?? enrollment.schemeCode,
      productName: LocalizedText(
        zh: product?.name ?? enrollment.productCode, en: product?.nameEn ?? product?.name ?? enrollment.productCode))
  }

  public func certificates(bill id: Bill.ID, page: PageQuery) async throws -> PagedResult<Certificate> {
    guard let bill = try await BillModel.find(id.rawValue, on: database), try await shows(bill) else {
      return PagedResult(items: [], request: page, total: 0)
    }
    let query = EnrollmentModel.query(on: database).filter(\.$billID == id.rawValue)
    let total = try await query.count()
    let rows = try await query.sort(\.$certificateNumber).range(page.offset..<(page.offset + page.per)).all()
    let people = Dictionary(
      try await WorkerModel.query(on: database).filter(\.$id ~~ Set(rows.map(\.workerID))).all().map {
        (try $0.requireID(), $0)
      }, uniquingKeysWith: { first, _ in first })
    let unitName = try await bill.unitID.asyncMap { try await UnitModel.find($0, on: database)?.name } ?? nil
    let scheme = try await FluentSchemeStore(database: database).scheme(code: bill.schemeCode)
    let product = scheme?.definition.products.first { $0.code == bill.productCode }
    let productName = LocalizedText(
      zh: product?.name ?? bill.productCode, en: product?.nameEn ?? product?.name ?? bill.productCode)
    let certificates = try rows.map { row in
      guard let person = people[row.workerID], let idNumber = ResidentIDNumber(person.idNumber) else {
        throw CorruptRow(table: EnrollmentModel.schema, column: "worker_id")
      }
      return Certificate(
        enrollment: try row.domain(), holderName: person.name, holderIDNumber: idNumber, unitName: unitName,
        schemeName: scheme?.definition.scheme.name ?? bill.schemeCode, productName: productName)
    }
    return PagedResult(items: certificates, request: page, total: total)
  }

  public func bills(unit: WorkUnit.ID) async throws -> [Bill] {
    guard try await shows(unit: unit.rawValue) else { return [] }
    let rows = try await BillModel.query(on: database).filter(\.$unitID == unit.rawValue)
      .sort(\.$issuedOn, .descending).sort(\.$number, .descending).all()
    return try await Self.bills(rows, on: database)
  }

  public func bills(individual worker: Worker.ID) async throws -> [Bill] {
    let billIDs = try await EnrollmentModel.query(on: database).filter(\.$workerID == worker.rawValue)
      .filter(\.$unitID == nil).all(\.$billID)
    guard !billIDs.isEmpty else { return [] }
    var rows: [BillModel] = []
    for row in try await BillModel.query(on: database).filter(\.$id ~~ Set(billIDs)).filter(\.$unitID == nil)
      .sort(\.$issuedOn, .descending).sort(\.$number, .descending).all()
    {
      if try await shows(row) { rows.append(row) }
    }
    return try await Self.bills(rows, on: database)
  }

  public func bill(_ id: Bill.ID) async throws -> Bill? {
    guard let row = try await BillModel.find(id.rawValue, on: database), try await shows(row) else {
      return nil
    }
    return try await Self.bills([row], on: database).first
  }

  public func bill(number: String) async throws -> Bill? {
    guard let row = try await BillModel.query(on: database).filter(\.$number == number).first(),
      try await shows(row)
    else { return nil }
    return try await Self.bills([row], on: database).first
  }

  /// Bills with their parts and payments, three queries for any number of bills.
  static func bills(_ rows: [BillModel], on database: any Database) async throws -> [Bill] {
    guard !rows.isEmpty else { return [] }
    let ids = try rows.map { try $0.requireID() }
    let parts = Dictionary(
      grouping: try await BillPartModel.query(on: database).filter(\.$billID ~~ ids).sort(\.$payerType).all(),
      by: \.billID)
    // A voided payment paid nothing: the bill owes its money again.
    let all = try await PaymentModel.query(on: database).filter(\.$billID ~~ ids).all()
    let voided = try await voidedPayments(all.compactMap(\.id), on: database)
    let payments = Dictionary(grouping: all.filter { !voided.contains($0.id ?? UUID()) }, by: \.billID)
    // Withdrawn members owe nothing, and what was refunded was not kept.
    let adjustments = Dictionary(
      grouping: try await BillAdjustmentModel.query(on: database).filter(\.$billID ~~ ids).all(), by: \.billID)
    let refunds = Dictionary(
      grouping: try await RefundModel.query(on: database).filter(\.$billID ~~ ids).all(), by: \.billID)
    let order = PayerType.allCases.map(\.rawValue)
    return try rows.map { row in
      let id = try row.requireID()
      let sortedParts = (parts[id] ?? []).sorted {
        (order.firstIndex(of: $0.payerType) ?? 0, $0.payerName ?? "") < (
          order.firstIndex(of: $1.payerType) ?? 0, $1.payerName ?? ""
        )
      }
      let withdrawn = adjustments[id] ?? []
      return try row.domain(parts: sortedParts, payments: payments[id] ?? []).net(
        adjustments: try withdrawn.map { try $0.part() }, refunds: try (refunds[id] ?? []).map { try $0.part() },
        withdrawnMembers: Set(withdrawn.map(\.enrollmentID)).count)
    }
  }

  public func payments(bill: Bill.ID) async throws -> [Payment] {
    guard try await self.bill(bill) != nil else { return [] }
    return try await markingVoided(
      PaymentModel.query(on: database).filter(\.$billID == bill.rawValue)
        .sort(\.$paidOn).sort(\.$receiptNumber).all().map { try $0.domain() })
  }

  /// The payments with those a void was approved for marked.
  func markingVoided(_ payments: [Payment]) async throws -> [Payment] {
    let voided = try await Self.voidedPayments(payments.map(\.id.rawValue), on: database)
    return payments.map { payment in
      var marked = payment
      marked.voided = voided.contains(payment.id.rawValue)
      return marked
    }
  }

  /// Which of `payments` a void was applied to.
  static func voidedPayments(_ payments: [UUID], on database: any Database) async throws -> Set<UUID> {
    guard !payments.isEmpty else { return [] }
    return Set(
      try await CorrectionModel.query(on: database).filter(\.$targetID ~~ payments)
        .filter(\.$status == Correction.Status.applied.rawValue).all().map(\.targetID))
  }

  public func payments(bills ids: [Bill.ID]) async throws -> [Bill.ID: [Payment]] {
    guard !ids.isEmpty else { return [:] }
    var visible: [UUID] = []
    for row in try await BillModel.query(on: database).filter(\.$id ~~ ids.map(\.rawValue)).all() {
      if try await shows(row) { visible.append(try row.requireID()) }
    }
    guard !visible.isEmpty else { return [:] }
    let rows = try await PaymentModel.query(on: database).filter(\.$billID ~~ visible)
      .sort(\.$paidOn).sort(\.$receiptNumber).all()
    return Dictionary(grouping: try await markingVoided(try rows.map { try $0.domain() }), by: \.billID)
  }

  public func coveredCount(unit: WorkUnit.ID, on date: CalendarDate) async throws -> Int {
    guard try await shows(unit: unit.rawValue), let sql = database as? any SQLDatabase else { return 0 }
    struct Row: Decodable { let covered: Int }
    // Dates are ISO text: text comparison is date comparison.
    return try await sql.select()
      .column(SQLRaw("COUNT(DISTINCT worker_id)"), as: "covered")
      .from(EnrollmentModel.schema)
      .where("unit_id", .equal, unit.rawValue)
      .where("status", .equal, EnrollmentStatus.active.rawValue)
      .where("cover_from", .lessThanOrEqual, date.description)
      .where("period_end", .greaterThanOrEqual, date.description)
      .first(decoding: Row.self)?.covered ?? 0
  }

  /// The payment by any of its receipt numbers (the first, or a reissue's).
  public func payment(receiptNumber: String) async throws -> Payment? {
    guard let row = try await paymentRow(receiptNumber: receiptNumber, on: database) else { return nil }
    return try await markingVoided([try row.domain()]).first
  }

  // MARK: Paying

  public func record(
    _ request: PaymentRequest, on billID: Bill.ID, recordedBy: String, idempotencyKey: String?, scheme: CompiledScheme
  ) async throws -> PaymentOutcome {
    let fingerprint = Self.fingerprint(request, bill: billID)
    let keyReused = ValidationFailure([
      FieldError(
        field: "Idempotency-Key", code: "idempotency_key_reused",
        message: LocalizedText(
          zh: "该幂等键已用于另一笔缴费", en: "this idempotency key was already used for a different payment"))
    ])
    return try await mappingConstraintFailure(to: keyReused) {
      try await database.writeTransaction { transaction in
        guard let sql = transaction as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
        // Take the bill's lock before reading anything: payments on one bill run one at a time.
        try await sql.update(BillModel.schema)
          .set(
            SQLIdentifier("lock_version"),
            to: SQLBinaryExpression(SQLIdentifier("lock_version"), .add, SQLLiteral.numeric("1"))
          )
          .where("id", .equal, billID.rawValue).run()
        guard let row = try await BillModel.find(billID.rawValue, on: transaction),
          try await shows(row, on: transaction)
        else { throw Self.unknownBill }
        if let idempotencyKey,
          let earlier = try await PaymentModel.query(on: transaction).filter(\.$idempotencyKey == idempotencyKey)
            .first()
        {
          guard earlier.fingerprint == fingerprint else { throw keyReused }
          let bill = try await Self.bills([row], on: transaction)[0]
          return PaymentOutcome(payment: try earlier.domain(), bill: bill, replayed: true, activated: 0)
        }
        var bill = try await Self.bills([row], on: transaction)[0]
        let errors = bill.validate(request)
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        try await FluentFundStore.refuseClosed(
          scheme: bill.schemeCode, versions: [bill.versionLabel], on: transaction)

        let year = request.paidOn.year
        let sequence = try await Sequences.next(
          DocumentKind.receipt.sequenceName(scheme: bill.schemeCode, year: year), count: 1, on: transaction)
        let payment = Payment(
          billID: bill.id,
          receiptNumber: DocumentNumbers.format(
            .receipt, scheme: bill.schemeCode, year: year, sequence: sequence.lowerBound),
          payer: request.payer, payerName: request.payerName, amount: request.amount, paidOn: request.paidOn,
          reference: request.reference.trimmingCharacters(in: .whitespaces), recordedBy: recordedBy)
        try await PaymentModel(payment, idempotencyKey: idempotencyKey, fingerprint: fingerprint).create(
          on: transaction)
        try await FundEntryModel(FundEntry.posting(payment, of: bill)).create(on: transaction)
        try await StatisticsAggregates.refresh(
          [
            .init(
              organisationID: try await StatisticsAggregates.organisation(ofUnit: row.unitID, on: transaction),
              schemeCode: bill.schemeCode, day: payment.paidOn)
          ], of: [StatisticsAggregates.collectedMonths], on: transaction)
        bill.paid.append(PayerAmount(payer: payment.payer, payerName: payment.payerName, amount: payment.amount))

        var activated = 0
        if bill.status == .paid {
          (bill.settledOn, activated) = try await Self.settle(row, bill: bill, scheme: scheme, on: transaction)
        }
        return PaymentOutcome(payment: payment, bill: bill, replayed: false, activated: activated)
      }
    }
  }

  /// A bill paid in full: settled on its last payment's day, and the cover of its members
  /// still waiting for payment begins. Returns the day and how many members' cover began.
  static func settle(_ row: BillModel, bill: Bill, scheme: CompiledScheme, on transaction: any Database)
    async throws -> (CalendarDate, Int)
  {
    let billID = try row.requireID()
    let payments = try await PaymentModel.query(on: transaction).filter(\.$billID == billID).all()
    let voided = try await voidedPayments(payments.compactMap(\.id), on: transaction)
    let settledOn =
      payments.filter { !voided.contains($0.id ?? UUID()) }.compactMap { CalendarDate($0.paidOn) }.max()
      ?? bill.issuedOn
    row.settledOn = settledOn.description
    try await row.update(on: transaction)
    let activation =
      scheme.product(bill.productCode)?.versions.first { $0.label == bill.versionLabel }?.activation ?? .onPayment
    let coverFrom = activation.coverFrom(periodStart: bill.period.start, paidOn: settledOn)
    let waiting = EnrollmentModel.query(on: transaction)
      .filter(\.$billID == billID).filter(\.$status == EnrollmentStatus.awaitingPayment.rawValue)
    let activated = try await waiting.count()
    try await EnrollmentModel.query(on: transaction)
      .filter(\.$billID == billID).filter(\.$status == EnrollmentStatus.awaitingPayment.rawValue)
      .set(\.$status, to: EnrollmentStatus.active.rawValue).set(\.$coverFrom, to: coverFrom.description)
      .update()
    // The statistics' counts of cover, in the same transaction.
    if activated > 0 {
      try await StatisticsAggregates.refresh(
        try await StatisticsAggregates.keys(ofBill: billID, on: transaction), on: transaction)
    }
    return (settledOn, activated)
  }

  /// What makes two payment requests "the same payment" for idempotency.
  static func fingerprint(_ request: PaymentRequest, bill: Bill.ID) -> String {
    [
      bill.description, request.payer.rawValue, request.payerName ?? "", String(request.amount.fen),
      request.paidOn.description, request.reference.trimmingCharacters(in: .whitespaces),
    ].joined(separator: "|")
  }

  // MARK: The fund

  public func fundEntries(scheme: String, versionLabel: String?, page: PageQuery) async throws
    -> PagedResult<FundEntry>
  {
    var query = FundEntryModel.query(on: database).filter(\.$schemeCode == scheme)
    if let versionLabel { query = query.filter(\.$versionLabel == versionLabel) }
    let total = try await query.count()
    let rows = try await query.sort(\.$postedOn).sort(\.$createdAt).sort(\.$id)
      .range(page.offset..<(page.offset + page.per)).all()
    return PagedResult(items: try rows.map { try $0.domain() }, request: page, total: total)
  }

  /// A fund's whole ledger (one period's, when `versionLabel` is given), oldest first, or nil
  /// when it holds more than `limit` entries.
  public func fundEntries(scheme: String, versionLabel: String?, limit: Int) async throws -> [FundEntry]? {
    var query = FundEntryModel.query(on: database).filter(\.$schemeCode == scheme)
    if let versionLabel { query = query.filter(\.$versionLabel == versionLabel) }
    guard try await query.count() <= limit else { return nil }
    return try await query.sort(\.$postedOn).sort(\.$createdAt).sort(\.$id).all().map { try $0.domain() }
  }

  public func fundBalances(scheme: String?) async throws -> [FundBalance] {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    struct Row: Decodable {
      let scheme_code: String
      let version_label: String
      let kind: String
      let total: Int64
      let entries: Int64
    }
    var query = sql.select()
      .column("scheme_code").column("version_label").column("kind")
      .column(SQLRaw("CAST(SUM(amount) AS BIGINT)"), as: "total")
      .column(SQLRaw("CAST(COUNT(*) AS BIGINT)"), as: "entries")
      .from(FundEntryModel.schema)
    if let scheme { query = query.where("scheme_code", .equal, scheme) }
    let rows = try await query.groupBy("scheme_code").groupBy("version_label").groupBy("kind").all(decoding: Row.self)
    var balances: [String: FundBalance] = [:]
    for row in rows {
      guard let kind = FundEntryKind(rawValue: row.kind) else {
        throw CorruptRow(table: FundEntryModel.schema, column: "kind")
      }
      let key = "\(row.scheme_code)\u{0}\(row.version_label)"
      balances[key, default: FundBalance(schemeCode: row.scheme_code, versionLabel: row.version_label)]
        .add(kind: kind, amount: Money(fen: row.total), count: Int(row.entries))
    }
    return balances.values.sorted { ($0.schemeCode, $0.versionLabel) < ($1.schemeCode, $1.versionLabel) }
  }
}

/// Named counters kept in the `sequences` table.
enum Sequences {
  /// Advances `name` by `count` in one statement (an upsert both databases speak) and
  /// returns the values taken. Inside a transaction, a rollback returns them.
  static func next(_ name: String, count: Int, on database: any Database) async throws -> ClosedRange<Int> {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    precondition(count > 0, "a sequence advances by at least one")
    let last = try await sql.raw(
      """
      INSERT INTO sequences (name, value) VALUES (\(bind: name), \(bind: count)) \
      ON CONFLICT (name) DO UPDATE SET value = sequences.value + excluded.value RETURNING value
      """
    ).first(decodingColumn: "value", as: Int.self)
    guard let last else { preconditionFailure("RETURNING gives the row") }
    return (last - count + 1)...last
  }
}

/// A person with their current employment, as one joined row.
struct PersonRow: Decodable {
  let id: UUID
  let id_number: String
  let name: String
  let phone: String?
  let insurance_type: String
  let categories: String
  let bank_name: String?
  let bank_account: String?
  let unit_id: UUID?
  let start_date: String?
  let organisation_id: UUID?
  let home_organisation_id: UUID?

  /// The node that decides who may see the person: their current unit's, or, for someone
  /// employed by nobody, the one keeping their record.
  var visibleThrough: UUID? { unit_id == nil ? home_organisation_id : organisation_id }

  /// These people (one of ``KeyLookup/pieces(_:on:)``).
  static func current(_ ids: [UUID], on database: any Database) async throws -> [PersonRow] {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    return try await select(from: sql, joining: .left)
      .where(KeyLookup.oneOf(SQLColumn("id", table: "w"), ids, on: sql))
      .all(decoding: PersonRow.self)
  }

  /// A row's columns from workers `w`, their current employment `e` and its unit `u`: inner
  /// joins for people employed now only, left joins to keep everyone.
  static func select(from sql: any SQLDatabase, joining method: SQLJoinMethod) -> SQLSelectBuilder {
    sql.select()
      .column(SQLColumn("id", table: "w")).column(SQLColumn("id_number", table: "w"))
      .column(SQLColumn("name", table: "w")).column(SQLColumn("phone", table: "w"))
      .column(SQLColumn("insurance_type", table: "w")).column(SQLColumn("categories", table: "w"))
      .column(SQLColumn("bank_name", table: "w")).column(SQLColumn("bank_account", table: "w"))
      .column(SQLColumn("home_organisation_id", table: "w"))
      .column(SQLColumn("unit_id", table: "e")).column(SQLColumn("start_date", table: "e"))
      .column(SQLColumn("organisation_id", table: "u"))
      .from(SQLAlias(SQLIdentifier(WorkerModel.schema), as: SQLIdentifier("w")))
      .join(
        SQLAlias(SQLIdentifier(EmploymentModel.schema), as: SQLIdentifier("e")), method: method,
        on: SQLRaw("e.worker_id = w.id AND e.end_date IS NULL")
      )
      .join(
        SQLAlias(SQLIdentifier(UnitModel.schema), as: SQLIdentifier("u")), method: method,
        on: SQLRaw("u.id = e.unit_id"))
  }

  /// The person, employed by their current unit (or by nobody).
  func worker() throws -> Worker {
    guard let number = ResidentIDNumber(id_number) else {
      throw CorruptRow(table: WorkerModel.schema, column: "id_number")
    }
    return Worker(
      id: .init(id), name: name, idNumber: number, unitID: unit_id.map { .init($0) },
      homeOrganisationID: home_organisation_id.map { .init($0) }, phone: phone,
      insuranceType: InsuranceType(rawValue: insurance_type) ?? .urbanEmployee,
      categories: MemberCategories(
        categories.split(separator: ",").compactMap { MemberCategory(rawValue: String($0)) }),
      bankName: bank_name, bankAccount: bank_account)
  }
}

/// An enrollment as a plain row, for reading many at once.
struct EnrollmentRow: Decodable {
  let id: UUID
  let scheme_code: String
  let product_code: String
  let version_label: String
  let worker_id: UUID
  let unit_id: UUID?
  let period_start: String
  let period_end: String
  let shares: Int
  let status: String
  let cover_from: String?
  let previous_cover_end: String?
  let certificate_number: String
  let enrolled_on: String
  let bill_id: UUID
  let price_per_share: Int64?

  /// Every column of `enrollments`, in this row's shape.
  static func select(on database: any Database) -> SQLSelectBuilder {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    return sql.select()
      .columns(
        "id", "scheme_code", "product_code", "version_label", "worker_id", "unit_id", "period_start", "period_end",
        "shares", "status", "cover_from", "previous_cover_end", "certificate_number", "enrolled_on", "bill_id",
        "price_per_share"
      )
      .from(EnrollmentModel.schema)
  }

  static func overlapping(_ period: CoveragePeriod, workers: [UUID], scheme: String, on database: any Database)
    async throws -> [Enrollment]
  {
    try await select(on: database)
      .where("worker_id", .in, workers).where("scheme_code", .equal, scheme)
      .where("period_start", .lessThanOrEqual, period.end.description)
      .where("period_end", .greaterThanOrEqual, period.start.description)
      .where("status", .notEqual, EnrollmentStatus.withdrawn.rawValue)
      .all(decoding: EnrollmentRow.self).map { try $0.domain() }
  }

  /// Paid cover of these workers (one of ``KeyLookup/pieces(_:on:)``) in a scheme, oldest
  /// period first.
  static func active(workers: [UUID], scheme: String, on database: any Database) async throws -> [Enrollment] {
    try await select(on: database)
      .where(KeyLookup.oneOf(SQLIdentifier("worker_id"), workers, on: database.sqlDatabase))
      .where("scheme_code", .equal, scheme)
      .where("status", .equal, EnrollmentStatus.active.rawValue)
      .orderBy("period_start")
      .all(decoding: EnrollmentRow.self).map { try $0.domain() }
  }

  func domain() throws -> Enrollment {
    func date(_ text: String, _ column: String) throws -> CalendarDate {
      guard let date = CalendarDate(text) else { throw CorruptRow(table: EnrollmentModel.schema, column: column) }
      return date
    }
    guard let status = EnrollmentStatus(rawValue: status) else {
      throw CorruptRow(table: EnrollmentModel.schema, column: "status")
    }
    return Enrollment(
      id: .init(id), schemeCode: scheme_code, productCode: product_code, versionLabel: version_label,
      workerID: .init(worker_id), unitID: unit_id.map { .init($0) },
      period: CoveragePeriod(start: try date(period_start, "period_start"), end: try date(period_end, "period_end")),
      shares: shares, status: status, coverFrom: try cover_from.map { try date($0, "cover_from") },
      previousCoverEnd: try previous_cover_end.map { try date($0, "previous_cover_end") },
      certificateNumber: certificate_number, enrolledOn: try date(enrolled_on, "enrolled_on"), billID: .init(bill_id),
      pricePerShare: price_per_share.map(Money.init(fen:)))
  }
}
