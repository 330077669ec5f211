// swift-tools-version: 6.0
// Tern: sparse ternary neural networks, from training to a Cortex-M binary.
//
// Module boundaries (arrows point one way; see docs/ARCHITECTURE.md):
//   TernFormat, TernInflate      — dependency-free, Embedded-Swift clean
//   TernRuntime                  — dependency-free executor on top of the two above
//   TernModel                    — checkpoint schema, BN/activation folding, integer reference (Foundation)
//   TernTrain                    — the three-stage trainer (Foundation)
//   TernZlib                     — thin Swift wrapper over system zlib (host side and tests only)
//   TernCompiler                 — checkpoint → .tern, size report (Foundation, system zlib)
//   TernONNX                     — QONNX/ONNX → the same IntegerNetwork folding produces, float evaluator (swift-protobuf)
//   TernEstimate                 — FINN-style FPGA dataflow estimate of a .tern network (Foundation)
//   tern                         — the command-line front end
import PackageDescription

/// Release builds get the host's popcount and vector units only when asked: `TERN_NATIVE=1`
/// adds `-march=native` (see docs/TOOLCHAIN.md). Without it the code is portable x86-64 / arm64.
let nativeFlags: [SwiftSetting] = {
    #if os(Linux) || os(macOS)
    if Context.environment["TERN_NATIVE"] == "1" {
        return [.unsafeFlags(["-Xcc", "-march=native", "-DTERN_NATIVE"])]
    }
    #endif
    return []
}()

let package = Package(
    name: "Tern",
    products: [
        .library(name: "TernFormat", targets: ["TernFormat"]),
        .library(name: "TernInflate", targets: ["TernInflate"]),
        .library(name: "TernRuntime", targets: ["TernRuntime"]),
        .executable(name: "tern", targets: ["tern"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // Dependency-free core (also built as Embedded Swift by tools/check-embedded).
        .target(name: "TernFormat"),
        .target(name: "TernInflate"),
        .target(name: "TernRuntime", dependencies: ["TernFormat", "TernInflate"], swiftSettings: nativeFlags),

        // Host-side tool chain.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "TernZlib", dependencies: ["CZlib"]),
        .target(name: "TernModel", dependencies: ["TernFormat", "TernZlib"]),
        .target(name: "TernTrain", dependencies: ["TernModel"], swiftSettings: nativeFlags),
        .target(name: "TernCompiler", dependencies: ["TernModel", "TernFormat", "TernRuntime", "TernZlib", "CZlib"]),
        // ONNX/QONNX import (onnx.pb.swift is generated once and committed: tools/generate-onnx-proto).
        .target(
            name: "TernONNX",
            dependencies: ["TernModel", "TernFormat", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Proto/onnx.proto"]
        ),
        .target(name: "TernEstimate", dependencies: ["TernFormat"]),
        .executableTarget(
            name: "tern",
            dependencies: [
                "TernFormat", "TernInflate", "TernRuntime", "TernModel", "TernTrain", "TernCompiler", "TernZlib",
                "TernONNX", "TernEstimate", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "TernBenchmarks",
            dependencies: ["TernFormat", "TernInflate", "TernRuntime", "TernModel", "TernCompiler", "TernZlib", "TernTestSupport"],
            swiftSettings: nativeFlags
        ),

        // Tests: one target per module, sharing fixtures through TernTestSupport.
        .target(name: "TernTestSupport", dependencies: ["TernFormat", "TernZlib", "TernModel"], linkerSettings: [.linkedLibrary("m")]),
        .testTarget(name: "TernFormatTests", dependencies: ["TernFormat", "TernTestSupport"]),
        .testTarget(name: "TernInflateTests", dependencies: ["TernInflate", "TernTestSupport", "TernZlib"]),
        .testTarget(name: "TernRuntimeTests", dependencies: ["TernRuntime", "TernFormat", "TernInflate", "TernZlib", "TernTestSupport"]),
        .testTarget(name: "TernModelTests", dependencies: ["TernModel", "TernTestSupport"]),
        .testTarget(name: "TernTrainTests", dependencies: ["TernTrain", "TernModel", "TernTestSupport"]),
        .testTarget(name: "TernCompilerTests", dependencies: ["TernCompiler", "TernModel", "TernFormat", "TernRuntime", "TernTestSupport"]),
        .testTarget(name: "TernEstimateTests", dependencies: ["TernEstimate"]),
        // The command-line tool as a user meets it: runs the built `tern` binary and checks exit codes and messages.
        .testTarget(name: "TernCLITests", dependencies: ["tern", "TernFormat", "TernTestSupport"]),
        .testTarget(
            name: "TernONNXTests",
            dependencies: ["TernONNX", "TernCompiler", "TernModel", "TernFormat", "TernRuntime", "TernTestSupport"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
