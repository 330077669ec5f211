import Testing
import TernFormat
import TernRuntime
import TernTestSupport

@Suite struct PlanTests {
    static let lfc = SyntheticNetwork.dense([784, 1024, 1024, 1024, 10], bits: 1, sparsity: 0.95, seed: 2017)

    @Test func costModelPicksKernelsPerLayer() throws {
        let file = try TernFile(parsing: try Self.lfc.fileBytes())
        let one = try Plan(file: file, batch: 1)
        #expect(one.layers.map(\.kernel) == [.columns, .dense, .dense, .dense])
        #expect(one.slicedFrom == nil)
        let many = try Plan(file: file, batch: 64)
        #expect(many.layers.map(\.kernel) == [.columns, .sliced, .sliced, .sliced])
        #expect(many.slicedFrom == 1)
        // At 99.9 % sparsity the popcount masks cost more than the few nonzeros, and column lists (which skip
        // zero inputs too) less than row lists.
        let sparse = SyntheticNetwork.dense([784, 1024, 1024, 10], bits: 1, sparsity: 0.999, seed: 1)
        let plan = try Plan(file: try TernFile(parsing: try sparse.fileBytes()), batch: 1)
        #expect(plan.layers.map(\.kernel) == [.columns, .columns, .columns])
        // 2-bit codes double the popcount work: at 95 % the masks still win, at 98 % column lists do.
        for (sparsity, hidden) in [(0.95, KernelChoice.dense), (0.98, .columns)] {
            let twoBit = SyntheticNetwork.dense([784, 1024, 1024, 1024, 10], bits: 2, sparsity: sparsity, seed: 2017)
            let planTwo = try Plan(file: try TernFile(parsing: try twoBit.fileBytes()), batch: 1)
            #expect(planTwo.layers.dropLast().map(\.kernel) == [.columns, hidden, hidden])
        }
    }

    @Test func streamingArenaFitsTheMicrocontrollerBudget() throws {
        let file = try TernFile(parsing: try Self.lfc.fileBytes())
        let plan = try Plan(file: file, batch: 1)
        #expect(plan.arenaBytes(.streaming) <= 48 << 10)
        // Resident holds the decoded weights; it must be larger than streaming.
        #expect(plan.arenaBytes(.resident) > plan.arenaBytes(.streaming))
    }

    @Test func cnvStreamingArenaFitsItsBudget() throws {
        // FINN's CNV on 32×32×3, 1-bit, zlib windowBits 14: the streaming arena must stay ≤ 160 KiB.
        let net = SyntheticNetwork.stack(input: (3, 32, 32), [
            .conv(channels: 64, kernel: 3, padding: 0, bits: 1), .conv(channels: 64, kernel: 3, padding: 0, bits: 1),
            .pool, .conv(channels: 128, kernel: 3, padding: 0, bits: 1),
            .conv(channels: 128, kernel: 3, padding: 0, bits: 1), .pool,
            .conv(channels: 256, kernel: 3, padding: 0, bits: 1), .conv(channels: 256, kernel: 3, padding: 0, bits: 1),
            .dense(outputs: 512, bits: 1), .dense(outputs: 512, bits: 1), .classes(10),
        ], sparsity: 0.95, seed: 4)
        let file = try TernFile(parsing: try net.fileBytes(encoding: .init(zlibWindowBits: 14)))
        let plan = try Plan(file: file, batch: 1)
        #expect(plan.arenaBytes(.streaming) <= 160 << 10)
    }

    @Test func arenaRegionsDoNotOverlap() throws {
        let net = SyntheticNetwork.stack(input: (3, 12, 12), [
            .conv(channels: 16, kernel: 3, padding: 1, bits: 2), .pool, .dense(outputs: 33, bits: 1), .classes(10),
        ], sparsity: 0.5, seed: 3)
        let file = try TernFile(parsing: try net.fileBytes())
        for batch in [1, 9, 100] {
            let plan = try Plan(file: file, batch: batch)
            for mode in [ExecutionMode.streaming, .resident] {
                let a = plan.layout(mode)
                var regions: [(Int, Int)] = [(a.slotA, a.slotBytes), (a.slotB, a.slotBytes),
                                             (a.staging, a.stagingBytes * batch), (a.rowList, 4)]
                if plan.slicedFrom != nil { regions.append((a.slicedInput, a.slicedInputBytes)) }
                for (i, w) in a.weights.enumerated() where w >= 0 {
                    regions.append((w, plan.layers[i].residentWeightBytes))
                }
                regions = regions.filter { $0.1 > 0 }.sorted { $0.0 < $1.0 }
                for k in 1..<regions.count { #expect(regions[k - 1].0 + regions[k - 1].1 <= regions[k].0) }
                #expect(regions.allSatisfy { $0.0 + $0.1 <= a.total && $0.0 % 64 == 0 })
            }
        }
    }
}
