import Foundation
import Testing
@testable import TernCompiler
import TernFormat
import TernModel
import TernTestSupport
import TernZlib

@Suite struct CompilerTests {
    @Test func compiledArtifactDecodesToTheStoredNetwork() throws {
        for (net, eliminate) in [(Fixtures.dense([30, 24, 16, 5], bits: 2, sparsity: 0.7, seed: 1), true),
                                 (Fixtures.convNet(sparsity: 0.5, seed: 2), false)] {
            let artifact = try Compiler.compileWithReport(network: net, options: CompileOptions(eliminateDeadNeurons: eliminate))
            let decoded = try ArtifactDecoder.decode(artifact.bytes)
            #expect(decoded.network.layers == artifact.network.layers)
            #expect(decoded.network.name == net.name)
            #expect(decoded.storage.fileBytes == artifact.bytes.count)
            #expect(decoded.storage.weightSectionBytes.reduce(0, +) == artifact.weightBytes)
        }
    }

    @Test func compiledNetworkComputesTheSameIntegers() throws {
        var rng = SeededGenerator(seed: 9)
        for seed in UInt64(0)..<6 {
            let nets = [Fixtures.dense([40, 32, 24, 6], bits: seed % 2 == 0 ? 1 : 2, sparsity: 0.9, seed: seed),
                        Fixtures.convNet(sparsity: 0.8, seed: seed)]
            for net in nets {
                let decoded = try ArtifactDecoder.decode(Compiler.compile(network: net)).network
                for _ in 0..<20 {
                    let x = Fixtures.randomInput(net, rng: &rng)
                    #expect(evaluate(decoded, x) == evaluate(net, x))
                }
            }
        }
    }

    @Test func compileIsDeterministic() throws {
        let net = Fixtures.convNet(sparsity: 0.6, seed: 5)
        let options = CompileOptions(target: .cortexM3, description: ArtifactDescription(seed: 7, recipe: "{\"a\":1}"))
        let a = try Compiler.compile(network: net, options: options)
        let b = try Compiler.compile(network: net, options: options)
        #expect(a == b)
        let other = try Compiler.compile(network: Fixtures.convNet(sparsity: 0.6, seed: 6), options: options)
        #expect(a != other)
    }

    @Test func metadataFollowsTheFormatTable() throws {
        let net = Fixtures.dense([10, 8, 3], sparsity: 0.5, seed: 3)
        let options = CompileOptions(target: .cortexM4, description: ArtifactDescription(seed: 42, recipe: "{}", integerAccuracy: 0.5))
        let file = try TernFile(parsing: Compiler.compile(network: net, options: options))
        #expect(file.metadata(Array("general.name".utf8)) == .string(Array("fixture".utf8)))
        #expect(file.metadata(Array("compiler.target".utf8)) == .string(Array("cortex-m4".utf8)))
        #expect(file.metadata(Array("training.seed".utf8)) == .uint64(42))
        #expect(file.metadata(Array("quality.integer_accuracy".utf8)) == .float64(0.5))
        let zeros = net.layers.reduce(0) { $0 + $1.weights.count(where: { $0 == 0 }) }
        let total = net.layers.reduce(0) { $0 + $1.weights.count }
        #expect(file.metadata(Array("quality.sparsity".utf8)) == .float64(Double(zeros) / Double(total)))
    }

    @Test func costModelPicksPackedForDenseAndTokensForSparse() throws {
        var rng = SeededGenerator(seed: 4)
        let dense = randomTernary(count: 4096, sparsity: 0, using: &rng)
        let sparse = randomTernary(count: 65536, sparsity: 0.98, using: &rng)
        #expect(try WeightEncoder.best(dense, rowLength: 64, maxWindowBits: 15).layout == .ternaryPacked2)
        let s = try WeightEncoder.best(sparse, rowLength: 256, maxWindowBits: 15)
        #expect(s.layout == .ternaryTokens)
        #expect(s.compression == .zlib)
        let all = try WeightEncoder.candidates(sparse, rowLength: 256, maxWindowBits: 15)
        #expect(all.allSatisfy { $0.stored.count >= s.stored.count })
    }

    @Test func everyEncodingRoundTrips() throws {
        var rng = SeededGenerator(seed: 8)
        for sparsity in [0.0, 0.5, 0.95, 1.0] {
            let weights = randomTernary(count: 3001, sparsity: sparsity, using: &rng)
            for c in try WeightEncoder.candidates(weights, rowLength: 100, maxWindowBits: 12) {
                let decoded = c.compression == .zlib ? try inflate(c.stored, maxOutputBytes: c.decoded.count) : c.stored
                #expect(decoded == c.decoded)
                let back = c.layout == .ternaryTokens
                    ? try TernaryTokens.decode(decoded, count: weights.count)
                    : try TernaryPacked2.decode(decoded, count: weights.count)
                #expect(back == weights, "\(c.summary) at sparsity \(sparsity)")
                if c.compression == .zlib {
                    #expect(Int(c.stored[0] >> 4) + 8 <= Int(c.windowBits))  // zlib header CINFO within the window
                    #expect(c.windowBits <= 12)
                }
            }
        }
    }

    /// Identical rows make LZ77 matches a row apart, so the default strategy wants a large window; a tight budget
    /// must push every stream's window down until the (stand-in) arena fits.
    @Test func ramBudgetLowersTheWindow() throws {
        var net = Fixtures.dense([2048, 64, 4], bits: 1, sparsity: 0.5, seed: 6)
        let row = Array(net.layers[0].weights[0..<2048])
        net.layers[0].weights = Array((0..<64).map { _ in row }.joined())
        net.layers[0].record.nonzeroWeights = UInt32(64 * row.count(where: { $0 != 0 }))
        let planner: @Sendable ([UInt8]) -> ArenaSizes? = { bytes in
            guard let file = try? TernFile(parsing: bytes) else { return nil }
            let window = file.sections.map { $0.compression == .zlib ? 1 << Int($0.windowBits) : 0 }.max() ?? 0
            return ArenaSizes(streaming: 1024 + window, resident: 0)
        }
        let free = try Compiler.compileWithReport(network: net, options: CompileOptions(arenaPlanner: .custom(planner)))
        #expect(free.largestWindowBits > 11)
        let tight = try Compiler.compileWithReport(
            network: net, options: CompileOptions(target: .cortexM0, ramKiB: 8, arenaPlanner: .custom(planner)))
        #expect(tight.largestWindowBits <= 11)
        #expect(tight.arena.streaming <= CompileTarget.arenaBudget(ramKiB: 8))
        #expect(try ArtifactDecoder.decode(tight.bytes).network.layers == tight.network.layers)
    }

    @Test func arenaPlannerAndRAMBudget() throws {
        let net = Fixtures.dense([64, 32, 4], bits: 1, sparsity: 0.3, seed: 2)
        // A planner that charges the largest declared window plus 1 KiB.
        let planner: @Sendable ([UInt8]) -> ArenaSizes? = { bytes in
            guard let file = try? TernFile(parsing: bytes) else { return nil }
            let window = file.sections.map { $0.compression == .zlib ? 1 << Int($0.windowBits) : 0 }.max() ?? 0
            return ArenaSizes(streaming: 1024 + window, resident: 2048)
        }
        let artifact = try Compiler.compileWithReport(network: net, options: CompileOptions(arenaPlanner: .custom(planner)))
        let file = try TernFile(parsing: artifact.bytes)
        #expect(Int(file.header.arenaStreamingBytes) == artifact.arena.streaming)
        #expect(file.header.arenaResidentBytes == 2048)
        let tight = try Compiler.compileWithReport(
            network: net, options: CompileOptions(target: .cortexM0, ramKiB: 8, arenaPlanner: .custom(planner)))
        #expect(tight.arena.streaming <= CompileTarget.arenaBudget(ramKiB: 8))
        let huge: @Sendable ([UInt8]) -> ArenaSizes? = { _ in ArenaSizes(streaming: 1 << 30, resident: 0) }
        #expect(throws: CompileError.self) {
            try Compiler.compile(network: net, options: CompileOptions(target: .cortexM3, arenaPlanner: .custom(huge)))
        }
    }
}
