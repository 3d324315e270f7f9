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
  } catch let error as any DatabaseError where error.isConstraintFailure {
    throw failure()
  }
}
