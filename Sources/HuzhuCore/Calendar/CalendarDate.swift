import Foundation

/// A day on the calendar (admission, discharge, coverage start), with no time of day.
///
/// Schemes reason in calendar days in their own time zone (Asia/Shanghai), so a date is
/// never a `Date`: a `Date` becomes a `CalendarDate` only through ``init(_:in:)``.
public struct CalendarDate: Hashable, Comparable, Sendable {
  /// `year << 9 | month << 5 | day`: four bytes, ordered like the dates, so that claim
  /// records stay small and comparing two dates is one integer comparison.
  private let packed: UInt32

  public var year: Int { Int(packed >> 9) }
  public var month: Int { Int((packed >> 5) & 0xF) }
  public var day: Int { Int(packed & 0x1F) }

  /// Nil when the day does not exist (2023-02-29, month 13).
  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month),
      (1...CalendarDate.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    self.init(unchecked: year, month, day)
  }

  private init(unchecked year: Int, _ month: Int, _ day: Int) {
    packed = UInt32(year) << 9 | UInt32(month) << 5 | UInt32(day)
  }

  /// The scheme's time zone. Every conversion from an instant goes through it.
  public static let schemeTimeZone = TimeZone(identifier: "Asia/Shanghai")!

  /// The calendar day an instant falls on in `timeZone`.
  public init(_ instant: Date, in timeZone: TimeZone = CalendarDate.schemeTimeZone) {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let parts = calendar.dateComponents([.year, .month, .day], from: instant)
    self.init(dayNumber: CalendarDate.dayNumber(year: parts.year!, month: parts.month!, day: parts.day!))
  }

  /// Today in the scheme's time zone.
  public static func today(now: Date = Date()) -> CalendarDate { CalendarDate(now) }

  public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
    lhs.packed < rhs.packed
  }

  public static func isLeap(_ year: Int) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  // MARK: Day arithmetic on a continuous day count (days since 1970-01-01).

  /// Days since 1970-01-01; the basis of all date arithmetic.
  public var dayNumber: Int { CalendarDate.dayNumber(year: year, month: month, day: day) }

  public init(dayNumber: Int) {
    // Civil-from-days over 400-year eras (the proleptic Gregorian calendar).
    let shifted = dayNumber + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    self.init(unchecked: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  static func dayNumber(year: Int, month: Int, day: Int) -> Int {
    let adjustedYear = month <= 2 ? year - 1 : year
    let era = (adjustedYear >= 0 ? adjustedYear : adjustedYear - 399) / 400
    let yearOfEra = adjustedYear - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  public func adding(days: Int) -> CalendarDate {
    CalendarDate(dayNumber: dayNumber + days)
  }

  /// The same day `months` later; the 31st becomes the month's last day when needed.
  public func adding(months: Int) -> CalendarDate {
    let index = year * 12 + (month - 1) + months
    let newYear = index / 12
    let newMonth = index % 12 + 1
    let newDay = min(day, CalendarDate.daysIn(month: newMonth, year: newYear))
    return CalendarDate(unchecked: newYear, newMonth, newDay)
  }

  public func adding(years: Int) -> CalendarDate { adding(months: years * 12) }

  /// Whole days from `self` to `other` (positive when `other` is later).
  public func days(until other: CalendarDate) -> Int { other.dayNumber - dayNumber }

  /// Completed years from `self` (a birth date) to `date`: the age on that date.
  public func age(on date: CalendarDate) -> Int {
    var years = date.year - year
    if (date.month, date.day) < (month, day) { years -= 1 }
    return years
  }

  /// ISO weekday: 1 = Monday … 7 = Sunday.
  public var weekday: Int {
    let value = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday.
    return (value < 0 ? value + 7 : value) + 1
  }

  public var isWeekend: Bool { weekday >= 6 }

  /// The first instant of this day in `timeZone`.
  public func startInstant(in timeZone: TimeZone = CalendarDate.schemeTimeZone) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    return calendar.date(from: DateComponents(year: year, month: month, day: day))!
  }
}

extension CalendarDate: CustomStringConvertible, LosslessStringConvertible {
  /// `2019-10-16`.
  public var description: String {
    let yearText = String(year)
    let paddedYear = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
    return "\(paddedYear)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
  }

  /// Parses `YYYY-MM-DD` strictly.
  public init?(_ text: String) {
    // Read from the bytes: millions of dates are read back from rows and JSON.
    var text = text
    let parts = text.withUTF8 { bytes -> (Int, Int, Int)? in
      guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
      func number(_ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
          let digit = bytes[index] &- 48
          guard digit < 10 else { return nil }
          value = value * 10 + Int(digit)
        }
        return value
      }
      guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
      return (year, month, day)
    }
    guard let (year, month, day) = parts else { return nil }
    self.init(year: year, month: month, day: day)
  }

  /// `2019年10月16日`, as Chinese documents write dates.
  public var chineseText: String { "\(year)年\(month)月\(day)日" }
}

extension CalendarDate: Codable {
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let date = CalendarDate(text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "expected a date as YYYY-MM-DD, got \"\(text)\"")
    }
    self = date
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
