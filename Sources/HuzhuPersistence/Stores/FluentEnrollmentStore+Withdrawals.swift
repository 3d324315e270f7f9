import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Withdrawing a member's cover by a correction (an enrollment made in error, or a withdrawal
/// in time) and refunding its contributions (``Refund``). The rules are the core's
/// (``CorrectionRules``, ``RefundRules``); this store gathers the facts and writes, under the
/// bill's lock like a payment, so that payments, voids and withdrawals of one bill run one at
/// a time and two approvers at once apply a withdrawal once.
extension FluentEnrollmentStore {
  static let unknownCertificate = ValidationFailure([
    FieldError(
      field: "certificateNumber", code: "unknown_certificate",
      message: LocalizedText(zh: "保障书不存在", en: "no such certificate"))
  ])
  static let withdrawalAlreadyAsked = ValidationFailure([
    FieldError(
      field: "certificateNumber", code: "correction_pending",
      message: LocalizedText(
        zh: "该保障已有待复核或已生效的作废或退保申请", en: "this cover already has a void or withdrawal waiting or applied"))
  ])
  static let unknownRefund = ValidationFailure([
    FieldError(field: "refundId", code: "unknown_refund", message: LocalizedText(zh: "退费记录不存在", en: "no such refund"))
  ])

  /// Asks for an enrollment void or a withdrawal of the cover with `certificate`; carried out
  /// at once when the scheme needs no second person. `refundAccount`: where refunds to payers
  /// other than the member go, instead of the unit's account on file.
  public func requestWithdrawal(
    _ kind: Correction.Kind, certificate: String, reason: String, refundAccount: RefundAccount?,
    by actor: CorrectionActor, on day: CalendarDate, scheme: CompiledScheme
  ) async throws -> Correction {
    try await mappingConstraintFailure(to: Self.withdrawalAlreadyAsked) {
      try await mappingClosedPeriod {
        try await database.writeTransaction { transaction in
          let normalized = certificate.trimmingCharacters(in: .whitespaces).uppercased()
          guard
            let found = try await EnrollmentModel.query(on: transaction).filter(\.$certificateNumber == normalized)
              .first(),
            found.schemeCode == scheme.code, let billRow = try await lockedBill(found.billID, on: transaction),
            let row = try await EnrollmentModel.find(found.requireID(), on: transaction)
          else { throw Self.unknownCertificate }
          let enrollment = try row.domain()
          let live = try await CorrectionModel.query(on: transaction).filter(\.$targetID == enrollment.id.rawValue)
            .filter(\.$status != Correction.Status.refused.rawValue).count()
          guard live == 0 else { throw Self.withdrawalAlreadyAsked }
          if kind == .withdrawal {
            let version = scheme.product(enrollment.productCode)?.versions.first { $0.label == enrollment.versionLabel }
            try RefundRules.checkWithdrawal(
              of: enrollment, allowedDays: version?.enrollment?.withdrawalDays, on: day)
          }
          let bill = try await Self.bills([billRow], on: transaction)[0]
          try await refuseWhileClaimed(enrollment, on: transaction)
          let parts = Self.memberParts(of: enrollment, bill: bill, row: billRow)
          let correction = try CorrectionRules.requestEnrollmentVoid(
            kind, of: enrollment, cost: parts.reduce(.zero) { $0 + $1.amount }, reason: reason, by: actor, on: day,
            fourEyes: scheme.correctionsNeedSecondPerson)
          let model = CorrectionModel(
            correction, organisation: try await owner(of: billRow, on: transaction), refundAccount: refundAccount)
          try await model.create(on: transaction)
          if correction.status == .applied {
            try await applyWithdrawal(
              of: row, correction: model, bill: bill, billRow: billRow, scheme: scheme, on: day, transaction)
          }
          return correction
        }
      }
    }
  }

  /// The second person's decision on a void or withdrawal (called by ``decide(_:approve:note:by:on:scheme:)``
  /// inside its transaction).
  func decideWithdrawal(
    _ id: Correction.ID, approve: Bool, note: String?, by actor: CorrectionActor, on day: CalendarDate,
    scheme: CompiledScheme, _ transaction: any Database
  ) async throws -> (correction: Correction, changed: Bool) {
    guard let first = try await visibleCorrection(id, on: transaction),
      let enrollmentRow = try await EnrollmentModel.find(first.targetID, on: transaction),
      let billRow = try await lockedBill(enrollmentRow.billID, on: transaction),
      // Read again under the bill's lock: a decision made meanwhile is seen.
      let row = try await CorrectionModel.find(id.rawValue, on: transaction)
    else { throw Self.unknownCorrection }
    var correction = try row.domain()
    guard correction.schemeCode == scheme.code else { throw Self.unknownCorrection }
    let changed = try CorrectionRules.decide(&correction, approve: approve, note: note, by: actor, on: day)
    guard changed else { return (correction, false) }
    row.update(from: correction)
    try await row.update(on: transaction)
    if correction.status == .applied {
      let bill = try await Self.bills([billRow], on: transaction)[0]
      try await applyWithdrawal(
        of: enrollmentRow, correction: row, bill: bill, billRow: billRow, scheme: scheme, on: day, transaction)
    }
    return (correction, true)
  }

  // MARK: Carrying a withdrawal out

  /// The cover is withdrawn (the certificate void), the bill owes less by the member's parts,
  /// each payer who paid beyond their new due is refunded (a refund record and a `refund` entry
  /// in the fund), and a bill the withdrawal leaves paid in full is settled.
  private func applyWithdrawal(
    of row: EnrollmentModel, correction: CorrectionModel, bill: Bill, billRow: BillModel, scheme: CompiledScheme,
    on day: CalendarDate, _ transaction: any Database
  ) async throws {
    let enrollment = try row.domain()
    guard enrollment.status != .withdrawn else { return }
    // Claims may have come in since the request.
    try await refuseWhileClaimed(enrollment, on: transaction)
    let parts = Self.memberParts(of: enrollment, bill: bill, row: billRow)
    let (adjustments, refunds) = RefundRules.withdraw(parts, from: bill)
    let correctionID = try correction.requireID()
    for adjustment in adjustments {
      try await BillAdjustmentModel(
        billID: bill.id.rawValue, correctionID: correctionID, enrollmentID: enrollment.id.rawValue, adjustment
      ).create(on: transaction)
    }
    let wasActive = enrollment.status == .active
    row.status = EnrollmentStatus.withdrawn.rawValue
    try await row.update(on: transaction)

    if !refunds.isEmpty {
      let closed = try await FluentFundStore.closedVersions(scheme: bill.schemeCode, on: transaction)
      let numbers = try await Sequences.next(
        DocumentKind.refund.sequenceName(scheme: bill.schemeCode, year: day.year), count: refunds.count,
        on: transaction)
      let payees = try await payees(of: enrollment, billRow: billRow, correction: correction, on: transaction)
      for (offset, part) in refunds.enumerated() {
        let payee = payees(part)
        let refund = Refund(
          number: DocumentNumbers.format(
            .refund, scheme: bill.schemeCode, year: day.year, sequence: numbers.lowerBound + offset),
          correctionID: .init(correctionID), schemeCode: bill.schemeCode, billID: bill.id, billNumber: bill.number,
          certificateNumber: enrollment.certificateNumber, payer: part.payer, payeeName: payee.name,
          bankName: payee.bank, bankAccount: payee.account, amount: part.amount, createdOn: day)
        try await RefundModel(refund, organisation: correction.organisationID).create(on: transaction)
        try await FundEntryModel(
          try RefundRules.entry(of: refund, bill: bill, scheme: scheme, closed: closed, postedOn: day)
        ).create(on: transaction)
      }
    }
    // Left paid in full (the withdrawn member was what it still owed): the others' cover begins.
    let after = try await Self.bills([billRow], on: transaction)[0]
    if after.status == .paid && billRow.settledOn == nil {
      _ = try await Self.settle(billRow, bill: after, scheme: scheme, on: transaction)
    } else if wasActive {
      try await StatisticsAggregates.refresh(
        try await StatisticsAggregates.keys(ofBill: bill.id.rawValue, on: transaction), on: transaction)
    }
  }

  /// Refused while the member has a claim lodged or paid under this cover: it must be dealt with
  /// first (withdrawn, or recovered).
  private func refuseWhileClaimed(_ enrollment: Enrollment, on transaction: any Database) async throws {
    struct Claimed: Decodable { let number: String }
    let claimed = try await transaction.sqlDatabase.raw(
      """
      SELECT number FROM claims WHERE worker_id = \(bind: enrollment.workerID.rawValue)
        AND scheme_code = \(bind: enrollment.schemeCode) AND state NOT IN ('draft', 'rejected')
        AND created_on >= \(bind: enrollment.period.start.description)
      ORDER BY number
      """
    ).all(decoding: Claimed.self)
    try CorrectionRules.refuseWhileClaimed(claimed.map(\.number), field: "certificateNumber")
  }

  static func memberParts(of enrollment: Enrollment, bill: Bill, row: BillModel) -> [PayerAmount] {
    RefundRules.memberParts(
      of: enrollment, bill: bill, pricePerShare: Money(fen: row.pricePerShare),
      rounding: RoundingRule(rawValue: row.rounding) ?? .halfUp)
  }

  /// Who each payer's refund goes to: the member's own part to their account on file; the
  /// employer's to the account the request named, else the unit's on file; a third party's to
  /// the account the request named; a union's back to that union (no transfer details).
  private func payees(
    of enrollment: Enrollment, billRow: BillModel, correction: CorrectionModel, on database: any Database
  ) async throws -> @Sendable (PayerAmount) -> (name: String, bank: String?, account: String?) {
    let person = try await WorkerModel.find(enrollment.workerID.rawValue, on: database)
    let unit = try await billRow.unitID.asyncMap { try await UnitModel.find($0, on: database) } ?? nil
    let named = correction.refundBankAccount.map { (bank: correction.refundBankName, account: $0) }
    let member = (name: person?.name ?? "", bank: person?.bankName, account: person?.bankAccount)
    let employer = (
      name: unit?.name ?? "", bank: named?.bank ?? unit?.bankName, account: named?.account ?? unit?.bankAccount
    )
    return { part in
      switch part.payer {
      case .worker: member
      case .employer: employer
      case .thirdParty: (part.payerName ?? "", named?.bank, named?.account)
      case .unionProvince, .unionCity, .unionCounty: (part.payer.label.zh, nil, nil)
      }
    }
  }

  // MARK: Refunds

  /// The refunds in scope, newest first; `status` narrows.
  public func refunds(status: Refund.Status?, page: PageQuery) async throws -> PagedResult<Refund> {
    var query = RefundModel.query(on: database).scoped(scope)
    if let status { query = query.filter(Self.transferred(status == .paid)) }
    let total = try await query.count()
    let rows = try await query.sort(\.$createdAt, .descending).sort(\.$number, .descending)
      .range(page.offset..<(page.offset + page.per)).all()
    return PagedResult(items: try await Self.refunds(rows, on: database), request: page, total: total)
  }

  /// Every refund still owed in scope, oldest first: the refunds' bank file.
  public func refundsDue() async throws -> [Refund] {
    let rows = try await RefundModel.query(on: database).scoped(scope).filter(Self.transferred(false))
      .sort(\.$createdAt).sort(\.$number).all()
    return try await Self.refunds(rows, on: database)
  }

  /// Whether a refund's transfer is recorded, as a condition the database evaluates (a list of
  /// ids bound one by one would outgrow the databases' limits on parameters).
  static func transferred(_ yes: Bool) -> DatabaseQuery.Filter {
    .sql(
      unsafeRaw:
        #""refunds"."id" \#(yes ? "IN" : "NOT IN") (SELECT "refund_id" FROM "refund_transfers")"#)
  }

  public func refund(_ id: Refund.ID) async throws -> Refund? {
    guard let row = try await RefundModel.query(on: database).scoped(scope).filter(\.$id == id.rawValue).first()
    else { return nil }
    return try await Self.refunds([row], on: database).first
  }

  /// The refunds a correction made.
  public func refunds(correction: Correction.ID) async throws -> [Refund] {
    let rows = try await RefundModel.query(on: database).scoped(scope).filter(\.$correctionID == correction.rawValue)
      .sort(\.$number).all()
    return try await Self.refunds(rows, on: database)
  }

  /// Records the bank's transfer of a refund, once: the same reference again changes nothing
  /// (`changed` false).
  public func markRefundPaid(_ id: Refund.ID, reference: String, by name: String, on day: CalendarDate) async throws
    -> (refund: Refund, changed: Bool)
  {
    try await database.writeTransaction { transaction in
      guard let row = try await RefundModel.query(on: transaction).scoped(scope).filter(\.$id == id.rawValue).first(),
        let billRow = try await lockedBill(row.billID, on: transaction), billRow.id == row.billID
      else { throw Self.unknownRefund }
      var refund = try await Self.refunds([row], on: transaction)[0]
      guard try RefundRules.markPaid(&refund, reference: reference, by: name, on: day) else { return (refund, false) }
      try await RefundTransferModel(refund).create(on: transaction)
      return (refund, true)
    }
  }

  static func refunds(_ rows: [RefundModel], on database: any Database) async throws -> [Refund] {
    guard !rows.isEmpty else { return [] }
    let ids = rows.compactMap(\.id)
    var transfers: [UUID: RefundTransferModel] = [:]
    for start in stride(from: 0, to: ids.count, by: chunkSize) {
      for transfer in try await RefundTransferModel.query(on: database)
        .filter(\.$refundID ~~ Array(ids[start..<min(start + chunkSize, ids.count)])).all()
      {
        transfers[transfer.refundID] = transfer
      }
    }
    return try rows.map { row in try row.domain(transfer: transfers[try row.requireID()]) }
  }
}

final class BillAdjustmentModel: Model, @unchecked Sendable {
  static let schema = M030_EnrollmentVoids.adjustments

  @ID(key: .id) var id: UUID?
  @Field(key: "bill_id") var billID: UUID
  @Field(key: "correction_id") var correctionID: UUID
  @Field(key: "enrollment_id") var enrollmentID: UUID
  @Field(key: "payer_type") var payerType: String
  @OptionalField(key: "payer_name") var payerName: String?
  @Field(key: "amount") var amount: Int64
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(billID: UUID, correctionID: UUID, enrollmentID: UUID, _ part: PayerAmount) {
    id = UUID()
    self.billID = billID
    self.correctionID = correctionID
    self.enrollmentID = enrollmentID
    payerType = part.payer.rawValue
    payerName = part.payerName
    amount = part.amount.fen
  }

  func part() throws -> PayerAmount {
    guard let payer = PayerType(rawValue: payerType) else { throw CorruptRow(table: Self.schema, column: "payer_type") }
    return PayerAmount(payer: payer, payerName: payerName, amount: Money(fen: amount))
  }
}

final class RefundModel: Model, NodeOwned, @unchecked Sendable {
  static let schema = M030_EnrollmentVoids.refunds
  static let ownerKey = \RefundModel.$organisationID

  @ID(key: .id) var id: UUID?
  @Field(key: "number") var number: String
  @Field(key: "correction_id") var correctionID: UUID
  @Field(key: "scheme_code") var schemeCode: String
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "bill_id") var billID: UUID
  @Field(key: "bill_number") var billNumber: String
  @Field(key: "certificate_number") var certificateNumber: String
  @Field(key: "payer_type") var payerType: String
  @Field(key: "payee_name") var payeeName: String
  @OptionalField(key: "bank_name") var bankName: String?
  @OptionalField(key: "bank_account") var bankAccount: String?
  @Field(key: "amount") var amount: Int64
  @Field(key: "created_on") var createdOn: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ refund: Refund, organisation: UUID?) {
    id = refund.id.rawValue
    number = refund.number
    correctionID = refund.correctionID.rawValue
    schemeCode = refund.schemeCode
    organisationID = organisation
    billID = refund.billID.rawValue
    billNumber = refund.billNumber
    certificateNumber = refund.certificateNumber
    payerType = refund.payer.rawValue
    payeeName = refund.payeeName
    bankName = refund.bankName
    bankAccount = refund.bankAccount
    amount = refund.amount.fen
    createdOn = refund.createdOn.description
  }

  /// What the bill's payer got back: the paid side of ``Bill/net(adjustments:refunds:withdrawnMembers:)``.
  /// A third party is told apart by the name its refund is paid to, which is theirs.
  func part() throws -> PayerAmount {
    guard let payer = PayerType(rawValue: payerType) else { throw CorruptRow(table: Self.schema, column: "payer_type") }
    return PayerAmount(payer: payer, payerName: payer == .thirdParty ? payeeName : nil, amount: Money(fen: amount))
  }

  func domain(transfer: RefundTransferModel?) throws -> Refund {
    guard let payer = PayerType(rawValue: payerType) else { throw CorruptRow(table: Self.schema, column: "payer_type") }
    return Refund(
      id: .init(try requireID()), number: number, correctionID: .init(correctionID), schemeCode: schemeCode,
      billID: .init(billID), billNumber: billNumber, certificateNumber: certificateNumber, payer: payer,
      payeeName: payeeName, bankName: bankName, bankAccount: bankAccount, amount: Money(fen: amount),
      createdOn: try date(createdOn, column: "created_on"),
      paidOn: try transfer.map { try date($0.paidOn, column: "paid_on") }, paidReference: transfer?.reference,
      paidBy: transfer?.paidBy)
  }
}

final class RefundTransferModel: Model, @unchecked Sendable {
  static let schema = M030_EnrollmentVoids.transfers

  @ID(key: .id) var id: UUID?
  @Field(key: "refund_id") var refundID: UUID
  @Field(key: "reference") var reference: String
  @Field(key: "paid_on") var paidOn: String
  @Field(key: "paid_by") var paidBy: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ refund: Refund) {
    id = UUID()
    refundID = refund.id.rawValue
    reference = refund.paidReference ?? ""
    paidOn = refund.paidOn?.description ?? ""
    paidBy = refund.paidBy ?? ""
  }
}
