// swift-tools-version:6.0
import PackageDescription

/// The compiler keeps imports honest: an import is internal unless a file says
/// `package import` (a dependency leaking into what sibling modules use), and a member
/// is visible only where its module is imported.
let strictImports: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Crosswalk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crosswalk", targets: ["crosswalk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // libpq, as Debian's libpq-dev installs it.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // SHA-256 by the system libcrypto (OpenSSL 3, libssl-dev, which libpq-dev already
        // needs): the document digest, with the CPU's SHA instructions.
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // posix_spawn helpers glibc hides behind _GNU_SOURCE (for LocalCluster).
        .target(name: "CSpawn"),
        // ICU's word break for Japanese (libicu-dev): the SDG review's tokeniser. Foundation's
        // own ICU is private (swift_-prefixed symbols), so the system library is linked.
        .target(name: "CICUWords", linkerSettings: [.linkedLibrary("icuuc")]),
        // A thin Swift layer over libpq: connections, pool, bound parameters, COPY,
        // and a private local cluster for tests and the embedded default.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ", "CSpawn",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictImports
        ),
        // Plain value types shared by every stage: the interchange format.
        .target(name: "CrosswalkModel", swiftSettings: strictImports),
        // Document bytes → records + warnings. No I/O, no database.
        .target(name: "EvaluationTables", dependencies: ["CrosswalkModel", "CCrypto"], swiftSettings: strictImports),
        // CSV and XLSX bytes + a declared (or guessed) layout → records + warnings. No I/O.
        .target(
            name: "TableLayouts",
            dependencies: [
                "CrosswalkModel", "EvaluationTables",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strictImports
        ),
        // Migrations and writing one parsed document in one transaction. The SQL is the
        // files of SQL/, embedded at build time by the EmbedSQL plugin.
        .target(
            name: "CrosswalkStore",
            dependencies: ["Postgres", "CrosswalkModel"],
            swiftSettings: strictImports,
            plugins: ["EmbedSQL"]
        ),
        .plugin(name: "EmbedSQL", capability: .buildTool(), dependencies: ["EmbedSQLTool"]),
        .executableTarget(name: "EmbedSQLTool", path: "Plugins/EmbedSQLTool"),
        // Sources → hashes → changed documents → store; runs, rejects, lock.
        .target(
            name: "CrosswalkSync",
            dependencies: [
                "CrosswalkStore", "EvaluationTables", "TableLayouts", "CrosswalkModel", "Postgres",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictImports
        ),
        // Queries over the store: SDG contribution, duplicates, conflicts, similar, SDG review.
        .target(
            name: "CrosswalkAnalytics",
            dependencies: ["Postgres", "CrosswalkModel", "CICUWords"],
            // The SDG target vocabulary, compiled into the binary (nothing to install beside it).
            resources: [.embedInCode("Review/sdg_targets.tsv")],
            swiftSettings: strictImports
        ),
        // The line protocol (inline + RESP) over SwiftNIO.
        .target(
            name: "CrosswalkServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictImports
        ),
        // The web page and JSON over HTTP: analytics answers as pages and /api routes.
        .target(
            name: "CrosswalkWeb",
            dependencies: [
                "CrosswalkAnalytics", "CrosswalkModel", "Postgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictImports
        ),
        // The daemon: the protocol's data commands over analytics and sync, the sync
        // schedule, INFO sections; what `crosswalk serve` runs.
        .target(
            name: "CrosswalkDaemon",
            dependencies: [
                "CrosswalkServer", "CrosswalkAnalytics", "CrosswalkSync", "CrosswalkStore", "Postgres", "CrosswalkModel",
                "CrosswalkWeb",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // README.md: the path of one request through the modules, for newcomers.
            exclude: ["README.md"],
            swiftSettings: strictImports
        ),
        .executableTarget(
            name: "crosswalk",
            dependencies: [
                "Postgres", "CrosswalkModel", "EvaluationTables", "TableLayouts", "CrosswalkStore",
                "CrosswalkSync", "CrosswalkAnalytics", "CrosswalkServer", "CrosswalkDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictImports
        ),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "CrosswalkModelTests", dependencies: ["CrosswalkModel"]),
        .testTarget(
            name: "EvaluationTablesTests",
            dependencies: ["EvaluationTables", "CrosswalkModel"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TableLayoutsTests",
            dependencies: [
                "TableLayouts", "EvaluationTables", "CrosswalkModel", "CrosswalkStore", "CrosswalkSync",
                "CrosswalkAnalytics", "Postgres", "TestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .testTarget(
            name: "CrosswalkServerTests",
            dependencies: [
                "CrosswalkServer", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "CrosswalkDaemonTests",
            dependencies: [
                "CrosswalkDaemon", "CrosswalkServer", "CrosswalkStore", "CrosswalkSync", "CrosswalkWeb", "Postgres", "TestSupport",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            // C sources of client programs the tests compile and run (HiredisTests).
            exclude: ["Clients"]
        ),
        .testTarget(
            name: "CrosswalkStoreTests",
            dependencies: [
                "CrosswalkStore", "CrosswalkSync", "CrosswalkAnalytics", "EvaluationTables",
                "CrosswalkModel", "Postgres", "TestSupport",
            ],
            // Dumps of databases migrated by earlier releases, read by path.
            exclude: ["Upgrade"]
        ),
        // Faults, crashes and concurrent writers against real PostgreSQL clusters and the
        // built `crosswalk` binary.
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "CrosswalkDaemon", "CrosswalkServer", "CrosswalkStore", "CrosswalkSync", "Postgres", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Shared test harness: one private PostgreSQL cluster per test process.
        .target(
            name: "TestSupport",
            dependencies: [
                "Postgres",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Benchmark executables exist only when asked for, so a normal build and the product
// never carry them: CROSSWALK_BENCHMARKS=1 swift build -c release --product similar-bench
if Context.environment["CROSSWALK_BENCHMARKS"] != nil {
    package.products.append(.executable(name: "similar-bench", targets: ["similar-bench"]))
    package.targets.append(
        .executableTarget(
            name: "similar-bench",
            dependencies: ["CrosswalkAnalytics", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/similarity/SimilarBench"
        ))
}
