/// One year of China's public holidays and adjusted working days (放假调休), as the State
/// Council's notice for that year sets them.
///
/// A day is a working day when the notice makes it one (a weekend day worked, 上班), or when
/// it is a Monday to Friday the notice does not give off. `coverage` is the part of the year
/// the data speaks for: a year entered only from October says nothing about its spring.
public struct HolidayYear: Codable, Sendable, Equatable {
  public let year: Int
  public let coverageStart: CalendarDate
  /// Days off, weekend days inside a holiday included.
  public let daysOff: [CalendarDate]
  /// Weekend days that are working days.
  public let workingWeekendDays: [CalendarDate]
  /// Where the dates come from (the notice).
  public let source: String

  public init(
    year: Int, coverageStart: CalendarDate? = nil, daysOff: [CalendarDate], workingWeekendDays: [CalendarDate],
    source: String
  ) {
    self.year = year
    self.coverageStart = coverageStart ?? CalendarDate(year: year, month: 1, day: 1)!
    self.daysOff = daysOff.sorted()
    self.workingWeekendDays = workingWeekendDays.sorted()
    self.source = source
  }

  /// Every problem with the year as entered: dates outside the year, a weekday "worked", a
  /// day both off and worked.
  public func validate() -> [FieldError] {
    var errors: [FieldError] = []
    if !(2000...2100).contains(year) {
      errors.append(
        FieldError(field: "year", code: "invalid_year", message: LocalizedText(zh: "年份应在2000–2100之间", en: "the year is 2000–2100")))
    }
    for (index, day) in daysOff.enumerated() where day.year != year {
      errors.append(outsideYear("daysOff[\(index)]", day))
    }
    for (index, day) in workingWeekendDays.enumerated() {
      if day.year != year { errors.append(outsideYear("workingWeekendDays[\(index)]", day)) }
      if !day.isWeekend {
        errors.append(
          FieldError(
            field: "workingWeekendDays[\(index)]", code: "not_a_weekend",
            message: LocalizedText(zh: "\(day) 不是周末，本来就是工作日", en: "\(day) is not a weekend day: it is a working day anyway")))
      }
      if daysOff.contains(day) {
        errors.append(
          FieldError(
            field: "workingWeekendDays[\(index)]", code: "both_off_and_worked",
            message: LocalizedText(zh: "\(day) 不能既放假又上班", en: "\(day) cannot be both off and worked")))
      }
    }
    return errors
  }

  private func outsideYear(_ field: String, _ day: CalendarDate) -> FieldError {
    FieldError(
      field: field, code: "outside_year",
      message: LocalizedText(zh: "\(day) 不在 \(year) 年内", en: "\(day) is not in \(year)"))
  }
}

/// The day a working-day count needs falls in a year the calendar has no data for. The clock
/// says so rather than guess: the year's notice must be entered first.
public struct CalendarGap: Error, Equatable, Sendable {
  public let date: CalendarDate

  public var message: LocalizedText {
    LocalizedText(
      zh: "尚未录入 \(date.year) 年的放假调休安排（需要 \(date) 的数据），请在节假日日历中补充",
      en: "the holiday calendar has no data for \(date.year) (needed for \(date)); enter that year's notice")
  }
}

/// Working days under China's holiday calendar: the clock behind "paid within 10 working days".
public struct WorkingDayCalendar: Sendable {
  private let years: [Int: HolidayYear]
  private let daysOff: Set<Int>
  private let workingWeekendDays: Set<Int>

  public init(years: [HolidayYear]) {
    self.years = Dictionary(years.map { ($0.year, $0) }, uniquingKeysWith: { _, later in later })
    daysOff = Set(self.years.values.flatMap { $0.daysOff.map(\.dayNumber) })
    workingWeekendDays = Set(self.years.values.flatMap { $0.workingWeekendDays.map(\.dayNumber) })
  }

  /// The years with data, in order.
  public var coveredYears: [HolidayYear] { years.values.sorted { $0.year < $1.year } }

  public func isWorkingDay(_ date: CalendarDate) throws(CalendarGap) -> Bool {
    guard let year = years[date.year], year.coverageStart <= date else { throw CalendarGap(date: date) }
    let number = date.dayNumber
    if workingWeekendDays.contains(number) { return true }
    if daysOff.contains(number) { return false }
    return !date.isWeekend
  }

  /// The `count`th working day after `date` (the day itself does not count): a deadline of
  /// 10 working days from documents completed on `date`. Zero gives `date` back.
  public func adding(workingDays count: Int, to date: CalendarDate) throws(CalendarGap) -> CalendarDate {
    precondition(count >= 0, "counts forward")
    var day = date
    var left = count
    while left > 0 {
      day = day.adding(days: 1)
      if try isWorkingDay(day) { left -= 1 }
    }
    return day
  }

  /// Working days after `start` up to and including `end` (0 when `end` is not later):
  /// how long a claim took, in the unit the promise is made in.
  public func workingDays(after start: CalendarDate, through end: CalendarDate) throws(CalendarGap) -> Int {
    var count = 0
    var day = start
    while day < end {
      day = day.adding(days: 1)
      if try isWorkingDay(day) { count += 1 }
    }
    return count
  }
}

extension WorkingDayCalendar {
  /// The published notices from late 2019 to 2026 (2027 was not yet published). Each line:
  /// year, days off (ranges `MM-DD..MM-DD` or single days), then the weekend days worked.
  public static let publishedChina = WorkingDayCalendar(years: PublishedHolidays.china)
}

enum PublishedHolidays {
  static let china: [HolidayYear] = [
    year(2019, from: "09-01", off: "10-01..10-07", work: "09-29 10-12"),
    // Spring Festival 2020 was extended to 2 February (epidemic); 1 February, announced as a
    // working Saturday, fell inside the extension and stayed off.
    year(
      2020, off: "01-01 01-24..02-02 04-04..04-06 05-01..05-05 06-25..06-27 10-01..10-08",
      work: "01-19 04-26 05-09 06-28 09-27 10-10"),
    year(
      2021, off: "01-01..01-03 02-11..02-17 04-03..04-05 05-01..05-05 06-12..06-14 09-19..09-21 10-01..10-07",
      work: "02-07 02-20 04-25 05-08 09-18 09-26 10-09"),
    year(
      2022, off: "01-01..01-03 01-31..02-06 04-03..04-05 04-30..05-04 06-03..06-05 09-10..09-12 10-01..10-07",
      work: "01-29 01-30 04-02 04-24 05-07 10-08 10-09"),
    year(
      2023, off: "01-01..01-02 01-21..01-27 04-05 04-29..05-03 06-22..06-24 09-29..10-06",
      work: "01-28 01-29 04-23 05-06 06-25 10-07 10-08"),
    year(
      2024, off: "01-01 02-10..02-17 04-04..04-06 05-01..05-05 06-10 09-15..09-17 10-01..10-07",
      work: "02-04 02-18 04-07 04-28 05-11 09-14 09-29 10-12"),
    year(
      2025, off: "01-01 01-28..02-04 04-04..04-06 05-01..05-05 05-31..06-02 10-01..10-08",
      work: "01-26 02-08 04-27 09-28 10-11"),
    year(
      2026, off: "01-01..01-03 02-15..02-23 04-04..04-06 05-01..05-05 06-19..06-21 09-25..09-27 10-01..10-07",
      work: "01-04 02-14 02-28 05-09 09-20 10-10"),
  ]

  private static func year(_ year: Int, from start: String? = nil, off: String, work: String) -> HolidayYear {
    func date(_ monthDay: Substring) -> CalendarDate {
      let parts = monthDay.split(separator: "-").map { Int($0)! }
      return CalendarDate(year: year, month: parts[0], day: parts[1])!
    }
    var daysOff: [CalendarDate] = []
    for item in off.split(separator: " ") {
      let ends = item.components(separatedBy: "..").map { date(Substring($0)) }
      var day = ends[0]
      while day <= ends[ends.count - 1] {
        daysOff.append(day)
        day = day.adding(days: 1)
      }
    }
    return HolidayYear(
      year: year, coverageStart: start.map { date(Substring($0)) }, daysOff: daysOff,
      workingWeekendDays: work.split(separator: " ").map(date),
      source: "国务院办公厅关于\(year)年部分节假日安排的通知")
  }
}
