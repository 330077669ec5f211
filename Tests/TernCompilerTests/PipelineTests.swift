import Foundation
import Testing
@testable import TernCompiler
import TernFormat
import TernModel
import TernRuntime
import TernTestSupport

/// Checkpoint → folding → compiler → runtime, end to end: the runtime's reference and its engine on the artifact
/// must reproduce the integer reference on the folded checkpoint, logit for logit.
@Suite struct PipelineTests {
    @Test(arguments: [(FixtureArchitecture.tinyDense, 0.5), (FixtureArchitecture.tinyConv, 0.3),
                      (FixtureArchitecture.tinyConv, 0.8)])
    func runtimeReproducesTheIntegerReference(architecture: Architecture, sparsity: Double) throws {
        for seed in UInt64(1)...4 {
            let checkpoint = FixtureCheckpoint.random(architecture: architecture, sparsity: sparsity, seed: seed)
            let network = try checkpoint.folded(name: "pipeline")
            let artifact = try Compiler.compileWithReport(network: network)
            let count = 40
            let images = FixtureCheckpoint.randomImages(architecture: architecture, count: count, seed: seed + 100)
            let expected = try IntegerReference.logits(network: network, images: images, count: count)
            let file = try TernFile(parsing: artifact.bytes)
            let actual = try artifact.bytes.withUnsafeBytes { bytes in
                try images.withUnsafeBytes { im in try Reference.logits(file: file, bytes: bytes, images: im, count: count) }
            }
            #expect(actual == expected, "seed \(seed)")
            // The header's arenas are the runtime's own plan.
            let plan = try Plan(file: file)
            #expect(Int(file.header.arenaStreamingBytes) == plan.arenaBytes(.streaming))
            #expect(Int(file.header.arenaResidentBytes) == plan.arenaBytes(.resident))
        }
    }

    /// Big and sparse enough that zlib wins: the network decoded back from the compressed artifact (host zlib)
    /// computes the checkpoint's logits.
    @Test func compressedArtifactComputesTheCheckpointsLogits() throws {
        let architecture = Architecture(
            name: "sparse-mlp", input: .init(channels: 1, height: 16, width: 16),
            layers: [.dense(out: 384, activation: .sign), .dense(out: 256, activation: .uniform2), .dense(out: 10, activation: nil)])
        let checkpoint = FixtureCheckpoint.random(architecture: architecture, sparsity: 0.97, seed: 8)
        let network = try checkpoint.folded()
        let artifact = try Compiler.compileWithReport(network: network)
        let file = try TernFile(parsing: artifact.bytes)
        #expect(file.sections.contains { $0.kind == .weights && $0.compression == .zlib })
        let decoded = try ArtifactDecoder.decode(artifact.bytes).network
        let images = FixtureCheckpoint.randomImages(architecture: architecture, count: 64, seed: 9)
        #expect(try IntegerReference.logits(network: decoded, images: images, count: 64)
            == IntegerReference.logits(network: network, images: images, count: 64))
    }

    @Test func smallTargetsGetSmallWindows() throws {
        let checkpoint = FixtureCheckpoint.random(architecture: FixtureArchitecture.tinyConv, sparsity: 0.5, seed: 3)
        let network = try checkpoint.folded()
        for target in CompileTarget.allCases {
            let artifact = try Compiler.compileWithReport(network: network, options: CompileOptions(target: target))
            if let budget = CompileOptions(target: target).arenaBudgetBytes {
                #expect(artifact.arena.streaming <= budget)
            }
            let file = try TernFile(parsing: artifact.bytes)
            #expect(file.metadata(Array("compiler.target".utf8)) == .string(Array(target.rawValue.utf8)))
        }
    }
}
