import HuzhuCore
import Vapor

/// bcrypt through Vapor, offered to the core as its ``PasswordHasher``.
public struct BcryptPasswordHasher: HuzhuCore.PasswordHasher {
  public let cost: Int

  public init(cost: Int = 12) {
    self.cost = cost
  }

  public func hash(_ password: String) throws -> String {
    try Bcrypt.hash(password, cost: cost)
  }

  public func verify(_ password: String, against hash: String) throws -> Bool {
    try Bcrypt.verify(password, created: hash)
  }
}

struct AuthenticatedAccount: Authenticatable {
  let account: UserAccount
}

/// HTTP Basic authentication against operator accounts, for API writes. Sessions and
/// role checks arrive with the web application's access control.
struct AccountAuthenticator: AsyncBasicAuthenticator {
  func authenticate(basic: BasicAuthorization, for request: Request) async throws {
    guard let account = try await request.accounts.account(username: basic.username) else { return }
    let hasher = request.application.huzhu.passwordHasher
    // bcrypt is deliberately slow: keep it off the event loop.
    let verified = try await request.application.threadPool.runIfActive {
      try hasher.verify(basic.password, against: account.passwordHash)
    }
    if verified {
      request.auth.login(AuthenticatedAccount(account: account))
    }
  }
}
