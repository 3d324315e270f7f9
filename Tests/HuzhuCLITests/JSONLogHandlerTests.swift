import Foundation
import HuzhuCLI
import Logging
import Synchronization
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
  final class Lines: Sendable {
    let lines = Mutex<[String]>([])
  }

  /// One JSON object a line, whatever the message holds (quotes, newlines, Chinese), with the
  /// logger's and the call's metadata merged.
  @Test func everyEventIsOneParsableLine() throws {
    let captured = Lines()
    var logger = Logger(label: "huzhu.test") { label in
      JSONLogHandler(label: label) { line in captured.lines.withLock { $0.append(line) } }
    }
    logger.logLevel = .debug
    logger[metadataKey: "instance"] = "a"
    logger.info("领取 \"quoted\"\nsecond line", metadata: ["status": .stringConvertible(200), "tags": ["x", "y"]])
    logger.trace("not written below the level")
    let lines = captured.lines.withLock { $0 }
    #expect(lines.count == 1)
    let line = try #require(lines.first)
    #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["message"] as? String == "领取 \"quoted\"\nsecond line")
    #expect(object["level"] as? String == "info")
    #expect(object["label"] as? String == "huzhu.test")
    let metadata = try #require(object["metadata"] as? [String: Any])
    #expect(metadata["instance"] as? String == "a")
    #expect(metadata["status"] as? String == "200")
    #expect(metadata["tags"] as? [String] == ["x", "y"])
    let time = try #require(object["time"] as? String)
    #expect(time.hasSuffix("Z") && time.contains("."), "\(time)")
  }
}
