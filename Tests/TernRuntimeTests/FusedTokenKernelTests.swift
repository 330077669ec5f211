import Testing
import TernFormat
import TernRuntime
import TernTestSupport

/// Streaming mode adds each token's weight as it is decoded (`FusedTokenKernel`). These networks put every token
/// kind where a decoding slip would show: a skip (0xFE) alone and before a nonzero, the longest plain gap (126),
/// gap 0, both signs, a nonzero on each row's first and last weight, runs of empty rows (in the middle and at the
/// end), and a gap that crosses several rows. Each mis-decoded kind changes a logit, so the reference catches it.
@Suite struct FusedTokenKernelTests {
    /// Weights for `rows × fanIn` with the token kinds above, deterministic.
    static func weights(rows: Int, fanIn: Int) -> [Int8] {
        var w = [Int8](repeating: 0, count: rows * fanIn)
        func set(_ row: Int, _ j: Int, _ v: Int8) { if row < rows && j < fanIn { w[row * fanIn + j] = v } }
        set(0, 0, 1)                 // gap 0 at the very start, +1
        set(0, 1, -1)                // gap 0, −1
        set(0, 128, 1)               // gap 126: the longest plain token
        set(0, 256, -1)              // gap 127: one skip token, then gap 0
        set(0, fanIn - 1, 1)         // the row's last weight
        // rows 1 and 2 stay empty: a later token's gap crosses them
        set(3, 300, -1)              // gap over two empty rows and 300 positions: skips, then a plain gap
        set(4, 0, 1)                 // the next row's first weight right after a row's last
        for j in stride(from: 5, to: fanIn, by: 37) { set(5, j, j % 2 == 0 ? 1 : -1) }
        set(rows - 4, fanIn / 2, -1)  // the last rows stay empty: emitted after the stream ends
        return w
    }

    static func network(inputBits: UInt8, fanIn: Int, rows: Int) -> SyntheticNetwork {
        // input → hidden (the layer under test, `inputBits` in) → logits
        var net = SyntheticNetwork.dense([fanIn, rows, 5], bits: inputBits == 8 ? 2 : inputBits, sparsity: 0.5,
                                         seed: 31)
        net.layers[0].weights = weights(rows: rows, fanIn: fanIn)
        net.layers[0].record.nonzeroWeights = UInt32(net.layers[0].weights.count(where: { $0 != 0 }))
        return net
    }

    @Test(arguments: [9, 15])
    func everyTokenKindMatchesTheReference(windowBits: Int) throws {
        // The layer under test reads pixels (first layer); its output feeds a 2-bit second layer, which reads codes.
        let net = Self.network(inputBits: 8, fanIn: 700, rows: 70)
        let file = try net.fileBytes(encoding: .init(zlibWindowBits: windowBits))
        let tokens = TernaryTokens.encode(net.layers[0].weights)
        #expect(tokens.contains(TernaryTokens.skipToken))
        #expect(tokens.contains(UInt8(TernaryTokens.maxGap << 1)))
        #expect(tokens.contains(1))  // gap 0, −1
        let images = randomImages(7, elements: 700, seed: 4)
        let expected = try referenceLogits(file, images: images, count: 7)
        for batch in [1, 3, 7] {
            let got = try engineLogits(file, images: images, count: 7, mode: .streaming, batch: batch)
            #expect(got.logits == expected, "batch \(batch)")
        }
    }

    @Test(arguments: [UInt8(1), 2])
    func codeInputs(bits: UInt8) throws {
        // A hidden layer over `bits`-bit codes gets the token-kind weights.
        var net = SyntheticNetwork.dense([300, 700, 70, 5], bits: bits, sparsity: 0.5, seed: 17)
        net.layers[1].weights = Self.weights(rows: 70, fanIn: 700)
        net.layers[1].record.nonzeroWeights = UInt32(net.layers[1].weights.count(where: { $0 != 0 }))
        let file = try net.fileBytes(encoding: .init(zlibWindowBits: 10))
        let images = randomImages(5, elements: 300, seed: 8)
        let expected = try referenceLogits(file, images: images, count: 5)
        for batch in [1, 5] {
            #expect(try engineLogits(file, images: images, count: 5, mode: .streaming, batch: batch).logits == expected)
        }
    }

    /// A sign flip of one token is seen: the two files differ in exactly one token and must give different logits.
    @Test func oneFlippedSignChangesTheLogits() throws {
        let net = Self.network(inputBits: 8, fanIn: 700, rows: 70)
        var flipped = net
        let i = flipped.layers[0].weights.firstIndex(where: { $0 != 0 })!
        flipped.layers[0].weights[i] = -flipped.layers[0].weights[i]
        let images = [UInt8](repeating: 200, count: 700)
        let a = try engineLogits(try net.fileBytes(), images: images, count: 1, mode: .streaming, batch: 1)
        let b = try engineLogits(try flipped.fileBytes(), images: images, count: 1, mode: .streaming, batch: 1)
        #expect(try referenceLogits(try flipped.fileBytes(), images: images, count: 1) == b.logits)
        #expect(a.logits != b.logits)
    }
}
