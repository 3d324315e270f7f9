import Foundation

/// A date the rules depend on, as recorded: when a claim or an enrollment request was received,
/// when money arrived. It is the server's day. Staff holding ``Permission/recordEarlierDates``
/// (a window supervisor entering papers a county window received last week, finance booking a
/// transfer on the bank's value date) may record an earlier day, and must say why; the reason
/// goes to the audit log with the record.
public struct RecordedDate: Sendable, Equatable {
  public let date: CalendarDate
  /// Why the day is earlier than the day it was entered; nil when it is that day.
  public let earlierBecause: String?

  public static let reasonLimit = 200

  public init(date: CalendarDate, earlierBecause: String?) {
    self.date = date
    self.earlierBecause = earlierBecause
  }

  /// What the server records for a date someone asked for.
  ///
  /// - Parameters:
  ///   - requested: the day asked for; nil means today.
  ///   - reason: why an earlier day (required for one, ignored otherwise).
  ///   - field: where the date was typed, for the error (`event.claimDate`, `paidOn`).
  ///   - what: the date's name in errors (受理日期, 缴费日期).
  public static func resolve(
    _ requested: CalendarDate?, reason: String?, today: CalendarDate, mayRecordEarlier: Bool, field: String,
    what: LocalizedText
  ) -> Result<RecordedDate, ValidationFailure> {
    guard let requested, requested != today else { return .success(RecordedDate(date: today, earlierBecause: nil)) }
    if today < requested { return .failure(ValidationFailure([.futureDate(field, what)])) }
    guard mayRecordEarlier else {
      return .failure(
        ValidationFailure([
          FieldError(
            field: field, code: "server_date",
            message: LocalizedText(
              zh: "\(what.zh)由系统按办理当天（\(today)）记录；补录更早的日期须由有补录权限的人员办理并说明原因",
              en:
                "the \(what.en) is the day it is entered (\(today)); only staff allowed to record earlier dates may, with a reason"
            ))
        ]))
    }
    let trimmed = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty {
      return .failure(
        ValidationFailure([
          FieldError(
            field: Self.reasonField(for: field), code: "earlier_date_reason",
            message: LocalizedText(
              zh: "补录早于今天的\(what.zh)，请说明原因", en: "say why the \(what.en) is earlier than today"))
        ]))
    }
    if trimmed.count > reasonLimit {
      return .failure(
        ValidationFailure(FieldError.tooLong([(Self.reasonField(for: field), trimmed, reasonLimit)])))
    }
    return .success(RecordedDate(date: requested, earlierBecause: trimmed))
  }

  /// Where the reason for an earlier `field` is typed: `event.claimDate` → `event.claimDateReason`.
  public static func reasonField(for field: String) -> String { field + "Reason" }
}
