/// The columns of a sheet people fill in, recognised by their headers in Chinese or English.
public protocol SheetColumn: Hashable, CaseIterable, Sendable {
  /// Headers that mean this column, compared without spaces, asterisks, underscores,
  /// full-width brackets and case.
  var headers: [String] { get }
  var label: LocalizedText { get }
  /// The columns a header row must have.
  static var required: [Self] { get }
}

public enum SheetHeader {
  /// The first of the first ten rows that names every required column, with the column of
  /// each field it names (the first, when a header repeats).
  public static func find<Column: SheetColumn>(_ rows: [[RosterCell]], _: Column.Type = Column.self)
    -> (row: Int, columns: [Column: Int])?
  {
    for (index, row) in rows.prefix(10).enumerated() {
      var columns: [Column: Int] = [:]
      for (column, cell) in row.enumerated() {
        let header = normalise(cell.trimmed)
        if let field = Column.allCases.first(where: { $0.headers.contains(header) }), columns[field] == nil {
          columns[field] = column
        }
      }
      if Column.required.allSatisfy({ columns[$0] != nil }) { return (index, columns) }
    }
    return nil
  }

  static func normalise(_ header: String) -> String {
    header.lowercased().filter { !$0.isWhitespace && $0 != "*" && $0 != "_" && $0 != "（" && $0 != "）" }
  }

  /// The file error when no header row is found, naming the required columns.
  public static func missing<Column: SheetColumn>(_: Column.Type) -> FieldError {
    let names = Column.required.map(\.label)
    return FieldError(
      field: "header", code: "missing_columns",
      message: LocalizedText(
        zh: "未找到表头：须含“\(names.map(\.zh).joined(separator: "”“"))”列（可下载模板）",
        en: "no header row with the columns \(names.map(\.en).joined(separator: ", ")) (download the template)"))
  }
}

/// One data row below a sheet's header: its cells by column, and the errors found in it so far
/// (each naming the row and the column, as `RegistryImport.rowError` words them).
public struct SheetRow<Column: SheetColumn & RawRepresentable> where Column.RawValue == String {
  /// 1-based, as the spreadsheet shows it.
  public let number: Int
  let line: [RosterCell]
  let columns: [Column: Int]
  public var errors: [FieldError] = []

  public func cell(_ column: Column) -> RosterCell {
    guard let position = columns[column], position < line.count else { return .empty }
    return line[position]
  }

  public func text(_ column: Column) -> String { cell(column).trimmed }

  public mutating func fail(_ column: Column, _ code: String, zh: String, en: String) {
    errors.append(RegistryImport.rowError(number, column, code, zh: zh, en: en))
  }
}

extension SheetHeader {
  /// The rows below the header at `header` that hold anything.
  static func rows<Column>(_ cells: [[RosterCell]], below header: Int, columns: [Column: Int]) -> [SheetRow<Column>] {
    cells.indices.filter { $0 > header && cells[$0].contains { !$0.trimmed.isEmpty } }.map {
      SheetRow(number: $0 + 1, line: cells[$0], columns: columns)
    }
  }
}
