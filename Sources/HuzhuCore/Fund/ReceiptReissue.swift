import Foundation

/// A receipt reissued (收据重开): the paper was lost, spoilt or made out wrongly. No money
/// moves, so no second person is needed; the payment keeps its record, the earlier number is
/// marked replaced, and the new number is a receipt of its own, linked to the one it replaces.
public struct ReceiptReissue: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<ReceiptReissue>

  public let id: ID
  public let paymentID: Payment.ID
  /// The new receipt's number, from the receipts' own sequence.
  public let number: String
  /// The number it replaces: the payment's first, or an earlier reissue's.
  public let replaces: String
  public let reason: String
  public let reissuedBy: String
  /// The server's day.
  public let reissuedOn: CalendarDate

  public init(
    id: ID = ID(), paymentID: Payment.ID, number: String, replaces: String, reason: String, reissuedBy: String,
    reissuedOn: CalendarDate
  ) {
    self.id = id
    self.paymentID = paymentID
    self.number = number
    self.replaces = replaces
    self.reason = reason
    self.reissuedBy = reissuedBy
    self.reissuedOn = reissuedOn
  }
}

extension CorrectionRules {
  /// A reissue of `payment`'s receipt standing as `current` (after `earlier` reissues, oldest
  /// first): only the receipt in force, and not of a voided payment.
  public static func reissue(
    _ payment: Payment, asked number: String, earlier: [ReceiptReissue], newNumber: String, reason: String,
    by name: String, on day: CalendarDate
  ) throws(ValidationFailure) -> ReceiptReissue {
    let reason = try checkText(reason, field: "reason", label: LocalizedText(zh: "重开原因", en: "Reason"))
    guard !payment.voided else {
      throw ValidationFailure([
        FieldError(
          field: "receiptNumber", code: "payment_void",
          message: LocalizedText(zh: "该缴费已作废，不能重开收据", en: "the payment is void: its receipt cannot be reissued"))
      ])
    }
    let current = earlier.last?.number ?? payment.receiptNumber
    guard number == current else {
      throw ValidationFailure([
        FieldError(
          field: "receiptNumber", code: "receipt_replaced",
          message: LocalizedText(
            zh: "收据 \(number) 已重开为 \(current)，请在现行收据上办理", en: "receipt \(number) was replaced by \(current)"))
      ])
    }
    return ReceiptReissue(
      paymentID: payment.id, number: newNumber, replaces: current, reason: reason, reissuedBy: name, reissuedOn: day)
  }
}
