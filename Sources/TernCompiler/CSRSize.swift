/// Sizes of a ternary tensor in compressed-sparse form with relative indices, as in Deep Compression (Han et al.
/// 2016, §3 and §4): every stored entry is (index difference, value). The tensor is walked flattened in artifact
/// order (rows concatenated), so no row-pointer array is needed. With `b`-bit differences, a run of more than
/// `2^b − 1` zeros is bridged by filler entries of value 0, each covering `2^b` positions; zeros after the last
/// nonzero take no entries. Values are ternary: −1, 0 (filler), +1.
///
/// - raw: every entry costs `b + 2` bits (2 bits for the 3-valued weight), `b` chosen per layer (1…8) to minimize.
/// - Huffman: the differences and the values are Huffman-coded separately (Deep Compression's last stage); the cost
///   is the payload plus a code-length table of 4 bits per symbol of each alphabet (`2^b + 3` symbols), `b` chosen
///   per layer (1…8) to minimize.
/// Both are rounded up to whole bytes.
public struct CSRSize: Equatable, Sendable {
    public var rawBytes: Int
    public var rawIndexBits: Int
    public var huffmanBytes: Int
    public var huffmanIndexBits: Int

    public init(_ weights: [Int8]) {
        var gaps: [Int] = []
        var signs: [Int8] = []
        var gap = 0
        for w in weights {
            if w == 0 { gap += 1; continue }
            gaps.append(gap)
            signs.append(w)
            gap = 0
        }
        var best = (raw: Int.max, rawB: 0, huff: Int.max, huffB: 0)
        for b in 1...8 {
            let span = 1 << b
            var indexFrequencies = [Int](repeating: 0, count: span)
            var valueFrequencies = [0, 0, 0]  // −1, filler, +1
            for (g, s) in zip(gaps, signs) {
                let fillers = g / span
                indexFrequencies[span - 1] += fillers
                valueFrequencies[1] += fillers
                indexFrequencies[g - fillers * span] += 1
                valueFrequencies[s > 0 ? 2 : 0] += 1
            }
            let entries = valueFrequencies.reduce(0, +)
            let raw = (entries * (b + 2) + 7) / 8
            let table = 4 * (span + 3)
            let huff = entries == 0
                ? 0 : (Huffman.payloadBits(indexFrequencies) + Huffman.payloadBits(valueFrequencies) + table + 7) / 8
            if raw < best.raw { best.raw = raw; best.rawB = b }
            if huff < best.huff { best.huff = huff; best.huffB = b }
        }
        rawBytes = best.raw
        rawIndexBits = best.rawB
        huffmanBytes = best.huff
        huffmanIndexBits = best.huffB
    }
}
