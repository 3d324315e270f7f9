import Foundation

/// A message in the outbox with where its sending stands. A message handed out by
/// ``MessageStore/lease(owner:for:now:limit:only:)`` carries its lease, which recording the
/// result needs.
public struct QueuedMessage: Sendable, Equatable {
  public let message: OutgoingMessage
  public let status: MessageStatus
  /// Tries so far, the one under way included.
  public let attempts: Int
  public let nextAttemptAt: Date
  public let lastError: String?
  public let providerID: String?
  public let sentAt: Date?
  public let leaseToken: String?

  public init(
    message: OutgoingMessage, status: MessageStatus, attempts: Int, nextAttemptAt: Date, lastError: String?,
    providerID: String?, sentAt: Date?, leaseToken: String? = nil
  ) {
    self.message = message
    self.status = status
    self.attempts = attempts
    self.nextAttemptAt = nextAttemptAt
    self.lastError = lastError
    self.providerID = providerID
    self.sentAt = sentAt
    self.leaseToken = leaseToken
  }

  public init(leased message: QueuedMessage, token: String) {
    self.init(
      message: message.message, status: message.status, attempts: message.attempts,
      nextAttemptAt: message.nextAttemptAt, lastError: message.lastError, providerID: message.providerID,
      sentAt: message.sentAt, leaseToken: token)
  }
}

/// The outbox of text messages.
public protocol MessageStore: Sendable {
  func enqueue(_ messages: [OutgoingMessage]) async throws
  /// Up to `limit` messages due at `now` (of `ids` only, when given) that nobody holds, leased
  /// to `owner` for `duration` and their tries counted. Two callers at once never get the same
  /// message; a message whose lease lapsed is due again.
  func lease(owner: String, for duration: TimeInterval, now: Date, limit: Int, only ids: [OutgoingMessage.ID]?)
    async throws -> [QueuedMessage]
  /// Records a leased message sent; false (nothing changed) when the lease had lapsed.
  func recordSent(_ message: QueuedMessage, providerID: String?, at now: Date) async throws -> Bool
  /// Records a leased message's failure: tried again at `retryAt`, or given up when nil.
  func recordFailure(_ message: QueuedMessage, reason: String, retryAt: Date?, at now: Date) async throws -> Bool
  /// The messages in scope, newest first; `troubledOnly`: given up, or failed and waiting to retry.
  func messages(status: MessageStatus?, troubledOnly: Bool, page: PageQuery) async throws -> PagedResult<QueuedMessage>
  func counts() async throws -> [MessageStatus: Int]
  /// Puts a message given up back in the queue (not a one-time code, not one without a phone);
  /// nil when it is not in scope.
  func resend(_ id: OutgoingMessage.ID, at now: Date) async throws -> QueuedMessage?
}
