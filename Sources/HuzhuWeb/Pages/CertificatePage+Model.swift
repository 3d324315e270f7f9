import HuzhuApp
import HuzhuCore

/// The certificate (互助金保障书) as printed for a member, and the public lookup that checks one.
enum CertificatePage {
  struct Model {
    let certificate: Certificate
    let today: CalendarDate

    var enrollment: Enrollment { certificate.enrollment }
    var inForce: Bool { enrollment.covers(today) }
  }
}

/// The public verification page: a number in, a masked answer out.
enum VerifyPage {
  struct Model {
    /// What was asked, when something was.
    let number: String?
    /// Nil when nothing was asked or nothing was found.
    let found: CertificatePage.Model?

    static func load(number: String?, today: CalendarDate, lookups: PublicLookups) async throws -> Model {
      guard let number = number?.trimmingCharacters(in: .whitespaces), !number.isEmpty, number.count <= 40 else {
        return Model(number: nil, found: nil)
      }
      return Model(
        number: number,
        found: try await lookups.certificate(number: number).map {
          CertificatePage.Model(certificate: $0, today: today)
        })
    }
  }
}
