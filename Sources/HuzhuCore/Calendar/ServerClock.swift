import Foundation

/// The server's calendar day, in Asia/Shanghai: the only source of the dates that rules depend
/// on (when a claim or an enrollment request was received, when money arrived). Whoever
/// benefits from a date never types it.
///
/// Production reads the system clock; tests set the day they need.
public struct ServerClock: Sendable {
  private let now: @Sendable () -> Date

  public init(now: @escaping @Sendable () -> Date) {
    self.now = now
  }

  /// The machine's clock.
  public static let system = ServerClock { Date() }

  /// A clock that always reads noon of `day` in Asia/Shanghai.
  public static func fixed(_ day: CalendarDate) -> ServerClock {
    let instant = day.startInstant().addingTimeInterval(12 * 3600)
    return ServerClock { instant }
  }

  public var today: CalendarDate { CalendarDate.today(now: now()) }
  public var instant: Date { now() }
}
