import Foundation
import HuzhuCLI
import Logging

LoggingSystem.bootstrap { label in
  var handler = StreamLogHandler.standardOutput(label: label)
  handler.logLevel =
    ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
  return handler
}
exit(await HuzhuCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
