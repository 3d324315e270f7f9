import Foundation

extension Array where Element: Sendable {
  /// `transform` of every element, worked on every core in a few dozen slices, in order.
  /// For pure work over many elements (a file's 100,000 lines); the calling thread waits.
  public func concurrentMap<T>(_ transform: (Element) -> T) -> [T] {
    let slices = Swift.min(count, ProcessInfo.processInfo.activeProcessorCount * 8)
    guard slices > 1 else { return map(transform) }
    var results = [[T]](repeating: [], count: slices)
    results.withUnsafeMutableBufferPointer { buffer in
      let target = UncheckedBuffer(buffer: buffer)
      withoutActuallyEscaping(transform) { transform in
        let work = UncheckedWork(transform: transform)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
          let range = (count * slice / slices)..<(count * (slice + 1) / slices)
          // Each slice writes its own element of the buffer, and nothing else.
          target.buffer[slice] = self[range].map(work.transform)
        }
      }
    }
    return results.flatMap { $0 }
  }
}

/// The buffer and the work of ``Array/concurrentMap(_:)``, handed to the worker threads:
/// each slice writes a different element, and the work reads only what it was given.
private struct UncheckedBuffer<T>: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<[T]>
}

private struct UncheckedWork<Element, T>: @unchecked Sendable {
  let transform: (Element) -> T
}
