import Foundation
import HuzhuCore
import Synchronization

/// Rows made into cases a chunk at a time on the other cores while the statement still steps
/// (decoding a case costs about as much as reading its row), in the order the rows came.
final class CaseAssembler<Row: Sendable>: Sendable {
  static var chunkSize: Int { 4_096 }
  private let convert: @Sendable (Row) throws -> SimulationCase
  private let state = Mutex<(rows: [Row], chunks: [Task<[SimulationCase], any Error>])>(([], []))

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
    let chunks = state.withLock { state in
      state.chunks + (state.rows.isEmpty ? [] : [converting(state.rows)])
    }
    var cases: [SimulationCase] = []
    cases.reserveCapacity(chunks.count * Self.chunkSize)
    for chunk in chunks { cases += try await chunk.value }
    return cases
  }

  private func converting(_ rows: [Row]) -> Task<[SimulationCase], any Error> {
    Task.detached { [convert] in try rows.map(convert) }
  }
}
