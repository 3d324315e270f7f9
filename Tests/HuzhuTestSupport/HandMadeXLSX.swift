import Foundation
import ZIPFoundation

/// A workbook written by hand, part by part: for the files no spreadsheet program writes
/// (hostile references, damaged parts), which tests of the readers need.
public enum HandMadeXLSX {
  public static func workbook(sheet: String, sharedStrings: String? = nil) throws -> Data {
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
}

extension HandMadeXLSX {
  /// A workbook whose sheet's central directory entry declares (through a zip64 extra field)
  /// an uncompressed size past `Int.max`: what a hostile file may claim, whatever it holds.
  public static func declaringHugeSheet() throws -> Data {
    var data = try workbook(sheet: "<worksheet><sheetData/></worksheet>")
    let name = Data("xl/worksheets/data.xml".utf8)
    func uint32(_ offset: Int) -> UInt32 {
      data[offset..<offset + 4].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }
    func put32(_ value: UInt32, at offset: Int) {
      for index in 0..<4 { data[offset + index] = UInt8((value >> (8 * UInt32(index))) & 0xFF) }
    }
    func put16(_ value: UInt16, at offset: Int) {
      data[offset] = UInt8(value & 0xFF)
      data[offset + 1] = UInt8(value >> 8)
    }
    // The central directory header of the sheet: signature, then the name at offset 46.
    var header: Int?
    for offset in 0..<(data.count - 46) where uint32(offset) == 0x0201_4B50 {
      let nameLength = Int(data[offset + 28]) | Int(data[offset + 29]) << 8
      if nameLength == name.count, data[offset + 46..<offset + 46 + nameLength] == name { header = offset }
    }
    guard let header else { throw CocoaError(.fileReadCorruptFile) }
    let extraLength = Int(data[header + 30]) | Int(data[header + 31]) << 8
    // Sizes 0xFFFFFFFF in the header; the true (here: huge) values in a zip64 extra field.
    put32(0xFFFF_FFFF, at: header + 20)
    put32(0xFFFF_FFFF, at: header + 24)
    var zip64 = Data([0x01, 0x00, 16, 0x00])
    for value in [UInt64(Int.max) + 1, UInt64(0x10)] {
      for index in 0..<8 { zip64.append(UInt8((value >> (8 * UInt64(index))) & 0xFF)) }
    }
    put16(UInt16(extraLength + zip64.count), at: header + 30)
    data.insert(contentsOf: zip64, at: header + 46 + name.count + extraLength)
    // The end of central directory record counts the directory's bytes.
    guard let end = (0...(data.count - 22)).reversed().first(where: { uint32($0) == 0x0605_4B50 }) else {
      throw CocoaError(.fileReadCorruptFile)
    }
    put32(uint32(end + 12) + UInt32(zip64.count), at: end + 12)
    return data
  }
}
