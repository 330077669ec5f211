import Testing
@testable import TernEstimate

/// Memory mapping and the per-layer estimate, computed by hand (docs/HARDWARE.md §2 has the formulas).
struct ResourceModelTests {
    @Test func bram18PicksTheCheapestAspectRatio() {
        #expect(FPGAResources.bram18(depth: 416, width: 64) == 2)      // 512×36, two wide
        #expect(FPGAResources.bram18(depth: 512, width: 32) == 1)
        #expect(FPGAResources.bram18(depth: 18432, width: 32) == 36)   // 512×36 ×36, 1K×18 ×36, 2K×9 ×36
        #expect(FPGAResources.bram18(depth: 32768, width: 4) == 8)     // 4K×4, eight deep
        #expect(FPGAResources.bram18(depth: 100, width: 0) == 0)
    }

    @Test func shallowMemoriesGoToLUTRAM() {
        let r = FPGAResources()
        #expect(r.memory(depth: 36, width: 3) == MemoryCost(bram18: 0, lutram: 3))
        #expect(r.memory(depth: 65, width: 3) == MemoryCost(bram18: 1, lutram: 0))
    }

    @Test func accumulatorHoldsTheLargestSum() {
        let l = MatrixLayer(name: "x", kind: .dense, rows: 1, columns: 832, outputPositions: 1, inputBits: 1,
                            thresholdsPerRow: 1, rowNonzeros: [])
        #expect(l.accumulatorBits == 11)   // 833 values need 10 bits, plus sign
    }

    static let layer = MatrixLayer(name: "L0", kind: .dense, rows: 4, columns: 8, outputPositions: 1, inputBits: 1,
                                   thresholdsPerRow: 1, rowNonzeros: [2, 0, 1, 4])
    static let folding = LayerFolding(pe: 2, simd: 4)

    func estimate(_ e: WeightEncoding, bandwidth: Double = 1) -> LayerEstimate {
        DataflowModel.estimate([Self.layer], foldings: [Self.folding], encoding: e,
                               settings: EstimateSettings(clockMHz: 100, bandwidthBytesPerCycle: bandwidth)).layers[0]
    }

    @Test func denseBinaryLayerByHand() {
        let e = estimate(.denseBinary)
        #expect(e.cycles == 4)
        #expect(e.weightBits == 32)
        // accumulator 5 bits (9 values + sign); per PE 5·(1 + 1) = 10; lanes 4 × 1 LUT.
        #expect(e.computeLUTs == 2 * (4 + 10))
        #expect(e.weightMemory == MemoryCost(bram18: 0, lutram: 2 * 4))     // depth 4, width 4, per PE
        #expect(e.thresholdMemory == MemoryCost(bram18: 0, lutram: 2 * 5))  // depth 2, width 5, per PE
        #expect(e.luts == 28 + 8 + 10)
    }

    @Test func denseTernaryDoublesLanesAndWeightBits() {
        let e = estimate(.denseTernary)
        #expect(e.cycles == 4)
        #expect(e.weightBits == 64)
        #expect(e.computeLUTs == 2 * (4 * 2 + 10))
        #expect(e.luts == 36 + 16 + 10)
    }

    @Test func sparseTernaryStoresOnlyNonzeros() {
        let e = estimate(.sparseTernary)
        // 7 nonzeros × (sign + 3 index bits); busiest PE has 2 words; input stream floor ⌈8/4⌉ = 2.
        #expect(e.weightBits == 28)
        #expect(e.cycles == 2)
        // Lane: 2 copies × ⌈8/64⌉ × 1 bit LUTRAM + 2 add/sub = 4 LUTs.
        #expect(e.computeLUTs == 2 * (4 * 4 + 10))
        #expect(e.weightMemory == MemoryCost(bram18: 0, lutram: 2 * 16))    // depth 2, width 4·4
    }

    @Test func memoryBoundWhenDRAMCannotKeepUp() {
        // Binary: 4 bytes per image. At 1 B/cycle that is 4 cycles, equal to compute: not memory-bound.
        #expect(estimate(.denseBinary, bandwidth: 1).boundByMemory == false)
        let slow = estimate(.denseBinary, bandwidth: 0.5)
        #expect(slow.memoryCycles == 8)
        #expect(slow.boundByMemory)
    }

    @Test func pipelineRateIsSetByTheSlowestLayer() {
        let a = MatrixLayer(name: "a", kind: .dense, rows: 8, columns: 8, outputPositions: 1, inputBits: 1,
                            thresholdsPerRow: 1, rowNonzeros: [])
        let foldings = [LayerFolding(pe: 1, simd: 1), LayerFolding(pe: 8, simd: 8)]
        let n = DataflowModel.estimate([a, a], foldings: foldings, encoding: .denseBinary,
                                       settings: EstimateSettings(clockMHz: 64))
        #expect(n.bottleneckCycles == 64)
        #expect(n.framesPerSecond == 1e6)
        #expect(n.latencyCycles == 65)
    }
}
