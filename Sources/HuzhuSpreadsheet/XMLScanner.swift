/// A forward-only scanner for the large, regular parts of an XLSX file (worksheets and the
/// shared-string table), which can be hundreds of megabytes for a 100,000-row roster.
///
/// Hand-written because XMLCoder builds a tree of the whole document (too slow and too large
/// for a big sheet) and the system XML parser stops on very large inputs. It understands what
/// those parts use: elements, attributes, text, the five named entities and numeric character
/// references, CDATA, comments and processing instructions. Namespace prefixes are dropped.
struct XMLScanner {
  enum Event {
    case start(name: String, attributes: [(String, String)], selfClosing: Bool)
    case end(name: String)
    case text(String)
  }

  enum Failure: Error {
    case unexpectedEnd(at: Int)
    case malformed(at: Int)
  }

  /// Calls `handle` for every event, in document order.
  static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ handle: (Event) throws -> Void) throws {
    var index = 0
    let count = bytes.count
    @inline(__always) func byte(_ offset: Int) -> UInt8 { bytes[offset] }

    func find(_ pattern: [UInt8], from start: Int) throws -> Int {
      var position = start
      while position + pattern.count <= count {
        if byte(position) == pattern[0] {
          var matches = true
          for (offset, expected) in pattern.enumerated().dropFirst() where byte(position + offset) != expected {
            matches = false
            break
          }
          if matches { return position }
        }
        position += 1
      }
      throw Failure.unexpectedEnd(at: start)
    }

    func name(from start: Int) -> (String, Int) {
      var end = start
      var colon = -1
      while end < count {
        let b = byte(end)
        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x2F || b == 0x3E || b == 0x3D { break }
        if b == 0x3A { colon = end }
        end += 1
      }
      let from = colon >= 0 ? colon + 1 : start
      return (String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<end]), as: UTF8.self), end)
    }

    while index < count {
      if byte(index) != 0x3C {  // text up to the next '<'
        var end = index
        while end < count && byte(end) != 0x3C { end += 1 }
        try handle(.text(decodeEntities(bytes, index, end)))
        index = end
        continue
      }
      guard index + 1 < count else { throw Failure.unexpectedEnd(at: index) }
      let next = byte(index + 1)
      if next == 0x3F {  // <? … ?>
        index = try find([0x3F, 0x3E], from: index + 2) + 2
      } else if next == 0x21 {  // <!-- … -->, <![CDATA[ … ]]>, <!DOCTYPE …>
        if index + 3 < count && byte(index + 2) == 0x2D && byte(index + 3) == 0x2D {
          index = try find([0x2D, 0x2D, 0x3E], from: index + 4) + 3
        } else if index + 8 < count && byte(index + 2) == 0x5B {
          let end = try find([0x5D, 0x5D, 0x3E], from: index + 9)
          try handle(.text(String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 9)..<end]), as: UTF8.self)))
          index = end + 3
        } else {
          index = try find([0x3E], from: index + 2) + 1
        }
      } else if next == 0x2F {  // </name>
        let (elementName, end) = name(from: index + 2)
        try handle(.end(name: elementName))
        index = try find([0x3E], from: end) + 1
      } else {
        let (elementName, afterName) = name(from: index + 1)
        var position = afterName
        var attributes: [(String, String)] = []
        var selfClosing = false
        while true {
          while position < count, [0x20, 0x09, 0x0A, 0x0D].contains(byte(position)) { position += 1 }
          guard position < count else { throw Failure.unexpectedEnd(at: index) }
          let b = byte(position)
          if b == 0x3E {
            position += 1
            break
          }
          if b == 0x2F {
            selfClosing = true
            position = try find([0x3E], from: position) + 1
            break
          }
          let (attributeName, afterAttribute) = name(from: position)
          position = afterAttribute
          while position < count, byte(position) != 0x22 && byte(position) != 0x27 {
            guard byte(position) == 0x3D || byte(position) == 0x20 else { throw Failure.malformed(at: position) }
            position += 1
          }
          guard position < count else { throw Failure.unexpectedEnd(at: index) }
          let quote = byte(position)
          var end = position + 1
          while end < count && byte(end) != quote { end += 1 }
          guard end < count else { throw Failure.unexpectedEnd(at: index) }
          attributes.append((attributeName, decodeEntities(bytes, position + 1, end)))
          position = end + 1
        }
        try handle(.start(name: elementName, attributes: attributes, selfClosing: selfClosing))
        if selfClosing { try handle(.end(name: elementName)) }
        index = position
      }
    }
  }

  /// The text of `bytes[start..<end]` with entities and character references resolved.
  static func decodeEntities(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
    var ampersand = start
    while ampersand < end && bytes[ampersand] != 0x26 { ampersand += 1 }
    if ampersand == end { return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) }
    var result = [UInt8]()
    result.reserveCapacity(end - start)
    var position = start
    while position < end {
      let b = bytes[position]
      guard b == 0x26, let semicolon = (position..<min(end, position + 12)).first(where: { bytes[$0] == 0x3B }) else {
        result.append(b)
        position += 1
        continue
      }
      let entity = String(decoding: UnsafeBufferPointer(rebasing: bytes[(position + 1)..<semicolon]), as: UTF8.self)
      var scalar: Unicode.Scalar?
      switch entity {
      case "amp": scalar = "&"
      case "lt": scalar = "<"
      case "gt": scalar = ">"
      case "quot": scalar = "\""
      case "apos": scalar = "'"
      default:
        if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
          scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
        } else if entity.hasPrefix("#") {
          scalar = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init)
        }
      }
      if let scalar {
        result.append(contentsOf: Array(String(Character(scalar)).utf8))
        position = semicolon + 1
      } else {
        result.append(b)
        position += 1
      }
    }
    return String(decoding: result, as: UTF8.self)
  }
}
