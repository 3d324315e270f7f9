import Foundation
import HuzhuCore

/// The file a bank's bulk-transfer portal takes for a payment batch: payee, account, bank,
/// amount in yuan, purpose. Failed lines are left out; exporting again gives the same file.
/// Names and account text typed by people pass ``FormulaGuard`` so no cell runs as a formula.
public enum BankTransferFile {
  public static let header = ["户名", "账号", "开户行", "金额", "用途"]

  /// A line wholly withheld towards the member's recoveries transfers nothing: it is not in the
  /// file (finance confirms it on the batch page like any other line).
  public static func rows(_ batch: PaymentBatch) -> [[String]] {
    rows(
      batch.lines.filter { $0.status != .failed && $0.amount.fen > 0 }.map {
        Transfer(
          payee: $0.payeeName, account: $0.bankAccount, bank: $0.bankName, amount: $0.amount,
          purpose: "互助金 \($0.claimNumber)")
      })
  }

  /// The refunds still owed: to a union's own subsidy nothing is transferred (it is settled
  /// between the union's accounts), so those are left out; an account not known is left blank
  /// for finance to fill in at the bank.
  public static func rows(_ refunds: [Refund]) -> [[String]] {
    rows(
      transferred(refunds).map {
        Transfer(
          payee: $0.payeeName, account: $0.bankAccount ?? "", bank: $0.bankName ?? "", amount: $0.amount,
          purpose: "退费 \($0.number) \($0.certificateNumber)")
      })
  }

  /// The refunds the file transfers.
  public static func transferred(_ refunds: [Refund]) -> [Refund] {
    refunds.filter { $0.status == .due && ![.unionProvince, .unionCity, .unionCounty].contains($0.payer) }
  }

  struct Transfer {
    let payee: String
    let account: String
    let bank: String
    let amount: Money
    let purpose: String
  }

  static func rows(_ transfers: [Transfer]) -> [[String]] {
    [header]
      + transfers.map {
        [
          FormulaGuard.neutralised($0.payee), FormulaGuard.neutralised($0.account), FormulaGuard.neutralised($0.bank),
          $0.amount.decimalString, FormulaGuard.neutralised($0.purpose),
        ]
      }
  }

  /// UTF-8 with a byte-order mark, which Excel and the bank portals read as UTF-8.
  public static func csv(_ batch: PaymentBatch) -> Data { csv(rows: rows(batch)) }

  public static func xlsx(_ batch: PaymentBatch) throws -> Data {
    try XLSXWriter.write(rows: rows(batch), sheetName: batch.number)
  }

  public static func csv(rows: [[String]]) -> Data {
    let text = rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
  }

  public static func xlsx(rows: [[String]], sheetName: String) throws -> Data {
    try XLSXWriter.write(rows: rows, sheetName: sheetName)
  }

  static func field(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
      ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }
}
