import Foundation
import ZIPFoundation

/// A ZIP archive that is not a workbook, to prove the reader checks what is inside.
enum XLSXWriterProbe {
  /// A workbook with parts written by hand, to exercise what LibreOffice did not produce.
  static func workbook(sheet: String, sharedStrings: String?) throws -> Data {
    let archive = try Archive(data: Data(), accessMode: .create)
    var parts = [
      (
        "xl/workbook.xml",
        #"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId7"/></sheets></workbook>"#
      ),
      (
        "xl/_rels/workbook.xml.rels",
        #"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="worksheet" Target="worksheets/data.xml"/></Relationships>"#
      ),
      ("xl/worksheets/data.xml", sheet),
    ]
    if let sharedStrings { parts.append(("xl/sharedStrings.xml", sharedStrings)) }
    for (path, text) in parts {
      let content = Data(text.utf8)
      try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(content.count), compressionMethod: .deflate)
      {
        position, size in content.subdata(in: Int(position)..<Int(position) + size)
      }
    }
    return archive.data!
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
