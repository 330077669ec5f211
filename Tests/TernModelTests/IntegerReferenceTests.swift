import Testing
import TernFormat
import TernModel
import TernTestSupport

@Suite struct IntegerReferenceTests {
    /// 1×2×2 pixels → conv 1 (3×3, pad 1, one +1 tap right of centre, 2-bit) → pool → dense 2 (1-bit) → dense 2.
    static let handNetwork: IntegerNetwork = {
        var conv = [Int8](repeating: 0, count: 9)
        conv[1 * 3 + 2] = 1  // output(y, x) = pixel(y, x + 1), or the padding 0 at the right edge
        return IntegerNetwork(
            name: "hand", architecture: "hand", dataset: "none", inputChannels: 1, inputHeight: 2, inputWidth: 2,
            layers: [
                .init(record: LayerRecord(kind: .conv, inputBits: 8, outputBits: 2, padding: 1, kernel: 3, stride: 1,
                                          inChannels: 1, inHeight: 2, inWidth: 2, outChannels: 1, outHeight: 2,
                                          outWidth: 2, nonzeroWeights: 1),
                      weights: conv, thresholds: [10, 20, 30]),
                .init(record: LayerRecord(kind: .maxPool, inputBits: 2, outputBits: 2, kernel: 2, stride: 2,
                                          inChannels: 1, inHeight: 2, inWidth: 2, outChannels: 1, outHeight: 1,
                                          outWidth: 1)),
                .init(record: LayerRecord(kind: .dense, inputBits: 2, outputBits: 1, inChannels: 1, inHeight: 1,
                                          inWidth: 1, outChannels: 2, outHeight: 1, outWidth: 1, nonzeroWeights: 2),
                      weights: [1, -1], thresholds: [2, Int32.min]),
                .init(record: LayerRecord(kind: .dense, inputBits: 1, outputBits: 0, logitFractionBits: 1,
                                          inChannels: 2, inHeight: 1, inWidth: 1, outChannels: 2, outHeight: 1,
                                          outWidth: 1, nonzeroWeights: 3),
                      weights: [1, 1, 0, -1], logitScale: [3, -2], logitBias: [1, 5]),
            ])
    }()

    @Test func handComputedTrace() throws {
        // Pixels (HWC, 2×2): 5 25 / 15 35. Conv: pixel to the right → 25, 0, 35, 0 → codes 2, 0, 3, 0 (≥ counts).
        let trace = try IntegerReference.trace(network: Self.handNetwork, image: [5, 25, 15, 35])
        #expect(trace[0] == [2, 0, 3, 0])
        #expect(trace[1] == [3])                   // max-pool
        #expect(trace[2] == [1, 1])                // acc 3 ≥ 2; acc −3 ≥ Int32.min
        #expect(trace[3] == [7, 7])                // acc0 = 2 → 2·3 + 1; acc1 = −1 → −1·−2 + 5: a tie
        // The tie goes to the lowest index.
        #expect(try IntegerReference.predictions(network: Self.handNetwork, images: [5, 25, 15, 35], count: 1) == [0])
        // Threshold exactly reached (acc = 10 → code 1); acc 2 for the dense layer gives code 1.
        let low = try IntegerReference.trace(network: Self.handNetwork, image: [0, 10, 0, 2])
        #expect(low[0] == [1, 0, 0, 0] && low[2] == [0, 1])
        #expect(low[3] == [4, 7])                  // acc0 = 1 → 1·3 + 1; acc1 = −1 → 7
        #expect(try IntegerReference.predictions(network: Self.handNetwork, images: [0, 10, 0, 2], count: 1) == [1])
    }

    @Test func argmaxPicksTheLowestIndexOfTies() {
        #expect(IntegerReference.argmax([3, 7, 7, -1][...]) == 1)
        #expect(IntegerReference.argmax([Int64.min, Int64.min][...]) == 0)
        #expect(IntegerReference.argmax(Array([9, 1, 9, 2])[2...]) == 0)
    }

    @Test func batchesAreSplitWithIdenticalResults() throws {
        let checkpoint = FixtureCheckpoint.random(architecture: FixtureArchitecture.tinyConv, sparsity: 0.5, seed: 5)
        let network = try checkpoint.folded()
        let count = 300
        let images = FixtureCheckpoint.randomImages(architecture: checkpoint.architecture, count: count, seed: 9)
        let all = try IntegerReference.logits(network: network, images: images, count: count)
        var one: [Int64] = []
        for n in 0..<count {
            one += try IntegerReference.trace(
                network: network, image: Array(images[(n * network.inputElements)..<((n + 1) * network.inputElements)])).last!
        }
        #expect(all == one)
        let labels = try IntegerReference.predictions(network: network, images: images, count: count).map { UInt8($0) }
        #expect(try IntegerReference.accuracy(network: network, images: images, labels: labels) == 1)
        #expect(Set(labels).count > 1)
    }

    @Test func badNetworksAreErrorsNotCrashes() throws {
        func rejects(_ edit: (inout IntegerNetwork) -> Void, _ problem: String, layer: Int,
                     sourceLocation: SourceLocation = #_sourceLocation) {
            var n = Self.handNetwork
            edit(&n)
            #expect(throws: ModelError.badLayer(layer: layer, problem: problem), sourceLocation: sourceLocation) {
                try IntegerReference.logits(network: n, images: [0, 0, 0, 0], count: 1)
            }
        }
        try Self.handNetwork.validate()
        rejects({ $0.layers[0].weights.removeLast() }, "8 weights, the shape needs 9", layer: 0)
        rejects({ $0.layers[0].weights[0] = 2; $0.layers[0].record.nonzeroWeights = 2 }, "weight 2 is not ternary", layer: 0)
        rejects({ $0.layers[0].thresholds = [10, 30, 20] }, "thresholds of channel 0 decrease", layer: 0)
        rejects({ $0.layers[0].record.nonzeroWeights = 5 }, "nonzeroWeights 5, the weights have 1", layer: 0)
        rejects({ $0.layers[2].record.inChannels = 2 }, "input 2×1×1 but the previous output is 1×1×1", layer: 2)
        rejects({ $0.layers[2].record.inputBits = 1 }, "inputBits 1, the producer gives 2", layer: 2)
        rejects({ $0.layers[3].logitBias = [1] }, "the last layer needs 2 logit scales and biases and no thresholds", layer: 3)
        rejects({ $0.layers[2].record.outputBits = 3 }, "outputBits 3: hidden layers produce 1- or 2-bit codes", layer: 2)
        rejects({ $0.layers[0].record.outHeight = 1 }, "conv 3×3 pad 1 of 1×2×2 cannot give 1×1×2", layer: 0)
        rejects({ $0.layers.removeLast() }, "the last layer must produce logits (outputBits 0)", layer: 2)
        #expect(throws: ModelError.badImages(problem: "3 bytes are not 1 images of 4 pixels")) {
            try IntegerReference.logits(network: Self.handNetwork, images: [0, 0, 0], count: 1)
        }
        #expect(throws: ModelError.noLayers) {
            try IntegerNetwork(name: "", architecture: "", dataset: "", inputChannels: 1, inputHeight: 1, inputWidth: 1,
                               layers: []).validate()
        }
    }
}
