import HuzhuCore
import HuzhuPersistence

/// What anyone may ask without signing in: whether a certificate is genuine and in force. The
/// answer is shown masked; it reads every area's certificates, since the holder may be anyone's.
public struct PublicLookups: Sendable {
  let services: AppServices

  public init(_ services: AppServices) {
    self.services = services
  }

  public func certificate(number: String) async throws -> Certificate? {
    let number = number.trimmingCharacters(in: .whitespaces)
    guard !number.isEmpty, number.count <= 40 else { return nil }
    return try await FluentEnrollmentStore(database: services.database).certificate(number: number)
  }
}
