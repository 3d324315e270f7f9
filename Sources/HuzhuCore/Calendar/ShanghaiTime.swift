import Foundation

/// A moment as people here read it: `2026-12-04 09:30` (with `:15` seconds when asked), in
/// Asia/Shanghai whatever the server's zone.
public enum ShanghaiTime {
  public static func text(_ date: Date, seconds: Bool = false) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = CalendarDate.schemeTimeZone
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    let minutes = String(
      format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    return seconds ? minutes + String(format: ":%02d", c.second ?? 0) : minutes
  }
}
