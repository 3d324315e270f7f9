import FluentSQLiteDriver
import Foundation
import HuzhuCore
import SQLKit
import Synchronization

/// The columns the what-if reads back from a replay row (``ClaimReplays``), in the order it
/// selects them: the SQLite reader finds a value by its position (the raw value), the SQLKit
/// reader by its name. The row's own key, scheme and node only select it, so they are not here.
enum ReplayColumn: Int, CaseIterable {
  case number, workerID, unitID, paidOn, paid
  case claimDate, admissionDate, dischargeDate, settlementDate, diagnosisDate, accidentDate, hospitalDays
  case totalCost, inScopeCost, pooledFundPaid, criticalIllnessInsurancePaid, selfPaidInScope, selfFunded
  case treatmentCategory, diagnoses, accident
  case coverProduct, coverPeriodStart, coverPeriodEnd, coverFrom, coverShares, coverPreviousEnd, moreCover
  case birthDate, gender, insuranceType, categories

  /// The column of a settlement figure (named as the figure's raw value).
  init(_ figure: SettlementFigure) {
    self =
      switch figure {
      case .totalCost: .totalCost
      case .inScopeCost: .inScopeCost
      case .pooledFundPaid: .pooledFundPaid
      case .criticalIllnessInsurancePaid: .criticalIllnessInsurancePaid
      case .selfPaidInScope: .selfPaidInScope
      case .selfFunded: .selfFunded
      }
  }

  var name: String {
    switch self {
    case .number: "number"
    case .workerID: "worker_id"
    case .unitID: "unit_id"
    case .paidOn: "paid_on"
    case .paid: "paid"
    case .claimDate: "claim_date"
    case .admissionDate: "admission_date"
    case .dischargeDate: "discharge_date"
    case .settlementDate: "settlement_date"
    case .diagnosisDate: "diagnosis_date"
    case .accidentDate: "accident_date"
    case .hospitalDays: "hospital_days"
    case .totalCost: SettlementFigure.totalCost.rawValue
    case .inScopeCost: SettlementFigure.inScopeCost.rawValue
    case .pooledFundPaid: SettlementFigure.pooledFundPaid.rawValue
    case .criticalIllnessInsurancePaid: SettlementFigure.criticalIllnessInsurancePaid.rawValue
    case .selfPaidInScope: SettlementFigure.selfPaidInScope.rawValue
    case .selfFunded: SettlementFigure.selfFunded.rawValue
    case .treatmentCategory: "treatment_category"
    case .diagnoses: "diagnoses"
    case .accident: "accident"
    case .coverProduct: "cover_product"
    case .coverPeriodStart: "cover_period_start"
    case .coverPeriodEnd: "cover_period_end"
    case .coverFrom: "cover_from"
    case .coverShares: "cover_shares"
    case .coverPreviousEnd: "cover_previous_end"
    case .moreCover: "more_cover"
    case .birthDate: "birth_date"
    case .gender: "gender"
    case .insuranceType: "insurance_type"
    case .categories: "categories"
    }
  }
}

/// Rows made into cases a chunk at a time on the other cores while the statement still steps
/// (making a case costs about as much as reading its row), in the order the rows came.
final class CaseAssembler<Row: Sendable>: Sendable {
  static var chunkSize: Int { 4_096 }
  private let convert: @Sendable (Row) throws -> SimulationCase
  private let state = Mutex<(rows: [Row], chunks: [Task<[SimulationCase], any Error>])>(([], []))

  init(_ convert: @escaping @Sendable (Row) throws -> SimulationCase) {
    self.convert = convert
  }

  func append(_ row: Row) {
    state.withLock { state in
      state.rows.append(row)
      guard state.rows.count == Self.chunkSize else { return }
      state.chunks.append(converting(state.rows))
      state.rows.removeAll(keepingCapacity: true)
    }
  }

  /// Every row's case, once the statement is done; the first row that failed throws.
  func cases() async throws -> [SimulationCase] {
    let chunks = state.withLock { state in
      state.chunks + (state.rows.isEmpty ? [] : [converting(state.rows)])
    }
    var cases: [SimulationCase] = []
    cases.reserveCapacity(chunks.count * Self.chunkSize)
    for chunk in chunks { cases += try await chunk.value }
    return cases
  }

  private func converting(_ rows: [Row]) -> Task<[SimulationCase], any Error> {
    Task.detached { [convert] in try rows.map(convert) }
  }
}

/// The columns of a replay row, each problem named by table and column: through SQLKit
/// (``ColumnReader``, both databases) or straight from SQLite's row (``SQLiteColumnReader``).
protocol ReplayColumns {
  var table: String { get }
  func isNil(_ column: ReplayColumn) throws -> Bool
  func text(_ column: ReplayColumn) throws -> String
  func integer(_ column: ReplayColumn) throws -> Int64
  func uuid(_ column: ReplayColumn) throws -> UUID
}

extension ReplayColumns {
  func optionalText(_ column: ReplayColumn) throws -> String? {
    try isNil(column) ? nil : try text(column)
  }

  func optionalInteger(_ column: ReplayColumn) throws -> Int64? {
    try isNil(column) ? nil : try integer(column)
  }

  func optionalUUID(_ column: ReplayColumn) throws -> UUID? {
    try isNil(column) ? nil : try uuid(column)
  }

  /// A date stored as its day number.
  func day(_ column: ReplayColumn) throws -> CalendarDate { CalendarDate(dayNumber: Int(try integer(column))) }

  func optionalDay(_ column: ReplayColumn) throws -> CalendarDate? {
    try isNil(column) ? nil : try day(column)
  }

  func json<Value: Decodable>(_ column: ReplayColumn) throws -> Value? {
    guard let text = try optionalText(column) else { return nil }
    do { return try JSONDecoder().decode(Value.self, from: Data(text.utf8)) } catch {
      throw CorruptRow(table: table, column: column.name)
    }
  }
}

/// A row of SQLite's driver, selected in ``ReplayColumn``'s order: integers and text as
/// stored, UUIDs as SQLite's Fluent driver writes them (text; 16-byte blobs are read too).
struct SQLiteColumnReader: ReplayColumns {
  let values: [SQLiteData]
  let table: String

  init(row: SQLiteRow, table: String) {
    values = row.columns.map(\.data)
    self.table = table
  }

  func value(_ column: ReplayColumn) throws -> SQLiteData {
    guard column.rawValue < values.count else { throw CorruptRow(table: table, column: column.name) }
    return values[column.rawValue]
  }

  func isNil(_ column: ReplayColumn) throws -> Bool { try value(column).isNull }

  func text(_ column: ReplayColumn) throws -> String {
    guard case .text(let text) = try value(column) else { throw CorruptRow(table: table, column: column.name) }
    return text
  }

  func integer(_ column: ReplayColumn) throws -> Int64 {
    guard case .integer(let number) = try value(column) else {
      throw CorruptRow(table: table, column: column.name)
    }
    return Int64(number)
  }

  func uuid(_ column: ReplayColumn) throws -> UUID {
    switch try value(column) {
    case .text(let text):
      if let id = UUID(canonical: text) { return id }
    case .blob(let bytes) where bytes.readableBytes == 16:
      if let id = bytes.getBytes(at: bytes.readerIndex, length: 16).map({ bytes in
        UUID(
          uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
            bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
          ))
      }) {
        return id
      }
    default: break
    }
    throw CorruptRow(table: table, column: column.name)
  }
}

/// Column-by-column reading of an SQLKit row, by name. Faster than a `Decodable` row type for
/// the hundreds of thousands of rows the what-if reads.
struct ColumnReader: ReplayColumns {
  let row: any SQLRow
  let table: String

  func isNil(_ column: ReplayColumn) throws -> Bool { try isNil(column.name) }
  func text(_ column: ReplayColumn) throws -> String { try text(column.name) }
  func integer(_ column: ReplayColumn) throws -> Int64 { try integer(column.name) }
  func uuid(_ column: ReplayColumn) throws -> UUID { try uuid(column.name) }

  func isNil(_ column: String) throws -> Bool { try row.decodeNil(column: column) }

  func uuid(_ column: String) throws -> UUID {
    do { return try row.decode(column: column, as: UUID.self) } catch {
      throw CorruptRow(table: table, column: column)
    }
  }

  func text(_ column: String) throws -> String {
    do { return try row.decode(column: column, as: String.self) } catch {
      throw CorruptRow(table: table, column: column)
    }
  }

  func integer(_ column: String) throws -> Int64 {
    do { return try row.decode(column: column, as: Int64.self) } catch {
      throw CorruptRow(table: table, column: column)
    }
  }

  func optionalInteger(_ column: String) throws -> Int64? {
    try isNil(column) ? nil : try integer(column)
  }

  func date(_ column: String) throws -> CalendarDate {
    guard let day = CalendarDate(try text(column)) else { throw CorruptRow(table: table, column: column) }
    return day
  }

  func optionalDate(_ column: String) throws -> CalendarDate? {
    try isNil(column) ? nil : try date(column)
  }
}

extension UUID {
  /// The canonical text form (8-4-4-4-12 hexadecimal digits, either case), parsed by hand.
  /// Foundation's `UUID(uuidString:)` goes through `sscanf` on Linux, which was a fifth of
  /// the time of reading a province's year of replay rows (two IDs a row).
  init?(canonical text: String) {
    var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    let parsed = text.utf8.withContiguousStorageIfAvailable { utf8 in
      guard utf8.count == 36 else { return false }
      return withUnsafeMutableBytes(of: &bytes) { out in
        var index = 0
        for byte in 0..<16 {
          if index == 8 || index == 13 || index == 18 || index == 23 {
            guard utf8[index] == UInt8(ascii: "-") else { return false }
            index += 1
          }
          guard let high = Self.hexDigit(utf8[index]), let low = Self.hexDigit(utf8[index + 1]) else { return false }
          out[byte] = high << 4 | low
          index += 2
        }
        return true
      }
    }
    switch parsed {
    case true?: self.init(uuid: bytes)
    case false?: return nil
    case nil: self.init(uuidString: text)  // a bridged string without contiguous UTF-8
    }
  }

  private static func hexDigit(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
