import Foundation
import ZIPFoundation

/// A ZIP archive that is not a workbook, to prove the reader checks what is inside.
enum XLSXWriterProbe {
  static func zipWithoutWorkbook() throws -> Data {
    let archive = try Archive(data: Data(), accessMode: .create)
    let content = Data("hello".utf8)
    try archive.addEntry(with: "readme.txt", type: .file, uncompressedSize: Int64(content.count)) { position, size in
      content.subdata(in: Int(position)..<Int(position) + size)
    }
    return archive.data!
  }
}
