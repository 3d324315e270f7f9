import Foundation

/// When a member (or a unit) is reminded, and what the text says. Each reminder has a key that
/// names it ("documents for claim X, first reminder"), so that however often the housekeeping
/// round asks, and on however many instances, it is queued once.
public enum Reminders {
  /// A claim waiting for the worker's documents is reminded after this many days, then again.
  public static let documentDays = [7, 14, 21]
  /// Cover ending within this many days, not yet renewed, is reminded once.
  public static let renewalDays = 30
  /// A certificate issued within this many days is announced (a round missed is caught up).
  public static let certificateDays = 14

  /// The reminder step due for a claim waiting on documents since `since` (7, 14 or 21 days),
  /// or nil before the first.
  public static func documentsStep(since: CalendarDate, today: CalendarDate) -> Int? {
    let waited = since.days(until: today)
    return documentDays.last { waited >= $0 }
  }

  public static func documents(
    claimID: ClaimRecord.ID, claimNumber: String, missing: [String], step: Int, phone: String?,
    organisationID: Organisation.ID?, workerID: Worker.ID, at now: Date
  ) -> OutgoingMessage {
    let list = missing.joined(separator: "、")
    return OutgoingMessage(
      kind: .documentsReminder, phone: phone,
      text: "【职工互助】您的互助金申请（\(claimNumber)）尚缺材料：\(list)。请尽快补齐，补齐后即开始办理。",
      parameters: ["number": claimNumber, "documents": list], organisationID: organisationID, claimID: claimID,
      workerID: workerID, createdAt: now, dedupeKey: "documents:\(claimID):\(step)")
  }

  /// To a unit's contact: its members' cover ends on `end` and is not renewed yet.
  public static func unitRenewal(
    unitID: WorkUnit.ID, unitName: String, members: Int, end: CalendarDate, phone: String?,
    organisationID: Organisation.ID?, at now: Date
  ) -> OutgoingMessage {
    OutgoingMessage(
      kind: .renewalReminder, phone: phone,
      text: "【职工互助】贵单位（\(unitName)）\(members)名职工的互助保障将于\(end)到期，尚未续保。请及时办理续保，以免保障中断。",
      parameters: ["unit": unitName, "members": String(members), "end": end.description],
      organisationID: organisationID, createdAt: now, dedupeKey: "renewal:unit:\(unitID):\(end)")
  }

  /// To a member enrolled on their own: their cover ends on `end` and is not renewed yet.
  public static func memberRenewal(
    workerID: Worker.ID, productName: String, end: CalendarDate, phone: String?, organisationID: Organisation.ID?,
    at now: Date
  ) -> OutgoingMessage {
    OutgoingMessage(
      kind: .renewalReminder, phone: phone,
      text: "【职工互助】您参加的\(productName)将于\(end)到期，尚未续保。请及时办理续保，以免保障中断。",
      parameters: ["product": productName, "end": end.description], organisationID: organisationID,
      workerID: workerID, createdAt: now, dedupeKey: "renewal:worker:\(workerID):\(end)")
  }

  /// To a member whose cover was paid for: the certificate's number and period.
  public static func certificate(
    enrollmentID: Enrollment.ID, certificateNumber: String, productName: String, period: CoveragePeriod,
    phone: String?, organisationID: Organisation.ID?, workerID: Worker.ID, at now: Date
  ) -> OutgoingMessage {
    OutgoingMessage(
      kind: .certificateIssued, phone: phone,
      text: "【职工互助】您已参加\(productName)，保障期间\(period.start)至\(period.end)，保障书编号\(certificateNumber)，"
        + "可在“职工服务”查看电子保障书。",
      parameters: [
        "product": productName, "number": certificateNumber, "start": period.start.description,
        "end": period.end.description,
      ], organisationID: organisationID, workerID: workerID, createdAt: now,
      dedupeKey: "certificate:\(enrollmentID)")
  }
}
