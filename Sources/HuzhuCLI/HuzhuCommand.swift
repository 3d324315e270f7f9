import ArgumentParser
import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuSchemeFiles
import HuzhuSpreadsheet
import HuzhuWeb

/// `huzhu`: the server and the operator's tools.
public struct HuzhuCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "huzhu",
    abstract: "互助 · 职工互助医疗保障系统 — workers' mutual medical aid, run by trade unions.",
    discussion: """
      Configuration comes from flags and the environment: DATABASE_URL (absent: SQLite in the data
      directory; postgres://user@host:port/db for PostgreSQL), HUZHU_DATA_DIR, LOG_LEVEL, HUZHU_DEMO_DATA, HUZHU_MODE (production).
      Exit codes: 0 success, 1 runtime failure (e.g. database unreachable), 2 bad usage or configuration.
      """,
    subcommands: [
      Serve.self, Initialise.self, Migrate.self, SeedDemo.self, Calc.self, Import.self, Claims.self, Simulate.self,
      Audit.self, BackUp.self, Restore.self, Fund.self, CorrectionsCommand.self, RecoveriesCommand.self,
      RefundsCommand.self, Renew.self,
      SettlementsCommand.self,
    ]
  )

  public init() {}

  /// Parses and runs `arguments` (without the program name), returning the exit code.
  /// The executable is a one-line wrapper around this; tests call it directly.
  public static func run(arguments: [String]) async -> Int32 {
    let command: any ParsableCommand
    do {
      command = try parseAsRoot(arguments)
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        print(message)
        return 0
      }
      Console.error(message)
      return 2
    }
    do {
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        var syncCommand = command
        try syncCommand.run()
      }
      return 0
    } catch let error as ConfigurationError {
      Console.error(error.description)
      return 2
    } catch let error as SpreadsheetError {
      Console.error("\(error.messageZh)\n\(error.messageEn)")
      return 2
    } catch let error as SchemeFileError {
      Console.error(error.description)
      return 2
    } catch let error as Backups.Failure {
      Console.error(error.description)
      return 1
    } catch let error as Installation.Refusal {
      Console.error("\(error.message.zh)\n\(error.message.en)")
      return 2
    } catch let error as ValidationFailure {
      Console.error(error.errors.map { "\($0.field): \($0.message.zh) / \($0.message.en)" }.joined(separator: "\n"))
      return 2
    } catch let error as Tasks.OperatorRefusal {
      Console.error("\(error.message.zh)\n\(error.message.en)")
      return 2
    } catch let error as ExitCode {
      return error.rawValue
    } catch {
      // `huzhu` alone "runs" the root command, which asks ArgumentParser to show the help.
      switch exitCode(for: error) {
      case .success:
        print(fullMessage(for: error))
        return 0
      case .validationFailure:
        Console.error(fullMessage(for: error))
        return 2
      default:
        Console.error(String(describing: error))
        return 1
      }
    }
  }
}

/// The environment the commands read; a task-local so that tests can supply their own.
public enum CommandEnvironment {
  @TaskLocal public static var values: [String: String] = ProcessInfo.processInfo.environment
}

enum Console {
  static func error(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}
