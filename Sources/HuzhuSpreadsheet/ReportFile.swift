import Foundation
import HuzhuCore

/// A report table as a file: CSV (UTF-8 with a byte-order mark, which Excel reads as UTF-8)
/// or a one-sheet Excel workbook with counts and amounts as numbers.
public enum ReportFile {
  public static func csv(_ table: ReportTable, english: Bool) -> Data {
    let header = table.columns.map { english ? $0.en : $0.zh }
    let body = bodyRows(table).map { row in row.map(exported) }
    let text =
      ([header] + body).map { $0.map(BankTransferFile.field).joined(separator: ",") }.joined(separator: "\r\n")
      + "\r\n"
    return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
  }

  public static func xlsx(_ table: ReportTable, english: Bool) throws -> Data {
    let header = table.columns.map { XLSXWriter.Cell.text(english ? $0.en : $0.zh) }
    let body = bodyRows(table).map { row in
      row.map { cell in cell.isNumber ? XLSXWriter.Cell.number(cell.text) : .text(exported(cell)) }
    }
    return try XLSXWriter.write(cells: [header] + body, sheetName: sheetName(english ? table.title.en : table.title.zh))
  }

  static func bodyRows(_ table: ReportTable) -> [[ReportTable.Cell]] {
    table.rows + (table.totals.map { [$0] } ?? [])
  }

  /// A cell as the file holds it: names people typed (a unit's, an area's) cannot run as
  /// formulas; figures we computed, negative percentages included, stay as they are.
  static func exported(_ cell: ReportTable.Cell) -> String {
    if case .text(let text) = cell { return FormulaGuard.neutralised(text) }
    return cell.text
  }

  /// Excel's rules for a sheet name: at most 31 characters, none of `[]:*?/\`.
  static func sheetName(_ title: String) -> String {
    String(title.filter { !"[]:*?/\\".contains($0) }.prefix(31))
  }
}
