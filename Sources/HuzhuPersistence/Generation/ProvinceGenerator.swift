import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// How big a generated province is.
public struct ProvinceScale: Sendable, Equatable {
  public var members: Int
  public var units: Int
  public var claimsPerYear: Int

  public init(members: Int, units: Int, claimsPerYear: Int) {
    self.members = members
    self.units = units
    self.claimsPerYear = claimsPerYear
  }

  /// The issue's province: 2 million members in 20,000 units, 300,000 claims a year.
  public static let province = ProvinceScale(members: 2_000_000, units: 20_000, claimsPerYear: 300_000)
}

/// What was generated, and how long each part took.
public struct ProvinceSummary: Sendable {
  public var organisations = 0
  public var units = 0
  public var members = 0
  public var enrollments = 0
  public var claims = 0
  public var collected = Money.zero
  public var paid = Money.zero
  public var seconds: [(phase: String, seconds: Double)] = []

  public init() {}
}

/// A whole province of generated data for measuring the statistics at scale: a provincial
/// office with 13 city agencies of 10 counties each, the units and their members, two scheme
/// years (2020 and the 2021 renewal, 95% renewing) with every bill paid by unit, worker and
/// city union, and the claims of both years paid under the year's rules as the engine
/// calculates them. Its own scheme (`sim`, Anyang's rules on calendar years) keeps it apart
/// from the demo schemes.
///
/// Written in bulk, beside the stores, in one transaction: literal multi-row INSERTs on
/// SQLite and COPY on PostgreSQL (binding each value cost more than the database's work),
/// queued so that the database runs one batch while the next is made (``LiteralInserter``);
/// IDs in increasing order, so every key is appended (``OrderedIDs``); the secondary indexes
/// built once at the end; the statistics' maintained rows counted while writing
/// (``GeneratedAggregates``); on a SQLite file, a rollback journal for the load
/// (``withRollbackJournal(on:progress:_:)``). Claims are written as paid history (no
/// workflow steps, no cap ledger, no text messages): enough for the statistics and the
/// what-if, which read enrollments, payments, claims and their payouts.
public enum ProvinceGenerator {
  public static let schemeCode = "sim"
  public static let rootCode = "SIM"
  static let product = "sim-hospital"

  /// `template` is a scheme whose first product's two versions give the rules (Anyang's);
  /// `leaderPasswordHash` creates the `sim-leader` account (a leader at the provincial node).
  public static func generate(
    _ scale: ProvinceScale, template: SchemeDefinition, database: any Database, leaderPasswordHash: String?,
    calendar: WorkingDayCalendar, progress: @escaping @Sendable (String) -> Void = { _ in }
  ) async throws -> ProvinceSummary {
    let definition = Self.scheme(from: template)
    let scheme = try SchemeCompiler.compile(definition)
    return try await database.withConnection { connection in
      if let sql = connection as? any SQLDatabase, sql.dialect.name == "sqlite" {
        // Millions of rows in one transaction: a page cache of 2 MB (SQLite's default) turns
        // every insert into reads from disk, and a cache smaller than the indexes being filled
        // spills pages to the file again and again. A gigabyte for this
        // connection (a ceiling, not an allocation). Each multi-row INSERT also keeps a
        // statement journal, in temporary files unless told otherwise: a profile showed a
        // sixth of the load writing them. Set before the transaction: SQLite refuses to move
        // temporary storage inside one once the connection has used it (a migration's
        // statement journal, for one).
        try await sql.raw("PRAGMA cache_size = -1048576").run()
        try await sql.raw("PRAGMA temp_store = MEMORY").run()
      }
      return try await withRollbackJournal(on: connection, progress: progress) {
        try await connection.transaction { database in
          try await write(
            scale, definition: definition, scheme: scheme, on: database, leaderPasswordHash: leaderPasswordHash,
            calendar: calendar, progress: progress)
        }
      }
    }
  }

  /// Runs `body` on a SQLite file in rollback-journal mode, back in write-ahead-log mode
  /// afterwards. The write-ahead log writes every page twice, to the log and then to the file
  /// when it is checkpointed: for a province's 5 GB that was a minute of this machine's disk
  /// at the commit. A rollback journal keeps only the pages that existed before (a new
  /// file's few), and the new pages go to the file once; a failed load still rolls back.
  ///
  /// Leaving the log needs the only open connection to the file; when another is open, the
  /// journal stays as it is and the load goes through the log.
  static func withRollbackJournal<T>(
    on connection: any Database, progress: (String) -> Void, _ body: () async throws -> T
  ) async throws -> T {
    guard let sql = connection as? any SQLDatabase, sql.dialect.name == "sqlite" else { return try await body() }
    let before = try await sql.raw("PRAGMA journal_mode").first(decoding: JournalMode.self)?.journal_mode
    guard before == "wal",
      (try? await sql.raw("PRAGMA journal_mode = DELETE").first(decoding: JournalMode.self))?.journal_mode == "delete"
    else { return try await body() }
    progress("journal: rollback for the load, write-ahead log after")
    // Back to the log whether the load committed or not. Should another connection be in
    // the way, the file stays in rollback mode until the next start-up sets WAL again
    // (`HuzhuDatabase.prepare`): slower for concurrent readers, never wrong.
    do {
      let result = try await body()
      try? await sql.raw("PRAGMA journal_mode = WAL").run()
      return result
    } catch {
      try? await sql.raw("PRAGMA journal_mode = WAL").run()
      throw error
    }
  }

  static func write(
    _ scale: ProvinceScale, definition: SchemeDefinition, scheme: CompiledScheme, on database: any Database,
    leaderPasswordHash: String?, calendar: WorkingDayCalendar, progress: @escaping @Sendable (String) -> Void
  ) async throws -> ProvinceSummary {
    var summary = ProvinceSummary()
    let inserter = LiteralInserter(database: database)
    var clock = ContinuousClock.now
    /// Ends a phase once the database has run its last statement.
    func lap(_ phase: String) async throws {
      try await inserter.finish()
      let elapsed = ContinuousClock.now - clock
      summary.seconds.append(
        (phase, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
      progress("\(phase): \(String(format: "%.1f", summary.seconds.last!.seconds)) s")
      clock = ContinuousClock.now
    }
    var random = SplitMix64(seed: 2_000_000)
    // The IDs of the millions of rows, in increasing order (see OrderedIDs); drawn apart from
    // `random`, so the data set stays the same from one generation to the next.
    var ids = OrderedIDs()
    var aggregates = GeneratedAggregates(schemeCode: schemeCode, productCode: product)
    let years = [2020, 2021]
    let versions = try years.map { year in
      guard
        let version = scheme.product(product)?.version(
          forCoverageStartingOn: CalendarDate(year: year, month: 1, day: 1)!)
      else {
        throw ValidationFailure([
          FieldError(
            field: "template", code: "no_version",
            message: LocalizedText(zh: "模板方案缺少版本", en: "the template lacks a version"))
        ])
      }
      return version
    }
    do {
      // Nothing below reads these tables until the aggregates: their indexes are built once,
      // at the end.
      let tables = [
        "units", "workers", "employments", "enrollments", "bills", "bill_parts", "payments", "fund_entries", "claims",
        "claim_payouts", ClaimReplays.table,
      ]
      for model in [BillModel.self, BillPartModel.self, PaymentModel.self, FundEntryModel.self] as [any LiteralRow.Type]
      {
        try model.checkLiteralColumns()
      }
      let deferred = try await inserter.dropSecondaryIndexes(of: tables)
      // The tree.
      let registry = FluentRegistryStore(database: database)
      let root = Organisation(
        parentID: nil, kind: .provincialOffice, code: rootCode, name: "模拟省职工互助保障办事处（生成数据）",
        nameEn: "Generated province")
      try await registry.create(root)
      var counties: [Organisation] = []
      var cities: [Organisation] = []
      for city in 1...13 {
        let code = String(format: "%02d", city)
        let agency = Organisation(
          parentID: root.id, kind: .cityAgency, code: "\(rootCode)-\(code)", name: "模拟省第\(city)市代办处",
          nameEn: "City \(city) agency")
        try await registry.create(agency)
        cities.append(agency)
        for county in 1...10 {
          let node = Organisation(
            parentID: agency.id, kind: .countyUnion, code: "\(rootCode)-\(code)-\(String(format: "%02d", county))",
            name: "第\(city)市第\(county)县总工会", nameEn: "City \(city), county \(county)")
          try await registry.create(node)
          counties.append(node)
        }
      }
      summary.organisations = 1 + cities.count + counties.count
      _ = try await FluentSchemeStore(database: database).save(
        definition, source: "# generated from the Anyang scheme for the province benchmark\n", organisationID: root.id,
        savedBy: "generator")
      if let leaderPasswordHash {
        try await FluentAccountStore(database: database).create(
          UserAccount(
            username: "sim-leader", displayName: "模拟省 领导", organisationID: root.id, roles: [.leader],
            passwordHash: leaderPasswordHash))
      }

      // Units with their headcounts, and their members with employments.
      let sizes = random.sizes(
        total: scale.members, count: scale.units, minimum: min(20, scale.members / max(scale.units, 1)), spread: 12)
      var units: [(id: UUID, organisation: UUID, sector: Sector, members: Range<Int>)] = []
      var memberIDs: [UUID] = []
      var memberFacts: [(birth: CalendarDate, gender: Gender, unit: Int32)] = []
      memberIDs.reserveCapacity(scale.members)
      memberFacts.reserveCapacity(scale.members)
      let now = Date()
      let hired = CalendarDate(year: 2019, month: 12, day: 1)!
      var unitRows: [[LiteralInserter.Value]] = []
      var headcountRows: [[LiteralInserter.Value]] = []
      for (index, size) in sizes.enumerated() {
        let id = ids.next()
        let county = counties[index % counties.count]
        let serial = String(200_000 + index)
        let code = CreditCode.compose("91120100" + String(repeating: "0", count: 9 - serial.count) + serial).value
        let sector: Sector = [.stateEnterprise, .privateEnterprise, .publicInstitution, .government][index % 4]
        unitRows.append([
          .uuid(id), .uuid(county.id.rawValue),
          .text("\(county.name.replacingOccurrences(of: "总工会", with: ""))第\(index / counties.count + 1)单位"),
          .text(code), .text(sector.rawValue), .timestamp(now),
        ])
        let headcount = size + size * (10 + random.int(0..<60)) / 100
        headcountRows.append([
          .uuid(ids.next()), .uuid(id), .text(hired.description), .int(Int64(headcount)),
          .int(Int64(headcount * 2 / 5)),
        ])
        units.append((id, county.id.rawValue, sector, memberIDs.count..<(memberIDs.count + size)))
        for _ in 0..<size {
          memberIDs.append(ids.next())
          let ordinal = memberFacts.count
          memberFacts.append(
            (
              CalendarDate(year: 1970, month: 1, day: 1)!.adding(days: ordinal % 10_950),
              ordinal % 2 == 0 ? .female : .male, Int32(index)
            ))
        }
      }
      try await inserter.insert(
        into: "units", columns: ["id", "organisation_id", "name", "credit_code", "sector", "created_at"], rows: unitRows
      )
      try await inserter.insert(
        into: "unit_headcounts", columns: ["id", "unit_id", "as_of", "total", "female"], rows: headcountRows)
      summary.units = units.count
      try await lap("units")

      let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
      let given = Array("秀英建国丽伟静军敏磊芳强洋艳勇娟杰涛明超霞平")
      for start in stride(from: 0, to: memberIDs.count, by: 50_000) {
        var people: [[LiteralInserter.Value]] = []
        var employments: [[LiteralInserter.Value]] = []
        for ordinal in start..<min(start + 50_000, memberIDs.count) {
          let facts = memberFacts[ordinal]
          // Distinct by construction: a region per 3 million, the birth day and the sequence
          // from the ordinal.
          let number = ResidentIDNumber.compose(
            region: "1201" + Self.digits(ordinal / 3_000_000 + 1, 2), birthDate: facts.birth,
            sequence: (ordinal / 10_950) % 500, gender: facts.gender)
          let name =
            String(surnames[ordinal % surnames.count]) + String(given[(ordinal / 7) % given.count])
            + String(given[(ordinal / 131) % given.count])
          people.append([
            .uuid(memberIDs[ordinal]), .text(number.value), .text(name), .text(facts.gender.rawValue),
            .text(facts.birth.description), .text("139" + Self.digits(ordinal, 8)),
            .text(InsuranceType.urbanEmployee.rawValue), .text(""), .text("中国工商银行"),
            .text("62220288" + Self.digits(ordinal, 11)), .timestamp(now),
          ])
          employments.append([
            .uuid(ids.next()), .uuid(memberIDs[ordinal]), .uuid(units[Int(facts.unit)].id), .text(hired.description),
            .null,
          ])
        }
        try await inserter.insert(
          into: "workers",
          columns: [
            "id", "id_number", "name", "gender", "birth_date", "phone", "insurance_type", "categories", "bank_name",
            "bank_account", "created_at",
          ], rows: people)
        try await inserter.insert(
          into: "employments", columns: ["id", "worker_id", "unit_id", "start_date", "end_date"], rows: employments)
      }
      summary.members = memberIDs.count
      try await lap("members")

      // Two scheme years: everyone in 2020, 95% renewing for 2021; each unit's bill paid in
      // full on the first day by unit, worker and city union.
      let split = PayerSplitRule(
        employer: .percent(Rate(percent: 50)),
        unionSubsidies: [.init(payer: .unionCity, perPerson: Money(fen: 3000), onTop: true)])
      var renewed = [Bool](repeating: false, count: memberIDs.count)
      for index in renewed.indices { renewed[index] = random.int(0..<100) < 95 }
      var bills: [BillModel] = []
      var parts: [BillPartModel] = []
      var payments: [PaymentModel] = []
      var entries: [FundEntryModel] = []
      for (yearIndex, year) in years.enumerated() {
        let start = CalendarDate(year: year, month: 1, day: 1)!
        let period = CoveragePeriod(start: start, months: 12)
        let version = versions[yearIndex]
        let price = version.contributionPerShare!
        let counts = units.map { unit in unit.members.filter { yearIndex == 0 || renewed[$0] }.count }
        try await inserter.finish()
        let billNumbers = try await Sequences.next(
          DocumentKind.bill.sequenceName(scheme: schemeCode, year: year), count: units.count, on: database)
        let receipts = try await Sequences.next(
          DocumentKind.receipt.sequenceName(scheme: schemeCode, year: year), count: units.count * 3, on: database)
        let certificates = try await Sequences.next(
          DocumentKind.certificate.sequenceName(scheme: schemeCode, year: year), count: counts.reduce(0, +),
          on: database)
        var certificate = certificates.lowerBound
        var yearBills: [(unit: Int, bill: Bill)] = []
        for (index, unit) in units.enumerated() where counts[index] > 0 {
          let count = Int64(counts[index])
          let employer = (price * count).multiplied(by: Rate(percent: 50), rounding: scheme.rounding)
          let due = [
            PayerAmount(payer: .employer, amount: employer),
            PayerAmount(payer: .worker, amount: price * count - employer),
            PayerAmount(payer: .unionCity, amount: Money(fen: 3000) * count),
          ]
          let bill = Bill(
            number: DocumentNumbers.format(
              .bill, scheme: schemeCode, year: year, sequence: billNumbers.lowerBound + index),
            schemeCode: schemeCode, productCode: product, versionLabel: version.label, unitID: .init(unit.id),
            period: period, issuedOn: start, split: split, due: due, paid: due, settledOn: start,
            memberCount: Int(count))
          yearBills.append((index, bill))
          bills.append(try BillModel(bill, pricePerShare: price, rounding: scheme.rounding))
          for (offset, part) in due.enumerated() {
            parts.append(BillPartModel(billID: bill.id.rawValue, part))
            let request = PaymentRequest(
              payer: part.payer, amount: part.amount, paidOn: start,
              reference: "GEN-\(bill.number)-\(part.payer.rawValue)")
            let payment = Payment(
              billID: bill.id,
              receiptNumber: DocumentNumbers.format(
                .receipt, scheme: schemeCode, year: year, sequence: receipts.lowerBound + index * 3 + offset),
              payer: part.payer, payerName: nil, amount: part.amount, paidOn: start, reference: request.reference,
              recordedBy: "generator")
            payments.append(
              PaymentModel(
                payment, idempotencyKey: nil, fingerprint: FluentEnrollmentStore.fingerprint(request, bill: bill.id)))
            entries.append(FundEntryModel(FundEntry.posting(payment, of: bill)))
            summary.collected += part.amount
          }
        }
        // The bills first: enrollments refer to them.
        try await inserter.insert(bills, now: now)
        try await inserter.insert(parts, now: now)
        bills.removeAll()
        parts.removeAll()
        // Columns that repeat one value, written once.
        func written(_ value: LiteralInserter.Value) -> LiteralInserter.Value { .written(inserter.literal(value)) }
        let constants = [written(.text(schemeCode)), written(.text(product)), written(.text(version.label))]
        let (periodStart, periodEnd) = (
          written(.text(period.start.description)), written(.text(period.end.description))
        )
        let (one, active, created) = (written(.int(1)), written(.text("active")), written(.timestamp(now)))
        let previous = yearIndex == 0 ? LiteralInserter.Value.null : written(.text("2020-12-31"))
        let enrolledOn = written(.text(start.adding(days: -20).description))
        var rows: [[LiteralInserter.Value]] = []
        for (index, bill) in yearBills {
          let unit = units[index]
          let unitLiteral = LiteralInserter.Value.written(inserter.literal(.uuid(unit.id)))
          let billLiteral = LiteralInserter.Value.written(inserter.literal(.uuid(bill.id.rawValue)))
          var (female, renewedLater) = (0, 0)
          for member in unit.members where yearIndex == 0 || renewed[member] {
            if memberFacts[member].gender == .female { female += 1 }
            if yearIndex == 0 && renewed[member] { renewedLater += 1 }
            rows.append(
              [.uuid(ids.next())] + constants + [
                .uuid(memberIDs[member]), unitLiteral, periodStart, periodEnd, one, active, periodStart, previous,
                .text(DocumentNumbers.format(.certificate, scheme: schemeCode, year: year, sequence: certificate)),
                enrolledOn, billLiteral, created,
              ])
            certificate += 1
          }
          aggregates.cover(
            unit: unit.id, organisation: unit.organisation, period: period, persons: counts[index], female: female,
            renewing: yearIndex == 0 ? 0 : counts[index], renewedLater: renewedLater)
          if rows.count >= 50_000 {
            try await insertEnrollments(rows, inserter)
            summary.enrollments += rows.count
            rows.removeAll(keepingCapacity: true)
          }
        }
        try await insertEnrollments(rows, inserter)
        summary.enrollments += rows.count
      }
      try await inserter.insert(payments, now: now)
      try await inserter.insert(entries, now: now)
      try await lap("enrollments and payments")

      // Claims: a year's worth each year, at random members, paid under that year's rules.
      for (yearIndex, year) in years.enumerated() {
        try await inserter.finish()
        let numbers = try await Sequences.next(
          DocumentKind.claim.sequenceName(scheme: schemeCode, year: year), count: scale.claimsPerYear, on: database)
        let cover = [
          CoverFacts(
            product: product, start: CalendarDate(year: year, month: 1, day: 1)!,
            end: CalendarDate(year: year, month: 12, day: 31)!)
        ]
        let progress = ClaimProgress(state: .paid, requiredLevels: [.cityFederation])
        let progressText = String(decoding: try JSONEncoder.sorted.encode(progress), as: UTF8.self)
        let encoder = JSONEncoder.sorted
        let benefit = "anyang-hospital-topup"
        var claims: [[LiteralInserter.Value]] = []
        var payouts: [[LiteralInserter.Value]] = []
        var postings: [[LiteralInserter.Value]] = []
        var replays: [[LiteralInserter.Value]] = []
        // The cover each claim of the year is judged under, as the enrollments above hold it.
        let heldCover = [
          HeldCover(
            period: CoveragePeriod(start: cover[0].start, end: cover[0].end),
            facts: CoverFacts(
              product: product, start: cover[0].start, end: cover[0].end, shares: 1,
              previousCoverEnd: yearIndex == 0 ? nil : CalendarDate(year: year - 1, month: 12, day: 31)))
        ]
        for index in 0..<scale.claimsPerYear {
          var member = random.int(0..<memberIDs.count)
          if yearIndex == 1 && !renewed[member] { member = (member + 1) % memberIDs.count }
          if yearIndex == 1 && !renewed[member] { continue }
          let facts = memberFacts[member]
          let unit = units[Int(facts.unit)]
          let admission = CalendarDate(year: year, month: 1, day: 5)!.adding(days: random.int(0..<320))
          let discharge = admission.adding(days: 2 + random.int(0..<14))
          let filed = discharge.adding(days: 3 + random.int(0..<10))
          let due = (try? calendar.adding(workingDays: 10, to: filed)) ?? filed.adding(days: 14)
          let paid = filed.adding(days: 2 + random.int(0..<12))
          let selfPaid = Money(
            fen: Int64(20_000 + random.int(0..<60) * random.int(0..<60) * 400 + random.int(0..<9_999)))
          let pooled = Money(fen: selfPaid.fen * 2)
          let event = ClaimEvent(
            admissionDate: admission, dischargeDate: discharge, claimDate: filed,
            hospitalDays: admission.days(until: discharge),
            figures: SettlementFigures([
              .inScopeCost: selfPaid + pooled, .pooledFundPaid: pooled, .criticalIllnessInsurancePaid: .zero,
            ]))
          let total = try Adjudicator.adjudicate(
            ClaimCase(
              member: MemberFacts(
                birthDate: facts.birth, gender: facts.gender, insuranceType: .urbanEmployee, cover: cover),
              event: event), under: scheme
          ).total
          let intake = ClaimIntake(
            hospital: "模拟省人民医院", event: event, invoiceNumbers: ["GEN-\(year)-\(index)"],
            settlementSheetNumber: "GEN-JS-\(year)-\(index)")
          let id = ids.next()
          let workingDays = try? calendar.workingDays(after: filed, through: paid)
          let number = DocumentNumbers.format(
            .claim, scheme: schemeCode, year: year, sequence: numbers.lowerBound + index)
          claims.append([
            .uuid(id), .text(number), .uuid(memberIDs[member]), .text(schemeCode), .text(ClaimChannel.window.rawValue),
            .text(String(decoding: try encoder.encode(intake), as: UTF8.self)), .text(ClaimState.paid.rawValue),
            .text(progressText), .null, .int(total.fen), .null, .int(total.fen), .text("[]"), .text(filed.description),
            .text(due.description), .null, .bool(false), .text("generator"), .text(filed.description),
            .text(paid.description), .null, .int(0), .timestamp(now), .uuid(unit.organisation), .uuid(unit.id), .null,
            workingDays.map { .int(Int64($0)) } ?? .null, .text(admission.description), .text(discharge.description),
          ])
          aggregates.paidClaim(
            member: member, organisation: unit.organisation, sector: unit.sector.rawValue, approved: total,
            paidOn: paid, dueOn: due, workingDays: workingDays, payout: total.fen > 0 ? (benefit, total) : nil)
          replays.append(
            try ClaimReplays.values(
              SimulationCase(
                claimNumber: number, memberID: .init(memberIDs[member]), unitID: .init(unit.id),
                member: MemberFacts(
                  birthDate: facts.birth, gender: facts.gender, insuranceType: .urbanEmployee,
                  categories: MemberCategories(), cover: []),
                cover: heldCover, event: event, decidedOn: paid, paid: total),
              id: id, schemeCode: schemeCode, organisationID: unit.organisation))
          if total.fen > 0 {
            payouts.append([
              .uuid(ids.next()), .uuid(id), .uuid(memberIDs[member]), .uuid(unit.id), .uuid(unit.organisation),
              .text(schemeCode), .text(product), .text(benefit), .int(total.fen),
              .text(paid.description),
            ])
            postings.append([
              .uuid(ids.next()), .text(schemeCode), .text(product), .text(versions[yearIndex].label),
              .text(paid.description),
              .text(FundEntryKind.claimPayment.rawValue), .null, .int(-total.fen), .text("\(id):\(product)"),
              .text(number), .timestamp(now),
            ])
          }
          summary.claims += 1
          summary.paid += total
          if claims.count >= 20_000 {
            try await insertClaims(claims, payouts, postings, replays, inserter)
            claims.removeAll(keepingCapacity: true)
            payouts.removeAll(keepingCapacity: true)
            postings.removeAll(keepingCapacity: true)
            replays.removeAll(keepingCapacity: true)
          }
        }
        try await insertClaims(claims, payouts, postings, replays, inserter)
      }
      try await lap("claims")
      try await inserter.recreate(deferred)
      try await lap("indexes")
      try await aggregates.write(with: inserter)
      try await inserter.finish()
      try await ClaimReplays.changed(scheme: schemeCode, on: database)
      try await StatisticsAggregates.rebuild(
        [StatisticsAggregates.dueMonths, StatisticsAggregates.collectedMonths], on: database)
      try await StatisticsAggregates.rebuildLatestHeadcounts(on: database)
      try await lap("statistics aggregates")
      // Statistics for the query planners, as after any bulk load: without them SQLite reads
      // a listed unit's claims through the year's index rather than the unit's. Only the
      // tables written here, by unqualified name: on PostgreSQL a bare ANALYZE would also
      // take the statistics of other schemas' tables in the middle of their own writes.
      for table in tables + ["stat_cohorts", "stat_cohort_persons", "stat_paid_person_months", "stat_paid_spread"]
        + StatisticsAggregates.monthTables.map(\.name)
      {
        try await inserter.sql.raw("ANALYZE \(ident: table)").run()
      }
      try await lap("analyze")

      // Each city agency's target for 2021: somewhere around what it collected.
      let statistics = FluentStatisticsStore(database: database)
      for city in cities {
        try await statistics.save(
          AgencyTarget(
            organisationID: city.id, period: ReportPeriod.year(2021), measure: .collected,
            target: Int64(scale.members / 13) * (9_000 + Int64(random.int(0..<4_000)))), by: "generator")
      }
    } catch {
      // Not a rollback under a statement still running.
      try? await inserter.finish()
      throw error
    }
    return summary
  }

  static func insertEnrollments(_ rows: [[LiteralInserter.Value]], _ inserter: LiteralInserter) async throws {
    try await inserter.insert(
      into: "enrollments",
      columns: [
        "id", "scheme_code", "product_code", "version_label", "worker_id", "unit_id", "period_start", "period_end",
        "shares", "status", "cover_from", "previous_cover_end", "certificate_number", "enrolled_on", "bill_id",
        "created_at",
      ], rows: rows)
  }

  static func insertClaims(
    _ claims: [[LiteralInserter.Value]], _ payouts: [[LiteralInserter.Value]], _ postings: [[LiteralInserter.Value]],
    _ replays: [[LiteralInserter.Value]], _ inserter: LiteralInserter
  ) async throws {
    try await inserter.insert(
      into: "claims",
      columns: [
        "id", "number", "worker_id", "scheme_code", "channel", "intake", "state", "progress", "explanation",
        "calculated_total", "adjustment", "approved_total", "duplicates", "documents_complete_on", "due_on",
        "deadline_problem", "expedited", "created_by", "created_on", "paid_on", "batch_id", "lock_version",
        "created_at",
        "organisation_id", "unit_id", "rejection_reason", "paid_working_days", "stay_from", "stay_to",
      ], rows: claims)
    try await inserter.insert(
      into: "claim_payouts",
      columns: [
        "id", "claim_id", "worker_id", "unit_id", "organisation_id", "scheme_code", "product_code", "benefit_code",
        "amount", "paid_on",
      ], rows: payouts)
    try await inserter.insert(
      into: "fund_entries",
      columns: [
        "id", "scheme_code", "product_code", "version_label", "posted_on", "kind", "payer_type", "amount", "source_id",
        "memo", "created_at",
      ], rows: postings)
    try await inserter.insert(into: ClaimReplays.table, columns: ClaimReplays.columns, rows: replays)
  }

  /// `value` with leading zeros to `width` digits (String(format:) is slow on Linux, and this
  /// runs millions of times).
  static func digits(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
  }

  struct JournalMode: Decodable {
    let journal_mode: String
  }

  /// Anyang's rules as the generated province's scheme, on calendar years.
  static func scheme(from template: SchemeDefinition) -> SchemeDefinition {
    var definition = template
    definition.scheme.code = schemeCode
    definition.scheme.name = "模拟省职工互助保障（生成数据）"
    definition.scheme.nameEn = "Generated province's mutual aid"
    definition.products = [definition.products[0]]
    definition.products[0].code = product
    definition.products[0].name = "职工住院互助保障（生成）"
    definition.products[0].versions[0].coverageStarting.from = CalendarDate(year: 2020, month: 1, day: 1)!
    definition.products[0].versions[0].coverageStarting.to = CalendarDate(year: 2020, month: 12, day: 31)!
    definition.products[0].versions[1].coverageStarting.from = CalendarDate(year: 2021, month: 1, day: 1)!
    definition.products[0].versions[1].coverageStarting.to = nil
    return definition
  }
}
