// swift-tools-version: 6.1
import PackageDescription

// Target boundaries are the architecture: HuzhuCore (the domain) depends on nothing
// but Foundation; persistence and web depend on the core, never the other way round.
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
  name: "Huzhu",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "huzhu", targets: ["huzhu"]),
    .executable(name: "huzhu-bench", targets: ["huzhu-bench"]),
    .library(name: "HuzhuCore", targets: ["HuzhuCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
    .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
    .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
    .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
    .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
    .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
    .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    .package(url: "https://github.com/CoreOffice/XMLCoder.git", from: "0.18.0"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
    .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.0"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
  ],
  targets: [
    .target(
      name: "HuzhuCore",
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HuzhuSchemeFiles",
      dependencies: ["HuzhuCore", .product(name: "Yams", package: "Yams")],
      // The shipped schemes; `schemes/*.yaml` are links to these files.
      resources: [.copy("Bundled")],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HuzhuSpreadsheet",
      dependencies: [
        "HuzhuCore",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "XMLCoder", package: "XMLCoder"),
        .product(name: "CSV", package: "CSV.swift"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HuzhuPersistence",
      dependencies: [
        "HuzhuCore",
        .product(name: "Fluent", package: "fluent"),
        .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
        .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swiftSettings
    ),
    // The application layer: one type per area whose methods are the use cases, taking the
    // acting account; the only place that builds stores and calls the core for them.
    .target(
      name: "HuzhuApp",
      dependencies: [
        "HuzhuCore",
        "HuzhuPersistence",
        "HuzhuSchemeFiles",
        "HuzhuSpreadsheet",
        .product(name: "FluentKit", package: "fluent-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ],
      swiftSettings: swiftSettings
    ),
    // The SMS provider over HTTP (the message gateway production uses).
    .target(
      name: "HuzhuSMS",
      dependencies: [
        "HuzhuCore",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HuzhuWeb",
      dependencies: [
        "HuzhuCore",
        "HuzhuApp",
        "HuzhuPersistence",
        "HuzhuSchemeFiles",
        "HuzhuSpreadsheet",
        "HuzhuSMS",
        .product(name: "Vapor", package: "vapor"),
        .product(name: "Plot", package: "Plot"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      resources: [.copy("Resources/openapi.yaml"), .copy("Resources/Public")],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HuzhuCLI",
      dependencies: [
        "HuzhuCore",
        "HuzhuApp",
        "HuzhuSchemeFiles",
        "HuzhuSpreadsheet",
        "HuzhuPersistence",
        "HuzhuWeb",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Vapor", package: "vapor"),
      ],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "huzhu",
      dependencies: ["HuzhuCLI", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "huzhu-bench",
      dependencies: [
        "HuzhuCore", "HuzhuSchemeFiles", "HuzhuSpreadsheet", "HuzhuPersistence", "HuzhuWeb",
        .product(name: "FluentKit", package: "fluent-kit"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Vapor", package: "vapor"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "SQLKit", package: "sql-kit"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HuzhuTestSupport",
      dependencies: [
        "HuzhuCore",
        "HuzhuPersistence",
        "HuzhuSchemeFiles",
        .product(name: "Fluent", package: "fluent"),
        .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
        .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ],
      path: "Tests/HuzhuTestSupport",
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HuzhuCoreTests",
      dependencies: [
        "HuzhuCore", "HuzhuSchemeFiles", "HuzhuTestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HuzhuSpreadsheetTests",
      dependencies: [
        "HuzhuSpreadsheet", "HuzhuCore", "HuzhuTestSupport",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ],
      resources: [.copy("Fixtures")],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HuzhuPersistenceTests",
      dependencies: ["HuzhuCore", "HuzhuPersistence", "HuzhuTestSupport"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HuzhuWebTests",
      dependencies: [
        "HuzhuWeb", "HuzhuApp", "HuzhuSchemeFiles", "HuzhuSpreadsheet", "HuzhuSMS", "HuzhuTestSupport",
        .product(name: "VaporTesting", package: "vapor"),
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HuzhuCLITests",
      dependencies: [
        "HuzhuCLI", "HuzhuApp", "HuzhuWeb", "HuzhuCore", "HuzhuSchemeFiles", "HuzhuSpreadsheet", "HuzhuPersistence",
        "HuzhuTestSupport",
        .product(name: "FluentKit", package: "fluent-kit"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      exclude: ["Fixtures"],
      swiftSettings: swiftSettings
    ),
  ],
  swiftLanguageModes: [.v6]
)
