import Foundation

/// How many attempts a key (an address, an account from an address) may make within a window
/// of time before it must wait: the rule behind sign-in throttling and the rate limit of public
/// look-ups. Counts are kept per key as the times of recent attempts; an attempt older than the
/// window no longer counts.
public struct AttemptRule: Sendable, Equatable {
  public var limit: Int
  public var window: TimeInterval

  public init(limit: Int, window: TimeInterval) {
    self.limit = limit
    self.window = window
  }

  /// Failed sign-ins from one address, whatever the name typed.
  public static let signInsFromAddress = AttemptRule(limit: 30, window: 15 * 60)
  /// Failed sign-ins to one account from one address: that address is kept out of the account,
  /// while the same person elsewhere (or anyone with the password at another desk) still gets in.
  public static let signInsToAccountFromAddress = AttemptRule(limit: 5, window: 15 * 60)
  /// Public certificate look-ups from one address: a hospital clerk checks a few, an
  /// enumeration thousands.
  public static let certificateLookups = AttemptRule(limit: 30, window: 10 * 60)
}

/// The recent attempts of many keys under one rule. Bounded: past `capacity` keys the stalest
/// are forgotten, so a flood of addresses cannot exhaust memory (it can only forget itself).
public struct AttemptWindow: Sendable {
  public let rule: AttemptRule
  public let capacity: Int
  private var attempts: [String: [Date]] = [:]

  public init(rule: AttemptRule, capacity: Int = 50_000) {
    self.rule = rule
    self.capacity = capacity
  }

  /// Until when `key` must wait, or nil when it may try now.
  public func blocked(_ key: String, at now: Date) -> Date? {
    let recent = (attempts[key] ?? []).filter { now.timeIntervalSince($0) < rule.window }
    guard recent.count >= rule.limit, let oldest = recent.first else { return nil }
    // Free again when the oldest attempt that counts leaves the window.
    return oldest.addingTimeInterval(rule.window)
  }

  /// Counts an attempt of `key`; returns until when it must wait after it (nil: it may go on).
  @discardableResult
  public mutating func record(_ key: String, at now: Date) -> Date? {
    var recent = (attempts[key] ?? []).filter { now.timeIntervalSince($0) < rule.window }
    recent.append(now)
    // More than the limit never needs remembering.
    if recent.count > rule.limit { recent.removeFirst(recent.count - rule.limit) }
    if attempts[key] == nil && attempts.count >= capacity { forgetStalest(at: now) }
    attempts[key] = recent
    return blocked(key, at: now)
  }

  /// A success: the key starts afresh.
  public mutating func clear(_ key: String) {
    attempts[key] = nil
  }

  public var keys: Int { attempts.count }

  private mutating func forgetStalest(at now: Date) {
    attempts = attempts.filter { now.timeIntervalSince($0.value.last ?? .distantPast) < rule.window }
    guard attempts.count >= capacity else { return }
    let stalest = attempts.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }
      .prefix(attempts.count - capacity + capacity / 10)
    for (key, _) in stalest { attempts[key] = nil }
  }
}
