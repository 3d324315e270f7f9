import HuzhuCore
import Testing

@Suite("Working-day calendar")
struct WorkingDayCalendarTests {
  let calendar = WorkingDayCalendar.publishedChina

  func date(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate { CalendarDate(year: year, month: month, day: day)! }

  /// The example of the holiday brief: documents complete on Friday 2026-02-13; Saturday the
  /// 14th is worked, the 15th–23rd are off, the 28th (a Saturday) is worked again.
  @Test func aTenDayDeadlineAcrossSpringFestival2026() throws {
    let complete = date(2026, 2, 13)
    #expect(try calendar.adding(workingDays: 1, to: complete) == date(2026, 2, 14))
    #expect(try calendar.adding(workingDays: 2, to: complete) == date(2026, 2, 24))
    #expect(try calendar.adding(workingDays: 6, to: complete) == date(2026, 2, 28))
    #expect(try calendar.adding(workingDays: 10, to: complete) == date(2026, 3, 5))
    #expect(try calendar.workingDays(after: complete, through: date(2026, 3, 5)) == 10)
    #expect(try calendar.adding(workingDays: 0, to: complete) == complete)
  }

  @Test func adjustedWeekendsWorkAndHolidaysDoNot() throws {
    #expect(try calendar.isWorkingDay(date(2026, 1, 4)))  // a Sunday worked
    #expect(try !calendar.isWorkingDay(date(2026, 1, 2)))  // a Friday off
    #expect(try !calendar.isWorkingDay(date(2026, 3, 7)))  // an ordinary Saturday
    #expect(try calendar.isWorkingDay(date(2026, 3, 9)))  // an ordinary Monday
    // 2020: the extended Spring Festival swallowed the working Saturday of 1 February.
    #expect(try !calendar.isWorkingDay(date(2020, 2, 1)))
    #expect(try calendar.isWorkingDay(date(2020, 2, 3)))
    // Three working days for Yichun's promise, over National Day 2025.
    // 9 and 10 October, then the worked Saturday the 11th.
    #expect(try calendar.adding(workingDays: 3, to: date(2025, 9, 30)) == date(2025, 10, 11))
  }

  /// 2027's notice was not published: the clock names the missing year instead of guessing.
  @Test func aYearWithoutDataIsReportedNotGuessed() throws {
    let gap = #expect(throws: CalendarGap.self) { try calendar.adding(workingDays: 10, to: date(2026, 12, 24)) }
    #expect(gap?.date.year == 2027)
    #expect(gap?.message.zh.contains("2027") == true)
    #expect(throws: CalendarGap.self) { try calendar.isWorkingDay(date(2019, 6, 3)) }
    // A year entered by hand closes the gap.
    let with2027 = WorkingDayCalendar(
      years: calendar.coveredYears + [
        HolidayYear(year: 2027, daysOff: [date(2027, 1, 1)], workingWeekendDays: [], source: "test")
      ])
    // Five days to New Year's Eve, 1 January off, five more to Friday the 8th.
    #expect(try with2027.adding(workingDays: 10, to: date(2026, 12, 24)) == date(2027, 1, 8))
  }

  @Test func enteredYearsAreValidated() {
    let bad = HolidayYear(
      year: 2027, daysOff: [date(2026, 12, 31), date(2027, 2, 6)],
      workingWeekendDays: [date(2027, 2, 8), date(2027, 2, 6)], source: "")
    #expect(
      Set(bad.validate().map(\.code)) == ["outside_year", "not_a_weekend", "both_off_and_worked"])
    #expect(calendar.coveredYears.allSatisfy { $0.validate().isEmpty })
    #expect(calendar.coveredYears.map(\.year) == Array(2019...2026))
  }
}
