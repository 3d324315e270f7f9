import Foundation
import HuzhuCore
import Synchronization

/// Rows made into cases a chunk at a time on the other cores while the statement still steps
/// (decoding a case costs about as much as reading its row), in the order the rows came.
///
/// Each chunk's cases are made in memory of their own and moved, not copied, into the one
/// array the what-if replays (``CaseChunk/assemble(_:)``), also across the parts of a period
/// read side by side: copying an array of cases retains and later releases every string and
/// array in each, and two such copies of a million cases were a fifth of reading them.
final class CaseAssembler<Row: Sendable>: Sendable {
  static var chunkSize: Int { 4_096 }
  private let convert: @Sendable (Row) throws -> SimulationCase
  private let state = Mutex<(rows: [Row], chunks: [Task<CaseChunk, any Error>])>(([], []))

  init(_ convert: @escaping @Sendable (Row) throws -> SimulationCase) {
    self.convert = convert
  }

  func append(_ row: Row) {
    state.withLock { state in
      state.rows.append(row)
      guard state.rows.count == Self.chunkSize else { return }
      state.chunks.append(converting(state.rows))
      state.rows.removeAll(keepingCapacity: true)
    }
  }

  /// Every row's case, once the statement is done; the first row that failed throws.
  func cases() async throws -> [SimulationCase] {
    CaseChunk.assemble(try await chunks())
  }

  /// The chunks of every row's case, in order, to be assembled (with other parts' chunks).
  /// When a row failed, every chunk made is let go and the first failure thrown; the same
  /// after the statement itself failed (call it then to let the chunks go).
  func chunks() async throws -> [CaseChunk] {
    let tasks = state.withLock { state in
      defer { state = ([], []) }
      return state.chunks + (state.rows.isEmpty ? [] : [converting(state.rows)])
    }
    var made: [CaseChunk] = []
    var failure: (any Error)?
    for task in tasks {
      do { made.append(try await task.value) } catch { failure = failure ?? error }
    }
    if let failure {
      CaseChunk.release(made)
      throw failure
    }
    return made
  }

  private func converting(_ rows: [Row]) -> Task<CaseChunk, any Error> {
    Task.detached { [convert] in try CaseChunk(rows.count) { try convert(rows[$0]) } }
  }
}

/// A run of cases in memory of its own, made by one task and moved out by ``assemble(_:)``
/// (or let go by ``release(_:)``): exactly one of the two, once.
struct CaseChunk: @unchecked Sendable {
  let start: UnsafeMutablePointer<SimulationCase>
  let count: Int

  /// `count` cases, the `n`th made by `make(n)`; nothing is kept when one fails.
  init(_ count: Int, make: (Int) throws -> SimulationCase) rethrows {
    let start = UnsafeMutablePointer<SimulationCase>.allocate(capacity: max(count, 1))
    var made = 0
    do {
      while made < count {
        (start + made).initialize(to: try make(made))
        made += 1
      }
    } catch {
      start.deinitialize(count: made)
      start.deallocate()
      throw error
    }
    self.start = start
    self.count = count
  }

  /// The chunks' cases in one array, in order; the chunks are gone after.
  static func assemble(_ chunks: [CaseChunk]) -> [SimulationCase] {
    let total = chunks.reduce(0) { $0 + $1.count }
    return [SimulationCase](unsafeUninitializedCapacity: total) { buffer, count in
      var offset = 0
      for chunk in chunks {
        if chunk.count > 0 { (buffer.baseAddress! + offset).moveInitialize(from: chunk.start, count: chunk.count) }
        chunk.start.deallocate()
        offset += chunk.count
      }
      count = offset
    }
  }

  /// Lets the chunks go without assembling them (a read that failed).
  static func release(_ chunks: [CaseChunk]) {
    for chunk in chunks {
      chunk.start.deinitialize(count: chunk.count)
      chunk.start.deallocate()
    }
  }
}
