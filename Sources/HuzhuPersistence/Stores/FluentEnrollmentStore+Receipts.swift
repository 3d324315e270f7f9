import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Receipts reissued under a new number (``ReceiptReissue``): the payment is found by any of
/// its numbers; only the one in force is reissued, under the bill's lock like a payment.
extension FluentEnrollmentStore {
  static let receiptReplaced = ValidationFailure([
    FieldError(
      field: "receiptNumber", code: "receipt_replaced",
      message: LocalizedText(zh: "该收据刚刚已被重开，请刷新后查看", en: "the receipt was just reissued; reload to see it"))
  ])

  /// The payment whose receipt, first or reissued, has `number`, when its bill is in scope.
  func paymentRow(receiptNumber number: String, on database: any Database) async throws -> PaymentModel? {
    let normalized = number.trimmingCharacters(in: .whitespaces).uppercased()
    let row: PaymentModel?
    if let first = try await PaymentModel.query(on: database).filter(\.$receiptNumber == normalized).first() {
      row = first
    } else if let reissue = try await ReceiptReissueModel.query(on: database).filter(\.$number == normalized).first() {
      row = try await PaymentModel.find(reissue.paymentID, on: database)
    } else {
      row = nil
    }
    guard let row, let bill = try await BillModel.find(row.billID, on: database), try await shows(bill, on: database)
    else { return nil }
    return row
  }

  /// The reissues of a payment's receipt, oldest first (the last one's number is in force).
  public func reissues(of payment: Payment.ID) async throws -> [ReceiptReissue] {
    try await Self.reissues(of: payment.rawValue, on: database)
  }

  static func reissues(of payment: UUID, on database: any Database) async throws -> [ReceiptReissue] {
    try await ReceiptReissueModel.query(on: database).filter(\.$paymentID == payment)
      .sort(\.$createdAt).sort(\.$number).all().map { try $0.domain() }
  }

  /// Reissues the receipt in force under a new number from the receipts' sequence.
  public func reissueReceipt(_ number: String, reason: String, by name: String, on day: CalendarDate) async throws
    -> ReceiptReissue
  {
    try await mappingConstraintFailure(to: Self.receiptReplaced) {
      try await database.writeTransaction { transaction in
        guard let found = try await paymentRow(receiptNumber: number, on: transaction),
          let billRow = try await lockedBill(found.billID, on: transaction)
        else { throw Self.unknownPayment }
        var payment = try found.domain()
        payment.voided = try await Self.voidedPayments([payment.id.rawValue], on: transaction)
          .contains(payment.id.rawValue)
        let earlier = try await Self.reissues(of: payment.id.rawValue, on: transaction)
        let sequence = try await Sequences.next(
          DocumentKind.receipt.sequenceName(scheme: billRow.schemeCode, year: day.year), count: 1, on: transaction)
        let reissue = try CorrectionRules.reissue(
          payment, asked: number.trimmingCharacters(in: .whitespaces).uppercased(), earlier: earlier,
          newNumber: DocumentNumbers.format(
            .receipt, scheme: billRow.schemeCode, year: day.year, sequence: sequence.lowerBound),
          reason: reason, by: name, on: day)
        try await ReceiptReissueModel(reissue).create(on: transaction)
        return reissue
      }
    }
  }
}

final class ReceiptReissueModel: Model, @unchecked Sendable {
  static let schema = M030_EnrollmentVoids.reissues

  @ID(key: .id) var id: UUID?
  @Field(key: "payment_id") var paymentID: UUID
  @Field(key: "number") var number: String
  @Field(key: "replaces") var replaces: String
  @Field(key: "reason") var reason: String
  @Field(key: "reissued_by") var reissuedBy: String
  @Field(key: "reissued_on") var reissuedOn: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ reissue: ReceiptReissue) {
    id = reissue.id.rawValue
    paymentID = reissue.paymentID.rawValue
    number = reissue.number
    replaces = reissue.replaces
    reason = reissue.reason
    reissuedBy = reissue.reissuedBy
    reissuedOn = reissue.reissuedOn.description
  }

  func domain() throws -> ReceiptReissue {
    ReceiptReissue(
      id: .init(try requireID()), paymentID: .init(paymentID), number: number, replaces: replaces, reason: reason,
      reissuedBy: reissuedBy, reissuedOn: try date(reissuedOn, column: "reissued_on"))
  }
}
