import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Claims on any Fluent database. The rules live in the core (`ClaimWorkflow`, `Adjudicator`,
/// `CapLedger`, `DuplicateFlag`); this store gathers their inputs inside one transaction,
/// locks what must not change underneath, and writes every effect of a step together:
/// the claim, its history, the ledger, the outbox, the fund.
///
/// Every read and every step goes through `scope`: a claim outside it does not exist for
/// this store.
public struct FluentClaimStore: ClaimStore {
  let database: any Database
  let scope: AccessScope

  /// A store that sees every claim: for the command line, the seeder and tests.
  public init(database: any Database) {
    self.init(database: database, scope: .unrestricted)
  }

  /// A store that sees only the claims `scope` shows: what each web request gets.
  public init(database: any Database, scope: AccessScope) {
    self.database = database
    self.scope = scope
  }

  // MARK: Intake

  public func update(_ intake: ClaimIntake, of id: ClaimRecord.ID, context: ClaimContext) async throws -> ClaimRecord {
    let errors = intake.validate(today: context.today)
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    return try await database.writeTransaction { transaction in
      let (row, current) = try await Self.locked(id, scope: scope, on: transaction)
      guard current.state.takesIntakeChanges else {
        throw ValidationFailure([
          FieldError(
            field: "state", code: "not_editable",
            message: LocalizedText(
              zh: "\(current.state.label.zh)的申请不能再修改，请先退回",
              en: "a claim that is \(current.state.label.en) cannot be changed; return it first"))
        ])
      }
      var record = current
      record.intake = intake
      try await Self.refresh(record: &record, on: transaction, context: context)
      try row.update(from: record)
      try await row.update(on: transaction)
      try await Self.saveStay(of: record, on: transaction)
      try await ClaimPaperModel.query(on: transaction).filter(\.$claimID == id.rawValue).delete()
      try await Self.savePapers(of: record, on: transaction)
      try await Self.log(record, action: "update", from: current.state, note: nil, context: context, on: transaction)
      return record
    }
  }

  public func attach(_ document: ClaimDocument, to id: ClaimRecord.ID, context: ClaimContext) async throws
    -> ClaimRecord
  {
    try await database.writeTransaction { transaction in
      let (row, current) = try await Self.locked(id, scope: scope, on: transaction)
      guard current.state.takesDocuments else {
        throw ValidationFailure([
          FieldError(
            field: "state", code: "not_editable",
            message: LocalizedText(zh: "已办结的申请不能再上传材料", en: "documents cannot be added to a decided claim"))
        ])
      }
      try await ClaimDocumentModel(document).create(on: transaction)
      var record = current
      let kinds = try await Self.documentKinds(of: id, on: transaction)
      record.progress.missingDocuments = ClaimAssessment.missingDocuments(
        of: record, in: context.scheme, supplied: kinds)
      try row.update(from: record)
      try await row.update(on: transaction)
      try await Self.log(
        record, action: "attach", from: current.state, note: "\(document.kind): \(document.fileName)", context: context,
        on: transaction)
      return record
    }
  }

  public func adjust(_ id: ClaimRecord.ID, to adjustment: ClaimAdjustment, context: ClaimContext) async throws
    -> ClaimRecord
  {
    try await database.writeTransaction { transaction in
      let (row, current) = try await Self.locked(id, scope: scope, on: transaction)
      guard current.state.isAdjustable else {
        throw ValidationFailure([
          FieldError(
            field: "state", code: "not_adjustable",
            message: LocalizedText(zh: "只能在审核阶段调整金额", en: "amounts are adjusted during review only"))
        ])
      }
      let errors = adjustment.validate(calculated: current.calculatedTotal ?? .zero)
      guard errors.isEmpty else { throw ValidationFailure(errors) }
      var record = current
      record.adjustment = adjustment
      try row.update(from: record)
      try await row.update(on: transaction)
      try await Self.log(
        record, action: "adjust", from: current.state,
        note:
          "\(current.calculatedTotal?.decimalString ?? "0.00") → \(adjustment.amount.decimalString)：\(adjustment.justification)",
        context: context, on: transaction)
      return record
    }
  }

  // MARK: Workflow

  public func perform(_ action: ClaimAction, on id: ClaimRecord.ID, context: ClaimContext) async throws
    -> (record: ClaimRecord, transition: ClaimTransition)
  {
    switch action {
    case .startPayment, .markPaid, .markPaymentFailed:
      throw ValidationFailure([
        FieldError(
          field: "action", code: "use_payment_batch",
          message: LocalizedText(zh: "支付通过支付批次办理", en: "payments go through payment batches"))
      ])
    default: break
    }
    return try await database.writeTransaction { transaction in
      let (row, current) = try await Self.locked(id, scope: scope, on: transaction)
      var record = current
      let transition: ClaimTransition
      switch ClaimWorkflow.apply(action, to: &record.progress, by: context.actor) {
      case .failure(let error):
        throw ValidationFailure([FieldError(field: "action", code: error.code, message: error.message)])
      case .success(let result): transition = result
      }
      guard case .moved(let from, let to) = transition else { return (current, transition) }
      // What the step brings with it is the core's decision; carried out here, in this transaction.
      let effects = ClaimEffects.of(action, from: from, to: to)
      if effects.givesBackApproval { try await Self.takeBackApproval(&record, on: transaction) }
      if effects.recalculates { try await Self.refresh(record: &record, on: transaction, context: context) }
      switch effects.clock {
      case .start?:
        record.documentsCompleteOn = context.today
        Self.startClock(&record, context: context)
      case .stop?:
        record.documentsCompleteOn = nil
        record.dueOn = nil
      case nil: break
      }
      if effects.settlesApproval { try await Self.approve(&record, context: context, on: transaction) }
      if let notice = effects.notice {
        try await Self.notify(record, notice, note: effects.noticeNote, on: transaction)
      }
      try row.update(from: record)
      switch effects.rejection {
      case .record(let reason)?: row.rejectionReason = reason.rawValue
      case .clear?: row.rejectionReason = nil
      case nil: break
      }
      try await row.update(on: transaction)
      if let rejection = effects.rejection {
        try await ClaimReplays.follow(rejection, of: record, on: context.today, database: transaction)
      }
      try await Self.log(
        record, action: Self.name(of: action), from: from, note: effects.historyNote, context: context,
        on: transaction)
      return (record, transition)
    }
  }

  /// The final approval: the member is locked, the claim recalculated against the ledger as
  /// it is now, and what it pays recorded in the ledger, all before anyone else may approve
  /// a claim of the same member.
  static func approve(_ record: inout ClaimRecord, context: ClaimContext, on database: any Database) async throws {
    try await lockMember(record.workerID, on: database)
    guard let worker = try await worker(record.workerID, on: database) else {
      throw CorruptRow(table: ClaimModel.schema, column: "worker_id")
    }
    let enrollments = try await cover(of: record.workerID, scheme: record.schemeCode, on: database)
    let (ledger, rows) = try await ledger(of: record.workerID, enrollments: enrollments, on: database)
    let claimCase = ClaimCaseBuilder.build(
      worker: worker, enrollments: enrollments, intake: record.intake, claimDate: record.intake.event.claimDate,
      ledger: ledger)
    let explanation = try Adjudicator.adjudicate(claimCase, under: context.scheme)
    record.explanation = ExplanationReport(explanation, scheme: context.scheme).document
    let total = record.adjustment?.amount ?? explanation.total
    record.approvedTotal = total
    var updated = ledger
    let amounts = BenefitAmount.split(explanation, total: record.adjustment?.amount)
    updated.record(explanation, paying: amounts, event: record.intake.event)
    try await save(
      updated, previous: rows, worker: record.workerID, scheme: record.schemeCode, enrollments: enrollments,
      on: database)
  }

  /// Serialises everything that reads and changes one member's cap ledger: the first
  /// statement of such work takes the member's row lock (one upsert, both databases).
  static func lockMember(_ worker: Worker.ID, on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    try await sql.raw(
      """
      INSERT INTO member_locks (worker_id, version) VALUES (\(bind: worker.rawValue), 1) \
      ON CONFLICT (worker_id) DO UPDATE SET version = member_locks.version + 1
      """
    ).run()
  }

  /// An appealed approval gives back to the cap ledger what it took, under the member's lock,
  /// and the claim loses its approved amount until it is approved again.
  static func takeBackApproval(_ record: inout ClaimRecord, on database: any Database) async throws {
    guard let document = record.explanation, let approved = record.approvedTotal else { return }
    try await lockMember(record.workerID, on: database)
    let enrollments = try await cover(of: record.workerID, scheme: record.schemeCode, on: database)
    let (ledger, rows) = try await ledger(of: record.workerID, enrollments: enrollments, on: database)
    let explanation = Explanation(document)
    var updated = ledger
    updated.reverse(explanation, paying: BenefitAmount.split(explanation, total: approved), event: record.intake.event)
    try await save(
      updated, previous: rows, worker: record.workerID, scheme: record.schemeCode, enrollments: enrollments,
      on: database)
    record.approvedTotal = nil
  }

  // MARK: Payment batches

  public func createBatch(scheme: String, context: ClaimContext) async throws -> PaymentBatch {
    try await database.writeTransaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
      // Lock the claims to be batched before reading them: a second batch made at the same
      // moment waits, then finds them taken, so no claim reaches the bank in two files.
      try await sql.update(ClaimModel.schema)
        .set(
          SQLIdentifier("lock_version"),
          to: SQLBinaryExpression(SQLIdentifier("lock_version"), .add, SQLLiteral.numeric("1"))
        )
        .where("scheme_code", .equal, scheme).where("state", .equal, ClaimState.approved.rawValue)
        .where("batch_id", .is, SQLLiteral.null).scopedClaims(scope).run()
      let approved = try await ClaimModel.query(on: transaction)
        .filter(\.$schemeCode == scheme).filter(\.$state == ClaimState.approved.rawValue).filter(\.$batchID == nil)
        .scoped(scope)
        .sort(\.$number).all()
      let year = context.today.year
      let sequence = try await Sequences.next(
        DocumentKind.paymentBatch.sequenceName(scheme: scheme, year: year), count: 1, on: transaction)
      let batch = PaymentBatchModel()
      batch.id = UUID()
      batch.number = DocumentNumbers.format(.paymentBatch, scheme: scheme, year: year, sequence: sequence.lowerBound)
      batch.schemeCode = scheme
      batch.createdBy = context.actor.name
      batch.createdOn = context.today.description
      batch.organisationID = context.actor.organisationID?.rawValue
      var lines: [PaymentBatch.Line] = []
      var skipped: [(claimNumber: String, reason: LocalizedText)] = []
      var moves: [(ClaimModel, ClaimRecord)] = []
      let returnedAccounts = try await Self.returnedAccounts(of: Set(approved.map(\.workerID)), on: transaction)
      // What members owe back on recoveries is withheld from their transfers (追回抵扣), less
      // what pending transfers already withhold. The debtors' locks first (in one order), so a
      // repayment at the window waits for this batch and then sees what it withholds.
      let debtors = Set(try await Self.openRecoveries(scheme: scheme, on: transaction).keys)
        .intersection(approved.map(\.workerID))
      for worker in debtors.sorted(by: { $0.uuidString < $1.uuidString }) {
        try await Self.lockMember(Worker.ID(worker), on: transaction)
      }
      let owed = try await Self.openRecoveries(scheme: scheme, on: transaction).mapValues {
        $0.reduce(Money.zero) { $0 + $1.outstanding }
      }
      var withheld = try await Self.withheld(scheme: scheme, on: transaction)
      for row in approved {
        var record = try row.domain()
        guard let person = try await WorkerModel.find(row.workerID, on: transaction) else { continue }
        guard let account = person.bankAccount, let bank = person.bankName else {
          skipped.append(
            (record.number, LocalizedText(zh: "未登记银行账户", en: "no bank account registered")))
          continue
        }
        // The bank sent money to this account back: it waits until someone corrects it.
        guard !returnedAccounts.contains(ReturnedAccount(worker: row.workerID, account: account)) else {
          skipped.append(
            (
              record.number,
              LocalizedText(
                zh: "银行曾退回汇往该账户的款项，请先更正银行账户", en: "the bank returned a transfer to this account: correct it first")
            ))
          continue
        }
        guard
          case .success(.moved) = ClaimWorkflow.apply(
            .startPayment(batch: batch.number), to: &record.progress, by: context.actor)
        else { continue }
        let offset = RecoveryRules.offset(
          payable: record.payable, outstanding: owed[row.workerID] ?? .zero, withheld: withheld[row.workerID] ?? .zero)
        withheld[row.workerID, default: .zero] += offset
        lines.append(
          PaymentBatch.Line(
            claimID: record.id, claimNumber: record.number, payeeName: person.name, bankName: bank,
            bankAccount: account, amount: record.payable - offset, offset: offset))
        moves.append((row, record))
      }
      guard !lines.isEmpty else {
        throw ValidationFailure([
          FieldError(
            field: "scheme", code: "nothing_to_pay",
            message: LocalizedText(
              zh: "没有可支付的已审批申请" + (skipped.isEmpty ? "" : "（\(skipped.count) 件因银行账户缺失或被退汇未能列入）"),
              en: "no approved claims to pay"
                + (skipped.isEmpty ? "" : " (\(skipped.count) lack a bank account, or theirs returned a transfer)")))
        ])
      }
      batch.skipped = try JSON.text(
        skipped.map { ["claimNumber": $0.claimNumber, "zh": $0.reason.zh, "en": $0.reason.en] })
      try await batch.create(on: transaction)
      for (row, record) in moves {
        try row.update(from: record)
        row.batchID = batch.id
        try await row.update(on: transaction)
        try await Self.log(
          record, action: "start_payment", from: .approved, note: batch.number, context: context, on: transaction)
      }
      for line in lines {
        let model = PaymentBatchLineModel()
        model.id = UUID()
        model.batchID = batch.id!
        model.claimID = line.claimID.rawValue
        model.claimNumber = line.claimNumber
        model.payeeName = line.payeeName
        model.bankName = line.bankName
        model.bankAccount = line.bankAccount
        model.amount = line.amount.fen
        model.offsetAmount = line.offset.fen
        model.status = line.status.rawValue
        try await model.create(on: transaction)
      }
      return PaymentBatch(
        id: .init(batch.id!), number: batch.number, schemeCode: scheme, organisationID: context.actor.organisationID,
        createdBy: batch.createdBy, createdOn: context.today, lines: lines, skipped: skipped)
    }
  }

  public func batch(_ id: PaymentBatch.ID) async throws -> PaymentBatch? {
    guard let row = try await scopedBatches(on: database).filter(\.$id == id.rawValue).first() else { return nil }
    return try await Self.batch(row, on: database)
  }

  /// A batch by its number (as the bank's files quote it), in scope.
  public func batch(number: String) async throws -> PaymentBatch? {
    let number = number.trimmingCharacters(in: .whitespaces).uppercased()
    guard let row = try await scopedBatches(on: database).filter(\.$number == number).first() else { return nil }
    return try await Self.batch(row, on: database)
  }

  public func batches(page: PageQuery) async throws -> PagedResult<PaymentBatch> {
    let query = scopedBatches(on: database)
    let total = try await query.count()
    let rows = try await query.sort(\.$createdOn, .descending).sort(\.$number, .descending)
      .range(page.offset..<(page.offset + page.per)).all()
    var result: [PaymentBatch] = []
    for row in rows { result.append(try await Self.batch(row, on: database)) }
    return PagedResult(items: result, request: page, total: total)
  }

  /// The batches made by a node of the scope. A unit officer sees none.
  func scopedBatches(on database: any Database) -> QueryBuilder<PaymentBatchModel> {
    PaymentBatchModel.query(on: database).scoped(scope)
  }

  static func batch(_ id: PaymentBatch.ID, on database: any Database) async throws -> PaymentBatch? {
    guard let row = try await PaymentBatchModel.find(id.rawValue, on: database) else { return nil }
    return try await batch(row, on: database)
  }

  static func batch(_ row: PaymentBatchModel, on database: any Database) async throws -> PaymentBatch {
    let id = try row.requireID()
    let returns = try await PaymentReturnModel.query(on: database).filter(\.$batchID == id).all()
    let returned = Dictionary(
      try returns.map { ($0.claimID, try $0.domain()) }, uniquingKeysWith: { first, _ in first })
    let lines = try await PaymentBatchLineModel.query(on: database).filter(\.$batchID == id)
      .sort(\.$claimNumber).all().map { row in
        var line = try row.domain()
        line.returned = returned[row.claimID]
        return line
      }
    let skipped = try JSON.value(
      [[String: String]].self, row.skipped, table: PaymentBatchModel.schema, column: "skipped")
    return PaymentBatch(
      id: .init(id), number: row.number, schemeCode: row.schemeCode,
      organisationID: row.organisationID.map { .init($0) },
      createdBy: row.createdBy,
      createdOn: CalendarDate(row.createdOn) ?? CalendarDate(year: 2000, month: 1, day: 1)!, lines: lines,
      skipped: skipped.map { ($0["claimNumber"] ?? "", LocalizedText(zh: $0["zh"] ?? "", en: $0["en"] ?? "")) })
  }

  public func settle(
    _ id: ClaimRecord.ID, in batchID: PaymentBatch.ID, paid: Bool, note: String?, context: ClaimContext
  ) async throws -> PaymentBatch {
    try await settle([PaymentAnswer(claimID: id, paid: paid, note: note)], in: batchID, context: context)
  }

  public func settle(_ answers: [PaymentAnswer], in batchID: PaymentBatch.ID, context: ClaimContext) async throws
    -> PaymentBatch
  {
    try await mappingClosedPeriod {
      try await database.writeTransaction { transaction in
        try await requireBatch(batchID, on: transaction)
        // Claims locked in one order whoever records, so that two answers to one batch at once
        // wait for each other instead of deadlocking.
        for answer in answers.sorted(by: { $0.claimID.rawValue.uuidString < $1.claimID.rawValue.uuidString }) {
          try await settleLine(answer, in: batchID, context: context, on: transaction)
        }
        return try await Self.batch(batchID, on: transaction)!
      }
    }
  }

  /// A batch another area made does not exist for this store, whatever claims it holds.
  func requireBatch(_ batchID: PaymentBatch.ID, on transaction: any Database) async throws {
    guard try await scopedBatches(on: transaction).filter(\.$id == batchID.rawValue).count() > 0 else {
      throw ValidationFailure([
        FieldError(
          field: "batchId", code: "unknown_batch", message: LocalizedText(zh: "支付批次不存在", en: "no such payment batch"))
      ])
    }
  }

  /// A claim's line in a batch, the claim locked: the bank's answers start here. A batch
  /// another area made does not exist for this store, whatever claims it holds.
  func lockedLine(_ id: ClaimRecord.ID, in batchID: PaymentBatch.ID, on transaction: any Database) async throws
    -> (ClaimModel, ClaimRecord, PaymentBatchLineModel)
  {
    try await requireBatch(batchID, on: transaction)
    return try await lockedLineOfKnownBatch(id, in: batchID, on: transaction)
  }

  /// The same, once ``requireBatch(_:on:)`` has found the batch in scope.
  func lockedLineOfKnownBatch(_ id: ClaimRecord.ID, in batchID: PaymentBatch.ID, on transaction: any Database)
    async throws -> (ClaimModel, ClaimRecord, PaymentBatchLineModel)
  {
    let (row, current) = try await Self.locked(id, scope: scope, on: transaction)
    guard
      let line = try await PaymentBatchLineModel.query(on: transaction)
        .filter(\.$batchID == batchID.rawValue).filter(\.$claimID == id.rawValue).first()
    else {
      throw ValidationFailure([
        FieldError(
          field: "claimId", code: "not_in_batch",
          message: LocalizedText(zh: "该申请不在此批次中", en: "the claim is not in this batch"))
      ])
    }
    return (row, current, line)
  }

  /// One answer inside the caller's transaction; an answer the line already has changes nothing.
  private func settleLine(
    _ answer: PaymentAnswer, in batchID: PaymentBatch.ID, context: ClaimContext, on transaction: any Database
  ) async throws {
    let (id, paid, note) = (answer.claimID, answer.paid, answer.note)
    let (row, current, line) = try await lockedLineOfKnownBatch(id, in: batchID, on: transaction)
    let wanted: PaymentBatch.Line.Status = paid ? .paid : .failed
    if line.status == wanted.rawValue { return }
    guard line.status == PaymentBatch.Line.Status.pending.rawValue else {
      throw ValidationFailure([
        FieldError(
          field: "paid", code: "already_settled",
          message: LocalizedText(
            zh: "\(line.claimNumber)：该笔支付已有结果，不能更改", en: "\(line.claimNumber): this line already has an outcome"))
      ])
    }
    if !paid && (note?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true) {
      throw ValidationFailure([
        FieldError(
          field: "note", code: "reason_required",
          message: LocalizedText(zh: "请填写失败原因", en: "give the reason it failed"))
      ])
    }
    var record = current
    let action: ClaimAction = paid ? .markPaid(reference: note ?? "") : .markPaymentFailed(reason: note ?? "")
    guard case .success(.moved(let from, _)) = ClaimWorkflow.apply(action, to: &record.progress, by: context.actor)
    else {
      throw ValidationFailure([
        FieldError(
          field: "paid", code: "invalid_transition",
          message: LocalizedText(zh: "申请当前状态不能登记支付结果", en: "the claim cannot take a payment outcome now"))
      ])
    }
    line.status = wanted.rawValue
    line.note = note
    try await line.update(on: transaction)
    if paid {
      record.paidOn = context.today
      try await Self.post(record, on: transaction, today: context.today, scheme: context.scheme)
      try await Self.applyOffset(of: line, claim: record, context: context, on: transaction)
      try await Self.notify(
        record, .paid, note: line.offsetAmount > 0 ? Money(fen: line.offsetAmount).decimalString : nil,
        on: transaction)
    } else {
      row.batchID = nil
    }
    try row.update(from: record)
    try await row.update(on: transaction)
    if paid {
      // The service clock as it ran: working days by the calendar of the day it was paid.
      // (Written apart from the model, which earlier migrations read before the column.)
      let days = row.documentsCompleteOn.flatMap(CalendarDate.init).flatMap {
        try? context.calendar.workingDays(after: $0, through: context.today)
      }
      if let days, let sql = transaction as? any SQLDatabase {
        try await sql.raw("UPDATE claims SET paid_working_days = \(bind: days) WHERE id = \(bind: id.rawValue)").run()
      }
      try await StatisticsAggregates.refreshPaid(
        worker: row.workerID, organisationID: row.organisationID, schemeCode: row.schemeCode, day: context.today,
        on: transaction)
    }
    try await Self.log(
      record, action: paid ? "mark_paid" : "mark_payment_failed", from: from, note: note, context: context,
      on: transaction)
  }

  /// Claim money out of the fund: one entry per product paid, each unique to the claim, so
  /// the same claim can never be posted twice.
  static func post(
    _ record: ClaimRecord, on database: any Database, today: CalendarDate, scheme: CompiledScheme
  ) async throws {
    guard let document = record.explanation else { return }
    let explanation = Explanation(document)
    var byProduct: [(product: String, version: String, amount: Money)] = []
    for amount in BenefitAmount.split(explanation, total: record.approvedTotal) where amount.amount.fen > 0 {
      let version = document.outcomes.first { $0.product == amount.product }?.version ?? ""
      if let index = byProduct.firstIndex(where: { $0.product == amount.product }) {
        byProduct[index].amount += amount.amount
      } else {
        byProduct.append((amount.product, version, amount.amount))
      }
    }
    // A payment after the bank returned an earlier one is a correction of that return: it
    // posts to the open period if the claim's own has closed since.
    let attempt = try await PaymentReturnModel.query(on: database).filter(\.$claimID == record.id.rawValue).count()
    if attempt == 0 {
      try await FluentFundStore.refuseClosed(
        scheme: record.schemeCode, versions: Set(byProduct.map(\.version)), on: database)
    } else {
      let closed = try await FluentFundStore.closedVersions(scheme: record.schemeCode, on: database)
      for index in byProduct.indices {
        byProduct[index].version = try FundLedgerRules.openPeriod(
          scheme: scheme, product: byProduct[index].product, from: byProduct[index].version, closed: closed)
      }
    }
    try await recordPayouts(record, on: database, paidOn: today)
    try await ClaimReplays.record(record, decidedOn: today, on: database)
    for part in byProduct {
      try await FundEntryModel(
        FundEntry(
          schemeCode: record.schemeCode, productCode: part.product, versionLabel: part.version, postedOn: today,
          kind: .claimPayment, payer: nil, amount: Money(fen: -part.amount.fen),
          sourceID: ClaimPaymentPosting.source(claim: record.id, product: part.product, attempt: attempt),
          memo: record.number)
      ).create(on: database)
    }
  }

  /// What the claim paid under each benefit, for the statistics; the split is the fund
  /// posting's, so the two always agree.
  static func recordPayouts(_ record: ClaimRecord, on database: any Database, paidOn: CalendarDate? = nil)
    async throws
  {
    guard let document = record.explanation, let paidOn = paidOn ?? record.paidOn else { return }
    for amount in BenefitAmount.split(Explanation(document), total: record.approvedTotal) where amount.amount.fen > 0 {
      try await ClaimPayoutModel(record: record, amount: amount, paidOn: paidOn).create(on: database)
    }
  }

  // MARK: Reading

  public func claim(_ id: ClaimRecord.ID) async throws -> ClaimRecord? {
    try await ClaimModel.query(on: database).filter(\.$id == id.rawValue).scoped(scope).first()?.domain()
  }

  public func claim(number: String) async throws -> ClaimRecord? {
    try await ClaimModel.query(on: database).filter(\.$number == number.uppercased()).scoped(scope).first()?.domain()
  }

  /// Whether the scope shows the claim (no query when the store sees everything).
  private func isVisible(_ id: ClaimRecord.ID) async throws -> Bool {
    if scope.isUnrestricted { return true }
    return try await ClaimModel.query(on: database).filter(\.$id == id.rawValue).scoped(scope).count() > 0
  }

  public func claims(worker: Worker.ID) async throws -> [ClaimRecord] {
    try await ClaimModel.query(on: database).filter(\.$workerID == worker.rawValue).scoped(scope)
      .sort(\.$createdOn, .descending).sort(\.$number, .descending).all().map { try $0.domain() }
  }

  public func queue(_ queue: ClaimQueueQuery, page: PageQuery) async throws -> PagedResult<ClaimRecord> {
    var query = ClaimModel.query(on: database).filter(\.$state ~~ queue.states.map(\.rawValue)).scoped(scope)
    if let scheme = queue.scheme { query = query.filter(\.$schemeCode == scheme) }
    switch queue.narrowing {
    case .overdue(let today): query = query.filter(\.$dueOn != nil).filter(\.$dueOn < today.description)
    case .dueOn(let day): query = query.filter(\.$dueOn == day.description)
    case .dueWithin(let today, let days):
      query = query.filter(\.$dueOn >= today.description)
        .filter(\.$dueOn <= today.adding(days: min(max(0, days), 366)).description)
    case .expedited: query = query.filter(\.$expedited == true)
    case nil: break
    }
    if let members = queue.members { query = query.filter(\.$workerID ~~ members.map(\.rawValue)) }
    if let number = queue.number { query = query.filter(\.$number == number) }
    if let assignee = queue.assignee { query = query.filter(Self.assigneeFilter(assignee)) }
    let total = try await query.count()
    switch queue.order {
    // Claims without a due day (drafts, returned) after the rest on both databases.
    case .due: query = query.sort(\.$expedited, .descending).sort(.sql(unsafeRaw: "due_on IS NULL")).sort(\.$dueOn)
    // The amount approved, else calculated; claims without one (not calculated) last. One
    // expression, since the databases put NULLs at opposite ends of a descending order.
    case .amount: query = query.sort(.sql(unsafeRaw: "COALESCE(approved_total, calculated_total, -1) DESC"))
    case .received: query = query.sort(\.$createdOn)
    }
    let rows = try await query.sort(\.$number).range(page.offset..<(page.offset + page.per)).all()
    return PagedResult(items: try rows.map { try $0.domain() }, request: page, total: total)
  }

  public func documentExists(sha256: String) async throws -> Bool {
    try await ClaimDocumentModel.query(on: database).filter(\.$sha256 == sha256).count() > 0
  }

  public func detail(_ id: ClaimRecord.ID) async throws -> ClaimDetail? {
    guard let claim = try await claim(id) else { return nil }
    return ClaimDetail(
      claim: claim, documents: try await documentRows(id), history: try await historyRows(id),
      outbox: try await outboxRows(id))
  }

  public func history(of id: ClaimRecord.ID) async throws -> [ClaimHistoryEntry] {
    guard try await isVisible(id) else { return [] }
    return try await historyRows(id)
  }

  public func documents(of id: ClaimRecord.ID) async throws -> [ClaimDocument] {
    guard try await isVisible(id) else { return [] }
    return try await documentRows(id)
  }

  // The rows of a claim already known to be visible.
  private func historyRows(_ id: ClaimRecord.ID) async throws -> [ClaimHistoryEntry] {
    try await ClaimHistoryModel.query(on: database).filter(\.$claimID == id.rawValue).sort(\.$at).all()
      .map { try $0.domain() }
  }

  private func documentRows(_ id: ClaimRecord.ID) async throws -> [ClaimDocument] {
    try await ClaimDocumentModel.query(on: database).filter(\.$claimID == id.rawValue).sort(\.$uploadedAt).all()
      .map { try $0.domain() }
  }

  private func outboxRows(_ id: ClaimRecord.ID) async throws -> [OutboxMessage] {
    try await FluentMessageStore.outbox(claim: id, on: database)
  }

  public func document(_ id: ClaimDocument.ID) async throws -> ClaimDocument? {
    guard let document = try await ClaimDocumentModel.find(id.rawValue, on: database)?.domain(),
      try await isVisible(document.claimID)
    else { return nil }
    return document
  }

  public func outbox(claim id: ClaimRecord.ID) async throws -> [OutboxMessage] {
    guard try await isVisible(id) else { return [] }
    return try await outboxRows(id)
  }

  public func holidayYears() async throws -> [HolidayYear] {
    try await HolidayYearModel.query(on: database).sort(\.$id).all().map {
      try JSON.value(HolidayYear.self, $0.data, table: HolidayYearModel.schema, column: "data")
    }
  }

  public func save(_ year: HolidayYear, by: String) async throws {
    let errors = year.validate()
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    try await database.writeTransaction { transaction in
      try await HolidayYearModel.query(on: transaction).filter(\.$id == year.year).delete()
      let row = HolidayYearModel()
      row.id = year.year
      row.data = try JSON.text(year)
      row.updatedBy = by
      row.updatedAt = Date()
      try await row.create(on: transaction)
    }
  }

  public func latestPaid(limit: Int) async throws -> [ClaimRecord] {
    // `paid_on IS NOT NULL` (always true of a paid claim) lets the partial index of the days
    // paid (M033) give the order.
    try await ClaimModel.query(on: database).filter(\.$state == ClaimState.paid.rawValue)
      .filter(\.$paidOn != nil).scoped(scope).sort(\.$paidOn, .descending).sort(\.$createdAt, .descending).limit(limit)
      .all().map { try $0.domain() }
  }

  public func summary(today: CalendarDate) async throws -> ClaimSummary {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    struct Row: Decodable {
      let state: String
      let claims: Int
      let overdue: Int
      let due_today: Int
      let paid: Int64?
    }
    let open = ClaimDeadline.chased.map(\.rawValue).sorted().map { "'\($0)'" }.joined(separator: ",")
    let overdue: SQLQueryString =
      "SUM(CASE WHEN state IN (\(unsafeRaw: open)) AND due_on < \(bind: today.description) THEN 1 ELSE 0 END)"
    let dueToday: SQLQueryString =
      "SUM(CASE WHEN state IN (\(unsafeRaw: open)) AND due_on = \(bind: today.description) THEN 1 ELSE 0 END)"
    let rows = try await sql.select()
      .column("state")
      .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "claims")
      .column(overdue, as: "overdue")
      .column(dueToday, as: "due_today")
      .column(SQLRaw("CAST(SUM(approved_total) AS BIGINT)"), as: "paid")
      .from(ClaimModel.schema)
      .scopedClaims(scope)
      .groupBy("state")
      .all(decoding: Row.self)
    var summary = ClaimSummary()
    for row in rows {
      guard let state = ClaimState(rawValue: row.state) else {
        throw CorruptRow(table: ClaimModel.schema, column: "state")
      }
      summary.byState[state] = row.claims
      summary.overdue += row.overdue
      summary.dueToday += row.due_today
      if state == .paid { summary.paidAmount = Money(fen: row.paid ?? 0) }
    }
    return summary
  }

  // MARK: Helpers

  /// The claim with its row lock taken first (see the payments' bill lock for why first).
  static func locked(_ id: ClaimRecord.ID, scope: AccessScope, on database: any Database) async throws
    -> (ClaimModel, ClaimRecord)
  {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    try await sql.update(ClaimModel.schema)
      .set(
        SQLIdentifier("lock_version"),
        to: SQLBinaryExpression(SQLIdentifier("lock_version"), .add, SQLLiteral.numeric("1"))
      )
      .where("id", .equal, id.rawValue).scopedClaims(scope).run()
    guard let row = try await ClaimModel.query(on: database).filter(\.$id == id.rawValue).scoped(scope).first() else {
      throw ValidationFailure([
        FieldError(field: "claimId", code: "unknown_claim", message: LocalizedText(zh: "申请不存在", en: "no such claim"))
      ])
    }
    return (row, try row.domain())
  }

  /// Recalculates, re-flags duplicates and recomputes the checklist and approval levels.
  static func refresh(record: inout ClaimRecord, on database: any Database, context: ClaimContext) async throws {
    guard let person = try await worker(record.workerID, on: database) else {
      throw CorruptRow(table: ClaimModel.schema, column: "worker_id")
    }
    let enrollments = try await cover(of: record.workerID, scheme: record.schemeCode, on: database)
    let kinds = try await documentKinds(of: record.id, on: database)
    try await refresh(
      &record, worker: person, enrollments: enrollments, documents: kinds, context: context, on: database)
  }

  static func refresh(
    _ record: inout ClaimRecord, worker: Worker, enrollments: [Enrollment], documents: Set<String>,
    context: ClaimContext, on database: any Database
  ) async throws {
    let (ledger, _) = try await ledger(of: record.workerID, enrollments: enrollments, on: database)
    try ClaimAssessment.assess(
      &record, worker: worker, enrollments: enrollments, ledger: ledger, suppliedDocuments: documents,
      scheme: context.scheme)
    record.duplicates = try await duplicates(of: record, on: database)
  }

  static func startClock(_ record: inout ClaimRecord, context: ClaimContext) {
    let days = record.expedited ? 0 : context.scheme.claimsPolicy.workingDays
    do {
      record.dueOn = try context.calendar.adding(workingDays: days, to: context.today)
      record.deadlineProblem = nil
    } catch {
      record.dueOn = nil
      record.deadlineProblem = error.message
    }
  }

  /// The claim's stay in its columns (``M039_ClaimStays``), which `ClaimModel` leaves out.
  static func saveStay(of record: ClaimRecord, on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    let stay = record.intake.stay
    try await sql.update(ClaimModel.schema).set("stay_from", to: stay?.start.description)
      .set("stay_to", to: stay?.end.description).where("id", .equal, record.id.rawValue).run()
  }

  static func duplicates(of record: ClaimRecord, on database: any Database) async throws -> [DuplicateFlag] {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    let own = try await EarlierClaimRow.overlapping(
      record.intake.stay, workers: [record.workerID.rawValue], except: record.id.rawValue, on: sql)
    let papers = Self.papers(of: record).map(\.number)
    var seen: [ClaimModel] = []
    if !papers.isEmpty {
      let ids = try await ClaimPaperModel.query(on: database).filter(\.$number ~~ papers)
        .filter(\.$claimID != record.id.rawValue).all().map(\.claimID)
      if !ids.isEmpty { seen = try await ClaimModel.query(on: database).filter(\.$id ~~ Set(ids)).all() }
    }
    let sheets = Self.papers(of: record).filter { $0.kind == "settlement_sheet" }.map(\.number)
    let takenOver = try await FluentEnrollmentStore.takenOverClaims(
      workers: [record.workerID.rawValue], sheets: sheets, on: database)
    return DuplicateFlag.flags(
      for: record.intake, memberStays: try own.map { ($0.number, try $0.stay()) },
      papersSeen: try seen.map { ($0.number, try $0.domain().intake) },
      takenOver: FluentEnrollmentStore.takenOver(takenOver, for: record.workerID.rawValue, sheets: Set(sheets)))
  }

  static func papers(of record: ClaimRecord) -> [(kind: String, number: String)] {
    record.intake.paperNumbers
  }

  static func savePapers(of record: ClaimRecord, on database: any Database) async throws {
    for paper in papers(of: record) {
      try await ClaimPaperModel(claimID: record.id.rawValue, kind: paper.kind, number: paper.number).create(
        on: database)
    }
  }

  static func documentKinds(of id: ClaimRecord.ID, on database: any Database) async throws -> Set<String> {
    Set(try await ClaimDocumentModel.query(on: database).filter(\.$claimID == id.rawValue).all().map(\.kind))
  }

  static func worker(_ id: Worker.ID, on database: any Database) async throws -> Worker? {
    guard let person = try await WorkerModel.find(id.rawValue, on: database) else { return nil }
    let employment = try await EmploymentModel.query(on: database).filter(\.$workerID == id.rawValue)
      .sort(\.$startDate, .descending).first()
    return try person.domain(unitID: employment?.unitID ?? id.rawValue)
  }

  static func cover(of worker: Worker.ID, scheme: String, on database: any Database) async throws -> [Enrollment] {
    try await EnrollmentRow.active(workers: [worker.rawValue], scheme: scheme, on: database)
  }

  /// The ledger for the periods of `enrollments`.
  static func ledger(of worker: Worker.ID, enrollments: [Enrollment], on database: any Database) async throws
    -> (CapLedger, [BenefitLedgerModel])
  {
    let rows = try await BenefitLedgerModel.query(on: database).filter(\.$workerID == worker.rawValue).all()
    let ledger = try capLedger(
      rows.map { (product: $0.productCode, periodStart: $0.periodStart, benefit: $0.benefitCode, history: $0.history) },
      covering: enrollments)
    return (ledger, rows)
  }

  /// The ledger rows of the periods `enrollments` cover, as the engine reads them.
  static func capLedger(
    _ rows: [(product: String, periodStart: String, benefit: String, history: String)],
    covering enrollments: [Enrollment]
  ) throws -> CapLedger {
    var ledger = CapLedger()
    for row in rows
    where enrollments.contains(where: {
      $0.productCode == row.product && $0.period.start.description == row.periodStart
    }) {
      ledger.histories[row.product, default: [:]][row.benefit] = try JSON.value(
        BenefitHistory.self, row.history, table: BenefitLedgerModel.schema, column: "history")
    }
    return ledger
  }

  static func save(
    _ ledger: CapLedger, previous rows: [BenefitLedgerModel], worker: Worker.ID, scheme: String,
    enrollments: [Enrollment], on database: any Database
  ) async throws {
    var new: [BenefitLedgerModel] = []
    try await save(
      ledger, previous: rows, worker: worker, scheme: scheme, enrollments: enrollments, on: database, creating: &new)
    for row in new { try await row.create(on: database) }
  }

  /// The same, rows the member had updated at once and new ones added to `new`, for the
  /// caller to insert together.
  static func save(
    _ ledger: CapLedger, previous rows: [BenefitLedgerModel], worker: Worker.ID, scheme: String,
    enrollments: [Enrollment], on database: any Database, creating new: inout [BenefitLedgerModel]
  ) async throws {
    for (product, benefits) in ledger.histories {
      // The ledger's period is that of the cover the event fell in: the latest period of
      // the product among the member's cover (the case builder's choice).
      guard let period = enrollments.last(where: { $0.productCode == product })?.period.start.description else {
        continue
      }
      for (benefit, history) in benefits {
        if let row = rows.first(where: {
          $0.productCode == product && $0.periodStart == period && $0.benefitCode == benefit
        }) {
          try row.record(history)
          try await row.update(on: database)
        } else {
          new.append(
            try BenefitLedgerModel(
              worker: worker.rawValue, scheme: scheme, product: product, periodStart: period, benefit: benefit,
              history: history))
        }
      }
    }
  }

  /// Queues the member's text for `notice`; `amount` is the claim's payable unless given.
  static func notify(
    _ record: ClaimRecord, _ notice: ClaimNotice, note: String?, amount: Money? = nil, on database: any Database
  ) async throws {
    let phone = try await WorkerModel.find(record.workerID.rawValue, on: database)?.phone
    let message = OutgoingMessage.notice(
      notice, claimNumber: record.number,
      amount: amount ?? (notice == .approved || notice == .paid ? record.payable : nil), note: note,
      dueOn: record.dueOn, phone: phone, organisationID: record.organisationID, claimID: record.id,
      workerID: record.workerID, at: Date())
    try await FluentMessageStore(database: database).enqueue([message])
  }

  static func log(
    _ record: ClaimRecord, action: String, from: ClaimState?, note: String?, context: ClaimContext,
    on database: any Database
  ) async throws {
    try await ClaimHistoryModel(
      claimID: record.id.rawValue,
      ClaimHistoryEntry(
        at: Date(), actor: context.actor.name, address: context.address, action: action, from: from, to: record.state,
        note: note)
    ).create(on: database)
  }

  static func name(of action: ClaimAction) -> String {
    switch action {
    case .submit: "submit"
    case .returnForDocuments: "return"
    case .review: "review"
    case .approve: "approve"
    case .reject: "reject"
    case .startPayment: "start_payment"
    case .markPaid: "mark_paid"
    case .markPaymentFailed: "mark_payment_failed"
    case .markReturnedByBank: "payment_returned"
    case .appeal: "appeal"
    case .withdraw: "withdraw"
    case .reopen: "reopen"
    }
  }
}
