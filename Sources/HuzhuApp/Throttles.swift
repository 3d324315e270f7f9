import Foundation
import HuzhuCore
import Synchronization

/// The attempts this server instance has seen, shared by its requests: failed sign-ins by
/// address and by account from an address, public certificate look-ups by address
/// (``AttemptRule``). Kept in memory: a second instance counts on its own, which halves
/// nothing an attacker could use (each still stops at its limit), and a restart forgets, as the
/// account lock in the database does not.
public final class Throttles: Sendable {
  let signInsFromAddress: Mutex<AttemptWindow>
  let signInsToAccount: Mutex<AttemptWindow>
  let lookups: Mutex<AttemptWindow>

  public init(
    signInsFromAddress: AttemptRule = .signInsFromAddress,
    signInsToAccountFromAddress: AttemptRule = .signInsToAccountFromAddress,
    certificateLookups: AttemptRule = .certificateLookups
  ) {
    self.signInsFromAddress = Mutex(AttemptWindow(rule: signInsFromAddress))
    self.signInsToAccount = Mutex(AttemptWindow(rule: signInsToAccountFromAddress))
    self.lookups = Mutex(AttemptWindow(rule: certificateLookups))
  }

  static func accountKey(_ username: String, _ address: String?) -> String {
    "\(username.lowercased())\u{0}\(address ?? "")"
  }

  /// Until when a sign-in to `username` from `address` must wait (nil: it may be tried).
  func signInBlocked(username: String, address: String?, at now: Date) -> Date? {
    let fromAddress = signInsFromAddress.withLock { $0.blocked(address ?? "", at: now) }
    let toAccount = signInsToAccount.withLock { $0.blocked(Self.accountKey(username, address), at: now) }
    return [fromAddress, toAccount].compactMap { $0 }.max()
  }

  /// Counts a failed sign-in; returns until when that address must wait for that account.
  @discardableResult
  func signInFailed(username: String, address: String?, at now: Date) -> Date? {
    let fromAddress = signInsFromAddress.withLock { $0.record(address ?? "", at: now) }
    let toAccount = signInsToAccount.withLock { $0.record(Self.accountKey(username, address), at: now) }
    return [fromAddress, toAccount].compactMap { $0 }.max()
  }

  func signedIn(username: String, address: String?) {
    signInsToAccount.withLock { $0.clear(Self.accountKey(username, address)) }
  }

  /// Counts a look-up; returns until when the address must wait (nil: this one may go ahead).
  func lookUp(address: String?, at now: Date) -> Date? {
    lookups.withLock { window in
      if let until = window.blocked(address ?? "", at: now) { return until }
      window.record(address ?? "", at: now)
      return nil
    }
  }
}
