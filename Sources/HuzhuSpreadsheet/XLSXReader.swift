import Foundation
import XMLCoder
import ZIPFoundation

/// Reads the first worksheet of an XLSX workbook (Office Open XML, as Excel, WPS and
/// LibreOffice write it): shared strings with rich-text runs, inline strings, numbers,
/// booleans, errors and formula results.
///
/// Hand-written because no package here reads XLSX: ZIPFoundation opens the archive,
/// XMLCoder decodes the small parts (workbook, relationships) and ``XMLScanner`` streams the
/// large ones (worksheet, shared strings).
public enum XLSXReader {
  static func read(_ data: Data, limits: SheetLimits) throws(SpreadsheetError) -> Sheet {
    let archive: Archive
    do {
      archive = try Archive(data: data, accessMode: .read)
    } catch {
      throw SpreadsheetError(kind: .notASpreadsheet, detail: "not a ZIP archive")
    }
    let sheetPath = try firstSheetPath(in: archive, limits: limits)
    let strings = try sharedStrings(in: archive, limits: limits)
    return Sheet(
      rows: try rows(
        of: try bytes(of: sheetPath, in: archive, limits: limits), strings: strings, part: sheetPath, limits: limits))
  }

  /// Excel's last row and column (XFD): a reference past them comes from no spreadsheet
  /// program, whatever the limits allow.
  public static let maximumRows = 1_048_576
  public static let maximumColumns = 16_384

  /// The worksheet's rows, streamed: row numbers stay true to the file (rows a spreadsheet
  /// left out are kept as empty rows), columns follow the cell references.
  static func rows(of data: Data, strings: [String], part: String, limits: SheetLimits) throws(SpreadsheetError)
    -> [[Cell]]
  {
    var rows: [[Cell]] = []
    var cellCount = 0
    var current: [Cell] = []
    var rowNumber = 0
    var nextRow = 1
    var nextColumn = 0
    var reference: String?
    var type: String?
    var value = ""
    var inline = ""
    var capturingValue = false
    var capturingInline = false
    var insideInline = false
    var skippingPhonetic = false
    do {
      try data.withUnsafeBytes { raw in
        try XMLScanner.scan(raw.bindMemory(to: UInt8.self)) { event in
          switch event {
          case .start(let name, let attributes, _):
            switch name {
            case "row":
              rowNumber = attributes.first { $0.0 == "r" }.flatMap { Int($0.1) } ?? nextRow
              guard (1...maximumRows).contains(rowNumber) else {
                throw SpreadsheetError(kind: .tooLarge, detail: "\(part): row \(rowNumber)")
              }
              // Before the rows a file skipped are filled in.
              guard rowNumber <= limits.rows else { throw limits.tooManyRows(rowNumber, part: part) }
              while nextRow < rowNumber {
                rows.append([])
                nextRow += 1
              }
              current = []
              nextColumn = 0
            case "c":
              reference = attributes.first { $0.0 == "r" }?.1
              type = attributes.first { $0.0 == "t" }?.1
              value = ""
              inline = ""
            case "v": capturingValue = true
            case "is": insideInline = true
            case "t" where insideInline: capturingInline = true
            case "rPh": skippingPhonetic = true
            default: break
            }
          case .text(let text):
            if capturingValue { value += text } else if capturingInline && !skippingPhonetic { inline += text }
          case .end(let name):
            switch name {
            case "v": capturingValue = false
            case "t": capturingInline = false
            case "is": insideInline = false
            case "rPh": skippingPhonetic = false
            case "c":
              let column: Int
              if let reference {
                guard let index = columnIndex(reference) else {
                  throw SpreadsheetError(kind: .tooLarge, detail: "\(part): cell \(reference.prefix(20))")
                }
                column = index
              } else {
                column = nextColumn
              }
              guard column < maximumColumns else {
                throw SpreadsheetError(kind: .tooLarge, detail: "\(part): column \(column + 1)")
              }
              guard column < limits.columns else { throw limits.tooManyColumns(column + 1, part: part) }
              cellCount += max(1, column + 1 - current.count)
              guard cellCount <= limits.cells else { throw limits.tooManyCells(part: part) }
              while current.count < column { current.append(.empty) }
              current.append(try cell(type: type, value: value, inline: inline, reference: reference, strings: strings))
              nextColumn = column + 1
            case "row":
              while current.last?.isEmpty == true { current.removeLast() }
              rows.append(current)
              nextRow = rowNumber + 1
            default: break
            }
          }
        }
      }
    } catch let error as SpreadsheetError {
      throw error
    } catch {
      throw SpreadsheetError(kind: .malformedXML, detail: "\(part): \(error)")
    }
    return rows
  }

  // MARK: Parts

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

  static func firstSheetPath(in archive: Archive, limits: SheetLimits) throws(SpreadsheetError) -> String {
    guard archive["xl/workbook.xml"] != nil else {
      throw SpreadsheetError(kind: .notASpreadsheet, detail: "no xl/workbook.xml")
    }
    let workbook: Workbook = try decode(part: "xl/workbook.xml", in: archive, limits: limits)
    guard let first = workbook.sheets.sheet.first else { throw SpreadsheetError(kind: .empty, detail: "no worksheet") }
    if let id = first.id, archive["xl/_rels/workbook.xml.rels"] != nil {
      let relationships: Relationships = try decode(part: "xl/_rels/workbook.xml.rels", in: archive, limits: limits)
      if let target = relationships.Relationship?.first(where: { $0.Id == id })?.Target {
        return target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
      }
    }
    guard archive["xl/worksheets/sheet1.xml"] != nil else {
      throw SpreadsheetError(kind: .missingPart, detail: "the first worksheet")
    }
    return "xl/worksheets/sheet1.xml"
  }

  /// The shared-string table, streamed: one string per `<si>`, rich-text runs joined,
  /// phonetic guides (`<rPh>`) left out.
  static func sharedStrings(in archive: Archive, limits: SheetLimits) throws(SpreadsheetError) -> [String] {
    guard archive["xl/sharedStrings.xml"] != nil else { return [] }
    let data = try bytes(of: "xl/sharedStrings.xml", in: archive, limits: limits)
    var strings: [String] = []
    var current = ""
    var capturing = false
    var skippingPhonetic = false
    do {
      try data.withUnsafeBytes { raw in
        try XMLScanner.scan(raw.bindMemory(to: UInt8.self)) { event in
          switch event {
          case .start(let name, _, _):
            if name == "si" {
              current = ""
            } else if name == "t" {
              capturing = true
            } else if name == "rPh" {
              skippingPhonetic = true
            }
          case .text(let text):
            if capturing && !skippingPhonetic { current += text }
          case .end(let name):
            if name == "si" {
              // No sheet within the limits refers to more strings than it has cells.
              guard strings.count < limits.cells else { throw limits.tooManyCells(part: "xl/sharedStrings.xml") }
              strings.append(current)
            } else if name == "t" {
              capturing = false
            } else if name == "rPh" {
              skippingPhonetic = false
            }
          }
        }
      }
    } catch let error as SpreadsheetError {
      throw error
    } catch {
      throw SpreadsheetError(kind: .malformedXML, detail: "xl/sharedStrings.xml: \(error)")
    }
    return strings
  }

  static func bytes(of path: String, in archive: Archive, limits: SheetLimits) throws(SpreadsheetError) -> Data {
    guard let entry = archive[path] else { throw SpreadsheetError(kind: .missingPart, detail: path) }
    // The declared size is the file's say-so (a zip64 entry may declare more than Int holds);
    // the inflated bytes are counted too, since a bomb declares little and inflates a lot.
    guard entry.uncompressedSize <= UInt64(limits.expandedBytes) else { throw limits.partTooLarge(path) }
    // Compared by division: the compressed size is the file's say-so too.
    let compressed = max(entry.compressedSize, 1)
    var data = Data()
    data.reserveCapacity(Int(entry.uncompressedSize))
    do {
      _ = try archive.extract(entry, skipCRC32: false) { chunk in
        let inflated = data.count + chunk.count
        guard inflated <= limits.expandedBytes else { throw limits.partTooLarge(path) }
        guard inflated <= SheetLimits.ratioFreeBytes || UInt64(inflated) / compressed < UInt64(limits.compressionRatio)
        else { throw limits.inflatesTooMuch(path) }
        data.append(chunk)
      }
    } catch let error as SpreadsheetError {
      throw error
    } catch {
      throw SpreadsheetError(kind: .malformedXML, detail: "\(path): \(error)")
    }
    return data
  }

  /// Small parts (workbook, relationships) through XMLCoder.
  static func decode<T: Decodable>(part path: String, in archive: Archive, limits: SheetLimits)
    throws(SpreadsheetError) -> T
  {
    let data = try bytes(of: path, in: archive, limits: limits)
    let decoder = XMLDecoder(trimValueWhitespaces: false)
    decoder.shouldProcessNamespaces = false
    do {
      return try decoder.decode(T.self, from: data)
    } catch {
      throw SpreadsheetError(kind: .malformedXML, detail: "\(path): \(error)")
    }
  }

  static func cell(type: String?, value: String, inline: String, reference: String?, strings: [String])
    throws(SpreadsheetError) -> Cell
  {
    switch type {
    case "s":
      guard let index = Int(value), strings.indices.contains(index) else {
        throw SpreadsheetError(
          kind: .malformedXML, detail: "cell \(reference ?? "?") refers to a missing shared string")
      }
      return strings[index].isEmpty ? .empty : .text(strings[index])
    case "inlineStr":
      return inline.isEmpty ? .empty : .text(inline)
    case "str":
      return value.isEmpty ? .empty : .text(value)
    case "b":
      return .bool(value == "1")
    case "e":
      return .error(value.isEmpty ? "#ERROR" : value)
    default:
      return value.isEmpty ? .empty : .number(value)
    }
  }

  /// `C12` → 2; nil for a reference without letters or with more than Excel's three (`XFD`),
  /// which no spreadsheet writes and which would overflow the arithmetic.
  static func columnIndex(_ reference: String) -> Int? {
    var index = 0
    var letters = 0
    for character in reference {
      guard let ascii = character.asciiValue else { return nil }
      guard ascii >= 65 && ascii <= 90 else { break }
      letters += 1
      guard letters <= 3 else { return nil }
      index = index * 26 + Int(ascii - 64)
    }
    return letters > 0 ? index - 1 : nil
  }
}
