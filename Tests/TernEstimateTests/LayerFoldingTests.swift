import Testing
@testable import TernEstimate

/// Folding arithmetic on hand-computed cases.
struct LayerFoldingTests {
    @Test func denseCyclesAreRowFoldsTimesColumnFoldsTimesPositions() {
        let f = LayerFolding(pe: 4, simd: 3)
        #expect(f.denseCycles(rows: 8, columns: 12, outputPositions: 5) == 2 * 4 * 5)
        #expect(f.weightMemoryDepth(rows: 8, columns: 12) == 8)
        #expect(f.thresholdMemoryDepth(rows: 8) == 2)
        // Sizes the folding does not divide are padded: ⌈10/4⌉ · ⌈7/3⌉ = 3 · 3.
        #expect(f.denseCycles(rows: 10, columns: 7, outputPositions: 1) == 9)
    }

    @Test func sparseCyclesFollowTheBusiestPE() {
        let f = LayerFolding(pe: 2, simd: 4)
        // Rows 0 and 2 on PE 0: ⌈5/4⌉ + ⌈3/4⌉ = 3 words; rows 1 and 3 on PE 1: 0 + ⌈8/4⌉ = 2.
        #expect(f.sparseWordsPerPE(rowNonzeros: [5, 0, 3, 8]) == [3, 2])
        #expect(f.sparseCycles(rowNonzeros: [5, 0, 3, 8], columns: 8, outputPositions: 7) == 3 * 7)
        // Dense: ⌈4/2⌉ · ⌈8/4⌉ = 4 per position.
        #expect(f.denseCycles(rows: 4, columns: 8, outputPositions: 7) == 4 * 7)
    }

    @Test func sparseCyclesNeverBeatTheInputStream() {
        // No nonzeros at all: the 64 inputs still arrive 4 per cycle.
        let f = LayerFolding(pe: 2, simd: 4)
        #expect(f.sparseCycles(rowNonzeros: [0, 0, 0, 0], columns: 64, outputPositions: 3) == 16 * 3)
    }

    @Test func cheapestFoldingMeetsTheBudgetWithFewestLanes() {
        // rows 4, columns 6, budget 6 cycles: 4 lanes is the minimum (PE 2·SIMD 2 or PE 4·SIMD 1, both 6 cycles);
        // the tie goes to the first found, fewer PEs.
        #expect(LayerFolding.cheapest(rows: 4, columns: 6, outputPositions: 1, cycleBudget: 6)
                == LayerFolding(pe: 2, simd: 2))
        // A budget of 24 fits the fully folded unit.
        #expect(LayerFolding.cheapest(rows: 4, columns: 6, outputPositions: 1, cycleBudget: 24)
                == LayerFolding(pe: 1, simd: 1))
        // Budget below the output positions: nothing fits, fully parallel.
        #expect(LayerFolding.cheapest(rows: 4, columns: 6, outputPositions: 10, cycleBudget: 5)
                == LayerFolding(pe: 4, simd: 6))
        // A prime size (dead-neuron elimination leaves 1021 rows) still folds, padded.
        let prime = LayerFolding.cheapest(rows: 1021, columns: 784, outputPositions: 1, cycleBudget: 2000)
        #expect(prime.denseCycles(rows: 1021, columns: 784, outputPositions: 1) <= 2000)
        #expect(prime.pe < 1021)
    }
}

struct SparseFoldingTests {
    @Test func sparseFoldingNeedsFewerLanesForTheSameRate() {
        // Two rows of 8 nonzeros, two empty rows, 16 columns, budget 2 cycles.
        let sparse = LayerFolding.cheapestSparse(rowNonzeros: [8, 8, 0, 0], columns: 16, outputPositions: 1,
                                                 cycleBudget: 2)
        // One PE, SIMD 8: ⌈8/8⌉ + ⌈8/8⌉ = 2 words, and the input stream takes ⌈16/8⌉ = 2 cycles: 8 lanes.
        #expect(sparse == LayerFolding(pe: 1, simd: 8))
        let dense = LayerFolding.cheapest(rows: 4, columns: 16, outputPositions: 1, cycleBudget: 2)
        #expect(dense.pe * dense.simd == 32)
    }
}
