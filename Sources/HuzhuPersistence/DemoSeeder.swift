import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// The administrator created with the demo data; the password exists in clear only here,
/// to be printed once to the console.
public struct DemoAdministrator: Sendable {
  public let username: String
  /// Every demo account's password.
  public let password: String
  public let accounts: [DemoAccount]
}

/// A scheme to load with the demo data: its text and its parsed definition.
public struct DemoScheme: Sendable {
  public let source: String
  public let definition: SchemeDefinition

  public init(source: String, definition: SchemeDefinition) {
    self.source = source
    self.definition = definition
  }
}

public enum DemoSeeder {
  /// Writes `data` (by default ``DemoData/standard()``), the given schemes, the demo enrollments with their
  /// payments, and an administrator account, all in one transaction, when the registry is
  /// empty. Returns nil (and writes nothing) when it is not.
  public static func seedIfEmpty(
    database: any Database, hasher: any PasswordHasher, schemes: [DemoScheme], password: String? = nil,
    data: DemoData = .standard()
  ) async throws -> DemoAdministrator? {
    try await database.writeTransaction { transaction -> DemoAdministrator? in
      let registry = FluentRegistryStore(database: transaction)
      guard try await registry.counts().organisations == 0 else { return nil }
      for organisation in data.organisations {
        try await registry.create(organisation)
      }
      for unit in data.units {
        try await registry.create(unit)
      }
      for (worker, since) in data.workers {
        try await registry.create(worker, employedSince: since)
      }
      let home = data.organisations.first { $0.code == data.administratorOrganisationCode }!
      var compiled: [String: CompiledScheme] = [:]
      let schemeStore = FluentSchemeStore(database: transaction)
      for scheme in schemes {
        let ownerCode = data.schemeOwners[scheme.definition.scheme.code] ?? data.administratorOrganisationCode
        let owner = data.organisations.first { $0.code == ownerCode } ?? home
        let saved = try await schemeStore.save(
          scheme.definition, source: scheme.source, organisationID: owner.id, savedBy: "demo")
        compiled[saved.code] = try saved.compiled()
        // Anyang's one-stop claims: the city bureau's export (docs/samples/settlements-bureau-a.csv).
        if saved.code == "anyang" {
          try await FluentSettlementStore(database: transaction).create(
            SettlementSource(
              code: "anyang-bureau", name: "安阳市医疗保障局", organisationID: owner.id, schemeCode: saved.code),
            by: "demo")
        }
      }
      let unionWork = FluentUnionWorkStore(database: transaction)
      for pairing in data.pairings { try await unionWork.create(pairing) }
      for visit in data.outreach { try await unionWork.record(visit, today: visit.visitedOn) }
      let enrollments = FluentEnrollmentStore(database: transaction)
      for (order, paidOn) in data.enrollments {
        guard let scheme = compiled[order.schemeCode] else { continue }
        let plan = try await enrollments.enroll(order, scheme: scheme)
        for part in plan.bill.due {
          _ = try await enrollments.record(
            PaymentRequest(
              payer: part.payer, payerName: part.payerName, amount: part.amount, paidOn: paidOn,
              reference: "DEMO-\(plan.bill.number)-\(part.payer.rawValue)"),
            on: plan.bill.id, recordedBy: "demo", idempotencyKey: nil, scheme: scheme)
        }
      }
      // One bcrypt hash for the shared demo password: hashing it per account would add seconds
      // to the first start for nothing.
      let password = password ?? PasswordPolicy.generate()
      let hash = try hasher.hash(password)
      let accounts = FluentAccountStore(database: transaction)
      for account in data.accounts {
        try await accounts.create(
          UserAccount(
            username: account.username, displayName: account.displayName, organisationID: account.organisationID,
            unitID: account.unitID, roles: account.roles, passwordHash: hash))
      }
      try await InstallationFacts.recordDemoData(transaction, set: "standard")
      return DemoAdministrator(username: "admin", password: password, accounts: data.accounts)
    }
  }
}

extension DemoSeeder {
  /// The demo data and the history behind the articles' figures (``DemoHistory``), in one
  /// transaction when the registry is empty: a failure leaves the database empty, so the next
  /// start tries again. `schemes` must include Anyang's and Yichun's.
  public static func seedWithHistoryIfEmpty(
    database: any Database, hasher: any PasswordHasher, schemes: [DemoScheme], password: String? = nil,
    scans: [ClaimRequest.Document], calendar: WorkingDayCalendar
  ) async throws -> DemoAdministrator? {
    let compiled = try Dictionary(
      schemes.map { ($0.definition.scheme.code, try SchemeCompiler.compile($0.definition)) },
      uniquingKeysWith: { first, _ in first })
    guard let anyang = compiled["anyang"], let yichun = compiled["hlj-yichun"] else {
      preconditionFailure("the demo history needs the bundled Anyang and Yichun schemes")
    }
    let data = DemoData.standard()
    let history = try DemoHistory.make(base: data, anyang: anyang, yichun: yichun)
    return try await database.writeTransaction { transaction in
      guard
        let administrator = try await seedIfEmpty(
          database: transaction, hasher: hasher, schemes: schemes, password: password, data: data)
      else { return nil }
      try await seedHistory(history, database: transaction, schemes: compiled, scans: scans, calendar: calendar)
      return administrator
    }
  }

  /// Writes ``DemoHistory`` through the stores, in one transaction: units, headcounts, workers,
  /// enrollments and their payments on their days, targets, then every claim through the real
  /// workflow (intake, review, the approvals its scheme asks for, a payment batch, the bank's
  /// "paid") dated as the history says. `scans` are the four placeholder documents each claim
  /// carries (already in the document store).
  public static func seedHistory(
    _ history: DemoHistory, database: any Database, schemes: [String: CompiledScheme],
    scans: [ClaimRequest.Document], calendar: WorkingDayCalendar
  ) async throws {
    try await database.writeTransaction { transaction in
      let registry = FluentRegistryStore(database: transaction)
      for organisation in history.organisations { try await registry.create(organisation) }
      try await writeCohorts(history.cohorts, schemes: schemes, on: transaction)
      let statistics = FluentStatisticsStore(database: transaction)
      for target in history.targets { try await statistics.save(target, by: "demo") }
      try await seedClaims(history.claims, on: transaction, schemes: schemes, scans: scans, calendar: calendar)
      // A dozen of the latest paid claims told as stories, as if their workers had agreed and
      // the union had chosen them: the public page is not empty in a demonstration.
      let told = try await ClaimModel.query(on: transaction).filter(\.$state == ClaimState.paid.rawValue)
        .filter(\.$paidOn != nil).sort(\.$paidOn, .descending).limit(12).all()
      for claim in told {
        let story = ClaimStoryModel()
        story.id = claim.id
        story.organisationID = claim.organisationID
        story.consentedAt = Date()
        story.consentedBy = "演示数据：本人书面同意"
        story.publishedAt = Date()
        story.publishedBy = "演示数据"
        try await story.create(on: transaction)
      }
      // The history's texts went out when it happened: a demo's gateway is not to send a
      // year of notices at its first start.
      try await (transaction as? any SQLDatabase)?.update(MessageModel.schema)
        .set("status", to: MessageStatus.sent.rawValue)
        .set("sent_at", to: SQLColumn("created_at"))
        .where("status", .equal, MessageStatus.pending.rawValue)
        .run()
    }
  }

  /// The cohorts in bulk: a few multi-row statements per table instead of some fifty
  /// statements per unit through the stores (measured for the demo history's 72,000 members on
  /// SQLite: 47 s through the stores, 16 s in bulk). Nothing
  /// is decided here: each order is planned by ``EnrollmentPlanner`` and numbered from the
  /// same sequences as the store, each payment is posted by ``FundEntry/posting(_:of:)``, and
  /// cover starts as the rule version's activation says: what the store would have written
  /// for the same orders paid in full (a contract test compares the two).
  static func writeCohorts(
    _ cohorts: [DemoHistory.Cohort], schemes: [String: CompiledScheme], on database: any Database
  ) async throws {
    try await chunked(cohorts.filter(\.isNewUnit).map { UnitModel($0.unit) }, on: database)
    let reported = cohorts.compactMap { cohort in
      cohort.headcount.map { UnitHeadcountModel(unitID: cohort.unit.id.rawValue, $0) }
    }
    try await chunked(reported, on: database)
    for chunk in Array(Set(reported.map(\.unitID))).chunks(of: FluentEnrollmentStore.chunkSize) {
      try await StatisticsAggregates.refreshLatestHeadcounts(where: "id IN (\(binds: chunk))", on: database)
    }
    for cohort in cohorts where !cohort.workers.isEmpty {
      try await FluentRegistryStore.insert(
        cohort.workers,
        cohort.workers.map {
          .init(worker: $0.id.rawValue, unit: cohort.unit.id.rawValue, start: cohort.employedSince)
        },
        on: database)
    }

    let workers = Dictionary(
      cohorts.flatMap { cohort in cohort.workers.map { ($0.id, ($0, cohort.employedSince)) } },
      uniquingKeysWith: { first, _ in first })
    var held: [Worker.ID: [Enrollment]] = [:]
    var bills: [BillModel] = []
    var parts: [BillPartModel] = []
    var enrollments: [Enrollment] = []
    var payments: [(bill: Bill, request: PaymentRequest)] = []
    for cohort in cohorts {
      for (order, paidOn) in cohort.orders {
        guard let scheme = schemes[order.schemeCode],
          let version = scheme.product(order.productCode)?.version(forCoverageStartingOn: order.periodStart)
        else { continue }
        // Members added by the history are known here; anyone else (the demo data's few) is read.
        var facts = try await FluentEnrollmentStore.facts(
          for: EnrollmentOrder(
            schemeCode: order.schemeCode, productCode: order.productCode, periodStart: order.periodStart,
            unitID: order.unitID, workerIDs: order.workerIDs.filter { workers[$0] == nil }, split: order.split,
            requestDate: order.requestDate), scheme: scheme, on: database)
        var members = facts.members
        for id in order.workerIDs {
          guard let (worker, since) = workers[id] else { continue }
          members[id] = EnrollmentFacts.Member(
            worker: worker, hireDate: since, inService: true, overlapping: held[id] ?? [])
        }
        facts = EnrollmentFacts(
          headcount: cohort.headcount?.total ?? facts.headcount,
          femaleHeadcount: cohort.headcount?.female ?? facts.femaleHeadcount, alreadyEnrolled: facts.alreadyEnrolled,
          members: members)
        let year = order.periodStart.year
        let billNumber = try await Sequences.next(
          DocumentKind.bill.sequenceName(scheme: scheme.code, year: year), count: 1, on: database)
        let certificates = try await Sequences.next(
          DocumentKind.certificate.sequenceName(scheme: scheme.code, year: year), count: order.workerIDs.count,
          on: database)
        let plan = try EnrollmentPlanner.plan(
          order, facts: facts, scheme: scheme,
          numbers: DocumentNumbers(
            bill: DocumentNumbers.format(.bill, scheme: scheme.code, year: year, sequence: billNumber.lowerBound),
            certificates: certificates.map {
              DocumentNumbers.format(.certificate, scheme: scheme.code, year: year, sequence: $0)
            }))
        var bill = plan.bill
        bill.paid = bill.due
        bill.settledOn = paidOn
        bills.append(try BillModel(bill, pricePerShare: version.contributionPerShare!, rounding: scheme.rounding))
        parts += bill.due.map { BillPartModel(billID: bill.id.rawValue, $0) }
        let coverFrom = version.activation.coverFrom(periodStart: bill.period.start, paidOn: paidOn)
        for var enrollment in plan.enrollments {
          enrollment.status = .active
          enrollment.coverFrom = coverFrom
          enrollments.append(enrollment)
          held[enrollment.workerID, default: []].append(enrollment)
        }
        payments += bill.due.map {
          (
            bill,
            PaymentRequest(
              payer: $0.payer, payerName: $0.payerName, amount: $0.amount, paidOn: paidOn,
              reference: "DEMO-\(bill.number)-\($0.payer.rawValue)")
          )
        }
      }
    }
    try await chunked(bills, on: database)
    try await chunked(parts, on: database)
    try await FluentEnrollmentStore.insert(enrollments, on: database)
    // The statistics' counts of cover, recounted for exactly the cohorts written.
    try await StatisticsAggregates.refresh(
      Set(
        enrollments.compactMap { enrollment in
          enrollment.unitID.map {
            StatisticsAggregates.Key(
              unitID: $0.rawValue, schemeCode: enrollment.schemeCode, productCode: enrollment.productCode,
              periodStart: enrollment.period.start.description)
          }
        }), on: database)

    // Receipt numbers in payment order, one sequence call per scheme and year.
    var receipts: [String: [Int]] = [:]
    for (name, count) in Dictionary(
      grouping: payments,
      by: { DocumentKind.receipt.sequenceName(scheme: $0.bill.schemeCode, year: $0.request.paidOn.year) }
    ).mapValues(\.count) {
      receipts[name] = Array(try await Sequences.next(name, count: count, on: database)).reversed()
    }
    var paymentRows: [PaymentModel] = []
    var entries: [FundEntryModel] = []
    for (bill, request) in payments.sorted(by: { $0.request.paidOn < $1.request.paidOn }) {
      let name = DocumentKind.receipt.sequenceName(scheme: bill.schemeCode, year: request.paidOn.year)
      let sequence = receipts[name]!.removeLast()
      let payment = Payment(
        billID: bill.id,
        receiptNumber: DocumentNumbers.format(
          .receipt, scheme: bill.schemeCode, year: request.paidOn.year, sequence: sequence),
        payer: request.payer, payerName: request.payerName, amount: request.amount, paidOn: request.paidOn,
        reference: request.reference, recordedBy: "demo")
      paymentRows.append(
        PaymentModel(
          payment, idempotencyKey: nil, fingerprint: FluentEnrollmentStore.fingerprint(request, bill: bill.id)))
      entries.append(FundEntryModel(FundEntry.posting(payment, of: bill)))
    }
    try await chunked(paymentRows, on: database)
    try await chunked(entries, on: database)
    // The statistics' month rows of money, recounted for the node-months written.
    let nodes = Dictionary(
      cohorts.map { ($0.unit.id, $0.unit.organisationID.rawValue) }, uniquingKeysWith: { first, _ in first })
    func key(_ bill: Bill, _ day: CalendarDate) -> StatisticsAggregates.MonthKey {
      .init(organisationID: bill.unitID.flatMap { nodes[$0] }, schemeCode: bill.schemeCode, day: day)
    }
    try await StatisticsAggregates.refresh(
      Set(payments.map { key($0.bill, $0.bill.issuedOn) }), of: [StatisticsAggregates.dueMonths], on: database)
    try await StatisticsAggregates.refresh(
      Set(payments.map { key($0.bill, $0.request.paidOn) }), of: [StatisticsAggregates.collectedMonths],
      on: database)
  }

  /// Fluent's multi-row insert, a few hundred rows per statement (inside both databases'
  /// limits on bound parameters).
  static func chunked<M: Model>(_ models: [M], on database: any Database) async throws {
    for start in stride(from: 0, to: models.count, by: 400) {
      try await Array(models[start..<min(start + 400, models.count)]).create(on: database)
    }
  }

  /// The staff who worked the demo claims: one actor per step, so no one approves what they
  /// submitted or reviewed.
  struct DemoStaff {
    let window: ClaimActor
    let reviewer: ClaimActor
    let approvers: [OrganisationKind: ClaimActor]
    let finance: ClaimActor

    static func of(_ scheme: String, organisations: [Organisation]) -> DemoStaff {
      func actor(_ name: String, _ kind: OrganisationKind, _ code: String) -> ClaimActor {
        ClaimActor(
          accountID: .init(), name: name, organisationKind: kind,
          organisationID: organisations.first { $0.code == code }?.id)
      }
      if scheme == "anyang" {
        return DemoStaff(
          window: actor("安阳窗口 李娜", .cityFederation, "HA-AY"), reviewer: actor("安阳审核 赵刚", .cityFederation, "HA-AY"),
          approvers: [.cityFederation: actor("安阳审批 王建华", .cityFederation, "HA-AY")],
          finance: actor("安阳财务 孙丽", .cityFederation, "HA-AY"))
      }
      return DemoStaff(
        window: actor("伊春代办处窗口 陈静", .cityAgency, "HLJ-YC"), reviewer: actor("伊春代办处审核 吴强", .cityAgency, "HLJ-YC"),
        approvers: [
          .cityAgency: actor("伊春代办处审批 郑伟", .cityAgency, "HLJ-YC"),
          .provincialOffice: actor("哈尔滨办事处审批 冯敏", .provincialOffice, "HLJ"),
        ], finance: actor("哈尔滨办事处财务 韩雪", .provincialOffice, "HLJ"))
    }
  }

  static func seedClaims(
    _ plans: [DemoHistory.ClaimPlan], on database: any Database, schemes: [String: CompiledScheme],
    scans: [ClaimRequest.Document], calendar: WorkingDayCalendar
  ) async throws {
    let organisations = try await FluentRegistryStore(database: database).organisations()
    let store = FluentClaimStore(database: database)
    func context(_ actor: ClaimActor, _ day: CalendarDate, _ scheme: CompiledScheme) -> ClaimContext {
      ClaimContext(actor: actor, address: "demo", today: day, scheme: scheme, calendar: calendar)
    }
    // Claims paid the same day go to the bank in one batch; each group is worked from intake
    // to payment before the next, so a batch takes exactly its own claims.
    func paidOn(_ plan: DemoHistory.ClaimPlan) -> CalendarDate? {
      if case .paid(let day) = plan.outcome { return day }
      return nil
    }
    let groups = Dictionary(grouping: plans) { plan in "\(plan.schemeCode) \(paidOn(plan)?.description ?? "-")" }
    for key in groups.keys.sorted() {
      let group = groups[key]!
      guard let scheme = schemes[group[0].schemeCode] else { continue }
      let staff = DemoStaff.of(scheme.code, organisations: organisations)
      // The scans every product of the scheme asks for (a member may hold several products).
      let kinds = Set(scheme.products.flatMap { $0.versions.flatMap(\.requiredDocuments) })
      let documents = scans.filter { kinds.contains($0.kind) }
      var opened: [(plan: DemoHistory.ClaimPlan, record: ClaimRecord)] = []
      for (filedOn, filed) in Dictionary(grouping: group, by: \.filedOn).sorted(by: { $0.key < $1.key }) {
        let records = try await store.open(
          filed.map {
            ClaimRequest(workerID: $0.workerID, intake: $0.intake, channel: .window, documents: documents)
          }, submitWhenComplete: true, context: context(staff.window, filedOn, scheme))
        for record in records where record.state != .submitted {
          throw ValidationFailure([
            FieldError(
              field: "claims", code: "demo_claim_not_submitted",
              message: LocalizedText(
                zh: "演示申请未能提交：\(record.number) 缺少 \(record.progress.missingDocuments)",
                en: "a demo claim was not submitted: \(record.number), missing \(record.progress.missingDocuments)"))
          ])
        }
        opened += zip(filed, records).map { ($0, $1) }
      }
      for (plan, record) in opened {
        switch plan.outcome {
        case .pending: continue
        case .rejected(let reason, let day):
          _ = try await store.perform(
            .reject(reason: reason, note: "演示数据：\(reason.label.zh)"), on: record.id,
            context: context(staff.reviewer, day, scheme))
        case .paid(let day):
          let reviewDay = min(day, plan.filedOn.adding(days: 1))
          _ = try await store.perform(.review, on: record.id, context: context(staff.reviewer, reviewDay, scheme))
          for level in record.progress.requiredLevels {
            guard let approver = staff.approvers[level] else { continue }
            _ = try await store.perform(.approve, on: record.id, context: context(approver, reviewDay, scheme))
          }
        }
      }
      guard let day = paidOn(group[0]) else { continue }
      let batch = try await store.createBatch(scheme: scheme.code, context: context(staff.finance, day, scheme))
      for line in batch.lines {
        _ = try await store.settle(
          line.claimID, in: batch.id, paid: true, note: nil, context: context(staff.finance, day, scheme))
      }
    }
  }
}
