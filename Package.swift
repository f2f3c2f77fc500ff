// swift-tools-version: 6.0
// lanscope: passive LAN monitor. Module graph and the rules behind it: ARCHITECTURE.md.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "lanscope",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lanscope", targets: ["lanscope"]),
        .executable(name: "FuzzDecoders", targets: ["FuzzDecoders"]),
        .executable(name: "FuzzHTTP", targets: ["FuzzHTTP"]),
        .executable(name: "FuzzPcapReader", targets: ["FuzzPcapReader"]),
        .executable(name: "FuzzRoutes", targets: ["FuzzRoutes"]),
        .executable(name: "FuzzTLS", targets: ["FuzzTLS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // System libraries (adapters only import these).
        .systemLibrary(name: "CLibBPF", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(name: "CTLS", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLinux"),
        // The one header shared by the BPF programs and Swift (bpf/include/lanscope_abi.h).
        .target(name: "LanscopeABI"),
        // Interface flags (SIOCGIFFLAGS) for the capture's link state; system headers stay in its .c file.
        .target(name: "LinkFlags"),

        // Pure layers.
        .target(name: "LanscopeCore", swiftSettings: swiftSettings),
        .target(name: "PacketDecoding", dependencies: ["LanscopeCore"], swiftSettings: swiftSettings),
        .target(name: "Inventory", dependencies: ["LanscopeCore"], swiftSettings: swiftSettings),
        // Optimised even in debug builds: the registry parse runs on every start and is 100× slower at -Onone.
        // Signatures/*.tsv are embedded by SignatureEmbedPlugin (no resource bundle to find at run time).
        .target(
            name: "Fingerprinting", dependencies: ["LanscopeCore", "Platform"], exclude: ["Signatures"],
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"])], plugins: ["SignatureEmbedPlugin"]),
        .plugin(name: "SignatureEmbedPlugin", capability: .buildTool(), path: "Sources/SignatureEmbedPlugin"),
        .target(name: "Detection", dependencies: ["LanscopeCore"], swiftSettings: swiftSettings),
        // The pipeline and its stage protocol's driver: decode → inventory → stages. No capture, SQLite or HTTP.
        // Release builds skip the run-time exclusivity checks on its class's fields (one capture thread owns
        // them; ~4 % of a discovery-heavy replay's CPU went to them); debug builds and the tests keep them.
        .target(
            name: "LanscopePipeline",
            dependencies: ["LanscopeCore", "PacketDecoding", "Inventory", "Fingerprinting", "Detection"],
            swiftSettings: swiftSettings + [
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
            ]),

        // Generic building blocks that know nothing of lanscope.
        .target(name: "Platform", swiftSettings: swiftSettings),
        .target(name: "Exposition", dependencies: ["CZlib"], swiftSettings: swiftSettings),
        .target(
            name: "HTTPServer",
            dependencies: [
                "CCrypt", "CLinux", "CTLS", "Platform", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // Full-screen terminal rendering (termios, ANSI escapes, key decoding); knows nothing of lanscope.
        .target(name: "TerminalUI", swiftSettings: swiftSettings),
        // `lanscope top`: API client, live view model and layout.
        .target(name: "LanscopeTop", dependencies: ["TerminalUI", "CTLS"], swiftSettings: swiftSettings),

        // Adapters.
        .target(name: "History", dependencies: ["LanscopeCore", "CSQLite", "Platform"], swiftSettings: swiftSettings),
        .target(
            name: "CapturePcap", dependencies: ["LanscopeCore", "CPcap", "Platform"], swiftSettings: swiftSettings),
        .plugin(name: "BPFObjectPlugin", capability: .buildTool(), path: "Sources/BPFObjectPlugin"),
        .target(
            name: "CaptureEBPF",
            dependencies: [
                "LanscopeCore", "CLibBPF", "LanscopeABI", "Platform", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings, plugins: ["BPFObjectPlugin"]),

        // Composition root and executable.
        .target(
            name: "LanscopeService",
            dependencies: [
                "LanscopeCore", "PacketDecoding", "Inventory", "Fingerprinting", "Detection", "LanscopePipeline",
                "History",
                "CapturePcap", "CaptureEBPF", "Exposition", "HTTPServer", "CLinux", "Platform", "LinkFlags",
                "TerminalUI",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "lanscope",
            dependencies: [
                "LanscopeService", "HTTPServer", "Detection", "LanscopeCore", "LanscopeTop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // libFuzzer entry points (build with --sanitize=fuzzer; see Makefile `fuzz`).
        .executableTarget(
            name: "FuzzDecoders", dependencies: ["PacketDecoding", "CapturePcap"], swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzHTTP", dependencies: ["HTTPServer"], swiftSettings: swiftSettings),
        // The TLS adapter behind a real OpenSSL client (CTLS only here, for the client side).
        .executableTarget(name: "FuzzTLS", dependencies: ["HTTPServer", "CTLS"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "FuzzPcapReader", dependencies: ["CapturePcap", "PacketDecoding", "Inventory"],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "FuzzRoutes",
            dependencies: [
                "LanscopeService", "LanscopePipeline", "HTTPServer",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // `make bench-history`: live history's CPU per interval and bytes per device per day.
        .executableTarget(
            name: "HistoryBench", dependencies: ["History", "LanscopeCore"], swiftSettings: swiftSettings),
        // Durability-test helper: writes history in a loop until killed (HistoryStoreKillTests).
        .executableTarget(
            name: "HistoryWriteLoop", dependencies: ["History", "LanscopeCore"], swiftSettings: swiftSettings),

        // Tests.
        .target(
            name: "TestSupport", dependencies: ["LanscopeCore"], path: "Tests/TestSupport", swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LanscopeCoreTests", dependencies: ["LanscopeCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PacketDecodingTests", dependencies: ["PacketDecoding", "CapturePcap", "TestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "DetectionTests", dependencies: ["Detection", "LanscopeCore", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LanscopePipelineTests", dependencies: ["LanscopePipeline", "Detection", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "FingerprintingTests",
            dependencies: [
                "Fingerprinting", "LanscopeCore", "PacketDecoding", "CapturePcap", "Inventory",
                "LanscopePipeline", "TestSupport",
            ],
            exclude: [
                "Evaluation/README.md", "Evaluation/labels.tsv", "Evaluation/namespace-labels.tsv",
            ], swiftSettings: swiftSettings),
        .testTarget(
            name: "InventoryTests", dependencies: ["Inventory", "Fingerprinting", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "HistoryTests", dependencies: ["History", "TestSupport"], exclude: ["Golden"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ExpositionTests", dependencies: ["Exposition", "TestSupport"], exclude: ["Golden"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "HTTPServerTests", dependencies: ["HTTPServer", "Platform", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CaptureEBPFTests", dependencies: ["CaptureEBPF", "LanscopeABI", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LanscopeServiceTests",
            dependencies: [
                "LanscopeService", "LanscopeCore", "LanscopePipeline", "Inventory", "History", "HTTPServer",
                "Exposition", "TestSupport", "CaptureEBPF", "CapturePcap", "PacketDecoding",
            ],
            exclude: ["Golden", "Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LanscopeTopTests", dependencies: ["LanscopeTop", "TerminalUI", "HTTPServer", "TestSupport"],
            swiftSettings: swiftSettings),
    ]
)
