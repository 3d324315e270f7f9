import Foundation
import XMLCoder
import ZIPFoundation

/// Reads the first worksheet of an XLSX workbook (Office Open XML, as Excel, WPS and
/// LibreOffice write it): shared strings with rich-text runs, inline strings, numbers,
/// booleans, errors and formula results.
///
/// Hand-written because no package here reads XLSX; ZIPFoundation opens the archive and
/// XMLCoder decodes each part.
enum XLSXReader {
  static func read(_ data: Data) throws(SpreadsheetError) -> Sheet {
    let archive: Archive
    do {
      archive = try Archive(data: data, accessMode: .read)
    } catch {
      throw SpreadsheetError(kind: .notASpreadsheet, detail: "not a ZIP archive")
    }
    let sheetPath = try firstSheetPath(in: archive)
    let strings = try sharedStrings(in: archive)
    let worksheet: Worksheet = try decode(part: sheetPath, in: archive)
    var rows: [[Cell]] = []
    var nextRow = 1
    for row in worksheet.sheetData.row ?? [] {
      let number = row.r ?? nextRow
      // Rows a spreadsheet left out are empty rows: keep row numbers true to the file.
      while nextRow < number {
        rows.append([])
        nextRow += 1
      }
      var cells: [Cell] = []
      var nextColumn = 0
      for cell in row.c ?? [] {
        let column = cell.r.flatMap(columnIndex) ?? nextColumn
        while cells.count < column { cells.append(.empty) }
        cells.append(try value(of: cell, strings: strings))
        nextColumn = column + 1
      }
      while cells.last?.isEmpty == true { cells.removeLast() }
      rows.append(cells)
      nextRow = number + 1
    }
    return Sheet(rows: rows)
  }

  // MARK: Parts

  struct Worksheet: Decodable {
    struct SheetData: Decodable { let row: [Row]? }
    struct Row: Decodable {
      let r: Int?
      let c: [CellXML]?
    }
    let sheetData: SheetData
  }

  struct CellXML: Decodable {
    let r: String?
    let t: String?
    let v: String?
    let `is`: RichText?
  }

  /// `<si>` or `<is>`: either a plain `<t>` or runs `<r><t>…</t></r>`.
  struct RichText: Decodable {
    struct Text: Decodable {
      let value: String
      enum CodingKeys: String, CodingKey { case value = "" }
      init(from decoder: any Decoder) throws {
        // `<t/>` and `<t xml:space="preserve"> </t>` both decode here.
        value =
          (try? decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .value))
          ?? (try? decoder.singleValueContainer().decode(String.self)) ?? ""
      }
    }
    struct Run: Decodable { let t: Text? }
    let t: Text?
    let r: [Run]?

    var text: String { t?.value ?? (r ?? []).compactMap { $0.t?.value }.joined() }
  }

  struct SharedStrings: Decodable { let si: [RichText]? }

  struct Workbook: Decodable {
    struct Sheets: Decodable { let sheet: [SheetEntry] }
    struct SheetEntry: Decodable {
      let name: String?
      let id: String?
      enum CodingKeys: String, CodingKey {
        case name
        case id = "r:id"
      }
    }
    let sheets: Sheets
  }

  struct Relationships: Decodable {
    struct Relationship: Decodable {
      let Id: String
      let Target: String
    }
    let Relationship: [Relationship]?
  }

  static func firstSheetPath(in archive: Archive) throws(SpreadsheetError) -> String {
    guard archive["xl/workbook.xml"] != nil else {
      throw SpreadsheetError(kind: .notASpreadsheet, detail: "no xl/workbook.xml")
    }
    let workbook: Workbook = try decode(part: "xl/workbook.xml", in: archive)
    guard let first = workbook.sheets.sheet.first else { throw SpreadsheetError(kind: .empty, detail: "no worksheet") }
    if let id = first.id, archive["xl/_rels/workbook.xml.rels"] != nil {
      let relationships: Relationships = try decode(part: "xl/_rels/workbook.xml.rels", in: archive)
      if let target = relationships.Relationship?.first(where: { $0.Id == id })?.Target {
        return target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
      }
    }
    guard archive["xl/worksheets/sheet1.xml"] != nil else {
      throw SpreadsheetError(kind: .missingPart, detail: "the first worksheet")
    }
    return "xl/worksheets/sheet1.xml"
  }

  static func sharedStrings(in archive: Archive) throws(SpreadsheetError) -> [String] {
    guard archive["xl/sharedStrings.xml"] != nil else { return [] }
    let table: SharedStrings = try decode(part: "xl/sharedStrings.xml", in: archive)
    return (table.si ?? []).map(\.text)
  }

  static func decode<T: Decodable>(part path: String, in archive: Archive) throws(SpreadsheetError) -> T {
    guard let entry = archive[path] else { throw SpreadsheetError(kind: .missingPart, detail: path) }
    var data = Data()
    do {
      _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
    } catch {
      throw SpreadsheetError(kind: .malformedXML, detail: "\(path): \(error)")
    }
    let decoder = XMLDecoder(trimValueWhitespaces: false)
    decoder.shouldProcessNamespaces = false
    do {
      return try decoder.decode(T.self, from: data)
    } catch {
      throw SpreadsheetError(kind: .malformedXML, detail: "\(path): \(error)")
    }
  }

  static func value(of cell: CellXML, strings: [String]) throws(SpreadsheetError) -> Cell {
    switch cell.t {
    case "s":
      guard let text = cell.v, let index = Int(text), strings.indices.contains(index) else {
        throw SpreadsheetError(kind: .malformedXML, detail: "cell \(cell.r ?? "?") refers to a missing shared string")
      }
      return strings[index].isEmpty ? .empty : .text(strings[index])
    case "inlineStr":
      let text = cell.is?.text ?? ""
      return text.isEmpty ? .empty : .text(text)
    case "str":
      return cell.v.map { .text($0) } ?? .empty
    case "b":
      return .bool(cell.v == "1")
    case "e":
      return .error(cell.v ?? "#ERROR")
    default:
      guard let number = cell.v, !number.isEmpty else { return .empty }
      return .number(number)
    }
  }

  /// `C12` → 2.
  static func columnIndex(_ reference: String) -> Int? {
    var index = 0
    var sawLetter = false
    for character in reference {
      guard let ascii = character.asciiValue else { return nil }
      if ascii >= 65 && ascii <= 90 {
        index = index * 26 + Int(ascii - 64)
        sawLetter = true
      } else {
        break
      }
    }
    return sawLetter ? index - 1 : nil
  }
}
