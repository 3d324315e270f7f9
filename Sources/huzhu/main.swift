import Foundation
import HuzhuCLI
import Logging

// Before the command is parsed: Vapor and the migrations log from the start. The settings are
// checked again (with every other) when the configuration is resolved.
let environment = ProcessInfo.processInfo.environment
let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
let json = environment["HUZHU_LOG_FORMAT"]?.lowercased() == "json"
LoggingSystem.bootstrap { label in
  var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardOutput(label: label)
  handler.logLevel = level
  return handler
}
exit(await HuzhuCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
