/// How a matrix–vector unit is folded: `pe` rows and `simd` columns are computed per clock cycle.
public struct LayerFolding: Sendable, Equatable, Codable {
    public var pe: Int
    public var simd: Int
    public init(pe: Int, simd: Int) { self.pe = pe; self.simd = simd }

    /// Weight-memory depth per PE in FINN's terms (WMEM): ⌈rows/PE⌉ · ⌈columns/SIMD⌉.
    public func weightMemoryDepth(rows: Int, columns: Int) -> Int { ceilDiv(rows, pe) * ceilDiv(columns, simd) }

    /// Threshold-memory depth per PE (TMEM): ⌈rows/PE⌉.
    public func thresholdMemoryDepth(rows: Int) -> Int { ceilDiv(rows, pe) }

    /// Dense cycles per image: ⌈rows/PE⌉ · ⌈columns/SIMD⌉ · output positions (FINN's folding formula).
    public func denseCycles(rows: Int, columns: Int, outputPositions: Int) -> Int {
        weightMemoryDepth(rows: rows, columns: columns) * outputPositions
    }

    /// Sparse cycles per image. Row r runs on PE r mod PE (FINN's interleaving); a PE spends ⌈nnz(r)/SIMD⌉ cycles on
    /// a row, zero weights cost nothing, and the busiest PE sets the pace (unbalanced rows are paid here).
    public func sparseWordsPerPE(rowNonzeros: [Int]) -> [Int] {
        var words = [Int](repeating: 0, count: max(pe, 1))
        for (r, n) in rowNonzeros.enumerated() { words[r % max(pe, 1)] += ceilDiv(n, simd) }
        return words
    }

    /// Sparse cycles per image: the busiest PE's words, but never fewer than ⌈columns/SIMD⌉ per position, because the
    /// input vector still arrives SIMD values per cycle (the same stream width as the dense unit).
    public func sparseCycles(rowNonzeros: [Int], columns: Int, outputPositions: Int) -> Int {
        max(sparseWordsPerPE(rowNonzeros: rowNonzeros).max() ?? 0, ceilDiv(columns, simd)) * outputPositions
    }

    /// The cheapest folding (fewest PE·SIMD lanes, then fewest cycles, then fewer PEs) whose dense cycles per image
    /// fit `cycleBudget`; the fully parallel folding when none does. Dimensions that PE or SIMD do not divide are
    /// padded (the ⌈⌉ in the cycle count): dead-neuron elimination leaves sizes such as 1021 that have no divisors.
    public static func cheapest(rows: Int, columns: Int, outputPositions: Int, cycleBudget: Int) -> LayerFolding {
        let rows = max(rows, 1), columns = max(columns, 1), positions = max(outputPositions, 1)
        var best = LayerFolding(pe: rows, simd: columns)
        var bestCycles = positions
        for pe in 1...rows {
            let rowFolds = ceilDiv(rows, pe)
            let columnFolds = cycleBudget / (positions * rowFolds)
            guard columnFolds >= 1 else { continue }
            let simd = ceilDiv(columns, min(columnFolds, columns))
            let f = LayerFolding(pe: pe, simd: simd)
            let cycles = f.denseCycles(rows: rows, columns: columns, outputPositions: positions)
            let lanes = pe * simd, bestLanes = best.pe * best.simd
            if lanes < bestLanes || (lanes == bestLanes && cycles < bestCycles) { best = f; bestCycles = cycles }
        }
        return best
    }

    /// The cheapest folding for the sparse encoding: fewest lanes whose sparse cycles (busiest PE, input-stream floor)
    /// fit `cycleBudget`. PE and SIMD are searched over powers of two and the full size, which keeps the search
    /// small; the fully parallel folding when none fits.
    public static func cheapestSparse(rowNonzeros: [Int], columns: Int, outputPositions: Int,
                                      cycleBudget: Int) -> LayerFolding {
        let rows = max(rowNonzeros.count, 1), columns = max(columns, 1)
        var best = LayerFolding(pe: rows, simd: columns)
        var bestCycles = Int.max
        for pe in candidates(upTo: rows) {
            for simd in candidates(upTo: columns) {
                let f = LayerFolding(pe: pe, simd: simd)
                let cycles = f.sparseCycles(rowNonzeros: rowNonzeros, columns: columns, outputPositions: outputPositions)
                guard cycles <= cycleBudget else { continue }
                let lanes = pe * simd, bestLanes = best.pe * best.simd
                if lanes < bestLanes || (lanes == bestLanes && cycles < bestCycles) { best = f; bestCycles = cycles }
            }
        }
        return best
    }

    static func candidates(upTo n: Int) -> [Int] {
        var out: [Int] = []
        var p = 1
        while p < n { out.append(p); p *= 2 }
        out.append(n)
        return out
    }
}
