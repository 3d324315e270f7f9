import HuzhuCore
import HuzhuPersistence

/// Who an actor is, read from the accounts: the command line acts as a named operator, with
/// that operator's permissions and area, exactly as the same person would in the browser.
public struct Actors: Sendable {
  let services: AppServices

  public init(_ services: AppServices) {
    self.services = services
  }

  /// The enabled account `username` as an actor; nil when there is none.
  public func `operator`(username: String, address: String?) async throws -> Actor? {
    guard let account = try await FluentAccountStore(database: services.database).account(username: username),
      !account.isDisabled
    else { return nil }
    let organisations = try await services.organisationDirectory.current(on: services)
    return Actor(account: account, organisations: organisations, address: address)
  }
}
