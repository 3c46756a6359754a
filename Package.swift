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
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CBytes", path: "Sources/CBytes"),
        .target(
            name: "TTSMonCore",
            dependencies: ["CZlib", "CBytes"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "ttsmon",
            dependencies: [
                "TTSMonCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TTSMonCoreTests", dependencies: ["TTSMonCore"]),
    ]
)
