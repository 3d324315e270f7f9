import Fluent
import Foundation
import HuzhuCore
import SQLKit

extension FluentClaimStore {
  /// Opens the recovery of a paid claim found wrong, in one transaction under the member's
  /// lock: the case (once per claim), the member's caps given back what the claim should not
  /// have taken, the claim's history and a text to the member. The claim stays paid; the
  /// money comes back by ``recordRepayment(_:amount:reference:context:)``.
  public func openRecovery(
    of id: ClaimRecord.ID, amount: Money?, reason: Recovery.Reason, note: String, context: ClaimContext
  ) async throws -> Recovery {
    try await database.writeTransaction { transaction in
      let (row, record) = try await Self.locked(id, scope: scope, on: transaction)
      guard try await RecoveryModel.query(on: transaction).filter(\.$claimID == id.rawValue).count() == 0 else {
        throw ValidationFailure([
          FieldError(
            field: "claimId", code: "recovery_exists",
            message: LocalizedText(zh: "该申请已有追回记录", en: "this claim is already being recovered"))
        ])
      }
      let recovery = try RecoveryRules.open(
        record, amount: amount, reason: reason, note: note, by: context.actor.name, on: context.today)
      try await Self.restoreCaps(of: record, due: recovery.amountDue, on: transaction)
      try await RecoveryModel(recovery, organisation: row.organisationID).create(on: transaction)
      try await Self.notify(
        record, .recoveryOpened, note: "\(reason.label.zh)，\(recovery.note)", amount: recovery.amountDue,
        on: transaction)
      try await Self.log(
        record, action: "recovery_opened", from: record.state,
        note: "\(recovery.amountDue.formatted) \(reason.label.zh)：\(recovery.note)", context: context, on: transaction)
      return recovery
    }
  }

  /// The cap ledger of the claim's period without what `due` of the claim's payment took.
  static func restoreCaps(of record: ClaimRecord, due: Money, on database: any Database) async throws {
    guard let document = record.explanation, let approved = record.approvedTotal else { return }
    try await lockMember(record.workerID, on: database)
    // The period the claim was paid in, not a later renewal's.
    let all = try await cover(of: record.workerID, scheme: record.schemeCode, on: database)
    let day = record.intake.event.eventDate ?? record.intake.event.claimDate
    let inForce = all.filter { $0.period.start <= day && day <= $0.period.end }
    let enrollments = inForce.isEmpty ? all : inForce
    let (ledger, rows) = try await ledger(of: record.workerID, enrollments: enrollments, on: database)
    var restored = ledger
    restored.restore(Explanation(document), approved: approved, due: due, event: record.intake.event)
    try await save(
      restored, previous: rows, worker: record.workerID, scheme: record.schemeCode, enrollments: enrollments,
      on: database)
  }

  /// Records money paid back towards a recovery and credits the fund with it (the products and
  /// periods the claim was paid from, or the next open period), in one transaction under the
  /// member's lock. The same reference again records nothing (`recorded` is false).
  public func recordRepayment(
    _ id: Recovery.ID, amount: Money, reference: String, context: ClaimContext
  ) async throws -> (recovery: Recovery, recorded: Bool) {
    try await mappingClosedPeriod {
      try await database.writeTransaction { transaction in
        guard let row = try await scopedRecoveries(on: transaction).filter(\.$id == id.rawValue).first() else {
          throw ValidationFailure([
            FieldError(
              field: "recoveryId", code: "unknown_recovery",
              message: LocalizedText(zh: "追回记录不存在", en: "no such recovery"))
          ])
        }
        try await Self.lockMember(Worker.ID(row.workerID), on: transaction)
        let recovery = try await Self.recovery(row, on: transaction)
        let checked = try RecoveryRules.checkReference(reference)
        if try await RecoveryRepaymentModel.query(on: transaction).filter(\.$recoveryID == id.rawValue)
          .filter(\.$reference == checked).count() > 0
        {
          return (recovery, false)
        }
        let owed = try await Self.openRecoveries(scheme: row.schemeCode, on: transaction)[row.workerID] ?? []
        let repayment = try RecoveryRules.repayment(
          of: recovery, amount: amount, reference: checked, by: context.actor.name, on: context.today,
          memberOutstanding: owed.reduce(Money.zero) { $0 + $1.outstanding },
          withheld: try await Self.withheld(scheme: row.schemeCode, on: transaction)[row.workerID] ?? .zero)
        guard let claim = try await ClaimModel.find(row.claimID, on: transaction) else {
          throw CorruptRow(table: RecoveryModel.schema, column: "claim_id")
        }
        let record = try claim.domain()
        try await Self.credit(
          repayment, of: recovery, claim: record, line: nil, scheme: context.scheme, on: transaction)
        try await Self.log(
          record, action: "recovery_repaid", from: record.state,
          note: "\(repayment.amount.formatted)（\(repayment.reference)）", context: context, on: transaction)
        var updated = recovery
        updated.recovered += repayment.amount
        return (updated, true)
      }
    }
  }

  /// Records money towards `recovery` (of `claim`) and credits the fund with it.
  static func credit(
    _ repayment: RecoveryRepayment, of recovery: Recovery, claim: ClaimRecord, line: UUID?, scheme: CompiledScheme,
    on database: any Database
  ) async throws {
    let entries = try RecoveryRules.entries(
      for: repayment, recoveredBefore: recovery.recovered,
      payments: try await standingPayments(of: claim, on: database), claimNumber: claim.number, scheme: scheme,
      closed: try await FluentFundStore.closedVersions(scheme: claim.schemeCode, on: database))
    try await RecoveryRepaymentModel(repayment, line: line).create(on: database)
    for entry in entries { try await FundEntryModel(entry).create(on: database) }
  }

  /// A paid line's withheld part goes to the member's open recoveries, oldest first, each
  /// credited to the fund like a repayment (the claim's own payment posted in full).
  static func applyOffset(
    of line: PaymentBatchLineModel, claim: ClaimRecord, context: ClaimContext, on database: any Database
  ) async throws {
    guard line.offsetAmount > 0 else { return }
    try await lockMember(claim.workerID, on: database)
    let open = try await openRecoveries(scheme: claim.schemeCode, on: database)[claim.workerID.rawValue] ?? []
    let offset = Money(fen: line.offsetAmount)
    let parts = RecoveryRules.allocate(offset, over: open)
    // The batch withheld no more than the member owed, and repayments since leave what is
    // withheld alone: anything else would lose money, so it stops here.
    guard parts.reduce(Money.zero, { $0 + $1.1 }) == offset else {
      throw ValidationFailure([
        FieldError(
          field: "paid", code: "offset_exceeds_debt",
          message: LocalizedText(
            zh: "抵扣金额超过应追回余额，请核对追回记录", en: "the amount withheld exceeds what the member owes: check the recoveries"))
      ])
    }
    let batch = try await PaymentBatchModel.find(line.batchID, on: database)?.number ?? ""
    for (recovery, amount) in parts {
      guard let recovered = try await ClaimModel.find(recovery.claimID.rawValue, on: database) else {
        throw CorruptRow(table: RecoveryModel.schema, column: "claim_id")
      }
      let repayment = RecoveryRepayment(
        recoveryID: recovery.id, kind: .offset, amount: amount, reference: "抵扣 \(claim.number)（\(batch)）",
        recordedOn: context.today, recordedBy: context.actor.name)
      try await credit(
        repayment, of: recovery, claim: try recovered.domain(), line: try line.requireID(), scheme: context.scheme,
        on: database)
    }
  }

  /// The bank returned a transfer from which money was withheld: the withholding is undone
  /// (the recovery owes it again, the fund's credit is taken back), to be withheld afresh from
  /// the claim's next transfer.
  static func undoOffsets(
    of line: PaymentBatchLineModel, claim: ClaimRecord, context: ClaimContext, on database: any Database
  ) async throws {
    let lineID = try line.requireID()
    let offsets = try await RecoveryRepaymentModel.query(on: database).filter(\.$lineID == lineID)
      .filter(\.$kind == RecoveryRepayment.Kind.offset.rawValue).all()
    guard !offsets.isEmpty else { return }
    let batch = try await PaymentBatchModel.find(line.batchID, on: database)?.number ?? ""
    let closed = try await FluentFundStore.closedVersions(scheme: claim.schemeCode, on: database)
    for offset in offsets {
      let undoing = RecoveryRepayment(
        recoveryID: .init(offset.recoveryID), kind: .offsetUndone, amount: Money(fen: -offset.amount),
        reference: "退汇 \(claim.number)（\(batch)）", recordedOn: context.today, recordedBy: context.actor.name)
      let credited = try await FundEntryModel.query(on: database)
        .filter(\.$kind == FundEntryKind.recovery.rawValue)
        .filter(\.$sourceID =~ "recovery:\(RecoveryRepayment.ID(try offset.requireID())):").all().map {
          try $0.domain()
        }
      let entries = try RecoveryRules.undo(credited, by: undoing, scheme: context.scheme, closed: closed)
      try await RecoveryRepaymentModel(undoing, line: lineID).create(on: database)
      for entry in entries { try await FundEntryModel(entry).create(on: database) }
    }
  }

  /// The open recoveries of a scheme by member, oldest first (what is withheld from their
  /// transfers goes to the oldest debt first). Few at any time: read whole.
  static func openRecoveries(scheme: String, on database: any Database) async throws -> [UUID: [Recovery]] {
    let rows = try await RecoveryModel.query(on: database).filter(\.$schemeCode == scheme)
      .filter(.sql(unsafeRaw: outstandingExpression + " > 0")).sort(\.$createdAt).sort(\.$id).all()
    var open: [UUID: [Recovery]] = [:]
    for row in rows { open[row.workerID, default: []].append(try await recovery(row, on: database)) }
    return open
  }

  /// What the scheme's pending transfers withhold, by member.
  static func withheld(scheme: String, on database: any Database) async throws -> [UUID: Money] {
    struct Row: Decodable {
      let worker_id: UUID
      let total: Int64
    }
    let rows = try await database.sqlDatabase.raw(
      """
      SELECT c.worker_id, CAST(SUM(l.offset_amount) AS BIGINT) AS total FROM payment_batch_lines l \
      JOIN claims c ON c.id = l.claim_id \
      WHERE l.status = 'pending' AND l.offset_amount > 0 AND c.scheme_code = \(bind: scheme) GROUP BY c.worker_id
      """
    ).all(decoding: Row.self)
    return Dictionary(rows.map { ($0.worker_id, Money(fen: $0.total)) }, uniquingKeysWith: +)
  }

  /// Due less what came back, per `recoveries` row (a constant expression, no input).
  static let outstandingExpression =
    "(recoveries.amount_due - (SELECT COALESCE(SUM(r.amount), 0) FROM recovery_repayments r "
    + "WHERE r.recovery_id = recoveries.id))"

  /// The fund's entries of the claim's payment as it stands: one per product, of the latest
  /// attempt (a payment the bank returned was followed by another), in the explanation's order.
  static func standingPayments(of record: ClaimRecord, on database: any Database) async throws -> [FundEntry] {
    let attempt = try await PaymentReturnModel.query(on: database).filter(\.$claimID == record.id.rawValue).count()
    var products: [String] = []
    for outcome in record.explanation?.outcomes ?? [] where !products.contains(outcome.product) {
      products.append(outcome.product)
    }
    let entries = try await FundEntryModel.query(on: database)
      .filter(\.$kind == FundEntryKind.claimPayment.rawValue)
      .filter(
        \.$sourceID ~~ products.map { ClaimPaymentPosting.source(claim: record.id, product: $0, attempt: attempt) }
      )
      .all().map { try $0.domain() }
    return entries.sorted {
      (products.firstIndex(of: $0.productCode) ?? 0) < (products.firstIndex(of: $1.productCode) ?? 0)
    }
  }

  public func recovery(_ id: Recovery.ID) async throws -> Recovery? {
    guard let row = try await scopedRecoveries(on: database).filter(\.$id == id.rawValue).first() else { return nil }
    return try await Self.recovery(row, on: database)
  }

  /// The recovery of a claim, if it has one (the claim must be in scope).
  public func recovery(ofClaim claim: ClaimRecord.ID) async throws -> Recovery? {
    guard try await ClaimModel.query(on: database).filter(\.$id == claim.rawValue).scoped(scope).count() > 0,
      let row = try await RecoveryModel.query(on: database).filter(\.$claimID == claim.rawValue).first()
    else { return nil }
    return try await Self.recovery(row, on: database)
  }

  /// The recoveries in scope, newest first; `status` open or settled.
  public func recoveries(status: Recovery.Status?, page: PageQuery) async throws -> PagedResult<Recovery> {
    var query = scopedRecoveries(on: database)
    if let status {
      query = query.filter(.sql(unsafeRaw: Self.outstandingExpression + (status == .open ? " > 0" : " <= 0")))
    }
    let total = try await query.count()
    let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id).range(page.offset..<(page.offset + page.per))
      .all()
    var items: [Recovery] = []
    for row in rows { items.append(try await Self.recovery(row, on: database)) }
    return PagedResult(items: items, request: page, total: total)
  }

  /// The repayments of a recovery in scope, oldest first.
  public func repayments(of id: Recovery.ID) async throws -> [RecoveryRepayment] {
    guard try await scopedRecoveries(on: database).filter(\.$id == id.rawValue).count() > 0 else { return [] }
    return try await RecoveryRepaymentModel.query(on: database).filter(\.$recoveryID == id.rawValue)
      .sort(\.$createdAt).all().map { try $0.domain() }
  }

  static func recovery(_ row: RecoveryModel, on database: any Database) async throws -> Recovery {
    struct Sum: Decodable { let total: Int64 }
    // Cast: PostgreSQL sums BIGINT to NUMERIC.
    let repaid = try await database.sqlDatabase.raw(
      """
      SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM \(ident: RecoveryRepaymentModel.schema) \
      WHERE recovery_id = \(bind: try row.requireID())
      """
    ).first(decoding: Sum.self)?.total
    return try row.domain(recovered: Money(fen: repaid ?? 0))
  }

  func scopedRecoveries(on database: any Database) -> QueryBuilder<RecoveryModel> {
    RecoveryModel.query(on: database).scoped(scope)
  }
}

final class RecoveryModel: Model, NodeOwned, @unchecked Sendable {
  static let ownerKey = \RecoveryModel.$organisationID

  static let schema = M028_Recoveries.table

  @ID(key: .id) var id: UUID?
  @Field(key: "claim_id") var claimID: UUID
  @Field(key: "claim_number") var claimNumber: String
  @Field(key: "worker_id") var workerID: UUID
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "reason") var reason: String
  @Field(key: "note") var note: String
  @Field(key: "amount_due") var amountDue: Int64
  @Field(key: "opened_by") var openedBy: String
  @Field(key: "opened_on") var openedOn: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ value: Recovery, organisation: UUID?) {
    id = value.id.rawValue
    claimID = value.claimID.rawValue
    claimNumber = value.claimNumber
    workerID = value.workerID.rawValue
    organisationID = organisation
    schemeCode = value.schemeCode
    reason = value.reason.rawValue
    note = value.note
    amountDue = value.amountDue.fen
    openedBy = value.openedBy
    openedOn = value.openedOn.description
  }

  func domain(recovered: Money) throws -> Recovery {
    guard let reason = Recovery.Reason(rawValue: reason) else { throw CorruptRow(table: Self.schema, column: "reason") }
    guard let openedOn = CalendarDate(openedOn) else { throw CorruptRow(table: Self.schema, column: "opened_on") }
    return Recovery(
      id: .init(try requireID()), claimID: .init(claimID), claimNumber: claimNumber, workerID: .init(workerID),
      schemeCode: schemeCode, reason: reason, note: note, amountDue: Money(fen: amountDue), openedBy: openedBy,
      openedOn: openedOn, recovered: recovered)
  }
}

final class RecoveryRepaymentModel: Model, @unchecked Sendable {
  static let schema = M028_Recoveries.repayments

  @ID(key: .id) var id: UUID?
  @Field(key: "recovery_id") var recoveryID: UUID
  @Field(key: "kind") var kind: String
  @OptionalField(key: "line_id") var lineID: UUID?
  @Field(key: "amount") var amount: Int64
  @Field(key: "reference") var reference: String
  @Field(key: "recorded_on") var recordedOn: String
  @Field(key: "recorded_by") var recordedBy: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ value: RecoveryRepayment, line: UUID? = nil) {
    id = value.id.rawValue
    recoveryID = value.recoveryID.rawValue
    kind = value.kind.rawValue
    lineID = line
    amount = value.amount.fen
    reference = value.reference
    recordedOn = value.recordedOn.description
    recordedBy = value.recordedBy
  }

  func domain() throws -> RecoveryRepayment {
    guard let recordedOn = CalendarDate(recordedOn) else { throw CorruptRow(table: Self.schema, column: "recorded_on") }
    guard let kind = RecoveryRepayment.Kind(rawValue: kind) else {
      throw CorruptRow(table: Self.schema, column: "kind")
    }
    return RecoveryRepayment(
      id: .init(try requireID()), recoveryID: .init(recoveryID), kind: kind, amount: Money(fen: amount),
      reference: reference, recordedOn: recordedOn, recordedBy: recordedBy)
  }
}
