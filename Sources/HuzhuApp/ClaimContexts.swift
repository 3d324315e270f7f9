import Foundation
import HuzhuCore
import HuzhuPersistence

/// Who acts, on which day, under which rules and calendar: built here once for every claim
/// operation (intake at the window, the portal, review, payment), never by an adapter.
struct ClaimContexts: UseCase {
  let services: AppServices
  let actor: Actor

  /// The scheme in the actor's reach, compiled; a field error naming `schemeCode` when there
  /// is none (whether it does not exist or is run by another area).
  func scheme(_ code: String) async throws -> CompiledScheme {
    guard
      let scheme = try await services.compiledSchemes.compiled(
        code: code, in: FluentSchemeStore(database: services.database, reach: actor.schemeReach))
    else { throw Self.unknownScheme(code) }
    return scheme
  }

  static func unknownScheme(_ code: String) -> ValidationFailure {
    ValidationFailure([
      FieldError(
        field: "schemeCode", code: "unknown_scheme",
        message: LocalizedText(zh: "没有编码为“\(code)”的方案", en: "no scheme has the code \"\(code)\""))
    ])
  }

  /// The shipped holiday years with those staff entered or corrected on top.
  func calendar() async throws -> WorkingDayCalendar {
    WorkingDayCalendar(
      years: WorkingDayCalendar.publishedChina.coveredYears
        + (try await FluentClaimStore(database: services.database).holidayYears()))
  }

  func context(scheme code: String) async throws -> ClaimContext {
    try await context(scheme: try await scheme(code), as: actor.claimActor, address: actor.address)
  }

  /// The context for someone who is not an operator (a worker in the portal), under a scheme
  /// the caller has found in their reach.
  func context(scheme: CompiledScheme, as claimActor: ClaimActor, address: String?) async throws -> ClaimContext {
    ClaimContext(
      actor: claimActor, address: address, today: services.today, scheme: scheme, calendar: try await calendar())
  }
}
