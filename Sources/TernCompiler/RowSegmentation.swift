import TernFormat

/// Chooses where to end DEFLATE blocks in a layer's token stream so that each block's Huffman table fits the rows it
/// covers (see `segmentedDeflate`). Rows of a trained layer differ in density; after `NeuronOrderPass` sorts them,
/// neighbouring rows are alike and a few blocks capture most of that variation.
///
/// Dynamic programming over candidate cut points (row starts, at most `maxCandidates` of them): the cost of a block
/// is its Huffman payload (exact, from symbol counts) plus an estimate of the block header (80 bits + 4 bits per
/// used symbol). The result is only a proposal: the encoder deflates it for real and keeps it only if it is smaller.
enum RowSegmentation {
    static let maxCandidates = 64

    /// Token offsets where each row's tokens begin (a row's leading skip tokens belong to it).
    static func rowTokenStarts(_ weights: [Int8], rowLength: Int) -> [Int] {
        guard rowLength > 0 else { return [] }
        var starts: [Int] = []
        starts.reserveCapacity(weights.count / rowLength)
        var tokens = 0, gap = 0
        for (i, w) in weights.enumerated() {
            if i % rowLength == 0 { starts.append(tokens) }
            if w == 0 { gap += 1; continue }
            tokens += gap / (TernaryTokens.maxGap + 1) + 1
            gap = 0
        }
        return starts
    }

    /// Token offsets at which to end a block (empty: one block).
    static func boundaries(tokens: [UInt8], rowStarts: [Int]) -> [Int] {
        guard tokens.count > 4096, rowStarts.count > 1 else { return [] }
        // Candidate cut points: evenly spaced row starts, deduplicated, plus both ends.
        let step = max(1, (rowStarts.count + maxCandidates - 1) / maxCandidates)
        var points = [0]
        for r in stride(from: step, to: rowStarts.count, by: step) where rowStarts[r] > points.last! {
            points.append(rowStarts[r])
        }
        if points.last! < tokens.count { points.append(tokens.count) }
        let n = points.count - 1
        guard n > 1 else { return [] }
        // Prefix histograms over chunks.
        var prefix = [[Int]](repeating: [Int](repeating: 0, count: 256), count: n + 1)
        for j in 0..<n {
            prefix[j + 1] = prefix[j]
            for t in tokens[points[j]..<points[j + 1]] { prefix[j + 1][Int(t)] += 1 }
        }
        func cost(_ a: Int, _ b: Int) -> Double {
            var counts: [Int] = []
            counts.reserveCapacity(256)
            for s in 0..<256 {
                let c = prefix[b][s] - prefix[a][s]
                if c > 0 { counts.append(c) }
            }
            return Double(huffmanPayloadBits(counts) + 80 + 4 * counts.count)
        }
        var best = [Double](repeating: .infinity, count: n + 1)
        var from = [Int](repeating: 0, count: n + 1)
        best[0] = 0
        for b in 1...n {
            for a in 0..<b {
                let c = best[a] + cost(a, b)
                if c < best[b] { best[b] = c; from[b] = a }
            }
        }
        var cuts: [Int] = []
        var b = n
        while b > 0 {
            let a = from[b]
            if a > 0 { cuts.append(points[a]) }
            b = a
        }
        return cuts.reversed()
    }

    /// Σ frequency × code length of an optimal Huffman code, computed as the sum of all merged weights
    /// (two-queue method on sorted counts).
    static func huffmanPayloadBits(_ counts: [Int]) -> Int {
        let leaves = counts.filter { $0 > 0 }.sorted()
        if leaves.count <= 1 { return leaves.first ?? 0 }
        var merged: [Int] = []
        merged.reserveCapacity(leaves.count)
        var i = 0, j = 0, total = 0
        func takeSmallest() -> Int {
            if j >= merged.count || (i < leaves.count && leaves[i] <= merged[j]) { i += 1; return leaves[i - 1] }
            j += 1
            return merged[j - 1]
        }
        for _ in 0..<(leaves.count - 1) {
            let s = takeSmallest() + takeSmallest()
            merged.append(s)
            total += s
        }
        return total
    }
}
