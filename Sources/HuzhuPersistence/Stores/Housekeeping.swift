import Fluent
import FluentKit
import Foundation
import HuzhuCore

/// What ages out of the database: browser sessions that have ended and portal codes long
/// expired. Every step deletes only rows that are dead by the clock, so two app instances
/// running it at once delete each row once between them and nothing live.
public enum Housekeeping {
  public struct Report: Sendable, Equatable {
    public var sessions = 0
    public var portalCodes = 0
    /// Code messages that expired unsent (no gateway, or one down all along): given up, their
    /// codes blanked.
    public var expiredMessages = 0

    public init(sessions: Int = 0, portalCodes: Int = 0, expiredMessages: Int = 0) {
      self.sessions = sessions
      self.portalCodes = portalCodes
      self.expiredMessages = expiredMessages
    }
  }

  /// The session keys this reads (the web layer writes them): epoch seconds as text.
  public enum SessionStamp {
    public static let seen = "seen"
    public static let started = "started"
    public static let pendingSince = "pendingSince"
  }

  /// Deletes the sessions that have ended: last seen (or waiting for a second factor) longer
  /// ago than `idle`, started longer ago than `lifetime`, or carrying no time at all (made
  /// before sessions were stamped, or by something else).
  public static func purgeSessions(
    on database: any Database, now: Date, idle: TimeInterval, lifetime: TimeInterval
  ) async throws -> Int {
    var dead: [UUID] = []
    var after: UUID?
    while true {
      var query = SessionRecord.query(on: database).sort(\.$id).limit(500)
      if let after { query = query.filter(\.$id > after) }
      let rows = try await query.all()
      guard let last = rows.last?.id else { break }
      after = last
      for row in rows where !isAlive(row.data.snapshot, now: now, idle: idle, lifetime: lifetime) {
        if let id = row.id { dead.append(id) }
      }
    }
    for start in stride(from: 0, to: dead.count, by: 500) {
      try await SessionRecord.query(on: database).filter(\.$id ~~ Array(dead[start..<min(start + 500, dead.count)]))
        .delete()
    }
    return dead.count
  }

  static func isAlive(_ data: [String: String], now: Date, idle: TimeInterval, lifetime: TimeInterval) -> Bool {
    let clock = now.timeIntervalSince1970
    let stamps = [SessionStamp.seen, SessionStamp.pendingSince].compactMap { data[$0].flatMap(TimeInterval.init) }
    guard let latest = stamps.max(), clock - latest < idle else { return false }
    if let started = data[SessionStamp.started].flatMap(TimeInterval.init), clock - started >= lifetime {
      return false
    }
    return true
  }

  /// Deletes portal codes that expired more than `keep` ago (used or not: their hash is of no
  /// use any more, and the sign-in itself is in the audit log).
  public static func purgePortalCodes(on database: any Database, now: Date, keep: TimeInterval) async throws -> Int {
    let cutoff = now.addingTimeInterval(-keep)
    let count = try await PortalCodeModel.query(on: database).filter(\.$expiresAt < cutoff).count()
    guard count > 0 else { return 0 }
    try await PortalCodeModel.query(on: database).filter(\.$expiresAt < cutoff).delete()
    return count
  }

  /// Gives up the secret messages (sign-in codes) that expired unsent and blanks their text:
  /// with no gateway, or one down past a code's ten minutes, no usable code stays in the table.
  /// Leased messages are left to their dispatcher, which gives them up itself.
  public static func expireMessages(on database: any Database, now: Date) async throws -> Int {
    let secret = MessageKind.allCases.filter(\.isSecret).map(\.rawValue)
    let expired = MessageModel.query(on: database).filter(\.$status == MessageStatus.pending.rawValue)
      .filter(\.$kind ~~ secret).filter(\.$expiresAt < now)
      .group(.or) { $0.filter(\.$leaseUntil == nil).filter(\.$leaseUntil < now) }
    let ids = try await expired.all(\.$id)
    guard !ids.isEmpty else { return 0 }
    try await database.writeTransaction { transaction in
      try await MessageModel.query(on: transaction).filter(\.$id ~~ ids)
        .filter(\.$status == MessageStatus.pending.rawValue)
        .group(.or) { $0.filter(\.$leaseUntil == nil).filter(\.$leaseUntil < now) }
        .set(\.$status, to: MessageStatus.dead.rawValue)
        .set(\.$text, to: OutgoingMessage.redactedCode)
        .set(\.$parameters, to: "{}")
        .set(\.$lastError, to: "expired before it could be sent")
        .update()
    }
    return ids.count
  }
}
