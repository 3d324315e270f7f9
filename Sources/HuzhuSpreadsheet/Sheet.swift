import Foundation

/// The first worksheet of a spreadsheet file as a grid of cells, the shape every import
/// works on whatever the file was: XLSX or CSV, UTF-8 or GBK.
public struct Sheet: Sendable, Equatable {
  /// Rows in file order; row 0 is usually the header. Trailing empty cells are dropped.
  public var rows: [[Cell]]

  public init(rows: [[Cell]]) {
    self.rows = rows
  }

  /// The grid as plain text, for code that does not care how a value was stored.
  public var textRows: [[String]] { rows.map { $0.map(\.text) } }
}

/// One cell as the file stored it. Numbers keep their exact text: an 18-digit ID number that
/// Excel turned into `1.10105194912310E+17` must be recognised as damaged, not rounded.
public enum Cell: Sendable, Equatable {
  case empty
  case text(String)
  /// A numeric cell, as written in the file (`"42"`, `"3000.5"`, `"1.10105194912310E+17"`).
  case number(String)
  case bool(Bool)
  /// A formula error such as `#N/A`.
  case error(String)

  public var text: String {
    switch self {
    case .empty: ""
    case .text(let text): text
    case .number(let text): Self.plainNumber(text)
    case .bool(let value): value ? "TRUE" : "FALSE"
    case .error(let code): code
    }
  }

  public var isEmpty: Bool {
    if case .empty = self { return true }
    if case .text(let text) = self { return text.trimmingCharacters(in: .whitespaces).isEmpty }
    return false
  }

  /// `42.0` → `42`, `3000.50` stays as written; exponent forms stay too (they signal damage).
  static func plainNumber(_ text: String) -> String {
    if text.hasSuffix(".0") { return String(text.dropLast(2)) }
    return text
  }
}

public struct SpreadsheetError: Error, Equatable, CustomStringConvertible, Sendable {
  public enum Kind: String, Sendable {
    case unreadable, notASpreadsheet, missingPart, malformedXML, unsupportedEncoding, empty
    /// Past the ``SheetLimits`` or beyond what a spreadsheet program writes (a row or column
    /// past Excel's last): refused before it is read, never allocated.
    case tooLarge
  }

  public let kind: Kind
  public let detail: String
  /// The detail in Chinese, where it is more than a part's name or a parser's message.
  public let detailZh: String?

  public init(kind: Kind, detail: String, detailZh: String? = nil) {
    self.kind = kind
    self.detail = detail
    self.detailZh = detailZh
  }

  public var description: String { "\(kind.rawValue): \(detail)" }

  /// What to tell the person who uploaded the file.
  public var messageZh: String {
    switch kind {
    case .unreadable: "无法读取文件：\(detail)"
    case .notASpreadsheet: "文件不是 XLSX 或 CSV 表格（\(detail)）；旧版 .xls 请在 Excel 中另存为 .xlsx"
    case .missingPart: "XLSX 文件缺少必要部分：\(detail)"
    case .malformedXML: "XLSX 文件内容损坏：\(detail)"
    case .unsupportedEncoding: "无法识别 CSV 文件的编码（支持 UTF-8 与 GBK/GB18030）"
    case .empty: "表格中没有数据"
    case .tooLarge: "表格超出可处理的范围：\(detailZh ?? detail)"
    }
  }

  public var messageEn: String {
    switch kind {
    case .unreadable: "cannot read the file: \(detail)"
    case .notASpreadsheet: "not an XLSX or CSV spreadsheet (\(detail)); save old .xls files as .xlsx"
    case .missingPart: "the XLSX file lacks a required part: \(detail)"
    case .malformedXML: "the XLSX file is damaged: \(detail)"
    case .unsupportedEncoding: "cannot tell the CSV file's encoding (UTF-8 and GBK/GB18030 are supported)"
    case .empty: "the sheet has no data"
    case .tooLarge: "the spreadsheet is beyond what can be read: \(detail)"
    }
  }
}

/// Reads a sheet from bytes, deciding the format by content, never by file name.
public enum SheetReader {
  public static func read(_ data: Data, limits: SheetLimits = .standard) throws(SpreadsheetError) -> Sheet {
    guard data.count <= limits.fileBytes else { throw limits.fileTooLarge(data.count) }
    if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try XLSXReader.read(data, limits: limits) }
    if data.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
      throw SpreadsheetError(kind: .notASpreadsheet, detail: "an old binary .xls workbook")
    }
    return try CSVSheetReader.read(data, limits: limits)
  }

  /// A file on disk, refused by its size before it is read.
  public static func read(contentsOf url: URL, limits: SheetLimits = .standard) throws(SpreadsheetError) -> Sheet {
    let data: Data
    do {
      let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
      guard size <= limits.fileBytes else { throw limits.fileTooLarge(size) }
      data = try Data(contentsOf: url)
    } catch let error as SpreadsheetError {
      throw error
    } catch {
      throw SpreadsheetError(kind: .unreadable, detail: error.localizedDescription)
    }
    return try read(data, limits: limits)
  }
}
