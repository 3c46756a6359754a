// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ttsmon",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ttsmon", targets: ["ttsmon"]),
        .library(name: "TTSMonCore", targets: ["TTSMonCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CBytes", path: "Sources/CBytes"),
        .target(name: "CTextScan"),
        // ISA-L's inflate, loaded at run time where `libisal2` is installed (zlib otherwise).
        .target(name: "CInflate", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CRegex", linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc")]),
        // Bounds checks stay on: the parser reads hostile input, and unsafe flags would keep
        // the library from being used as a dependency.
        .target(name: "TTSMonCore", dependencies: ["CZlib", "CBytes", "CTextScan", "CRegex", "CInflate"]),
        .target(
            name: "TTSMonNet",
            dependencies: [
                "TTSMonCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(name: "TTSMonUI", dependencies: ["TTSMonCore"]),
        .target(
            name: "TTSMonDemo",
            dependencies: [
                "TTSMonCore", "TTSMonNet",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        .target(name: "TTSMonTerminal", dependencies: ["TTSMonUI", "CNcurses"]),
        .executableTarget(
            name: "ttsmon",
            dependencies: [
                "TTSMonCore",
                "TTSMonNet",
                "TTSMonUI",
                "TTSMonTerminal",
                "TTSMonDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The Swift runtime and Foundation linked in: the binary runs on hosts without a
            // Swift toolchain, and starts about 6 ms sooner (no dynamic symbol binding of a dozen
            // runtime libraries). Foundation's static archives need their own parts named.
            linkerSettings: [
                .unsafeFlags(["-static-stdlib"], .when(platforms: [.linux])),
                .linkedLibrary("CoreFoundation", .when(platforms: [.linux])),
                .linkedLibrary("_FoundationICU", .when(platforms: [.linux])),
                .linkedLibrary("_FoundationCShims", .when(platforms: [.linux])),
                .linkedLibrary("_FoundationCollections", .when(platforms: [.linux])),
            ]
        ),
        .testTarget(name: "TTSMonCoreTests", dependencies: ["TTSMonCore"]),
        .testTarget(
            name: "TTSMonNetTests",
            dependencies: [
                "TTSMonCore", "TTSMonNet",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "TTSMonUITests", dependencies: ["TTSMonCore", "TTSMonUI"], exclude: ["__Snapshots__"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TTSMonCore", "TTSMonNet", "TTSMonDemo", "TTSMonUI"]),
    ]
)
