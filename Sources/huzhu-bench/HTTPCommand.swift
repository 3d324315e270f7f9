import ArgumentParser
import Foundation

struct HTTPLoad: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "http",
    abstract:
      "Serve the demo (no history) in this process and drive it over HTTP with many clients, beside a bare route as the baseline (SQLite, and PostgreSQL when DATABASE_URL is set)."
  )

  @Option(help: "Seconds each request is driven for.") var seconds: Double = 5
  @Option(help: "Clients at once for the reads.") var connections = 64
  @Option(help: "Clients at once opening claims.") var intakeClients = 16
  @Option(help: "Claims in each bulk intake request.") var batchSize = 100
  @Option(help: "Clients at once sending bulk intake requests.") var batchClients = 4
  @Option(help: "One database only: sqlite or postgresql.") var only: String?
  @Option(help: "Only the requests whose name contains this text (the bare route always runs).") var requests: String?

  func run() async throws {
    let (targets, directory) = try benchmarkTargets()
    #if DEBUG
      print("warning: a debug build; run with `swift run -c release huzhu-bench http` for real figures")
    #endif
    for (name, target) in targets where only.map({ $0.lowercased() == name.lowercased() }) ?? true {
      var benchmark = HTTPBenchmark(
        target: target, directory: directory.appendingPathComponent(name))
      benchmark.seconds = seconds
      benchmark.connections = connections
      benchmark.intakeClients = intakeClients
      benchmark.batchSize = batchSize
      benchmark.batchClients = batchClients
      benchmark.requests = requests
      let figures = try await benchmark.run()
      let bare = figures.first?.rate ?? 1
      print("\(name): \(Int(seconds)) s each, clients in this process")
      print("  request                                   clients   req/s   of bare    p50 ms    p99 ms  errors")
      for figure in figures {
        print(
          "  " + figure.name.padding(toLength: 40, withPad: " ", startingAt: 0)
            + String(
              format: " %7d %7.0f %8.1f%% %9.1f %9.1f %7d", figure.clients, figure.rate, 100 * figure.rate / bare,
              1000 * figure.percentile(0.5), 1000 * figure.percentile(0.99), figure.errors))
        if figure.itemsPerRequest > 1 {
          print("    = \(Int(figure.itemRate.rounded())) claims/s (\(figure.itemsPerRequest) claims a request)")
        }
      }
    }
    try? FileManager.default.removeItem(at: directory)
  }
}
