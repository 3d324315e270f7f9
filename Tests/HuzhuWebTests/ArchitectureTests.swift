import Foundation
import HuzhuTestSupport
import Testing

/// The layers as the README draws them, held by reading the sources: the application layer
/// (`HuzhuApp`) is where stores are built and use cases live; pages, API controllers and
/// commands are adapters over it, and none of them builds a store.
@Suite("Architecture")
struct ArchitectureTests {
  static func sources(under directories: [String]) throws -> [(path: String, text: String)] {
    var found: [(String, String)] = []
    for directory in directories {
      let root = RepositoryFiles.root.appendingPathComponent(directory)
      guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
      for case let url as URL in walker where url.pathExtension == "swift" {
        let relative = String(url.path.dropFirst(RepositoryFiles.root.path.count + 1))
        found.append((relative, try String(contentsOf: url, encoding: .utf8)))
      }
    }
    return found.sorted { $0.0 < $1.0 }
  }

  @Test func noAdapterBuildsAStore() throws {
    let adapters = try Self.sources(under: ["Sources/HuzhuWeb", "Sources/HuzhuCLI", "Sources/huzhu"])
    #expect(adapters.count > 50)
    let building = adapters.filter { $0.text.contains(/Fluent[A-Za-z]*Store\(/) }.map(\.path)
    #expect(building.isEmpty, "build stores outside HuzhuApp: \(building)")
  }

  /// The core decides and imports nothing but Foundation (and Dispatch for the what-if's
  /// cores); the application layer imports no web framework.
  @Test func theCoreAndTheApplicationLayerStayFreeOfFrameworks() throws {
    for file in try Self.sources(under: ["Sources/HuzhuCore"]) {
      let imports = file.text.matches(of: /(?m)^import (\w+)/).map { String($0.1) }
      #expect(Set(imports).isSubset(of: ["Foundation", "Dispatch", "Synchronization"]), "\(file.path): \(imports)")
    }
    for file in try Self.sources(under: ["Sources/HuzhuApp"]) {
      let imports = Set(file.text.matches(of: /(?m)^import (\w+)/).map { String($0.1) })
      #expect(imports.isDisjoint(with: ["Vapor", "Plot", "ArgumentParser"]), "\(file.path): \(imports)")
    }
  }
}
