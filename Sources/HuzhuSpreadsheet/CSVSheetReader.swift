import CSV
import Foundation

/// CSV in UTF-8 (with or without a byte-order mark) or in GBK/GB18030, which is what Chinese
/// Excel writes by default.
enum CSVSheetReader {
  /// GB 18030 as Foundation names it; a superset of GBK and GB 2312.
  static let gb18030 = String.Encoding(rawValue: 0x8000_0632)

  static func read(_ data: Data, limits: SheetLimits) throws(SpreadsheetError) -> Sheet {
    // A zero byte is NUL in UTF-8 and in GB 18030 alike (no multi-byte character holds one):
    // looked for in the bytes, a fraction of a search of the decoded text.
    if data.contains(0) { throw SpreadsheetError(kind: .notASpreadsheet, detail: "binary content") }
    guard let text = decode(data) else { throw SpreadsheetError(kind: .unsupportedEncoding, detail: "") }
    let reader: CSVReader
    do {
      reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false)
    } catch {
      throw SpreadsheetError(kind: .notASpreadsheet, detail: "\(error)")
    }
    var rows: [[Cell]] = []
    var cellCount = 0
    while let fields = reader.next() {
      guard rows.count < limits.rows else { throw limits.tooManyRows(rows.count + 1, part: "CSV") }
      guard fields.count <= limits.columns else { throw limits.tooManyColumns(fields.count, part: "CSV") }
      cellCount += fields.count
      guard cellCount <= limits.cells else { throw limits.tooManyCells(part: "CSV") }
      var cells = fields.map { $0.isEmpty ? Cell.empty : Cell.text($0) }
      while cells.last?.isEmpty == true { cells.removeLast() }
      rows.append(cells)
    }
    if let error = reader.error { throw SpreadsheetError(kind: .notASpreadsheet, detail: "\(error)") }
    return Sheet(rows: rows)
  }

  static func decode(_ data: Data) -> String? {
    var bytes = data
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    if let text = String(data: bytes, encoding: .utf8) { return text }
    return String(data: data, encoding: gb18030)
  }
}
