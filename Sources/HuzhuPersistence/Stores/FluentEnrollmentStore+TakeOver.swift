import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Taking over the old records (``TakeOver``): the facts gathered and the rows checked inside
/// the transaction that writes them, so that what was checked is what is written.
extension FluentEnrollmentStore {
  /// Checks the cover sheet and, when `commit` and every row is right, writes it: per unit,
  /// product and period one bill that owes nothing (the money is in the fund's opening
  /// balance), settled on the period's first day, and each member's cover active.
  ///
  /// `servedNodes`: the nodes the scheme serves (nil: every node).
  public func takeOverCover(
    _ cells: [[RosterCell]], scheme: CompiledScheme, servedNodes: Set<Organisation.ID>? = nil, today: CalendarDate,
    commit: Bool
  ) async throws -> RegistryImportPreview<CoverTakeOverRow> {
    try await mappingConstraintFailure(to: Self.raceLost) {
      try await database.writeTransaction { transaction in
        var facts = try await takeOverFacts(cells, scheme: scheme.code, on: transaction)
        facts.servedNodes = servedNodes
        let preview = TakeOver.cover(cells, scheme: scheme, facts: facts, today: today)
        guard commit, preview.canCommit else { return preview }
        try await Self.writeCover(preview.rows, scheme: scheme, today: today, on: transaction)
        return preview
      }
    }
  }

  /// Checks the paid-claims sheet and, when `commit` and every row is right, adds each claim
  /// to its member's cap ledger and keeps the row.
  public func takeOverPaidClaims(
    _ cells: [[RosterCell]], scheme: CompiledScheme, today: CalendarDate, takenOverBy: String, commit: Bool
  ) async throws -> RegistryImportPreview<PaidClaimTakeOverRow> {
    let taken = ValidationFailure([
      FieldError(
        field: "reference", code: "already_taken_over",
        message: LocalizedText(zh: "其中有给付刚刚已迁移，请刷新后重试", en: "some of these claims were just taken over; retry"))
    ])
    return try await mappingConstraintFailure(to: taken) {
      try await database.writeTransaction { transaction in
        let facts = try await takeOverFacts(cells, scheme: scheme.code, on: transaction)
        let preview = TakeOver.paidClaims(cells, scheme: scheme, facts: facts, today: today)
        guard commit, preview.canCommit else { return preview }
        try await Self.writePaidClaims(
          preview.rows, scheme: scheme.code, takenOverBy: takenOverBy, on: transaction)
        return preview
      }
    }
  }

  /// The units, people, cover, certificate numbers and old references a sheet names, in scope.
  func takeOverFacts(_ cells: [[RosterCell]], scheme: String, on database: any Database) async throws
    -> TakeOverFacts
  {
    let named = TakeOver.lookups(cells)
    let registry = FluentRegistryStore(database: database, scope: scope)
    let units = try await registry.registeredUnits(creditCodes: named.creditCodes.sorted()).compactMapValues {
      $0.inScope ? $0.unit : nil
    }
    let standings = try await registry.standings(of: named.idNumbers)
    let people = try await registry.workers(standings.values.map(\.worker))
    var byNumber: [String: Worker] = [:]
    for worker in people.values { byNumber[worker.idNumber.value.uppercased()] = worker }
    var cover: [Worker.ID: [Enrollment]] = [:]
    for chunk in people.keys.map(\.rawValue).chunks(of: Self.chunkSize) {
      for row in try await EnrollmentModel.query(on: database).filter(\.$workerID ~~ chunk)
        .filter(\.$schemeCode == scheme).all()
      {
        let enrollment = try row.domain()
        cover[enrollment.workerID, default: []].append(enrollment)
      }
    }
    var certificates: Set<String> = []
    var references: Set<String> = []
    for chunk in Array(named.certificates).chunks(of: Self.chunkSize) {
      certificates.formUnion(
        try await EnrollmentModel.query(on: database).filter(\.$certificateNumber ~~ chunk).all().map(
          \.certificateNumber))
    }
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    for chunk in Array(named.references).chunks(of: Self.chunkSize) {
      references.formUnion(
        try await sql.select().column("reference").from(M024_TakenOverClaims.table)
          .where("scheme_code", .equal, scheme).where("reference", .in, chunk)
          .all(decodingColumn: "reference", as: String.self))
    }
    return TakeOverFacts(
      units: units, people: byNumber, cover: cover, usedCertificates: certificates, usedReferences: references)
  }

  static func writeCover(
    _ rows: [CoverTakeOverRow], scheme: CompiledScheme, today: CalendarDate, on database: any Database
  ) async throws {
    struct Group: Hashable {
      let unit: WorkUnit.ID
      let product: String
      let start: CalendarDate
    }
    let groups = Dictionary(grouping: rows) { row in
      Group(unit: row.unit!.id, product: row.product, start: row.period!.start)
    }
    for (group, members) in groups.sorted(by: { ($0.key.start, $0.key.product) < ($1.key.start, $1.key.product) }) {
      let first = members[0]
      let period = first.period!
      let year = period.start.year
      let billSequence = try await Sequences.next(
        DocumentKind.bill.sequenceName(scheme: scheme.code, year: year), count: 1, on: database)
      let bill = Bill(
        number: DocumentNumbers.format(.bill, scheme: scheme.code, year: year, sequence: billSequence.lowerBound),
        schemeCode: scheme.code, productCode: group.product, versionLabel: first.versionLabel, unitID: group.unit,
        period: period, issuedOn: today, split: PayerSplitRule(), due: [], settledOn: period.start,
        memberCount: members.count)
      let version = scheme.product(group.product)?.versions.first { $0.label == first.versionLabel }
      try await BillModel(bill, pricePerShare: version?.contributionPerShare ?? .zero, rounding: scheme.rounding)
        .create(on: database)
      let unnumbered = members.filter { $0.certificateNumber == nil }.count
      var numbers: [String] = []
      if unnumbered > 0 {
        numbers = try await Sequences.next(
          DocumentKind.certificate.sequenceName(scheme: scheme.code, year: year), count: unnumbered, on: database
        ).map { DocumentNumbers.format(.certificate, scheme: scheme.code, year: year, sequence: $0) }
      }
      var next = numbers.makeIterator()
      let enrollments = members.map { row in
        Enrollment(
          schemeCode: scheme.code, productCode: row.product, versionLabel: row.versionLabel, workerID: row.workerID!,
          unitID: group.unit, period: period, shares: row.shares, status: .active, coverFrom: row.coverFrom,
          previousCoverEnd: row.previousCoverEnd, certificateNumber: row.certificateNumber ?? next.next()!,
          enrolledOn: row.coverFrom ?? period.start, billID: bill.id)
      }
      try await insert(enrollments, on: database)
      try await StatisticsAggregates.refresh(
        try await StatisticsAggregates.keys(ofBill: bill.id.rawValue, on: database), on: database)
    }
  }

  static func writePaidClaims(
    _ rows: [PaidClaimTakeOverRow], scheme: String, takenOverBy: String, on database: any Database
  ) async throws {
    let workers = Set(rows.compactMap(\.workerID))
    // Approvals of the same members wait for this transaction (and it for them).
    for worker in workers.sorted(by: { $0.rawValue.uuidString < $1.rawValue.uuidString }) {
      try await FluentClaimStore.lockMember(worker, on: database)
    }
    var existing: [TakeOver.HistoryKey: (row: BenefitLedgerModel, history: BenefitHistory)] = [:]
    for chunk in workers.map(\.rawValue).chunks(of: chunkSize) {
      for row in try await BenefitLedgerModel.query(on: database).filter(\.$workerID ~~ chunk).all() {
        guard let start = CalendarDate(row.periodStart) else { continue }
        let history = try JSON.value(
          BenefitHistory.self, row.history, table: BenefitLedgerModel.schema, column: "history")
        existing[
          TakeOver.HistoryKey(
            worker: .init(row.workerID), product: row.productCode, periodStart: start, benefit: row.benefitCode)] = (
            row, history
          )
      }
    }
    let histories = TakeOver.histories(rows, existing: existing.mapValues(\.history))
    for (key, history) in histories {
      if let row = existing[key]?.row {
        try row.record(history)
        try await row.update(on: database)
      } else {
        try await BenefitLedgerModel(
          worker: key.worker.rawValue, scheme: scheme, product: key.product,
          periodStart: key.periodStart.description, benefit: key.benefit, history: history
        ).create(on: database)
      }
    }
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    let now = Date()
    for start in stride(from: 0, to: rows.count, by: 500) {
      var insert = sql.insert(into: M024_TakenOverClaims.table).columns(
        "id", "worker_id", "scheme_code", "product_code", "period_start", "benefit_code", "amount", "paid_on", "stays",
        "allowance_days", "reference", "admission_date", "discharge_date", "settlement_sheet", "taken_over_by",
        "created_at")
      for row in rows[start..<min(start + 500, rows.count)] {
        insert = insert.values(
          SQLBind(UUID.timeOrdered()), SQLBind(row.workerID!.rawValue), SQLBind(scheme), SQLBind(row.product),
          SQLBind(row.periodStart!.description), SQLBind(row.benefit), SQLBind(row.amount.fen),
          SQLBind(row.paidOn!.description), SQLBind(row.stays), SQLBind(row.allowanceDays), SQLBind(row.reference),
          SQLBind(row.stay?.start.description), SQLBind(row.stay?.end.description), SQLBind(row.settlementSheet),
          SQLBind(takenOverBy), SQLBind(now))
      }
      try await insert.run()
    }
  }
}

extension FluentEnrollmentStore {
  /// Claims paid before Huzhu that new claims could repeat: those of `workers` with a stay, and
  /// anyone's with one of `sheets`; each with the worker it was paid to.
  static func takenOverClaims(workers: [UUID], sheets: [String], on database: any Database) async throws
    -> [(worker: UUID, claim: TakenOverClaim)]
  {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    guard !workers.isEmpty || !sheets.isEmpty else { return [] }
    struct Row: Decodable {
      let worker_id: UUID
      let reference: String
      let admission_date: String?
      let discharge_date: String?
      let settlement_sheet: String?
    }
    let query = sql.select().column("worker_id").column("reference").column("admission_date")
      .column("discharge_date").column("settlement_sheet").from(M024_TakenOverClaims.table)
      .where { group in
        var group = group
        if !workers.isEmpty {
          group = group.where { stays in
            stays.where(KeyLookup.oneOf(SQLIdentifier("worker_id"), workers, on: sql))
              .where("admission_date", .isNot, SQLLiteral.null)
          }
        }
        if !sheets.isEmpty {
          group = group.orWhere(KeyLookup.oneOf(SQLIdentifier("settlement_sheet"), sheets, on: sql))
        }
        return group
      }
    return try await query.all(decoding: Row.self).map { row in
      let stay = row.admission_date.flatMap(CalendarDate.init).map { start in
        CoveragePeriod(start: start, end: row.discharge_date.flatMap(CalendarDate.init) ?? start)
      }
      return (
        row.worker_id,
        TakenOverClaim(reference: row.reference, stay: stay, settlementSheet: row.settlement_sheet, isMember: false)
      )
    }
  }

  /// Those of `all` that bear on a claim of `worker` with `sheets`, marked the member's own
  /// where they were paid to the same person.
  static func takenOver(
    _ all: [(worker: UUID, claim: TakenOverClaim)], for worker: UUID, sheets: Set<String>
  ) -> [TakenOverClaim] {
    var seen: Set<String> = []
    return all.compactMap { entry in
      let own = entry.worker == worker
      guard own || entry.claim.settlementSheet.map(sheets.contains) == true,
        seen.insert(entry.claim.reference).inserted
      else { return nil }
      return TakenOverClaim(
        reference: entry.claim.reference, stay: entry.claim.stay, settlementSheet: entry.claim.settlementSheet,
        isMember: own)
    }
  }
}
