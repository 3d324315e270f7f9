import Foundation
import HuzhuTestSupport
import ZIPFoundation

/// A ZIP archive that is not a workbook, to prove the reader checks what is inside.
enum XLSXWriterProbe {
  /// A workbook with parts written by hand, to exercise what LibreOffice did not produce.
  static func workbook(sheet: String, sharedStrings: String?) throws -> Data {
    try HandMadeXLSX.workbook(sheet: sheet, sharedStrings: sharedStrings)
  }

  static func zipWithoutWorkbook() throws -> Data {
    let archive = try Archive(data: Data(), accessMode: .create)
    let content = Data("hello".utf8)
    try archive.addEntry(with: "readme.txt", type: .file, uncompressedSize: Int64(content.count)) { position, size in
      content.subdata(in: Int(position)..<Int(position) + size)
    }
    return archive.data!
  }
}
