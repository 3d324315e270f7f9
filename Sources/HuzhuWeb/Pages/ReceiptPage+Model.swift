import HuzhuCore

/// A payment's receipt (收据), printable: who paid what towards which bill.
enum ReceiptPage {
  struct Model {
    let payment: Payment
    let bill: Bill
    let payerDisplayName: String
    let unitName: String?
    let schemeName: String

    static func load(
      number: String, enrollments: any EnrollmentStore, registry: any RegistryStore, schemes: any SchemeStore
    ) async throws -> Model? {
      guard let payment = try await enrollments.payment(receiptNumber: number),
        let bill = try await enrollments.bill(payment.billID)
      else { return nil }
      let unitName = try await bill.unitID.asyncMap { try await registry.unit($0)?.name } ?? nil
      let scheme = try await schemes.scheme(code: bill.schemeCode)
      return Model(
        payment: payment, bill: bill,
        payerDisplayName: payment.payerName ?? (payment.payer == .employer ? unitName : nil) ?? payment.payer.label.zh,
        unitName: unitName, schemeName: scheme?.definition.scheme.name ?? bill.schemeCode)
    }
  }
}
