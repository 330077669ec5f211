import Foundation
import TernTestSupport
import Testing
@testable import TernONNX

/// Seeded byte-level mutations of valid models: every one must import or be refused with an `ONNXError`; a crash
/// (trap, overflow, out-of-range index) kills the test process.
@Suite struct MutationTests {
    static func mutate(_ bytes: [UInt8], rng: inout SeededGenerator) -> [UInt8] {
        var b = bytes
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            guard !b.isEmpty else { break }
            let i = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 4 {
            case 0: b[i] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8))
            case 1: b[i] = UInt8(truncatingIfNeeded: rng.next())
            case 2: b.removeSubrange(i..<min(b.count, i + 1 + Int(rng.next() % 8)))
            default: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
            }
        }
        return b
    }

    @Test func mutatedModelsImportOrAreRefused() throws {
        var rng = SeededGenerator(seed: 2025)
        let seeds = [GraphBuilder.tinyMLP().bytes(), PlainONNXTests.convNet().bytes()]
        var refused = 0, imported = 0
        for n in 0..<1500 {
            let bytes = Self.mutate(seeds[n % seeds.count], rng: &rng)
            do {
                let graph = try ONNXGraph(bytes: bytes)
                let result = try ONNXImporter.importGraph(graph)
                // What imports must also evaluate (or be refused) without crashing.
                let evaluator = try Evaluator(graph)
                _ = try? evaluator.run(Tensor(shape: graph.inputShape, data: [Float](repeating: 0.5, count: graph.inputShape.reduce(1, *))))
                #expect(!result.network.layers.isEmpty)
                imported += 1
            } catch {
                refused += 1
            }
        }
        #expect(refused > 0 && imported > 0)
    }
}
