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
    [header]
      + batch.lines.filter { $0.status != .failed && $0.amount.fen > 0 }.map {
        [
          FormulaGuard.neutralised($0.payeeName), FormulaGuard.neutralised($0.bankAccount),
          FormulaGuard.neutralised($0.bankName), $0.amount.decimalString, "互助金 \($0.claimNumber)",
        ]
      }
  }

  /// UTF-8 with a byte-order mark, which Excel and the bank portals read as UTF-8.
  public static func csv(_ batch: PaymentBatch) -> Data {
    let text = rows(batch).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
  }

  public static func xlsx(_ batch: PaymentBatch) throws -> Data {
    try XLSXWriter.write(rows: rows(batch), sheetName: batch.number)
  }

  static func field(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
      ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }
}
