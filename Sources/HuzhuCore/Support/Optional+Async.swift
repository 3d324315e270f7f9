extension Optional {
  /// `map` for an async transform (loading a related record when there is an id).
  public func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
    guard let value = self else { return nil }
    return try await transform(value)
  }
}
