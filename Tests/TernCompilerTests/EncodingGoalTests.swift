import Testing
@testable import TernCompiler
import TernFormat
import TernModel
import TernTestSupport

/// `--optimize`: which encoding each goal picks, and re-encoding an artifact keeps its network and metadata.
@Suite struct EncodingGoalTests {
    static func candidate(_ method: WeightEncoding.Method, bytes: Int, layout: SectionLayout = .ternaryTokens)
        -> WeightEncoding {
        WeightEncoding(layout: layout, method: method, windowBits: method == .none ? 0 : 9, decoded: [],
                       stored: [UInt8](repeating: 0, count: bytes))
    }

    @Test func eachGoalPicksItsCandidate() {
        let raw = Self.candidate(.none, bytes: 900)
        let packed = Self.candidate(.none, bytes: 1000, layout: .ternaryPacked2)
        let nearEntropy = Self.candidate(.zlibHuffmanOnly, bytes: 720)   // saves 20 %: not worth it when balanced
        let halved = Self.candidate(.zlibDefault, bytes: 450)            // saves 50 %: worth it
        #expect(WeightEncoder.choose([packed, raw, nearEntropy], for: .size) == nearEntropy)
        #expect(WeightEncoder.choose([packed, raw, nearEntropy], for: .speed) == raw)
        #expect(WeightEncoder.choose([packed, raw, nearEntropy], for: .balanced) == raw)
        #expect(WeightEncoder.choose([packed, raw, halved], for: .balanced) == halved)
        #expect(WeightEncoder.choose([packed, raw, halved], for: .speed) == raw)
        // Exactly two thirds still counts as earning its cost.
        let twoThirds = Self.candidate(.zlibDefault, bytes: 600)
        #expect(WeightEncoder.choose([raw, twoThirds], for: .balanced) == twoThirds)
    }

    @Test func speedStoresEverySectionUncompressedAndRecordsTheGoal() throws {
        let net = Fixtures.dense([200, 150, 90, 7], bits: 2, sparsity: 0.95, seed: 3)
        let fast = try Compiler.compileWithReport(network: net, options: CompileOptions(goal: .speed))
        let file = try TernFile(parsing: fast.bytes)
        #expect(file.sections.allSatisfy { $0.compression == .none })
        #expect(file.metadata(Array("compiler.optimize".utf8)) == .string(Array("speed".utf8)))
        let small = try Compiler.compileWithReport(network: net, options: CompileOptions())
        #expect(try TernFile(parsing: small.bytes).metadata(Array("compiler.optimize".utf8)) == nil)
        #expect(small.bytes.count < fast.bytes.count)
        #expect(try ArtifactDecoder.decode(fast.bytes).network.layers
                == ArtifactDecoder.decode(small.bytes).network.layers)
    }

    @Test func reencodingKeepsTheNetworkAndTheMetadata() throws {
        let net = Fixtures.dense([120, 100, 60, 5], bits: 1, sparsity: 0.9, seed: 8)
        let options = CompileOptions(description: ArtifactDescription(seed: 42, recipe: "{\"x\":1}",
                                                                      integerAccuracy: 0.9))
        let original = try Compiler.compile(network: net, options: options)
        // Re-encoding for the goal it was compiled for gives the same bytes.
        #expect(try Compiler.reencode(original, options: CompileOptions()).bytes == original)
        for goal in [EncodingGoal.speed, .balanced] {
            let again = try Compiler.reencode(original, options: CompileOptions(target: .cortexM3, goal: goal))
            let a = try TernFile(parsing: original), b = try TernFile(parsing: again.bytes)
            #expect(try ArtifactDecoder.decode(again.bytes).network.layers
                    == ArtifactDecoder.decode(original).network.layers)
            for key in ["general.name", "training.seed", "training.recipe", "quality.integer_accuracy",
                        "quality.sparsity"] {
                #expect(b.metadata(Array(key.utf8)) == a.metadata(Array(key.utf8)), "\(key)")
            }
            #expect(b.metadata(Array("compiler.target".utf8)) == .string(Array("cortex-m3".utf8)))
            #expect(b.metadata(Array("compiler.optimize".utf8)) == .string(Array(goal.rawValue.utf8)))
        }
        #expect(throws: CompileError.self) { try Compiler.reencode([1, 2, 3], options: CompileOptions()) }
    }
}
