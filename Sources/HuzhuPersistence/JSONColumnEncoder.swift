import Foundation

/// The text of JSON columns, byte for byte what Foundation's `JSONEncoder.sorted` (sorted keys,
/// slashes unescaped) writes on Linux: keys in Unicode scalar order; control characters as
/// `\b \t \n \f \r` or `\u00XX`; doubles as Swift prints them without a trailing `.0`; `Date`
/// as seconds since 2001, `Data` as Base64, `URL` as its absolute string, `Decimal` as its
/// description. It only costs less.
///
/// Hand-written because none of the packages here encodes JSON faster than Foundation, whose
/// encoder was a quarter of a bulk import's time (100,000 settlements write half a million
/// JSON values): it casts every value dynamically to find its special types and boxes every
/// container. Here special types are told apart by comparing metatypes, and a value becomes a
/// small tree of escaped fragments written once, keys sorted. `JSONColumnEncoderTests` and the
/// settlement contract tests compare the two encoders on every kind of value the columns hold,
/// so a row reads, compares and hashes the same whichever wrote it.
enum JSONColumnEncoder {
  static func text<T: Encodable>(_ value: T) throws -> String {
    if let writable = value as? any JSONColumnWritable { return JSONColumnWriter.text(writable) }
    let node = try Self.node(value, parent: nil, key: nil)
    var output: [UInt8] = []
    output.reserveCapacity(256)
    node.write(into: &output)
    return String(decoding: output, as: UTF8.self)
  }

  /// `value` as a node: special types as Foundation writes them, the rest by their `encode(to:)`.
  /// `parent` and `key`: where it sits, the coding path (only built when asked for).
  fileprivate static func node<T: Encodable>(_ value: T, parent: NodeEncoder?, key: (any CodingKey)?) throws -> Node {
    if T.self == String.self { return .string(value as! String) }
    if T.self == Date.self { return .fragment(number((value as! Date).timeIntervalSinceReferenceDate)) }
    if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
    if T.self == URL.self { return .string((value as! URL).absoluteString) }
    if T.self == Decimal.self { return .fragment((value as! Decimal).description) }
    let encoder = NodeEncoder(parent: parent, key: key)
    try value.encode(to: encoder)
    if let node = encoder.result { return node }
    // As Foundation: a value that encodes nothing is an error at the top, an empty object inside.
    guard parent != nil || key != nil else {
      throw EncodingError.invalidValue(
        value, .init(codingPath: [], debugDescription: "\(T.self) did not encode any values."))
    }
    return .object(ObjectBox())
  }

  /// A JSON value: text escaped and integers formatted as they are written out.
  enum Node {
    /// Written as it is (a formatted number, `null`, `true`, `false`).
    case fragment(String)
    case string(String)
    case integer(Int64)
    case object(ObjectBox)
    case array(ArrayBox)

    func write(into output: inout [UInt8]) {
      switch self {
      case .fragment(let text):
        output.append(contentsOf: text.utf8)
      case .string(let text):
        JSONColumnEncoder.writeQuoted(text, into: &output)
      case .integer(let value):
        JSONColumnEncoder.writeInteger(value, into: &output)
      case .array(let box):
        output.append(UInt8(ascii: "["))
        for (index, item) in box.items.enumerated() {
          if index > 0 { output.append(UInt8(ascii: ",")) }
          item.write(into: &output)
        }
        output.append(UInt8(ascii: "]"))
      case .object(let box):
        output.append(UInt8(ascii: "{"))
        // Unicode scalar order, which is UTF-8 byte order; a key set twice keeps its last value.
        let members = box.members.enumerated().sorted {
          JSONColumnEncoder.same($0.element.key, $1.element.key)
            ? $0.offset < $1.offset : $0.element.key.utf8.lexicographicallyPrecedes($1.element.key.utf8)
        }
        var first = true
        for (index, member) in members.enumerated() {
          if index + 1 < members.count, JSONColumnEncoder.same(members[index + 1].element.key, member.element.key) {
            continue
          }
          if !first { output.append(UInt8(ascii: ",")) }
          first = false
          JSONColumnEncoder.writeQuoted(member.element.key, into: &output)
          output.append(UInt8(ascii: ":"))
          member.element.node.write(into: &output)
        }
        output.append(UInt8(ascii: "}"))
      }
    }
  }

  final class ObjectBox {
    var members: [(key: String, node: Node)] = []
  }

  final class ArrayBox {
    var items: [Node] = []
  }

  // MARK: Scalars

  /// `text` quoted, the runs between characters that need escaping copied whole.
  static func writeQuoted(_ text: String, into output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { bytes in
      var start = 0
      for (index, byte) in bytes.enumerated()
      where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        start = index + 1
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case ..<0x20:
          output += [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")]
          output += [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
        default: output.append(byte)  // a quote or a backslash
        }
      }
      output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
    }
    output.append(UInt8(ascii: "\""))
  }

  /// Whether two keys are the same bytes. `String`'s `==` compares canonical equivalence,
  /// which Chinese keys (a bureau's column names) pay for on every comparison; keys that are
  /// equivalent but not the same bytes never meet here, since a dictionary holds one of them.
  static func same(_ left: String, _ right: String) -> Bool {
    left.utf8.count == right.utf8.count && left.utf8.elementsEqual(right.utf8)
  }

  static let hexDigits = Array("0123456789abcdef".utf8)

  static func writeInteger(_ value: Int64, into output: inout [UInt8]) {
    if value < 0 { output.append(UInt8(ascii: "-")) }
    let start = output.count
    var magnitude = value.magnitude
    repeat {
      output.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
      magnitude /= 10
    } while magnitude > 0
    output[start...].reverse()
  }

  static func number<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) -> String {
    let text = value.description
    return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
  }

  static func checked<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, _ codingPath: [any CodingKey])
    throws -> Node
  {
    guard value.isFinite else {
      throw EncodingError.invalidValue(
        value, .init(codingPath: codingPath, debugDescription: "Unable to encode \(value) directly in JSON."))
    }
    return .fragment(number(value))
  }
}

/// The `Encoder` one value is encoded with: it records the one container (or single value) the
/// value asks for. It is also the value's place in the coding path, as its parent encoder and
/// key: the path is built only when asked for (errors), not for every value.
private final class NodeEncoder: Encoder {
  let parent: NodeEncoder?
  /// Nil: the same place as `parent` (a single value's content).
  let key: (any CodingKey)?
  var userInfo: [CodingUserInfoKey: Any] { [:] }
  var result: JSONColumnEncoder.Node?

  init(parent: NodeEncoder?, key: (any CodingKey)?) {
    self.parent = parent
    self.key = key
  }

  var codingPath: [any CodingKey] {
    var path: [any CodingKey] = []
    var encoder: NodeEncoder? = self
    while let current = encoder {
      if let key = current.key { path.append(key) }
      encoder = current.parent
    }
    return path.reversed()
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    let box: JSONColumnEncoder.ObjectBox
    if case .object(let existing) = result {
      box = existing
    } else {
      box = JSONColumnEncoder.ObjectBox()
      result = .object(box)
    }
    return KeyedEncodingContainer(KeyedContainer<Key>(box: box, place: self))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    let box: JSONColumnEncoder.ArrayBox
    if case .array(let existing) = result {
      box = existing
    } else {
      box = JSONColumnEncoder.ArrayBox()
      result = .array(box)
    }
    return UnkeyedContainer(box: box, place: self)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    SingleValueContainer(encoder: self)
  }
}

private struct IndexKey: CodingKey {
  let intValue: Int?
  let stringValue: String
  init(_ index: Int) {
    intValue = index
    stringValue = "Index \(index)"
  }
  init?(stringValue: String) { nil }
  init?(intValue: Int) { self.init(intValue) }
}

/// An object's members. `place`: the object's place in the coding path.
private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let box: JSONColumnEncoder.ObjectBox
  let place: NodeEncoder
  var codingPath: [any CodingKey] { place.codingPath }

  private func set(_ node: JSONColumnEncoder.Node, _ key: Key) { box.members.append((key.stringValue, node)) }

  mutating func encodeNil(forKey key: Key) throws { set(.fragment("null"), key) }
  mutating func encode(_ value: Bool, forKey key: Key) throws { set(.fragment(value ? "true" : "false"), key) }
  mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
  mutating func encode(_ value: Double, forKey key: Key) throws {
    set(try JSONColumnEncoder.checked(value, codingPath + [key]), key)
  }
  mutating func encode(_ value: Float, forKey key: Key) throws {
    set(try JSONColumnEncoder.checked(value, codingPath + [key]), key)
  }
  mutating func encode(_ value: Int, forKey key: Key) throws { set(.integer(Int64(value)), key) }
  mutating func encode(_ value: Int8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
  mutating func encode(_ value: Int16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
  mutating func encode(_ value: Int32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
  mutating func encode(_ value: Int64, forKey key: Key) throws { set(.integer(Int64(value)), key) }
  mutating func encode(_ value: UInt, forKey key: Key) throws { set(.fragment(String(value)), key) }
  mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
  mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
  mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
  mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.fragment(String(value)), key) }
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    set(try JSONColumnEncoder.node(value, parent: place, key: key), key)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
    -> KeyedEncodingContainer<NestedKey>
  {
    let nested = JSONColumnEncoder.ObjectBox()
    set(.object(nested), key)
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: nested, place: NodeEncoder(parent: place, key: key)))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let nested = JSONColumnEncoder.ArrayBox()
    set(.array(nested), key)
    return UnkeyedContainer(box: nested, place: NodeEncoder(parent: place, key: key))
  }

  mutating func superEncoder() -> any Encoder {
    let box = self.box
    return ReferenceEncoder(parent: place, key: nil) { box.members.append(("super", $0)) }
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    let box = self.box
    return ReferenceEncoder(parent: place, key: key) { box.members.append((key.stringValue, $0)) }
  }
}

/// An array's items. `place`: the array's place in the coding path.
private struct UnkeyedContainer: UnkeyedEncodingContainer {
  let box: JSONColumnEncoder.ArrayBox
  let place: NodeEncoder
  var codingPath: [any CodingKey] { place.codingPath }
  var count: Int { box.items.count }

  private func append(_ node: JSONColumnEncoder.Node) { box.items.append(node) }

  mutating func encodeNil() throws { append(.fragment("null")) }
  mutating func encode(_ value: Bool) throws { append(.fragment(value ? "true" : "false")) }
  mutating func encode(_ value: String) throws { append(.string(value)) }
  mutating func encode(_ value: Double) throws {
    append(try JSONColumnEncoder.checked(value, codingPath + [IndexKey(count)]))
  }
  mutating func encode(_ value: Float) throws {
    append(try JSONColumnEncoder.checked(value, codingPath + [IndexKey(count)]))
  }
  mutating func encode(_ value: Int) throws { append(.integer(Int64(value))) }
  mutating func encode(_ value: Int8) throws { append(.integer(Int64(value))) }
  mutating func encode(_ value: Int16) throws { append(.integer(Int64(value))) }
  mutating func encode(_ value: Int32) throws { append(.integer(Int64(value))) }
  mutating func encode(_ value: Int64) throws { append(.integer(Int64(value))) }
  mutating func encode(_ value: UInt) throws { append(.fragment(String(value))) }
  mutating func encode(_ value: UInt8) throws { append(.integer(Int64(value))) }
  mutating func encode(_ value: UInt16) throws { append(.integer(Int64(value))) }
  mutating func encode(_ value: UInt32) throws { append(.integer(Int64(value))) }
  mutating func encode(_ value: UInt64) throws { append(.fragment(String(value))) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    append(try JSONColumnEncoder.node(value, parent: place, key: IndexKey(count)))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let nested = JSONColumnEncoder.ObjectBox()
    let nestedPlace = NodeEncoder(parent: place, key: IndexKey(count))
    append(.object(nested))
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: nested, place: nestedPlace))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let nested = JSONColumnEncoder.ArrayBox()
    let nestedPlace = NodeEncoder(parent: place, key: IndexKey(count))
    append(.array(nested))
    return UnkeyedContainer(box: nested, place: nestedPlace)
  }

  mutating func superEncoder() -> any Encoder {
    let index = count
    append(.fragment("null"))
    let box = self.box
    return ReferenceEncoder(parent: place, key: IndexKey(index)) { box.items[index] = $0 }
  }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
  let encoder: NodeEncoder
  var codingPath: [any CodingKey] { encoder.codingPath }

  private func set(_ node: JSONColumnEncoder.Node) { encoder.result = node }

  mutating func encodeNil() throws { set(.fragment("null")) }
  mutating func encode(_ value: Bool) throws { set(.fragment(value ? "true" : "false")) }
  mutating func encode(_ value: String) throws { set(.string(value)) }
  mutating func encode(_ value: Double) throws { set(try JSONColumnEncoder.checked(value, codingPath)) }
  mutating func encode(_ value: Float) throws { set(try JSONColumnEncoder.checked(value, codingPath)) }
  mutating func encode(_ value: Int) throws { set(.integer(Int64(value))) }
  mutating func encode(_ value: Int8) throws { set(.integer(Int64(value))) }
  mutating func encode(_ value: Int16) throws { set(.integer(Int64(value))) }
  mutating func encode(_ value: Int32) throws { set(.integer(Int64(value))) }
  mutating func encode(_ value: Int64) throws { set(.integer(Int64(value))) }
  mutating func encode(_ value: UInt) throws { set(.fragment(String(value))) }
  mutating func encode(_ value: UInt8) throws { set(.integer(Int64(value))) }
  mutating func encode(_ value: UInt16) throws { set(.integer(Int64(value))) }
  mutating func encode(_ value: UInt32) throws { set(.integer(Int64(value))) }
  mutating func encode(_ value: UInt64) throws { set(.fragment(String(value))) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    set(try JSONColumnEncoder.node(value, parent: encoder, key: nil))
  }
}

/// A super-encoder: what is encoded through it lands where it was asked for.
private final class ReferenceEncoder: Encoder {
  var codingPath: [any CodingKey] { inner.codingPath }
  var userInfo: [CodingUserInfoKey: Any] { [:] }
  private let inner: NodeEncoder
  private let store: (JSONColumnEncoder.Node) -> Void

  init(parent: NodeEncoder, key: (any CodingKey)?, store: @escaping (JSONColumnEncoder.Node) -> Void) {
    self.inner = NodeEncoder(parent: parent, key: key)
    self.store = store
  }

  deinit {
    store(inner.result ?? .object(JSONColumnEncoder.ObjectBox()))
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    inner.container(keyedBy: type)
  }
  func unkeyedContainer() -> any UnkeyedEncodingContainer { inner.unkeyedContainer() }
  func singleValueContainer() -> any SingleValueEncodingContainer { inner.singleValueContainer() }
}
