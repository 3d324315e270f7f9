import HuzhuCore
import HuzhuPersistence
import NIOConcurrencyHelpers
import Vapor

/// Huzhu's state on the Vapor application.
struct HuzhuState: Sendable {
  var configuration: AppConfiguration?
  var passwordHasher: any HuzhuCore.PasswordHasher = BcryptPasswordHasher()
  var isReady = false
  /// HTTP Basic checks that passed lately (``VerifiedCredentials``).
  let verifiedCredentials = VerifiedCredentials()

  /// Scans of claim documents, under the data directory.
  var documents: any DocumentStorage {
    FileDocumentStorage(
      directory: URL(fileURLWithPath: configuration?.dataDirectory ?? AppConfiguration.defaultDataDirectory)
        .appendingPathComponent("documents").path)
  }
}

extension Application {
  private struct HuzhuStateKey: StorageKey {
    typealias Value = NIOLockedValueBox<HuzhuState>
  }

  /// Created on first use, which is `configure(_:_:)` on the starting thread, before any
  /// request can read it.
  private var huzhuBox: NIOLockedValueBox<HuzhuState> {
    if let box = storage[HuzhuStateKey.self] { return box }
    let box = NIOLockedValueBox(HuzhuState())
    storage[HuzhuStateKey.self] = box
    return box
  }

  var huzhu: HuzhuState {
    get { huzhuBox.withLockedValue { $0 } }
    set { huzhuBox.withLockedValue { $0 = newValue } }
  }
}
