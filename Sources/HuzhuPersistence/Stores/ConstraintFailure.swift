import FluentKit
import HuzhuCore

/// Runs `work`, turning a database constraint violation into `failure`.
///
/// Stores check uniqueness before writing so that users get a precise message; the
/// constraint is the backstop for two writers racing past that check, and on both drivers
/// it surfaces as `DatabaseError.isConstraintFailure`.
func mappingConstraintFailure<T>(to failure: @autoclosure () -> ValidationFailure, _ work: () async throws -> T)
  async throws -> T
{
  do {
    return try await work()
  } catch {
    if DatabaseTrouble.isClosedPeriodRefusal(error) { throw closedJustNow }
    guard let database = error as? any DatabaseError, database.isConstraintFailure else { throw error }
    throw failure()
  }
}

/// The closed-period trigger (M023) refused an entry: a close committed while this
/// transaction ran past the store's own check.
let closedJustNow = ValidationFailure([
  FieldError(
    field: "version", code: "period_closed",
    message: LocalizedText(
      zh: "该期间刚刚已结账，不能再记入；更正请记入当前期间", en: "the period was just closed; post to the open period"))
])

/// Runs `work`, turning only the closed-period trigger's refusal into a clear error.
func mappingClosedPeriod<T>(_ work: () async throws -> T) async throws -> T {
  do {
    return try await work()
  } catch  where DatabaseTrouble.isClosedPeriodRefusal(error) {
    throw closedJustNow
  }
}
