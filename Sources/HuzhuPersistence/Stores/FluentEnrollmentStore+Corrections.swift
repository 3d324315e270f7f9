import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Corrections of contribution payments (``Correction``): a void asked for, decided by a second
/// person, carried out in the transaction that decides it. The rules are the core's
/// (``CorrectionRules``); this store gathers the facts and writes.
///
/// A void takes the bill's lock first, like a payment: payments and corrections of one bill
/// run one at a time, and a decision re-reads the correction under that lock, so two
/// approvers at once apply it once.
extension FluentEnrollmentStore {
  static let correctionAlreadyAsked = ValidationFailure([
    FieldError(
      field: "receiptNumber", code: "correction_pending",
      message: LocalizedText(
        zh: "该缴费已有待复核或已生效的作废申请", en: "this payment already has a void waiting or applied"))
  ])
  static let unknownCorrection = ValidationFailure([
    FieldError(
      field: "correctionId", code: "unknown_correction",
      message: LocalizedText(zh: "更正申请不存在", en: "no such correction"))
  ])
  static let unknownPayment = ValidationFailure([
    FieldError(
      field: "receiptNumber", code: "unknown_payment", message: LocalizedText(zh: "缴费记录不存在", en: "no such payment"))
  ])

  /// Asks for a void of a payment; carried out at once when the scheme needs no second person.
  public func requestVoid(
    of paymentID: Payment.ID, reason: String, by actor: CorrectionActor, on day: CalendarDate,
    scheme: CompiledScheme
  ) async throws -> Correction {
    try await mappingConstraintFailure(to: Self.correctionAlreadyAsked) {
      try await mappingClosedPeriod {
        try await database.writeTransaction { transaction in
          let (payment, billRow) = try await lockedPayment(paymentID, on: transaction)
          let live = try await CorrectionModel.query(on: transaction).filter(\.$targetID == payment.id.rawValue)
            .filter(\.$status != Correction.Status.refused.rawValue).count()
          guard live == 0 else { throw Self.correctionAlreadyAsked }
          let before = try await Self.bills([billRow], on: transaction)[0]
          guard before.schemeCode == scheme.code else { throw Self.unknownPayment }
          // Refused now rather than at the decision: money already refunded cannot be voided.
          try RefundRules.refuseVoidAfterRefunds(
            try await RefundModel.query(on: transaction).filter(\.$billID == before.id.rawValue).count())
          let correction = try CorrectionRules.requestVoid(
            of: payment, schemeCode: before.schemeCode, reason: reason, by: actor, on: day,
            fourEyes: scheme.correctionsNeedSecondPerson)
          try await CorrectionModel(correction, organisation: try await owner(of: billRow, on: transaction))
            .create(on: transaction)
          if correction.status == .applied {
            try await applyVoid(of: payment, bill: before, row: billRow, scheme: scheme, on: day, transaction)
          }
          return correction
        }
      }
    }
  }

  /// The second person's decision on a correction: approved, it is carried out now; refused,
  /// it stands with the refusal's reason. The same decision again changes nothing (`changed`
  /// false).
  public func decide(
    _ id: Correction.ID, approve: Bool, note: String?, by actor: CorrectionActor, on day: CalendarDate,
    scheme: CompiledScheme
  ) async throws -> (correction: Correction, changed: Bool) {
    try await mappingClosedPeriod {
      try await database.writeTransaction { transaction in
        guard let first = try await visibleCorrection(id, on: transaction) else { throw Self.unknownCorrection }
        if Correction.Kind(rawValue: first.kind)?.correctsEnrollment == true {
          return try await decideWithdrawal(
            id, approve: approve, note: note, by: actor, on: day, scheme: scheme, transaction)
        }
        let (payment, billRow) = try await lockedPayment(.init(first.targetID), on: transaction)
        // Read again under the bill's lock: a decision made meanwhile is seen.
        guard let row = try await CorrectionModel.find(id.rawValue, on: transaction) else {
          throw Self.unknownCorrection
        }
        var correction = try row.domain()
        guard correction.schemeCode == scheme.code else { throw Self.unknownCorrection }
        let before = try await Self.bills([billRow], on: transaction)[0]
        let changed = try CorrectionRules.decide(&correction, approve: approve, note: note, by: actor, on: day)
        guard changed else { return (correction, false) }
        row.update(from: correction)
        try await row.update(on: transaction)
        if correction.status == .applied {
          try await applyVoid(of: payment, bill: before, row: billRow, scheme: scheme, on: day, transaction)
        }
        return (correction, true)
      }
    }
  }

  /// The corrections in scope, newest first; `status` narrows.
  public func corrections(status: Correction.Status?, page: PageQuery) async throws -> PagedResult<Correction> {
    var query = scopedCorrections(on: database)
    if let status { query = query.filter(\.$status == status.rawValue) }
    let total = try await query.count()
    let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id)
      .range(page.offset..<(page.offset + page.per)).all()
    return PagedResult(items: try rows.map { try $0.domain() }, request: page, total: total)
  }

  public func correction(_ id: Correction.ID) async throws -> Correction? {
    try await visibleCorrection(id, on: database)?.domain()
  }

  /// The corrections of payments, by payment: what a receipt or a bill's list marks.
  public func corrections(ofPayments ids: [Payment.ID]) async throws -> [Payment.ID: Correction] {
    guard !ids.isEmpty else { return [:] }
    let rows = try await scopedCorrections(on: database).filter(\.$targetID ~~ ids.map(\.rawValue))
      .filter(\.$status != Correction.Status.refused.rawValue).all()
    return Dictionary(try rows.map { (Payment.ID($0.targetID), try $0.domain()) }, uniquingKeysWith: { $1 })
  }

  // MARK: Carrying a void out

  /// The payment's money out of the fund by reversal; its bill owes again; if the bill was
  /// settled, its members' cover waits for payment again, refused while a claim uses it.
  private func applyVoid(
    of payment: Payment, bill: Bill, row: BillModel, scheme: CompiledScheme, on day: CalendarDate,
    _ transaction: any Database
  ) async throws {
    let sql = transaction.sqlDatabase
    try RefundRules.refuseVoidAfterRefunds(
      try await RefundModel.query(on: transaction).filter(\.$billID == bill.id.rawValue).count())
    if bill.status == .paid {
      struct Claimed: Decodable { let number: String }
      let claimed = try await sql.raw(
        """
        SELECT DISTINCT c.number FROM claims c JOIN enrollments e ON e.worker_id = c.worker_id
        WHERE e.bill_id = \(bind: bill.id.rawValue) AND c.scheme_code = \(bind: bill.schemeCode)
          AND c.state NOT IN ('draft', 'rejected') AND c.created_on >= e.period_start
        ORDER BY c.number
        """
      ).all(decoding: Claimed.self)
      try CorrectionRules.refuseWhileClaimed(claimed.map(\.number))
    }
    let entry = try CorrectionRules.voidEntry(
      of: payment, bill: bill, scheme: scheme,
      closed: try await FluentFundStore.closedVersions(scheme: bill.schemeCode, on: transaction), postedOn: day)
    try await FundEntryModel(entry).create(on: transaction)
    if bill.status == .paid {
      row.settledOn = nil
      try await row.update(on: transaction)
      try await EnrollmentModel.query(on: transaction)
        .filter(\.$billID == bill.id.rawValue).filter(\.$status == EnrollmentStatus.active.rawValue)
        .set(\.$status, to: EnrollmentStatus.awaitingPayment.rawValue).set(\.$coverFrom, to: nil)
        .update()
      try await StatisticsAggregates.refresh(
        try await StatisticsAggregates.keys(ofBill: bill.id.rawValue, on: transaction), on: transaction)
    }
    try await StatisticsAggregates.refresh(
      [
        .init(
          organisationID: try await StatisticsAggregates.organisation(ofUnit: row.unitID, on: transaction),
          schemeCode: bill.schemeCode, day: payment.paidOn)
      ], of: [StatisticsAggregates.collectedMonths], on: transaction)
  }

  // MARK: Reading

  /// A payment with its bill's lock taken, when the bill is in scope.
  private func lockedPayment(_ id: Payment.ID, on transaction: any Database) async throws -> (Payment, BillModel) {
    guard let payment = try await PaymentModel.find(id.rawValue, on: transaction) else { throw Self.unknownPayment }
    guard let bill = try await lockedBill(payment.billID, on: transaction) else { throw Self.unknownPayment }
    return (try payment.domain(), bill)
  }

  /// The bill with its lock taken (payments and corrections of one bill run one at a time),
  /// when it is in scope.
  func lockedBill(_ id: UUID, on transaction: any Database) async throws -> BillModel? {
    try await transaction.sqlDatabase.update(BillModel.schema)
      .set(
        SQLIdentifier("lock_version"),
        to: SQLBinaryExpression(SQLIdentifier("lock_version"), .add, SQLLiteral.numeric("1"))
      )
      .where("id", .equal, id).run()
    guard let bill = try await BillModel.find(id, on: transaction), try await shows(bill, on: transaction) else {
      return nil
    }
    return bill
  }

  /// The node a correction of the bill's money belongs to: the unit's, or the individual's.
  func owner(of bill: BillModel, on database: any Database) async throws -> UUID? {
    if let unit = bill.unitID { return try await StatisticsAggregates.organisation(ofUnit: unit, on: database) }
    return bill.organisationID
  }

  func scopedCorrections(on database: any Database) -> QueryBuilder<CorrectionModel> {
    CorrectionModel.query(on: database).scoped(scope)
  }

  func visibleCorrection(_ id: Correction.ID, on database: any Database) async throws -> CorrectionModel? {
    try await scopedCorrections(on: database).filter(\.$id == id.rawValue).first()
  }

}

final class CorrectionModel: Model, NodeOwned, @unchecked Sendable {
  static let ownerKey = \CorrectionModel.$organisationID

  static let schema = M027_Corrections.table

  @ID(key: .id) var id: UUID?
  @Field(key: "kind") var kind: String
  @Field(key: "scheme_code") var schemeCode: String
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "target_id") var targetID: UUID
  @Field(key: "target_label") var targetLabel: String
  @Field(key: "amount") var amount: Int64
  @Field(key: "reason") var reason: String
  @Field(key: "status") var status: String
  @Field(key: "requested_by") var requestedBy: String
  @Field(key: "requested_by_id") var requestedByID: UUID
  @Field(key: "requested_on") var requestedOn: String
  @OptionalField(key: "decided_by") var decidedBy: String?
  @OptionalField(key: "decided_by_id") var decidedByID: UUID?
  @OptionalField(key: "decided_on") var decidedOn: String?
  @OptionalField(key: "decision_note") var decisionNote: String?
  /// Where refunds to payers other than the member go, when the request named an account.
  @OptionalField(key: "refund_bank_name") var refundBankName: String?
  @OptionalField(key: "refund_bank_account") var refundBankAccount: String?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ correction: Correction, organisation: UUID?, refundAccount: RefundAccount? = nil) {
    refundBankName = refundAccount?.bankName
    refundBankAccount = refundAccount?.bankAccount
    id = correction.id.rawValue
    kind = correction.kind.rawValue
    schemeCode = correction.schemeCode
    organisationID = organisation
    targetID = correction.targetID
    targetLabel = correction.targetLabel
    amount = correction.amount.fen
    reason = correction.reason
    requestedBy = correction.requestedBy
    requestedByID = correction.requestedByID.rawValue
    requestedOn = correction.requestedOn.description
    update(from: correction)
  }

  /// The decision's columns: the only ones that ever change.
  func update(from correction: Correction) {
    status = correction.status.rawValue
    decidedBy = correction.decidedBy
    decidedByID = correction.decidedByID?.rawValue
    decidedOn = correction.decidedOn?.description
    decisionNote = correction.decisionNote
  }

  func domain() throws -> Correction {
    guard let kind = Correction.Kind(rawValue: kind) else { throw CorruptRow(table: Self.schema, column: "kind") }
    guard let status = Correction.Status(rawValue: status) else {
      throw CorruptRow(table: Self.schema, column: "status")
    }
    return Correction(
      id: .init(try requireID()), kind: kind, schemeCode: schemeCode, targetID: targetID, targetLabel: targetLabel,
      amount: Money(fen: amount), reason: reason, requestedBy: requestedBy, requestedByID: .init(requestedByID),
      requestedOn: try date(requestedOn, column: "requested_on"), status: status, decidedBy: decidedBy,
      decidedByID: decidedByID.map { .init($0) },
      decidedOn: try decidedOn.map { try date($0, column: "decided_on") }, decisionNote: decisionNote)
  }
}
