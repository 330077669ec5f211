import Testing
@testable import TernCompiler
import TernFormat
import TernModel
import TernTestSupport

@Suite struct DeadNeuronTests {
    /// 4 → 3 → 2 (final). Hidden channel 0 is never read, channel 1 has no incoming weights (constant code 1,
    /// because its threshold is ≤ 0), channel 2 is live.
    func handMade() -> IntegerNetwork {
        var h = LayerRecord(kind: .dense, inputBits: 8, outputBits: 1, inChannels: 4, inHeight: 1, inWidth: 1,
                            outChannels: 3, outHeight: 1, outWidth: 1)
        let hw: [Int8] = [1, 0, -1, 0, /* ch1 */ 0, 0, 0, 0, /* ch2 */ 0, 1, 1, -1]
        h.nonzeroWeights = 5
        var f = LayerRecord(kind: .dense, inputBits: 1, outputBits: 0, logitFractionBits: 2, inChannels: 3,
                            inHeight: 1, inWidth: 1, outChannels: 2, outHeight: 1, outWidth: 1)
        let fw: [Int8] = [0, 1, 1, /* class 1 */ 0, -1, 1]
        f.nonzeroWeights = 4
        return IntegerNetwork(name: "", architecture: "", dataset: "", inputChannels: 4, inputHeight: 1, inputWidth: 1,
                              layers: [IntegerNetwork.Layer(record: h, weights: hw, thresholds: [10, -3, 20]),
                                       IntegerNetwork.Layer(record: f, weights: fw, logitScale: [3, 5], logitBias: [100, -7])])
    }

    @Test func removesUnreadAndConstantChannels() throws {
        let net = handMade()
        let (out, removed) = Compiler.optimize(net, eliminateDeadNeurons: true)
        #expect(removed == 2)
        #expect(out.layers[0].record.outChannels == 1)
        #expect(out.layers[0].weights == [0, 1, 1, -1])
        #expect(out.layers[1].weights == [1, 1])
        // Channel 1 always outputs 1: class 0 gains 1·1·3 in its bias, class 1 gains 1·(−1)·5.
        #expect(out.layers[1].logitBias == [103, -12])
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<200 {
            let x = Fixtures.randomInput(net, rng: &rng)
            #expect(evaluate(out, x) == evaluate(net, x))
        }
    }

    @Test func foldsConstantsIntoTheNextThresholds() throws {
        // 2 → 2 → 2 → 1: hidden channel 0 of layer 0 is constant 1 (no weights, threshold −1).
        var l0 = LayerRecord(kind: .dense, inputBits: 8, outputBits: 1, inChannels: 2, inHeight: 1, inWidth: 1,
                             outChannels: 2, outHeight: 1, outWidth: 1)
        l0.nonzeroWeights = 2
        var l1 = LayerRecord(kind: .dense, inputBits: 1, outputBits: 1, inChannels: 2, inHeight: 1, inWidth: 1,
                             outChannels: 2, outHeight: 1, outWidth: 1)
        l1.nonzeroWeights = 4
        var l2 = LayerRecord(kind: .dense, inputBits: 1, outputBits: 0, inChannels: 2, inHeight: 1, inWidth: 1,
                             outChannels: 1, outHeight: 1, outWidth: 1)
        l2.nonzeroWeights = 2
        let net = IntegerNetwork(name: "", architecture: "", dataset: "", inputChannels: 2, inputHeight: 1, inputWidth: 1,
            layers: [IntegerNetwork.Layer(record: l0, weights: [0, 0, 1, -1], thresholds: [-1, 5]),
                     IntegerNetwork.Layer(record: l1, weights: [1, 1, -1, 1], thresholds: [2, 0]),
                     IntegerNetwork.Layer(record: l2, weights: [1, -1], logitScale: [1], logitBias: [0])])
        let (out, removed) = Compiler.optimize(net, eliminateDeadNeurons: true)
        #expect(removed >= 1)
        #expect(out.layers[0].record.outChannels == 1)
        var rng = SeededGenerator(seed: 2)
        for _ in 0..<300 {
            let x = Fixtures.randomInput(net, rng: &rng)
            #expect(evaluate(out, x) == evaluate(net, x))
        }
    }

    @Test func randomSparseNetworksStayBitExact() throws {
        var rng = SeededGenerator(seed: 3)
        var totalRemoved = 0
        for seed in UInt64(0)..<12 {
            for net in [Fixtures.dense([24, 20, 16, 4], bits: seed % 2 == 0 ? 1 : 2, sparsity: 0.93, seed: seed),
                        Fixtures.convNet(sparsity: 0.85, seed: seed)] {
                let (out, removed) = Compiler.optimize(net, eliminateDeadNeurons: true)
                totalRemoved += removed
                try ValidatePass.run(out)
                for _ in 0..<25 {
                    let x = Fixtures.randomInput(net, rng: &rng)
                    #expect(evaluate(out, x) == evaluate(net, x))
                }
            }
        }
        #expect(totalRemoved > 0)  // the fixtures are sparse enough to have dead channels
    }

    @Test func keepsOneChannelPerLayer() throws {
        var net = Fixtures.dense([8, 5, 2], sparsity: 0.5, seed: 4)
        net.layers[1].weights = [Int8](repeating: 0, count: 10)  // nobody reads any hidden channel
        net.layers[1].record.nonzeroWeights = 0
        let (out, _) = Compiler.optimize(net, eliminateDeadNeurons: true)
        #expect(out.layers[0].record.outChannels == 1)
        try ValidatePass.run(out)
    }
}

@Suite struct NeuronOrderTests {
    @Test func sortsHiddenChannelsByDensityAndStaysBitExact() throws {
        var rng = SeededGenerator(seed: 5)
        for net in [Fixtures.dense([30, 16, 12, 3], bits: 2, sparsity: 0.6, seed: 1), Fixtures.convNet(sparsity: 0.5, seed: 3)] {
            let out = NeuronOrderPass.apply(net)
            let p = out.layers[0]
            let counts = (0..<Int(p.record.outChannels)).map { c in
                p.weights[(c * p.record.fanIn)..<((c + 1) * p.record.fanIn)].count(where: { $0 != 0 })
            }
            #expect(counts == counts.sorted(by: >))
            for _ in 0..<50 {
                let x = Fixtures.randomInput(net, rng: &rng)
                #expect(evaluate(out, x) == evaluate(net, x))
            }
        }
    }

    @Test func thresholdOrderIsBitExactAndSortedBySpread() throws {
        var rng = SeededGenerator(seed: 6)
        let net = Fixtures.dense([30, 16, 12, 3], bits: 2, sparsity: 0.4, seed: 2)
        let out = NeuronOrderPass.apply(net, key: .thresholds)
        let t = out.layers[0].thresholds
        let spreads = (0..<16).map { Int64(t[$0 * 3 + 2]) - Int64(t[$0 * 3]) }
        #expect(spreads == spreads.sorted())
        for _ in 0..<50 {
            let x = Fixtures.randomInput(net, rng: &rng)
            #expect(evaluate(out, x) == evaluate(net, x))
        }
    }
}
