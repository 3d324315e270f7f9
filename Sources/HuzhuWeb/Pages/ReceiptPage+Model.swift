import HuzhuApp
import HuzhuCore

/// A payment's receipt (收据), printable: who paid what towards which bill.
enum ReceiptPage {
  typealias Model = Registry.Receipt
}
