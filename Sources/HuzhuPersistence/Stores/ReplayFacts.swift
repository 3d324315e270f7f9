import Foundation
import HuzhuCore
import NIOCore

/// A decided claim's what-if case (``SimulationCase``) as one compact value: the `facts` column
/// of a replay row (M016). A province's year is 300,000 rows; read as 32 columns, the drivers
/// built a value (and a string for each text column) per column per row, and PostgreSQL's
/// rows looked every column up by name: most of the what-if's time. One value a row is one
/// allocation to read and a few hundred nanoseconds to decode.
///
/// Written by hand: no package here encodes Swift values compactly without generated code
/// (Protocol Buffers needs `protoc` and a generated layer to convert from), and JSON, the
/// format the intake is kept in, is what the replay rows were made to avoid.
///
/// Layout (version 4): a version byte, then the fields in the order ``encode(_:)`` writes
/// them. Version 3, written until the deductible paid, supplementary insurance and medical
/// assistance were settlement figures and events had a hospital and a day of death, holds
/// only the first six figures and nothing after the setting. Version 2, written until
/// continuity rewards, also lacks each cover's years of unbroken membership (read as absent).
/// Version 1, which paid claims were written in until refusals and visits were replayed too,
/// also lacks the refusal after the amount paid and the visit and setting at the end of the
/// event's dates; it is read as a paid claim without them. Integers are LEB128 varints (signed
/// ones zigzagged); a date is its year, month and day packed in one; a string is its byte
/// count and UTF-8; an optional field is a presence byte and the value; the rare nested facts
/// (diagnoses, accident) are JSON. The settlement figures are written in
/// `SettlementFigure.allCases` order, so a new figure is a new layout too. A new layout takes
/// a new version byte (and a migration that rebuilds the rows, or a reader of the old one);
/// the reader refuses a version it does not know rather than guess. A test pins each
/// version's bytes.
enum ReplayFacts {
  static let version: UInt8 = 4
  /// The settlement figures layouts 1–3 hold: `SettlementFigure.allCases` then.
  static let figuresBeforeVersion4 = 6

  static func encode(_ claim: SimulationCase) throws -> [UInt8] {
    var out = Writer()
    out.bytes.reserveCapacity(160)
    out.byte(version)
    out.string(claim.claimNumber)
    out.uuid(claim.memberID.rawValue)
    out.optional(claim.unitID) { $0.uuid($1.rawValue) }
    out.date(claim.decidedOn)
    out.signed(claim.paid.fen)
    out.optional(claim.refusal) { $0.string($1.rawValue) }

    let member = claim.member
    out.date(member.birthDate)
    out.string(member.gender.rawValue)
    out.optional(member.insuranceType) { $0.string($1.rawValue) }
    out.optional(member.categories) { out, categories in
      out.unsigned(UInt64(categories.all.count))
      for category in categories.all { out.string(category.rawValue) }
    }
    out.optional(member.riskClass) { $0.signed(Int64($1)) }

    out.unsigned(UInt64(claim.cover.count))
    for held in claim.cover {
      out.date(held.period.start)
      out.date(held.period.end)
      out.string(held.facts.product)
      out.date(held.facts.start)
      out.date(held.facts.end)
      out.optional(held.facts.shares) { $0.signed(Int64($1)) }
      out.optional(held.facts.previousCoverEnd) { $0.date($1) }
      out.optional(held.facts.consecutiveYears) { $0.signed(Int64($1)) }
    }

    let event = claim.event
    out.date(event.claimDate)
    for day in [
      event.admissionDate, event.dischargeDate, event.settlementDate, event.diagnosisDate, event.accidentDate,
    ] {
      out.optional(day) { $0.date($1) }
    }
    out.optional(event.visitDate) { $0.date($1) }
    out.optional(event.setting) { $0.string($1.rawValue) }
    out.optional(event.hospitalLevel) { $0.string($1.rawValue) }
    out.optional(event.hospitalLocation) { $0.string($1.rawValue) }
    out.optional(event.deathDate) { $0.date($1) }
    out.optional(event.hospitalDays) { $0.signed(Int64($1)) }
    out.optional(event.figures) { out, figures in
      for figure in SettlementFigure.allCases { out.optional(figures[figure]) { $0.signed($1.fen) } }
    }
    out.optional(event.treatmentCategory) { $0.string($1) }
    try out.optionalJSON(event.diagnoses)
    try out.optionalJSON(event.accident)
    return out.bytes
  }

  /// The case in `buffer`'s readable bytes; a malformed value throws ``CorruptRow``.
  static func decode(_ buffer: ByteBuffer) throws -> SimulationCase {
    try buffer.withUnsafeReadableBytes { try decode($0) }
  }

  /// Reads the fields in the order ``encode(_:)`` writes them (arguments are evaluated left
  /// to right; where an initialiser's order differs, the fields are read first).
  static func decode(_ bytes: UnsafeRawBufferPointer) throws -> SimulationCase {
    var input = Reader(bytes: bytes)
    let layout = try input.byte()
    guard (1...version).contains(layout) else { throw corrupt }
    let number = try input.string()
    let memberID = try input.uuid()
    let unitID = try input.optional { try $0.uuid() }
    let decidedOn = try input.date()
    let paid = Money(fen: try input.signed())
    let refusal =
      layout == 1
      ? nil
      : try input.optional { input -> RejectionReason in
        guard let reason = RejectionReason(rawValue: try input.string()) else { throw corrupt }
        return reason
      }

    let birthDate = try input.date()
    guard let gender = Gender(rawValue: try input.string()) else { throw corrupt }
    let insuranceType = try input.optional { input -> InsuranceType in
      guard let type = InsuranceType(rawValue: try input.string()) else { throw corrupt }
      return type
    }
    let categories = try input.optional { input -> MemberCategories in
      let count = try input.unsigned()
      guard count <= UInt64(MemberCategory.allCases.count) else { throw corrupt }
      return MemberCategories(
        try (0..<count).map { _ in
          guard let category = MemberCategory(rawValue: try input.string()) else { throw corrupt }
          return category
        })
    }
    let riskClass = try input.optional { Int(try $0.signed()) }

    let coverCount = try input.unsigned()
    guard coverCount <= 64 else { throw corrupt }
    var cover: [HeldCover] = []
    cover.reserveCapacity(Int(coverCount))
    for _ in 0..<coverCount {
      let period = CoveragePeriod(start: try input.date(), end: try input.date())
      let facts = CoverFacts(
        product: try input.string(), start: try input.date(), end: try input.date(),
        shares: try input.optional { Int(try $0.signed()) }, previousCoverEnd: try input.optional { try $0.date() },
        consecutiveYears: layout < 3
          ? nil
          : try input.optional { input -> Int in
            let years = try input.signed()
            guard (1...100).contains(years) else { throw corrupt }
            return Int(years)
          })
      cover.append(HeldCover(period: period, facts: facts))
    }

    let claimDate = try input.date()
    let admission = try input.optional { try $0.date() }
    let discharge = try input.optional { try $0.date() }
    let settlement = try input.optional { try $0.date() }
    let diagnosis = try input.optional { try $0.date() }
    let accident = try input.optional { try $0.date() }
    let visit = layout == 1 ? nil : try input.optional { try $0.date() }
    let setting =
      layout == 1
      ? nil
      : try input.optional { input -> CareSetting in
        guard let setting = CareSetting(rawValue: try input.string()) else { throw corrupt }
        return setting
      }
    let level =
      layout < 4
      ? nil
      : try input.optional { input -> HospitalLevel in
        guard let level = HospitalLevel(rawValue: try input.string()) else { throw corrupt }
        return level
      }
    let location =
      layout < 4
      ? nil
      : try input.optional { input -> HospitalLocation in
        guard let location = HospitalLocation(rawValue: try input.string()) else { throw corrupt }
        return location
      }
    let death = layout < 4 ? nil : try input.optional { try $0.date() }
    let hospitalDays = try input.optional { Int(try $0.signed()) }
    let figures = try input.optional { input -> SettlementFigures in
      var figures = SettlementFigures()
      for figure in SettlementFigure.allCases.prefix(layout < 4 ? figuresBeforeVersion4 : .max) {
        figures[figure] = try input.optional { Money(fen: try $0.signed()) }
      }
      return figures
    }
    let treatmentCategory = try input.optional { try $0.string() }
    let diagnoses = try input.optionalJSON([Diagnosis].self)
    let accidentFacts = try input.optionalJSON(AccidentFacts.self)
    let event = ClaimEvent(
      admissionDate: admission, dischargeDate: discharge, settlementDate: settlement, diagnosisDate: diagnosis,
      accidentDate: accident, claimDate: claimDate, hospitalDays: hospitalDays, figures: figures,
      diagnoses: diagnoses, treatmentCategory: treatmentCategory, accident: accidentFacts, visitDate: visit,
      setting: setting, hospitalLevel: level, hospitalLocation: location, deathDate: death)
    guard input.isAtEnd else { throw corrupt }
    return SimulationCase(
      claimNumber: number, memberID: .init(memberID), unitID: unitID.map { .init($0) },
      member: MemberFacts(
        birthDate: birthDate, gender: gender, insuranceType: insuranceType, categories: categories,
        riskClass: riskClass, cover: []),
      cover: cover, event: event, decidedOn: decidedOn, paid: paid, refusal: refusal)
  }

  static var corrupt: CorruptRow { CorruptRow(table: ClaimReplays.table, column: "facts") }

  struct Writer {
    var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func unsigned(_ value: UInt64) {
      var value = value
      while value >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
        value >>= 7
      }
      bytes.append(UInt8(value))
    }

    /// Zigzag: small negative numbers stay short.
    mutating func signed(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    /// `year << 9 | month << 5 | day`: read back without day arithmetic, and checked as a
    /// calendar date on the way.
    mutating func date(_ day: CalendarDate) { unsigned(UInt64(day.year << 9 | day.month << 5 | day.day)) }

    mutating func string(_ text: String) {
      unsigned(UInt64(text.utf8.count))
      bytes.append(contentsOf: text.utf8)
    }

    mutating func uuid(_ id: UUID) {
      withUnsafeBytes(of: id.uuid) { bytes.append(contentsOf: $0) }
    }

    /// A presence byte, then the value when there is one.
    mutating func optional<Value>(_ value: Value?, _ write: (inout Writer, Value) -> Void) {
      guard let value else { return byte(0) }
      byte(1)
      write(&self, value)
    }

    mutating func optionalJSON(_ value: (some Encodable)?) throws {
      guard let value else { return byte(0) }
      byte(1)
      string(String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self))
    }
  }

  struct Reader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte() throws -> UInt8 {
      guard offset < bytes.count else { throw corrupt }
      defer { offset += 1 }
      return bytes[offset]
    }

    mutating func unsigned() throws -> UInt64 {
      var value: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        let next = try byte()
        guard shift < 64 else { throw corrupt }
        value |= UInt64(next & 0x7F) << shift
        if next < 0x80 { return value }
        shift += 7
      }
    }

    mutating func signed() throws -> Int64 {
      let raw = try unsigned()
      return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func date() throws -> CalendarDate {
      let packed = try unsigned()
      guard packed < 1 << 23,
        let day = CalendarDate(year: Int(packed >> 9), month: Int(packed >> 5 & 0xF), day: Int(packed & 0x1F))
      else { throw corrupt }
      return day
    }

    mutating func string() throws -> String {
      let count = try unsigned()
      guard count <= UInt64(bytes.count - offset) else { throw corrupt }
      let utf8 = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(count)])
      offset += Int(count)
      // Codes and numbers are ASCII, which needs no validating (the general check went
      // through generic code and was two fifths of decoding).
      if !utf8.contains(where: { $0 >= 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
      guard let text = String(validating: utf8, as: UTF8.self) else { throw corrupt }
      return text
    }

    mutating func uuid() throws -> UUID {
      guard bytes.count - offset >= 16 else { throw corrupt }
      var id: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
      withUnsafeMutableBytes(of: &id) {
        $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 16]))
      }
      offset += 16
      return UUID(uuid: id)
    }

    mutating func optional<Value>(_ read: (inout Reader) throws -> Value) throws -> Value? {
      switch try byte() {
      case 0: return nil
      case 1: return try read(&self)
      default: throw corrupt
      }
    }

    mutating func optionalJSON<Value: Decodable>(_ type: Value.Type) throws -> Value? {
      try optional { input in
        let text = try input.string()
        do { return try JSONDecoder().decode(Value.self, from: Data(text.utf8)) } catch { throw corrupt }
      }
    }
  }
}
