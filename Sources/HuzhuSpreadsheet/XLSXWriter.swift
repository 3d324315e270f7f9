import Foundation
import ZIPFoundation

/// Writes a one-sheet XLSX workbook: roster templates and bank transfer files as text cells
/// (inline strings, so that ID numbers and account numbers are never numbers), report tables
/// with their counts and amounts as numbers Excel can add up.
public enum XLSXWriter {
  public enum Cell: Sendable, Equatable {
    case text(String)
    /// A decimal number as written ("4430790.00"): never through a floating-point value.
    case number(String)
  }

  public static func write(rows: [[String]], sheetName: String = "Sheet1") throws -> Data {
    try write(cells: rows.map { $0.map(Cell.text) }, sheetName: sheetName)
  }

  public static func write(cells rows: [[Cell]], sheetName: String = "Sheet1") throws -> Data {
    let archive: Archive
    do {
      archive = try Archive(data: Data(), accessMode: .create)
    }
    let parts: [(String, String)] = [
      ("[Content_Types].xml", contentTypes), ("_rels/.rels", rootRelationships),
      ("xl/workbook.xml", workbook(sheetName)),
      ("xl/_rels/workbook.xml.rels", workbookRelationships), ("xl/worksheets/sheet1.xml", worksheet(rows)),
    ]
    for (path, text) in parts {
      let data = Data(text.utf8)
      try archive.addEntry(
        with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
      ) { position, size in
        data.subdata(in: Int(position)..<Int(position) + size)
      }
    }
    guard let data = archive.data else { throw SpreadsheetError(kind: .unreadable, detail: "the archive has no data") }
    return data
  }

  static func worksheet(_ rows: [[Cell]]) -> String {
    var xml =
      #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
    for (rowIndex, row) in rows.enumerated() {
      xml += #"<row r="\#(rowIndex + 1)">"#
      for (columnIndex, cell) in row.enumerated() {
        let reference = "\(columnName(columnIndex))\(rowIndex + 1)"
        switch cell {
        case .text(let value) where !value.isEmpty:
          xml += #"<c r="\#(reference)" t="inlineStr"><is><t xml:space="preserve">\#(escape(value))</t></is></c>"#
        case .number(let value) where !value.isEmpty:
          xml += #"<c r="\#(reference)"><v>\#(escape(value))</v></c>"#
        default: break
        }
      }
      xml += "</row>"
    }
    return xml + "</sheetData></worksheet>"
  }

  static func columnName(_ index: Int) -> String {
    var name = ""
    var value = index + 1
    while value > 0 {
      let remainder = (value - 1) % 26
      name = String(UnicodeScalar(UInt8(65 + remainder))) + name
      value = (value - 1) / 26
    }
    return name
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  static let contentTypes =
    #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#

  static let rootRelationships =
    #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#

  static func workbook(_ name: String) -> String {
    #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="\#(escape(name))" sheetId="1" r:id="rId1"/></sheets></workbook>"#
  }

  static let workbookRelationships =
    #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
}
