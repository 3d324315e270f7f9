import Foundation

/// A worker's consent to their paid claim being told as an anonymised story (``ClaimStory``),
/// and the staff's choice to publish it. A story is public only while both hold: the worker
/// can take consent back at any time, which also takes the story down.
public struct StoryConsent: Sendable, Equatable {
  public let claimID: ClaimRecord.ID
  public let consentedAt: Date
  /// Who recorded it: the worker online, or the window with the signed form.
  public let consentedBy: String
  public let withdrawnAt: Date?
  public let publishedAt: Date?
  public let publishedBy: String?

  public init(
    claimID: ClaimRecord.ID, consentedAt: Date, consentedBy: String, withdrawnAt: Date?, publishedAt: Date?,
    publishedBy: String?
  ) {
    self.claimID = claimID
    self.consentedAt = consentedAt
    self.consentedBy = consentedBy
    self.withdrawnAt = withdrawnAt
    self.publishedAt = publishedAt
    self.publishedBy = publishedBy
  }

  public var isGiven: Bool { withdrawnAt == nil }
  public var isPublic: Bool { isGiven && publishedAt != nil }

  /// Only a paid claim's story can be told: the story is of what the scheme paid.
  public static func mayConsent(to claim: ClaimRecord) -> Bool { claim.state == .paid }
}
