import Foundation

/// Files of this repository (shipped schemes, examples), found from this source file's
/// location so that tests run from any working directory.
public enum RepositoryFiles {
  public static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  public static func path(_ relative: String) -> String {
    root.appendingPathComponent(relative).path
  }
}
