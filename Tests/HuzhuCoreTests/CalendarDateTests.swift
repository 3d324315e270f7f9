import Foundation
import HuzhuCore
import Testing

@Suite("Calendar dates")
struct CalendarDateTests {
  @Test func rejectsDaysThatDoNotExist() {
    #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
    #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
    #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
    #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
    #expect(CalendarDate(year: 2026, month: 13, day: 1) == nil)
    #expect(CalendarDate(year: 2026, month: 4, day: 31) == nil)
  }

  @Test func parsesAndPrintsISOText() {
    #expect(CalendarDate("2019-10-16") == CalendarDate(year: 2019, month: 10, day: 16))
    #expect(CalendarDate(year: 2019, month: 10, day: 16)!.description == "2019-10-16")
    #expect(CalendarDate(year: 2020, month: 1, day: 5)!.chineseText == "2020年1月5日")
    for bad in [
      "2019-1-16", "2019/10/16", "20191016", "2019-02-30", "", "abcd-ef-gh", " 2019-10-16", "2019-10-16 ", "２０１９-10-16",
      "2019-10-1x",
    ] {
      #expect(CalendarDate(bad) == nil, "\(bad)")
    }
  }

  @Test func dayNumbersRoundTripOverCenturies() {
    #expect(CalendarDate(year: 1970, month: 1, day: 1)!.dayNumber == 0)
    var date = CalendarDate(year: 1899, month: 12, day: 25)!
    for _ in 0..<80_000 {
      let next = date.adding(days: 1)
      #expect(next.dayNumber == date.dayNumber + 1)
      #expect(CalendarDate(dayNumber: next.dayNumber) == next)
      #expect(next > date)
      date = next
    }
    #expect(date == CalendarDate(year: 2119, month: 1, day: 6))  // as Python's datetime computes it
  }

  @Test func weekdaysMatchTheCalendar() {
    #expect(CalendarDate(year: 2026, month: 2, day: 13)!.weekday == 5)  // Friday
    #expect(CalendarDate(year: 2026, month: 2, day: 14)!.isWeekend)  // Saturday
    #expect(CalendarDate(year: 2019, month: 10, day: 16)!.weekday == 3)  // Wednesday
    #expect(CalendarDate(year: 1969, month: 12, day: 31)!.weekday == 3)
  }

  @Test func monthArithmeticClampsToTheMonthEnd() {
    let january31 = CalendarDate(year: 2024, month: 1, day: 31)!
    #expect(january31.adding(months: 1) == CalendarDate(year: 2024, month: 2, day: 29))
    #expect(january31.adding(months: 13) == CalendarDate(year: 2025, month: 2, day: 28))
    #expect(
      CalendarDate(year: 2020, month: 2, day: 29)!.adding(years: 1) == CalendarDate(year: 2021, month: 2, day: 28))
    #expect(
      CalendarDate(year: 2020, month: 3, day: 15)!.adding(months: -3) == CalendarDate(year: 2019, month: 12, day: 15))
  }

  @Test func agesCountCompletedYears() {
    let birth = CalendarDate(year: 1966, month: 5, day: 20)!
    #expect(birth.age(on: CalendarDate(year: 2026, month: 5, day: 19)!) == 59)
    #expect(birth.age(on: CalendarDate(year: 2026, month: 5, day: 20)!) == 60)
  }

  @Test func instantsBecomeShanghaiDays() {
    // 2026-02-13 16:30 UTC is already 00:30 on the 14th in Shanghai.
    let instant = Date(timeIntervalSince1970: 1_771_000_200)
    #expect(CalendarDate(instant, in: TimeZone(identifier: "UTC")!) == CalendarDate(year: 2026, month: 2, day: 13))
    #expect(CalendarDate(instant) == CalendarDate(year: 2026, month: 2, day: 14))
    let start = CalendarDate(year: 2026, month: 2, day: 14)!.startInstant()
    #expect(CalendarDate(start) == CalendarDate(year: 2026, month: 2, day: 14))
    #expect(CalendarDate(start.addingTimeInterval(-1)) == CalendarDate(year: 2026, month: 2, day: 13))
  }
}
