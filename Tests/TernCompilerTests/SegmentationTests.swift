import Testing
@testable import TernCompiler
import TernFormat
import TernTestSupport
import TernZlib

@Suite struct SegmentationTests {
    /// 256 rows of 1024: the first half at 99 % sparsity, the second at 90 %.
    func twoDensityLayer() -> [Int8] {
        var rng = SeededGenerator(seed: 12)
        return randomTernary(count: 128 * 1024, sparsity: 0.99, using: &rng)
            + randomTernary(count: 128 * 1024, sparsity: 0.90, using: &rng)
    }

    @Test func rowTokenStartsMatchTheEncoder() {
        var rng = SeededGenerator(seed: 1)
        let w = randomTernary(count: 40 * 300, sparsity: 0.995, using: &rng)
        let tokens = TernaryTokens.encode(w)
        let starts = RowSegmentation.rowTokenStarts(w, rowLength: 300)
        #expect(starts.count == 40)
        for (r, start) in starts.enumerated() {
            // Tokens before a row's start describe only positions before the row.
            #expect(TernaryTokens.encode(Array(w[0..<(r * 300)])).count <= start)
            #expect(start <= tokens.count)
        }
        #expect(starts == starts.sorted())
    }

    @Test func blocksBeatOneTableWhenRowDensitiesDiffer() throws {
        let w = twoDensityLayer()
        let all = try WeightEncoder.candidates(w, rowLength: 1024, maxWindowBits: 15)
        let blocks = try #require(all.first { $0.method == .zlibHuffmanBlocks })
        let single = try #require(all.first { $0.method == .zlibHuffmanOnly && $0.layout == .ternaryTokens })
        #expect(blocks.stored.count < single.stored.count)
        let inflated = try inflate(blocks.stored, maxOutputBytes: blocks.decoded.count)
        #expect(try TernaryTokens.decode(inflated, count: w.count) == w)
        #expect(try WeightEncoder.best(w, rowLength: 1024, maxWindowBits: 15).method == .zlibHuffmanBlocks)
    }

    @Test func huffmanPayloadMatchesTheCodeLengths() {
        for counts in [[5, 1, 1, 2], [3, 9], [1, 1, 1, 1, 1], [100, 1, 7, 7, 30, 2, 2]] {
            #expect(RowSegmentation.huffmanPayloadBits(counts) == Huffman.payloadBits(counts))
        }
    }
}
