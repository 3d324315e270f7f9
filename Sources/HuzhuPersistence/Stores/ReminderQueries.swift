import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// What the reminders are made from, across every area (the system's housekeeping asks; each
/// reminder goes to its own member or unit and carries its owner node).
public enum ReminderQueries {
  /// Claims waiting for the worker's documents (drafts and claims returned for documents, with
  /// documents missing), with the day they started waiting: the draft's day, or the latest return.
  public static func claimsAwaitingDocuments(on database: any Database) async throws -> [(
    claim: ClaimRecord, since: CalendarDate
  )] {
    let rows = try await ClaimModel.query(on: database)
      .filter(\.$state ~~ [ClaimState.draft.rawValue, ClaimState.returned.rawValue]).all()
    let claims = try rows.map { try $0.domain() }.filter { !$0.progress.missingDocuments.isEmpty }
    let returned = claims.filter { $0.state == .returned }.map(\.id.rawValue)
    var returnedOn: [UUID: Date] = [:]
    for start in stride(from: 0, to: returned.count, by: 500) {
      let chunk = Array(returned[start..<min(start + 500, returned.count)])
      for entry in try await ClaimHistoryModel.query(on: database).filter(\.$claimID ~~ chunk)
        .filter(\.$toState == ClaimState.returned.rawValue).all()
      {
        returnedOn[entry.claimID] = max(returnedOn[entry.claimID] ?? entry.at, entry.at)
      }
    }
    return claims.map { claim in
      (claim, returnedOn[claim.id.rawValue].map { CalendarDate($0) } ?? claim.createdOn)
    }
  }

  /// Paid-up cover ending between `today` and `last` (inclusive) with no cover of the same
  /// product for the same member after it.
  public static func coverEndingUnrenewed(
    from today: CalendarDate, through last: CalendarDate, on database: any Database
  )
    async throws -> [Enrollment]
  {
    let ending = try await EnrollmentModel.query(on: database)
      .filter(\.$status == EnrollmentStatus.active.rawValue)
      .filter(\.$periodEnd >= today.description).filter(\.$periodEnd <= last.description).all()
    guard !ending.isEmpty else { return [] }
    var renewed: Set<String> = []
    let workers = Array(Set(ending.map(\.workerID)))
    for start in stride(from: 0, to: workers.count, by: 500) {
      let chunk = Array(workers[start..<min(start + 500, workers.count)])
      for later in try await EnrollmentModel.query(on: database).filter(\.$workerID ~~ chunk)
        .filter(\.$periodStart > today.description)
        .filter(\.$status != EnrollmentStatus.withdrawn.rawValue).all()
      {
        renewed.insert("\(later.workerID)|\(later.schemeCode)|\(later.productCode)|\(later.periodStart)")
      }
    }
    return try ending.filter { enrollment in
      // The next period starts the day after this one ends.
      guard let end = CalendarDate(enrollment.periodEnd) else { return false }
      return !renewed.contains(
        "\(enrollment.workerID)|\(enrollment.schemeCode)|\(enrollment.productCode)|\(end.adding(days: 1))")
    }.map { try $0.domain() }
  }

  /// Cover paid for and enrolled on `since` or later (its certificate now in force or about to be).
  public static func certificatesIssued(since: CalendarDate, on database: any Database) async throws -> [Enrollment] {
    try await EnrollmentModel.query(on: database).filter(\.$status == EnrollmentStatus.active.rawValue)
      .filter(\.$enrolledOn >= since.description).all().map { try $0.domain() }
  }
}
