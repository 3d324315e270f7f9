import Foundation
import HuzhuCore
import Yams

/// A key in a file that the type read from it never asked for: a misspelt or unknown field,
/// which a plain decode ignores (and the rule it meant silently does not apply).
public struct UnknownKey: Equatable, Sendable {
  /// Where, as `products[0].benefits[1].maxPaidClaim`.
  public let path: String
  public let key: String
  /// The keys that place knows, closest first.
  public let known: [String]

  /// The known key the file most likely meant, when one is close enough to suggest.
  public var suggestion: String? {
    guard let nearest = known.first else { return nil }
    let distance = EditDistance.between(key.lowercased(), nearest.lowercased())
    return distance <= max(2, min(key.count, nearest.count) / 3) ? nearest : nil
  }

  public var fieldError: FieldError {
    let zh: String
    let en: String
    if let suggestion {
      zh = "未知的字段“\(key)”：是否应为“\(suggestion)”？"
      en = "unknown key \(key): did you mean \(suggestion)?"
    } else if known.isEmpty {
      zh = "未知的字段“\(key)”：此处不接受任何字段"
      en = "unknown key \(key): nothing is expected here"
    } else {
      let listed = known.sorted().prefix(12).joined(separator: ", ")
      zh = "未知的字段“\(key)”：此处可用的字段有 \(listed)"
      en = "unknown key \(key): the keys here are \(listed)"
    }
    return FieldError(field: path, code: "unknown_key", message: LocalizedText(zh: zh, en: en))
  }
}

/// Decodes a value while recording, for every object in the input, which keys its type asked
/// for (by `decode`, `decodeIfPresent` or `contains`); an object whose type lists its keys itself
/// (`allKeys`: dictionaries, one-key expressions) takes any. What the input holds beyond that
/// is unknown. Works for any `Decodable`, synthesised or hand-written, so no list of keys is
/// kept beside the types. Hand-written because neither Yams nor Foundation reports keys a type
/// ignored.
struct StrictlyDecoded<T: Decodable>: Decodable {
  let value: T
  let unknownKeys: [UnknownKey]

  init(from decoder: any Decoder) throws {
    let recorder = KeyRecorder()
    do {
      value = try T(from: RecordingDecoder(base: decoder, recorder: recorder))
    } catch DecodingError.keyNotFound(let key, let context) {
      // A required key missing beside a key nobody asked for that looks like it: a typo.
      if let written = recorder.lookalike(of: key.stringValue, at: context.codingPath) {
        throw MisspeltRequiredKey(
          path: DecodingError.path(context.codingPath + [key]), missing: key.stringValue, written: written)
      }
      throw DecodingError.keyNotFound(key, context)
    }
    unknownKeys = recorder.unknownKeys
  }
}

/// A required key missing where the file has one close to it (`shedule` for `schedule`).
struct MisspeltRequiredKey: Error {
  let path: String
  let missing: String
  let written: String

  var fieldError: FieldError {
    FieldError(
      field: path, code: "missing_field",
      message: LocalizedText(
        zh: "缺少必填字段“\(missing)”：文件中的“\(written)”是否为其误写？",
        en: "the field \(missing) is required: is \(written) a misspelling of it?"))
  }
}

/// What each object of the input held and what was asked of it, by path. Used by one decode on
/// one thread.
final class KeyRecorder {
  struct Place {
    var path: String
    /// In the file's order, each once.
    var present: [String] = []
    var seen: Set<String> = []
    var asked: Set<String> = []
    var takesAny = false
  }

  /// Unknown keys reported at most: a file of thousands is wrong in one way, said enough times.
  static let reportedAtMost = 100

  private var places: [String: Place] = [:]
  private var order: [String] = []

  func opened(_ path: [any CodingKey], present: [String]) {
    let name = DecodingError.path(path)
    if places[name] == nil {
      places[name] = Place(path: name)
      order.append(name)
    }
    for key in present where places[name]!.seen.insert(key).inserted { places[name]!.present.append(key) }
  }

  func asked(_ key: String, at path: [any CodingKey]) {
    places[DecodingError.path(path), default: Place(path: DecodingError.path(path))].asked.insert(key)
  }

  func tookAny(at path: [any CodingKey]) {
    places[DecodingError.path(path), default: Place(path: DecodingError.path(path))].takesAny = true
  }

  /// A key of the object at `path` that its type did not ask for and that is close to `key`.
  func lookalike(of key: String, at path: [any CodingKey]) -> String? {
    guard let place = places[DecodingError.path(path)] else { return nil }
    return place.present.filter { !place.asked.contains($0) && $0.count <= 64 }
      .map { (written: $0, distance: EditDistance.between($0.lowercased(), key.lowercased())) }
      .filter { $0.distance <= max(2, min($0.written.count, key.count) / 3) }
      .min { $0.distance < $1.distance }?.written
  }

  var unknownKeys: [UnknownKey] {
    let unknown = order.compactMap { places[$0] }.filter { !$0.takesAny }.lazy.flatMap { place in
      place.present.lazy.filter { !place.asked.contains($0) }.map { (place, $0) }
    }
    return unknown.prefix(Self.reportedAtMost).map { place, key in
      // A key is quoted shortened: a message is no place for a whole pasted paragraph.
      let shown = key.count > 60 ? String(key.prefix(60)) + "…" : key
      let distances = Dictionary(
        place.asked.map { ($0, EditDistance.between(String(key.prefix(64)), $0)) }, uniquingKeysWith: { $1 })
      return UnknownKey(
        path: place.path.isEmpty ? shown : "\(place.path).\(shown)", key: shown,
        known: place.asked.sorted { (distances[$0]!, $0) < (distances[$1]!, $1) })
    }
  }
}

struct RecordingDecoder: Decoder {
  let base: any Decoder
  let recorder: KeyRecorder

  var codingPath: [any CodingKey] { base.codingPath }
  var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    let container = try base.container(keyedBy: type)
    // The type's own `allKeys` holds only the keys it knows: every key of the input, by a
    // container keyed by any string.
    let present = (try? base.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)) ?? []
    recorder.opened(container.codingPath, present: present)
    return KeyedDecodingContainer(RecordingKeyedContainer(base: container, recorder: recorder))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    RecordingUnkeyedContainer(base: try base.unkeyedContainer(), recorder: recorder)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer {
    RecordingSingleValueContainer(base: try base.singleValueContainer(), decoder: base, recorder: recorder)
  }

  /// A `T`: scalars as the base decoder reads them, anything else through a recording decoder
  /// of its own.
  static func decode<T: Decodable>(
    _ type: T.Type, scalar: () throws -> T, nested: () throws -> any Decoder, recorder: KeyRecorder
  ) throws -> T {
    if T.self is any ScalarConstructible.Type { return try scalar() }
    return try T(from: RecordingDecoder(base: try nested(), recorder: recorder))
  }
}

/// Any key of an object, by its text.
struct AnyKey: CodingKey {
  let stringValue: String
  var intValue: Int? { nil }

  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let base: KeyedDecodingContainer<Key>
  let recorder: KeyRecorder

  var codingPath: [any CodingKey] { base.codingPath }

  var allKeys: [Key] {
    recorder.tookAny(at: codingPath)
    return base.allKeys
  }

  private func asked(_ key: Key) { recorder.asked(key.stringValue, at: codingPath) }

  func contains(_ key: Key) -> Bool {
    asked(key)
    return base.contains(key)
  }

  func decodeNil(forKey key: Key) throws -> Bool {
    asked(key)
    return try base.decodeNil(forKey: key)
  }

  func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try scalar(type, key) }
  func decode(_ type: String.Type, forKey key: Key) throws -> String { try scalar(type, key) }
  func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try scalar(type, key) }
  func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try scalar(type, key) }
  func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try scalar(type, key) }
  func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try scalar(type, key) }
  func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try scalar(type, key) }
  func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try scalar(type, key) }
  func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try scalar(type, key) }
  func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try scalar(type, key) }
  func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try scalar(type, key) }
  func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try scalar(type, key) }
  func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try scalar(type, key) }
  func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try scalar(type, key) }

  private func scalar<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
    asked(key)
    return try base.decode(type, forKey: key)
  }

  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    asked(key)
    return try RecordingDecoder.decode(
      type, scalar: { try base.decode(type, forKey: key) }, nested: { try base.superDecoder(forKey: key) },
      recorder: recorder)
  }

  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    asked(key)
    return try RecordingDecoder(base: try base.superDecoder(forKey: key), recorder: recorder).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    asked(key)
    return RecordingUnkeyedContainer(base: try base.nestedUnkeyedContainer(forKey: key), recorder: recorder)
  }

  func superDecoder() throws -> any Decoder {
    RecordingDecoder(base: try base.superDecoder(), recorder: recorder)
  }

  func superDecoder(forKey key: Key) throws -> any Decoder {
    asked(key)
    return RecordingDecoder(base: try base.superDecoder(forKey: key), recorder: recorder)
  }
}

struct RecordingUnkeyedContainer: UnkeyedDecodingContainer {
  var base: any UnkeyedDecodingContainer
  let recorder: KeyRecorder

  var codingPath: [any CodingKey] { base.codingPath }
  var count: Int? { base.count }
  var isAtEnd: Bool { base.isAtEnd }
  var currentIndex: Int { base.currentIndex }

  mutating func decodeNil() throws -> Bool { try base.decodeNil() }
  mutating func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
  mutating func decode(_ type: String.Type) throws -> String { try base.decode(type) }
  mutating func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
  mutating func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
  mutating func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
  mutating func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
  mutating func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
  mutating func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
  mutating func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
  mutating func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
  mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
  mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
  mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
  mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
    if T.self is any ScalarConstructible.Type { return try base.decode(type) }
    return try T(from: RecordingDecoder(base: try base.superDecoder(), recorder: recorder))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try RecordingDecoder(base: try base.superDecoder(), recorder: recorder).container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    RecordingUnkeyedContainer(base: try base.nestedUnkeyedContainer(), recorder: recorder)
  }

  mutating func superDecoder() throws -> any Decoder {
    RecordingDecoder(base: try base.superDecoder(), recorder: recorder)
  }
}

struct RecordingSingleValueContainer: SingleValueDecodingContainer {
  let base: any SingleValueDecodingContainer
  /// The decoder the container is of: a value decoded whole from it is at the same place.
  let decoder: any Decoder
  let recorder: KeyRecorder

  var codingPath: [any CodingKey] { base.codingPath }

  func decodeNil() -> Bool { base.decodeNil() }
  func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
  func decode(_ type: String.Type) throws -> String { try base.decode(type) }
  func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
  func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
  func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
  func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
  func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
  func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
  func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
  func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

  /// A value decoded whole (a type wrapping another): from the same decoder, recording.
  func decode<T: Decodable>(_ type: T.Type) throws -> T {
    if T.self is any ScalarConstructible.Type { return try base.decode(type) }
    return try T(from: RecordingDecoder(base: decoder, recorder: recorder))
  }
}

/// Levenshtein distance on characters, for suggesting the key a file meant.
enum EditDistance {
  static func between(_ left: String, _ right: String) -> Int {
    let a = Array(left)
    let b = Array(right)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}
