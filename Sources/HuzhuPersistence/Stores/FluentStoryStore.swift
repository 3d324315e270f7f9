import FluentKit
import Foundation
import HuzhuCore
import SQLKit

final class ClaimStoryModel: Model, NodeOwned, @unchecked Sendable {
  static let schema = M036_ClaimStories.table
  static let ownerKey = \ClaimStoryModel.$organisationID

  @ID(custom: .id, generatedBy: .user) var id: UUID?
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "consented_at") var consentedAt: Date
  @Field(key: "consented_by") var consentedBy: String
  @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
  @OptionalField(key: "published_at") var publishedAt: Date?
  @OptionalField(key: "published_by") var publishedBy: String?

  init() {}

  func domain() -> StoryConsent {
    StoryConsent(
      claimID: .init(id ?? UUID()), consentedAt: consentedAt, consentedBy: consentedBy, withdrawnAt: withdrawnAt,
      publishedAt: publishedAt, publishedBy: publishedBy)
  }
}

/// Consents to claim stories and their publication. The worker's own steps (consent,
/// withdrawal) are checked by the caller against the claim's worker; staff steps go through
/// `scope` (an area's claims; a unit's accounts see none).
public struct FluentStoryStore: Sendable {
  let database: any Database
  let scope: AccessScope

  public init(database: any Database, scope: AccessScope = .unrestricted) {
    self.database = database
    self.scope = scope
  }

  public func consent(of claim: ClaimRecord.ID) async throws -> StoryConsent? {
    try await ClaimStoryModel.find(claim.rawValue, on: database)?.domain()
  }

  /// Records (or renews) the consent of a paid claim's worker.
  public func consent(to claim: ClaimRecord, by who: String, at now: Date) async throws -> StoryConsent {
    try await database.writeTransaction { transaction in
      let row = try await ClaimStoryModel.find(claim.id.rawValue, on: transaction) ?? ClaimStoryModel()
      let isNew = row.id == nil
      row.id = claim.id.rawValue
      row.organisationID = claim.organisationID?.rawValue
      row.consentedAt = now
      row.consentedBy = who
      row.withdrawnAt = nil
      if isNew { try await row.create(on: transaction) } else { try await row.update(on: transaction) }
      return row.domain()
    }
  }

  /// Takes consent back: the story comes down at once and stays down until consent is given
  /// again and staff publish it again.
  public func withdraw(_ claim: ClaimRecord.ID, at now: Date) async throws -> StoryConsent? {
    try await database.writeTransaction { transaction in
      guard let row = try await ClaimStoryModel.find(claim.rawValue, on: transaction) else { return nil }
      if row.withdrawnAt == nil { row.withdrawnAt = now }
      row.publishedAt = nil
      row.publishedBy = nil
      try await row.update(on: transaction)
      return row.domain()
    }
  }

  /// Publishes or takes down a story in scope; nil when there is no consent in scope. A story
  /// whose consent was withdrawn cannot be published.
  public func publish(_ claim: ClaimRecord.ID, _ published: Bool, by who: String, at now: Date) async throws
    -> StoryConsent?
  {
    try await database.writeTransaction { transaction in
      guard
        let row = try await ClaimStoryModel.query(on: transaction).scoped(scope).filter(\.$id == claim.rawValue)
          .first()
      else { return nil }
      if published, row.withdrawnAt == nil {
        row.publishedAt = row.publishedAt ?? now
        row.publishedBy = row.publishedBy ?? who
      } else if !published {
        row.publishedAt = nil
        row.publishedBy = nil
      }
      try await row.update(on: transaction)
      return row.domain()
    }
  }

  /// The consents in scope still given, newest first, with their claims.
  public func consents(page: PageQuery) async throws -> PagedResult<(StoryConsent, ClaimRecord)> {
    let query = ClaimStoryModel.query(on: database).scoped(scope).filter(\.$withdrawnAt == nil)
    let total = try await query.count()
    let rows = try await query.sort(\.$consentedAt, .descending).range(page.offset..<(page.offset + page.per)).all()
    let claims = try await ClaimModel.query(on: database).filter(\.$id ~~ rows.compactMap(\.id)).all()
    let byID = Dictionary(uniqueKeysWithValues: try claims.map { ($0.id ?? UUID(), try $0.domain()) })
    return PagedResult(
      items: rows.compactMap { row in row.id.flatMap { byID[$0] }.map { (row.domain(), $0) } }, request: page,
      total: total)
  }

  /// The published stories' paid claims, latest paid first (every area: only the anonymised
  /// story leaves the caller).
  public func publishedClaims(limit: Int) async throws -> [ClaimRecord] {
    let published = try await ClaimStoryModel.query(on: database).filter(\.$withdrawnAt == nil)
      .filter(\.$publishedAt != nil).all().compactMap(\.id)
    guard !published.isEmpty else { return [] }
    return try await ClaimModel.query(on: database).filter(\.$id ~~ published)
      .filter(\.$state == ClaimState.paid.rawValue).sort(\.$paidOn, .descending).sort(\.$createdAt, .descending)
      .limit(min(max(1, limit), 200)).all().map { try $0.domain() }
  }
}
