import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// What operators watch across the installation (every federation together; no person's
/// data): claims by state, the outbox not yet sent, and on PostgreSQL the server's connections
/// to this database by state.
public struct OperationalFigures: Sendable, Equatable {
  public var claimsByState: [ClaimState: Int]
  public var unsentMessages: Int
  /// Messages given up (the staff's dead letters).
  public var undeliveredMessages: Int = 0
  /// Age of the oldest unsent message, in seconds; 0 when none waits.
  public var oldestUnsentSeconds: Double
  /// PostgreSQL only (`pg_stat_activity`): active, idle, idle in transaction…
  public var databaseConnections: [String: Int]

  /// Reads the figures: three grouped counts on indexed columns.
  public static func read(_ database: any Database, now: Date = Date()) async throws -> OperationalFigures {
    guard let sql = database as? any SQLDatabase else {
      return OperationalFigures(claimsByState: [:], unsentMessages: 0, oldestUnsentSeconds: 0, databaseConnections: [:])
    }
    var claims: [ClaimState: Int] = Dictionary(uniqueKeysWithValues: ClaimState.allCases.map { ($0, 0) })
    for row in try await sql.raw("SELECT state AS s, COUNT(*) AS n FROM claims GROUP BY state").all() {
      if let state = ClaimState(rawValue: try row.decode(column: "s", as: String.self)) {
        claims[state] = try row.decode(column: "n", as: Int.self)
      }
    }
    let outbox = try await sql.raw(
      "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM messages WHERE status = 'pending'"
    ).first()
    let unsent = try outbox?.decode(column: "n", as: Int.self) ?? 0
    let dead =
      try await sql.raw("SELECT COUNT(*) AS n FROM messages WHERE status = 'dead'").first()?.decode(
        column: "n", as: Int.self) ?? 0
    let oldest =
      try outbox?.decodeNil(column: "oldest") == false ? outbox?.decode(column: "oldest", as: Date.self) : nil
    var connections: [String: Int] = [:]
    if sql.dialect.name == "postgresql" {
      for row in try await sql.raw(
        """
        SELECT COALESCE(state, 'unknown') AS s, COUNT(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() GROUP BY state
        """
      ).all() {
        connections[try row.decode(column: "s", as: String.self)] = try row.decode(column: "n", as: Int.self)
      }
    }
    var figures = OperationalFigures(
      claimsByState: claims, unsentMessages: unsent,
      oldestUnsentSeconds: oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0, databaseConnections: connections)
    figures.undeliveredMessages = dead
    return figures
  }
}
