import Foundation
import HuzhuCore

/// A report table as a file: CSV (UTF-8 with a byte-order mark, which Excel reads as UTF-8)
/// or a one-sheet Excel workbook with counts and amounts as numbers.
public enum ReportFile {
  public static func csv(_ table: ReportTable, english: Bool) -> Data {
    let text =
      table.textRows(english: english).map { $0.map(BankTransferFile.field).joined(separator: ",") }
      .joined(separator: "\r\n") + "\r\n"
    return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
  }

  public static func xlsx(_ table: ReportTable, english: Bool) throws -> Data {
    let header = table.columns.map { XLSXWriter.Cell.text(english ? $0.en : $0.zh) }
    let body = (table.rows + (table.totals.map { [$0] } ?? [])).map { row in
      row.map { cell in cell.isNumber ? XLSXWriter.Cell.number(cell.text) : .text(cell.text) }
    }
    return try XLSXWriter.write(cells: [header] + body, sheetName: sheetName(english ? table.title.en : table.title.zh))
  }

  /// Excel's rules for a sheet name: at most 31 characters, none of `[]:*?/\`.
  static func sheetName(_ title: String) -> String {
    String(title.filter { !"[]:*?/\\".contains($0) }.prefix(31))
  }
}
