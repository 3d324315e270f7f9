import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing

/// The articles' figures, counted by the statistics store from the demo history and computed
/// by the report: nothing here reads a constant of the generator.
@Suite("Statistics contract")
struct StatisticsContractTests {
  static let kinds = TestDatabaseKind.available

  static let scans = ["certificate", "diagnosis", "invoice", "settlement_sheet", "pathology_report"].map {
    ClaimRequest.Document(
      kind: $0, fileName: "\($0).pdf", format: .pdf, size: 1_000, sha256: String(repeating: "e", count: 64))
  }

  func report(
    _ store: FluentStatisticsStore, under code: String, _ organisations: [Organisation], from: String, to: String,
    scheme: String, unitLimit: Int? = nil
  ) async throws -> StatisticsReport {
    let root = try #require(organisations.first { $0.code == code })
    let period = try #require(ReportPeriod(from: CalendarDate(from)!, to: CalendarDate(to)!))
    let facts = try await store.facts(
      StatisticsQuery(
        organisations: OrganisationTree.subtreeIDs(of: root.id, in: organisations), period: period, schemeCode: scheme,
        today: period.to, unitLimit: unitLimit))
    return StatisticsReport(
      facts, period: period, root: root.id, organisations: organisations)
  }

  @Test("the demo history shows the articles' figures", arguments: kinds)
  func seedFigures(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let administrator = try await DemoSeeder.seedWithHistoryIfEmpty(
        database: db.database, hasher: PlainTestHasher(), schemes: try DemoScheme.bundled, scans: Self.scans,
        calendar: .publishedChina)
      #expect(administrator != nil)
      // The counts of cover and of paid claims kept up while the history was written equal a
      // recount.
      struct Count: Decodable { let count: Int }
      let months = try await db.sql.raw("SELECT COUNT(*) AS count FROM stat_paid_months").first(decoding: Count.self)
      #expect((months?.count ?? 0) > 0)
      try await Self.expectAggregatesEqualARecount(db)
      try await Self.expectReplaysMatchTheRecords(
        db, scheme: "anyang",
        period: ReportPeriod(
          from: CalendarDate(year: 2019, month: 10, day: 16)!, to: CalendarDate(year: 2020, month: 12, day: 31)!)!,
        claims: 519)
      let organisations = try await FluentRegistryStore(database: db.database).organisations()
      let store = FluentStatisticsStore(database: db.database)

      // Anyang, from the scheme's start to the end of November 2020.
      let anyang = try await report(
        store, under: "HA-AY", organisations, from: "2019-10-16", to: "2020-11-30", scheme: "anyang")
      #expect(anyang.totals.participatingUnits == 650)
      #expect(anyang.totals.insuredPersons == 49_231)
      #expect(anyang.totals.collected == Money(yuan: 4_430_790))
      #expect(anyang.unionSubsidy == Money(yuan: 1_476_930))
      #expect(anyang.totals.paidClaims == 519)
      // The unit-wide statements on another event loop's connection, beside the rest, read the
      // same report (the statistics page's way).
      let alongside = FluentStatisticsStore(database: db.database, alongside: db.databases.others(than: db.database))
      for (code, from, to, scheme) in [
        ("HA-AY", "2019-10-16", "2020-11-30", "anyang"), ("HLJ-YC", "2021-12-10", "2022-12-09", "hlj-yichun"),
      ] {
        let root = try #require(organisations.first { $0.code == code })
        let query = StatisticsQuery(
          organisations: OrganisationTree.subtreeIDs(of: root.id, in: organisations),
          period: try #require(ReportPeriod(from: CalendarDate(from)!, to: CalendarDate(to)!)), schemeCode: scheme,
          today: CalendarDate(to)!, unitLimit: 100)
        #expect(try await alongside.facts(query) == store.facts(query), "\(code)")
      }
      let named: [(String, Int, String, Int, String)] = [
        ("河南安彩高科股份有限公司", 2_283, "2019-12-15", 48, "71691.16"),
        ("河南中烟工业有限责任公司安阳卷烟厂", 1_260, "2020-01-15", 46, "38414.84"),
        ("安阳公交集团", 1_461, "2020-01-15", 24, "18283.88"),
        ("安阳市道路绿化管理站", 199, "2019-11-15", 18, "7134.87"),
      ]
      for (name, insured, since, claims, paid) in named {
        let unit = try #require(anyang.units.first { $0.name == name })
        #expect(unit.insuredPersons == insured, "\(name)")
        #expect(unit.firstEnrolledOn == CalendarDate(since), "\(name)")
        #expect(unit.paidClaims == claims, "\(name)")
        #expect(unit.paidAmount == Money(yuan: paid)!, "\(name)")
      }
      // The units' own figures add up to the totals (every Anyang member belongs to a unit).
      #expect(anyang.units.reduce(Money.zero) { $0 + $1.collected } == anyang.totals.collected)
      #expect(anyang.units.reduce(0) { $0 + $1.paidClaims } == anyang.totals.paidClaims)
      #expect(anyang.byArea.reduce(0) { $0 + $1.figures.insuredPersons } == 49_231)
      #expect(anyang.benefits.reduce(Money.zero) { $0 + $1.amount } == anyang.totals.paidAmount)
      #expect(anyang.service.withinDeadline.isDefined)
      // A month later the count has moved on: December's payments are not in the article's 519.
      let december = try await report(
        store, under: "HA-AY", organisations, from: "2019-10-16", to: "2020-12-31", scheme: "anyang")
      #expect(december.totals.paidClaims > 519)
      #expect(december.rejections.reduce(0) { $0 + $1.count } > 0)

      // Whole months are read from the maintained rows and the days around them counted from
      // the claims: cut the period anywhere and the halves add up to the whole.
      let early = try await report(
        store, under: "HA-AY", organisations, from: "2019-10-16", to: "2020-06-17", scheme: "anyang")
      let late = try await report(
        store, under: "HA-AY", organisations, from: "2020-06-18", to: "2020-11-30", scheme: "anyang")
      #expect(early.totals.paidClaims > 0 && late.totals.paidClaims > 0)
      #expect(early.totals.paidClaims + late.totals.paidClaims == 519)
      #expect(early.totals.paidAmount + late.totals.paidAmount == anyang.totals.paidAmount)
      #expect(early.service.paidClaims + late.service.paidClaims == anyang.service.paidClaims)
      #expect(
        early.benefits.reduce(Money.zero) { $0 + $1.amount } + late.benefits.reduce(Money.zero) { $0 + $1.amount }
          == anyang.totals.paidAmount)
      #expect(max(early.largestClaim, late.largestClaim) == anyang.largestClaim)
      #expect(
        early.monthly.reduce(0) { $0 + $1.paidClaims } + late.monthly.reduce(0) { $0 + $1.paidClaims } == 519)
      let june = try #require(anyang.monthly.first { $0.month == "2020-06" })
      #expect(
        (early.monthly.first { $0.month == "2020-06" }?.paidClaims ?? 0)
          + (late.monthly.first { $0.month == "2020-06" }?.paidClaims ?? 0) == june.paidClaims)
      // Listing only the largest units changes the list, not one sum (60: with ties in size,
      // broken by name).
      for limit in [3, 60] {
        let largest = try await report(
          store, under: "HA-AY", organisations, from: "2019-10-16", to: "2020-11-30", scheme: "anyang",
          unitLimit: limit)
        #expect(largest.units.map(\.unitID) == Array(anyang.units.prefix(limit)).map(\.unitID))
        #expect(largest.totals == anyang.totals && largest.unitSums == anyang.unitSums)
        #expect(largest.unitSums.units == anyang.units.count)
      }

      // "Can we raise the 30% to 40%?" Every claim paid by the end of November 2020 again: the
      // first 1,000 yuan of each stay's self-paid part pays ten points more, within a fen of
      // rounding per claim, and the fund carries the difference.
      let stored = try #require(try await FluentSchemeStore(database: db.database).scheme(code: "anyang"))
      let changed = try Simulation.changing(
        ["anyang-hospital-topup.band.0.rate": "40%"], product: "anyang-hospital", version: "2019", of: stored.definition
      )
      let articlePeriod = try #require(
        ReportPeriod(
          from: CalendarDate(year: 2019, month: 10, day: 16)!, to: CalendarDate(year: 2020, month: 11, day: 30)!))
      let anyangNodes = OrganisationTree.subtreeIDs(
        of: try #require(organisations.first { $0.code == "HA-AY" }).id, in: organisations)
      let whatIf = try await Simulation.run(
        changed: changed, period: articlePeriod, organisations: anyangNodes, database: db.database,
        today: articlePeriod.to)
      // The paid claims, and the history's refusals by a rule: paid for under the current
      // rules, they were refused on other facts and stay refused.
      #expect(whatIf.refused > 0)
      #expect(whatIf.claims == 519 + whatIf.refused)
      #expect(whatIf.refusedNowPaying == 0)
      #expect(whatIf.refusalsStanding == whatIf.refused)
      #expect(whatIf.before == whatIf.actual)
      #expect(whatIf.before == anyang.totals.paidAmount)
      let cases = try await store.simulationCases(
        schemeCode: "anyang", period: articlePeriod, organisations: anyangNodes)
      let paidCases = cases.filter { $0.refusal == nil }
      #expect(paidCases.count == 519)
      let tenPoints = paidCases.reduce(Int64(0)) { sum, claim in
        let figures = claim.event.figures!
        let selfPaid = figures[.inScopeCost]! - figures[.pooledFundPaid]! - figures[.criticalIllnessInsurancePaid]!
        return sum + min(selfPaid.fen, 100_000) / 10
      }
      #expect(abs(whatIf.difference.fen - tenPoints) <= Int64(paidCases.count))
      #expect(whatIf.difference.fen > 0)
      #expect(whatIf.membersAffected == 519)
      #expect(whatIf.collected == Money(yuan: 4_430_790))
      #expect(whatIf.fundBalanceAfter == whatIf.fundBalance - whatIf.difference)
      #expect(whatIf.lossRatioBefore < whatIf.lossRatioAfter)
      // Read in parts of the period at once, one on each event loop's connection (two, three
      // and five parts; PostgreSQL reads in one), the same cases and the same answer.
      for parts in [2, 3, 5] {
        let others = (1..<parts).map { _ in db.databases.others(than: db.database) }.joined()
        let split = try await store.simulationCases(
          schemeCode: "anyang", period: articlePeriod, organisations: anyangNodes, alongside: Array(others))
        #expect(split.sorted { $0.claimNumber < $1.claimNumber } == cases.sorted { $0.claimNumber < $1.claimNumber })
        let splitWhatIf = try await Simulation.run(
          changed: changed, period: articlePeriod, organisations: anyangNodes, database: db.database,
          alongside: Array(others), today: articlePeriod.to)
        #expect(splitWhatIf == whatIf, "\(parts) parts")
      }
      // Kept cases serve only the nodes they were read for: Yichun's nodes, asked or as the
      // reader's scope, get none of Anyang's claims from them.
      let kept = KeptReplayCases()
      func keptWhatIf(_ nodes: Set<Organisation.ID>?, scope: AccessScope = .unrestricted) async throws -> WhatIf.Result
      {
        try await Simulation.run(
          changed: changed, period: articlePeriod, organisations: nodes, database: db.database, scope: scope,
          kept: kept, today: articlePeriod.to)
      }
      #expect(try await keptWhatIf(anyangNodes) == whatIf)
      let yichunNodes = OrganisationTree.subtreeIDs(
        of: try #require(organisations.first { $0.code == "HLJ-YC" }).id, in: organisations)
      #expect(try await keptWhatIf(yichunNodes).claims == 0)
      #expect(try await keptWhatIf(anyangNodes) == whatIf)
      #expect(try await keptWhatIf(nil, scope: .organisations(yichunNodes)).claims == 0)

      // Yichun, the first scheme year.
      let yichun = try await report(
        store, under: "HLJ-YC", organisations, from: "2021-12-10", to: "2022-12-09", scheme: "hlj-yichun")
      #expect(yichun.totals.headcount == 132_565)
      #expect(yichun.totals.insuredPersons == 23_000)
      #expect(yichun.totals.participation.percentText() == "17.35%")
      #expect(yichun.totals.participatingUnits == 236)
      #expect(yichun.totals.collected >= Money(yuan: 2_780_000) && yichun.totals.collected < Money(yuan: 2_790_000))
      #expect(yichun.personsPaid == 232)
      #expect(yichun.totals.paidAmount >= Money(yuan: 548_000) && yichun.totals.paidAmount < Money(yuan: 549_000))
      let forestry = try #require(yichun.byArea.first { $0.key == "HLJ-YC-SG" })
      #expect(forestry.figures.headcount == 24_000)
      #expect(forestry.figures.insuredPersons > 12_000)
      #expect(forestry.figures.participation.percentText(decimals: 1) == "51.7%")
      #expect(yichun.collectedByPayer.contains { $0.payer == .thirdParty })

      // The 760,000-yuan target, met by 2022-01-31, first in the province.
      let asOf = CalendarDate(year: 2022, month: 1, day: 31)!
      let targets = try await store.targets(on: asOf)
      let ranking = TargetRanking.rank(try await store.achievements(of: targets, asOf: asOf, schemeCode: "hlj-yichun"))
      let yichunNode = try #require(organisations.first { $0.code == "HLJ-YC" })
      let first = try #require(ranking.first)
      #expect(first.target.organisationID == yichunNode.id)
      #expect(first.target.target == 760_000_00)
      #expect(try #require(first.reachedOn) <= asOf)
      #expect(ranking.count == 5)

      // Persons paid from the maintained first payments, against a distinct count of the
      // claims; then again with members paid at a second node and in a second scheme.
      try await Self.expectPersonsPaidEqualADistinctCount(db, organisations)
      struct Claim: Decodable {
        let id: UUID
        let worker_id: UUID
        let organisation_id: UUID
        let scheme_code: String
      }
      let paid = try await db.sql.raw(
        "SELECT id, worker_id, organisation_id, scheme_code FROM claims WHERE state = 'paid' ORDER BY paid_on, id"
      ).all(decoding: Claim.self)
      // Another member's claim made this member's: four paid at a second node of the same
      // scheme, two in the other scheme.
      var moved: Set<UUID> = []
      for (index, claim) in paid.enumerated() where moved.count < 12 && !moved.contains(claim.id) {
        let acrossSchemes = moved.count >= 8
        guard
          let other = paid[(index + 1)...].first(where: {
            !moved.contains($0.id) && $0.worker_id != claim.worker_id
              && (acrossSchemes
                ? $0.scheme_code != claim.scheme_code
                : $0.scheme_code == claim.scheme_code
                  && $0.organisation_id != claim.organisation_id)
          })
        else { continue }
        try await db.sql.raw("UPDATE claims SET worker_id = \(bind: claim.worker_id) WHERE id = \(bind: other.id)")
          .run()
        moved.formUnion([claim.id, other.id])
      }
      #expect(moved.count == 12)
      try await StatisticsAggregates.rebuildAll(on: db.database)
      let spread = try await db.sql.raw("SELECT COUNT(*) AS count FROM stat_paid_spread").first(decoding: Count.self)
      #expect((spread?.count ?? 0) >= 12)
      try await Self.expectPersonsPaidEqualADistinctCount(db, organisations)
    }
  }

  /// Persons paid as the report counts them (from the maintained rows for periods from
  /// 1 January or from the start, from the claims otherwise) equal a distinct count of the
  /// claims, for every node's subtree and every node alone, each scheme and all of them.
  static func expectPersonsPaidEqualADistinctCount(_ db: MigratedDatabase, _ organisations: [Organisation])
    async throws
  {
    let store = FluentStatisticsStore(database: db.database)
    let periods = [
      ("2000-01-01", "2022-12-31"), ("2019-10-16", "2020-11-30"), ("2020-01-01", "2020-12-31"),
      ("2020-01-01", "2020-06-17"), ("2021-01-01", "2021-12-31"), ("2020-03-10", "2020-09-20"),
    ].map { ReportPeriod(from: CalendarDate($0.0)!, to: CalendarDate($0.1)!)! }
    var scopes: [Set<Organisation.ID>?] = [nil]
    for node in organisations {
      let subtree = OrganisationTree.subtreeIDs(of: node.id, in: organisations)
      scopes.append(subtree)
      if subtree.count > 1 { scopes.append([node.id]) }
    }
    struct Count: Decodable { let count: Int }
    var checked = 0
    var nonZero = 0
    for period in periods {
      for scheme in [nil, "anyang", "hlj-yichun"] {
        for scope in scopes {
          let within: SQLQueryString =
            scope.map { $0.isEmpty ? "1 = 0" : "c.organisation_id IN (\(binds: $0.map(\.rawValue)))" } ?? "1 = 1"
          let bySchemeCode: SQLQueryString = scheme.map { "c.scheme_code = \(bind: $0)" } ?? "1 = 1"
          let distinct =
            try await db.sql.raw(
              """
              SELECT COUNT(DISTINCT c.worker_id) AS count FROM claims c
              WHERE c.state = 'paid' AND c.paid_on >= \(bind: period.from.description)
                AND c.paid_on <= \(bind: period.to.description)
                AND \(bySchemeCode) AND \(within)
              """
            ).first(decoding: Count.self)?.count ?? 0
          let counted = try await store.personsPaid(
            StatisticsQuery(organisations: scope, period: period, schemeCode: scheme, today: period.to))
          #expect(counted == distinct, "\(period) \(scheme ?? "all") \(scope?.count ?? 0) nodes")
          checked += 1
          if distinct > 0 { nonZero += 1 }
        }
      }
    }
    #expect(checked > 100 && nonZero > 20)
  }

  /// The what-if's cases as the replay rows written at payment and at refusal hold them equal
  /// the cases made from the claim records (their intake JSON, day paid or refused), the
  /// workers and their enrollments (the cover in force chosen the builder's way), and there
  /// are `claims` of them (at least), with `refusals` refused by a rule among them.
  static func expectReplaysMatchTheRecords(
    _ db: MigratedDatabase, scheme: String, period: ReportPeriod, claims: Int, refusals: Int = 0
  ) async throws {
    func normalised(_ claim: SimulationCase) -> SimulationCase {
      SimulationCase(
        claimNumber: claim.claimNumber, memberID: claim.memberID, unitID: claim.unitID, member: claim.member,
        cover: ClaimCaseBuilder.withMembership(
          ClaimCaseBuilder.coverInForce(claim.cover, on: claim.event.eventDate ?? claim.event.claimDate),
          among: claim.cover
        ).sorted {
          ($0.period.start, $0.facts.product) < ($1.period.start, $1.facts.product)
        },
        event: claim.event, decidedOn: claim.decidedOn, paid: claim.paid, refusal: claim.refusal)
    }
    let replayed = try await FluentStatisticsStore(database: db.database).simulationCases(
      schemeCode: scheme, period: period, organisations: nil
    ).map(normalised).sorted { $0.claimNumber < $1.claimNumber }
    #expect(replayed.count >= claims)
    #expect(replayed.filter { $0.refusal != nil }.count >= refusals)
    struct Refused: Decodable {
      let id: UUID
      let rejected_on: String?
    }
    let refusedOn = Dictionary(
      uniqueKeysWithValues: try await db.sql.raw(
        "SELECT id, rejected_on FROM claims WHERE state = \(bind: ClaimState.rejected.rawValue)"
      ).all(decoding: Refused.self).map { ($0.id, $0.rejected_on.flatMap(CalendarDate.init)) })
    let registry = FluentRegistryStore(database: db.database)
    let claimStore = FluentClaimStore(database: db.database)
    let enrollments = FluentEnrollmentStore(database: db.database)
    var expected: [SimulationCase] = []
    for member in Set(replayed.map(\.memberID)) {
      let worker = try #require(try await registry.worker(member))
      let cover = try await enrollments.enrollments(worker: member).filter { $0.schemeCode == scheme }
      for record in try await claimStore.claims(worker: member) where record.schemeCode == scheme {
        let decided: (day: CalendarDate, refusal: RejectionReason?)
        switch record.progress.state {
        case .paid:
          guard let paidOn = record.paidOn else { continue }
          decided = (paidOn, nil)
        case .rejected:
          let reason = try await db.sql.raw(
            "SELECT rejection_reason AS reason FROM claims WHERE id = \(bind: record.id.rawValue)"
          ).first(decoding: Reason.self)?.reason.flatMap(RejectionReason.init)
          guard let reason, reason.isDecidedByRules, let day = refusedOn[record.id.rawValue] ?? nil else { continue }
          decided = (day, reason)
        default: continue
        }
        guard period.from <= decided.day, decided.day <= period.to else { continue }
        let made = SimulationCase(
          claimNumber: record.number, worker: worker, enrollments: cover, intake: record.intake,
          decidedOn: decided.day, paid: decided.refusal == nil ? record.approvedTotal ?? .zero : .zero,
          refusal: decided.refusal)
        // The unit is the claim's (where the member worked when they claimed), not today's.
        expected.append(
          normalised(
            SimulationCase(
              claimNumber: made.claimNumber, memberID: made.memberID, unitID: record.unitID, member: made.member,
              cover: made.cover, event: made.event, decidedOn: made.decidedOn, paid: made.paid,
              refusal: made.refusal)))
      }
    }
    expected.sort { $0.claimNumber < $1.claimNumber }
    #expect(replayed.count == expected.count)
    for (replay, record) in zip(replayed, expected) where replay != record {
      Issue.record("\(replay.claimNumber): the replay row \(replay) differs from the records \(record)")
    }
    // Rebuilt from the records (the migration's backfill), the rows read back the same.
    try await StatisticsAggregates.rebuildReplays(on: db.database)
    let rebuilt = try await FluentStatisticsStore(database: db.database).simulationCases(
      schemeCode: scheme, period: period, organisations: nil
    ).map(normalised).sorted { $0.claimNumber < $1.claimNumber }
    #expect(rebuilt == replayed)
  }

  struct Reason: Decodable {
    let reason: String?
  }

  /// The maintained rows, then the same after rebuilding every one from scratch.
  static func expectAggregatesEqualARecount(_ db: MigratedDatabase) async throws {
    func snapshot() async throws -> [String] {
      let cohorts = try await db.sql.raw(
        """
        SELECT unit_id, scheme_code, product_code, period_start, period_end, person_products, new_products,
          renewed_products, renewed_later FROM stat_cohorts
        """
      ).all().map { row in
        try [
          row.decode(column: "unit_id", as: UUID.self).uuidString, row.decode(column: "scheme_code", as: String.self),
          row.decode(column: "product_code", as: String.self), row.decode(column: "period_start", as: String.self),
          row.decode(column: "period_end", as: String.self),
          String(row.decode(column: "person_products", as: Int.self)),
          String(row.decode(column: "new_products", as: Int.self)),
          String(row.decode(column: "renewed_products", as: Int.self)),
          String(row.decode(column: "renewed_later", as: Int.self)),
        ].joined(separator: " ")
      }
      let persons = try await db.sql.raw(
        "SELECT unit_id, scheme_code, period_start, persons, female_persons FROM stat_cohort_persons"
      ).all().map { row in
        try [
          row.decode(column: "unit_id", as: UUID.self).uuidString, row.decode(column: "scheme_code", as: String.self),
          row.decode(column: "period_start", as: String.self), String(row.decode(column: "persons", as: Int.self)),
          String(row.decode(column: "female_persons", as: Int.self)),
        ].joined(separator: " ")
      }
      // The months of claims and money: every column as text (a node may be NULL).
      var claims: [String] = []
      for (table, columns) in [
        ("stat_paid_months", ["sector", "scheme_code", "month", "claims", "amount", "largest", "on_time"]),
        ("stat_service_months", ["scheme_code", "month", "working_days", "claims", "on_time"]),
        ("stat_benefit_months", ["scheme_code", "month", "product_code", "benefit_code", "claims", "amount"]),
        ("stat_due_months", ["sector", "scheme_code", "month", "payer_type", "amount"]),
        ("stat_collected_months", ["sector", "scheme_code", "month", "payer_type", "amount"]),
        ("stat_paid_person_months", ["scheme_code", "month", "year_firsts", "ever_firsts"]),
      ] {
        for row in try await db.sql.raw(
          "SELECT organisation_id, \(unsafeRaw: columns.joined(separator: ", ")) FROM \(unsafeRaw: table)"
        ).all() {
          var fields = [table, try row.decode(column: "organisation_id", as: UUID?.self)?.uuidString ?? "-"]
          for column in columns {
            if let text = try? row.decode(column: column, as: String.self) {
              fields.append(text)
            } else {
              fields.append(String(try row.decode(column: column, as: Int.self)))
            }
          }
          claims.append(fields.joined(separator: " "))
        }
      }
      let spread = try await db.sql.raw(
        "SELECT worker_id, span, scheme_code, organisation_id, first_paid_on FROM stat_paid_spread"
      ).all().map { row in
        try [
          "spread", row.decode(column: "worker_id", as: UUID.self).uuidString,
          row.decode(column: "span", as: String.self), row.decode(column: "scheme_code", as: String.self),
          row.decode(column: "organisation_id", as: UUID?.self)?.uuidString ?? "-",
          row.decode(column: "first_paid_on", as: String.self),
        ].joined(separator: " ")
      }
      // Each unit's latest headcount, kept on the unit.
      let headcounts = try await db.sql.raw(
        "SELECT id, headcount_as_of, headcount_total, headcount_female FROM units"
      ).all().map { row in
        try [
          "unit", row.decode(column: "id", as: UUID.self).uuidString,
          row.decode(column: "headcount_as_of", as: String?.self) ?? "-",
          String(try row.decode(column: "headcount_total", as: Int?.self) ?? -1),
          String(try row.decode(column: "headcount_female", as: Int?.self) ?? -1),
        ].joined(separator: " ")
      }
      return (cohorts + persons + claims + spread + headcounts).sorted()
    }
    let maintained = try await snapshot()
    #expect(!maintained.isEmpty)
    try await StatisticsAggregates.rebuildAll(on: db.database)
    #expect(try await snapshot() == maintained)
  }

  @Test("the counts of cover follow enrollment, payment and renewal through the store", arguments: kinds)
  func aggregatesFollowTheStore(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      _ = try await DemoSeeder.seedIfEmpty(
        database: db.database, hasher: PlainTestHasher(), schemes: try DemoScheme.bundled)
      let registry = FluentRegistryStore(database: db.database)
      let unit = try #require(
        try await registry.units(in: nil, page: PageQuery(per: 200)).items.first { $0.name == "安阳公交集团" })
      let scheme = try #require(try await FluentSchemeStore(database: db.database).scheme(code: "anyang")).compiled()
      let enrollments = FluentEnrollmentStore(database: db.database)
      let since = CalendarDate(year: 2020, month: 1, day: 15)!
      // Renewing the unit's three members into the next period, then paying for it.
      let renewal = try await enrollments.renew(
        unit: unit.id, productCode: "anyang-hospital", periodStart: since, split: nil,
        requestDate: CalendarDate(year: 2021, month: 1, day: 5)!, scheme: scheme)
      #expect(renewal.plan.enrollments.count == 3)
      let store = FluentStatisticsStore(database: db.database)
      let organisations = try await registry.organisations()
      let anyang = OrganisationTree.subtreeIDs(
        of: try #require(organisations.first { $0.code == "HA-AY" }).id, in: organisations)
      func lapsed() async throws -> Int {
        try await store.facts(
          StatisticsQuery(
            organisations: anyang, period: ReportPeriod.year(2021), schemeCode: "anyang",
            today: CalendarDate(year: 2021, month: 12, day: 31)!)
        ).units.first { $0.unitID == unit.id }?.lapsedPersonProducts ?? 0
      }
      // Unpaid, the renewal is not cover yet: the 2020 period ended in 2021 without it.
      #expect(try await lapsed() == 3)
      for part in renewal.plan.bill.due {
        _ = try await enrollments.record(
          PaymentRequest(
            payer: part.payer, amount: part.amount, paidOn: CalendarDate(year: 2021, month: 1, day: 10)!, reference: "R"
          ),
          on: renewal.plan.bill.id, recordedBy: "test", idempotencyKey: nil, scheme: scheme)
      }
      #expect(try await lapsed() == 0)
      let facts = try await store.facts(
        StatisticsQuery(
          organisations: anyang, period: ReportPeriod.year(2021), schemeCode: "anyang",
          today: CalendarDate(year: 2021, month: 12, day: 31)!))
      let row = try #require(facts.units.first { $0.unitID == unit.id })
      #expect(row.renewedPersonProducts == 3)
      #expect(row.newPersonProducts == 0)

      // A new headcount and an older one: each counts from its day, in the unit's row and in
      // its area's (the area's equals its units' in each year).
      try await registry.record(
        HeadcountReport(asOf: CalendarDate("2021-06-30")!, total: 2_000, female: 900), for: unit.id)
      try await registry.record(
        HeadcountReport(asOf: CalendarDate("2018-01-01")!, total: 1_500, female: 700), for: unit.id)
      for (year, expected) in [(2018, 1_500), (2021, 2_000)] {
        let facts = try await store.facts(
          StatisticsQuery(
            organisations: anyang, period: ReportPeriod.year(year), schemeCode: "anyang",
            today: CalendarDate(year: year, month: 12, day: 31)!))
        #expect(facts.units.first { $0.unitID == unit.id }?.headcount == expected)
        let area = facts.groups.filter { $0.organisationID == unit.organisationID }.reduce(0) {
          $0 + $1.figures.headcount
        }
        #expect(
          area == facts.units.filter { $0.organisationID == unit.organisationID }.reduce(0) { $0 + $1.headcount })
      }
      try await Self.expectAggregatesEqualARecount(db)
    }
  }

  @Test("targets are replaced, not duplicated, and an area sees only its own", arguments: kinds)
  func targets(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      _ = try await DemoSeeder.seedIfEmpty(
        database: db.database, hasher: PlainTestHasher(), schemes: try DemoScheme.bundled)
      let organisations = try await FluentRegistryStore(database: db.database).organisations()
      let harbin = try #require(organisations.first { $0.code == "HLJ" })
      let yichun = try #require(organisations.first { $0.code == "HLJ-YC" })
      let anyang = try #require(organisations.first { $0.code == "HA-AY" })
      let period = ReportPeriod.year(2022)
      let store = FluentStatisticsStore(database: db.database)
      try await store.save(
        AgencyTarget(organisationID: yichun.id, period: period, measure: .collected, target: 500_000_00), by: "test")
      try await store.save(
        AgencyTarget(organisationID: yichun.id, period: period, measure: .collected, target: 760_000_00), by: "test")
      try await store.save(
        AgencyTarget(organisationID: anyang.id, period: period, measure: .members, target: 50_000), by: "test")
      let day = CalendarDate(year: 2022, month: 6, day: 1)!
      let all = try await store.targets(on: day)
      #expect(all.count == 2)
      #expect(all.first { $0.organisationID == yichun.id }?.target == 760_000_00)
      let harbinOnly = FluentStatisticsStore(
        database: db.database, scope: .organisations(OrganisationTree.subtreeIDs(of: harbin.id, in: organisations)))
      #expect(try await harbinOnly.targets(on: day).map(\.organisationID) == [yichun.id])
      await #expect(throws: ValidationFailure.self) {
        try await harbinOnly.save(
          AgencyTarget(organisationID: anyang.id, period: period, measure: .members, target: 1), by: "test")
      }
      await #expect(throws: ValidationFailure.self) {
        try await store.save(
          AgencyTarget(organisationID: anyang.id, period: period, measure: .members, target: 0), by: "test")
      }
      // A unit-only scope counts nothing.
      let facts = try await FluentStatisticsStore(database: db.database, scope: .unit(.init()))
        .facts(StatisticsQuery(organisations: nil, period: period, schemeCode: nil, today: day))
      #expect(facts.units.isEmpty && facts.insuredPersons == 0)
    }
  }
}
