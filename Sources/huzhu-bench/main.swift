import ArgumentParser
import Foundation
import HuzhuCore
import HuzhuSchemeFiles

/// `swift run -c release huzhu-bench calc`: performance figures, kept out of the tests.
struct HuzhuBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "huzhu-bench", abstract: "Huzhu benchmarks (run with -c release).", subcommands: [Calc.self])
}

struct Calc: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Adjudicate a generated batch of cases on one core.")

  @Option(help: "Cases per run.") var count = 1_000_000
  @Option(help: "Directory with anyang.yaml and yichun.yaml.") var schemes = "schemes"
  @Option(help: "Run only the benchmarks whose name contains this text.") var only: String?
  @Option(help: "Timed passes over each batch; the fastest is reported.") var passes: Int = 3

  func run() throws {
    var benchmark = CalcBenchmark(
      anyang: try SchemeFile.load("\(schemes)/anyang.yaml"), yichun: try SchemeFile.load("\(schemes)/yichun.yaml"),
      count: count)
    benchmark.repeats = passes
    #if DEBUG
      print("warning: a debug build; run with `swift run -c release huzhu-bench calc` for real figures")
    #endif
    print("cases per second on one core (\(count) generated cases each, best of \(passes) passes):")
    for result in benchmark.run(only: only) {
      let rate = String(format: "%12.0f", result.perSecond)
      print(
        "  \(rate)/s  \(result.name)  [\(String(format: "%.3f", result.seconds)) s, paid \(result.totalPaid.formatted)]"
      )
    }
  }
}

HuzhuBench.main()
