import Foundation
import Testing
import TernFormat
import TernRuntime
import TernTestSupport

/// The seed corpus of tools/fuzz/parser and tools/fuzz/inference (tools/fuzz/corpus/tern): small valid artifacts
/// covering every layer kind, weight layout and compression. They are generated here, so this test both keeps the
/// committed files reproducible and checks that they stay valid as the format evolves. To regenerate after a
/// deliberate format change: `TERN_WRITE_FUZZ_SEEDS=1 swift test --filter FuzzSeedCorpusTests`.
@Suite struct FuzzSeedCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tools/fuzz/corpus/tern").path

    static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        let dense = SyntheticNetwork.dense([20, 17, 9, 4], bits: 2, sparsity: 0.8, seed: 3)
        let conv = SyntheticNetwork.stack(input: (1, 8, 8), [
            .conv(channels: 4, kernel: 3, padding: 1, bits: 1), .pool, .conv(channels: 6, kernel: 3, padding: 0, bits: 2),
            .dense(outputs: 8, bits: 1), .classes(3),
        ], sparsity: 0.6, seed: 11)
        let rgb = SyntheticNetwork.stack(input: (3, 6, 6), [
            .conv(channels: 5, kernel: 3, padding: 0, bits: 2), .pool, .classes(4),
        ], sparsity: 0.5, seed: 12)
        return [
            ("dense-tokens", try dense.fileBytes()),
            ("dense-packed2", try dense.fileBytes(weightLayout: .ternaryPacked2)),
            ("dense-zlib9", try dense.fileBytes(encoding: SyntheticEncoding(zlibWindowBits: 9))),
            ("dense-int8-zlib15", try dense.fileBytes(encoding: SyntheticEncoding(thresholdLayout: .int8,
                                                                                    zlibWindowBits: 15))),
            ("conv-pool-tokens", try conv.fileBytes(encoding: SyntheticEncoding(thresholdLayout: .int16))),
            ("conv-pool-zlib10", try conv.fileBytes(encoding: SyntheticEncoding(weightLayout: .ternaryPacked2,
                                                                                  zlibWindowBits: 10))),
            ("rgb-conv-zlib12", try rgb.fileBytes(encoding: SyntheticEncoding(zlibWindowBits: 12,
                                                                                metadata: [(key: "general.dataset", value: "cifar10")]))),
        ]
    }

    @Test func committedSeedsAreTheGeneratedOnesAndRun() throws {
        let seeds = try Self.seeds()
        if ProcessInfo.processInfo.environment["TERN_WRITE_FUZZ_SEEDS"] == "1" {
            try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
            for s in seeds { FileManager.default.createFile(atPath: Self.directory + "/" + s.name + ".tern", contents: Data(s.bytes)) }
        }
        for s in seeds {
            let committed = FileManager.default.contents(atPath: Self.directory + "/" + s.name + ".tern")
            #expect(committed == Data(s.bytes), "\(s.name).tern is stale: regenerate the corpus (see this file)")
            #expect(s.bytes.count < 4096, "seeds stay small so the fuzzers run fast")
            let file = try TernFile(parsing: s.bytes)
            let plan = try Plan(file: file)
            let images = [UInt8](repeating: 77, count: plan.inputElements)
            for mode in [ExecutionMode.streaming, .resident] {
                _ = try engineLogits(s.bytes, images: images, count: 1, mode: mode, batch: 1)
            }
        }
    }
}
