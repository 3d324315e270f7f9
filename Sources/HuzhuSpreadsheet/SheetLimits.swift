import Foundation

/// How much of a spreadsheet the readers take. A file past any limit is refused with
/// ``SpreadsheetError/Kind/tooLarge`` as soon as the reader meets the excess, before it is
/// allocated: a small archive that inflates to gigabytes, or a sheet whose one cell sits on
/// row 200,000,000, costs no more than the limit.
///
/// The defaults take a 100,000-worker roster (the largest unit a federation has) with room to
/// spare; `huzhu serve` reads other values from `HUZHU_LIMIT_*` (see the README).
public struct SheetLimits: Sendable, Equatable {
  /// The file as uploaded or read from disk.
  public var fileBytes: Int
  /// Rows of the first sheet, header and title rows included.
  public var rows: Int
  /// Columns of any row.
  public var columns: Int
  /// Cells of the whole sheet (and strings of the shared-string table).
  public var cells: Int
  /// One part of an XLSX archive as inflated (a 100,000-row roster's sheet is about 50 MB).
  public var expandedBytes: Int
  /// How many times its compressed size a part may inflate to, once past a megabyte. Sheets
  /// of text compress ten to thirty times; a zip bomb, a thousand.
  public var compressionRatio: Int

  public init(
    fileBytes: Int = 32 << 20, rows: Int = 100_000, columns: Int = 256, cells: Int = 3_000_000,
    expandedBytes: Int = 128 << 20, compressionRatio: Int = 100
  ) {
    self.fileBytes = fileBytes
    self.rows = rows
    self.columns = columns
    self.cells = cells
    self.expandedBytes = expandedBytes
    self.compressionRatio = compressionRatio
  }

  public static let standard = SheetLimits()

  /// Parts smaller than this are not held to the compression ratio: they cost nothing.
  static let ratioFreeBytes = 1 << 20

  func tooManyRows(_ row: Int, part: String) -> SpreadsheetError {
    SpreadsheetError(
      kind: .tooLarge, detail: "\(part): row \(row) is past the limit of \(rows) rows",
      detailZh: "\(part)：第 \(row) 行，超过 \(rows) 行的上限")
  }

  func tooManyColumns(_ column: Int, part: String) -> SpreadsheetError {
    SpreadsheetError(
      kind: .tooLarge, detail: "\(part): column \(column) is past the limit of \(columns) columns",
      detailZh: "\(part)：第 \(column) 列，超过 \(columns) 列的上限")
  }

  func tooManyCells(part: String) -> SpreadsheetError {
    SpreadsheetError(
      kind: .tooLarge, detail: "\(part): more than \(cells) cells", detailZh: "\(part)：单元格超过 \(cells) 个的上限")
  }

  func fileTooLarge(_ bytes: Int) -> SpreadsheetError {
    SpreadsheetError(
      kind: .tooLarge, detail: "the file has \(bytes) bytes, more than the limit of \(Self.megabytes(fileBytes))",
      detailZh: "文件大小超过 \(Self.megabytes(fileBytes)) 的上限")
  }

  func partTooLarge(_ part: String) -> SpreadsheetError {
    SpreadsheetError(
      kind: .tooLarge, detail: "\(part) inflates to more than \(Self.megabytes(expandedBytes))",
      detailZh: "\(part) 解压后超过 \(Self.megabytes(expandedBytes)) 的上限")
  }

  func inflatesTooMuch(_ part: String) -> SpreadsheetError {
    SpreadsheetError(
      kind: .tooLarge, detail: "\(part) inflates more than \(compressionRatio) times its compressed size",
      detailZh: "\(part) 解压后超过压缩大小的 \(compressionRatio) 倍（疑似压缩炸弹）")
  }

  static func megabytes(_ bytes: Int) -> String { "\(bytes >> 20) MB" }
}
