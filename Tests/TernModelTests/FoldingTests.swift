import Testing
import TernFormat
import TernModel
import TernTestSupport

/// CHW-ordered copy of an HWC map.
func chwFromHWC(_ v: [Int64], channels c: Int, height h: Int, width w: Int) -> [Int] {
    var out = [Int](repeating: 0, count: v.count)
    for y in 0..<h { for x in 0..<w { for ch in 0..<c { out[(ch * h + y) * w + x] = Int(v[(y * w + x) * c + ch]) } } }
    return out
}

@Suite struct FoldingTests {
    @Test func thresholdsForPositiveNegativeAndZeroScales() {
        // y = 2·acc − 3 ≥ 0  ⇔  acc ≥ 1.5  ⇔  acc ≥ 2.
        #expect(Folding.thresholds(a: 2, b: -3, taus: [0], reach: 100) == (false, [2]))
        // y = −2·acc + 3 ≥ 0  ⇔  acc ≤ 1.5  ⇔  −acc ≥ −1.
        #expect(Folding.thresholds(a: -2, b: 3, taus: [0], reach: 100) == (true, [-1]))
        // Exact ties reach the threshold: y = 0.5·acc − 2 ≥ 0 at acc = 4; negated: y = −0.5·acc + 2 ≥ 0 at acc ≤ 4.
        #expect(Folding.thresholds(a: 0.5, b: -2, taus: [0], reach: 100) == (false, [4]))
        #expect(Folding.thresholds(a: -0.5, b: 2, taus: [0], reach: 100) == (true, [-4]))
        // A = 0: constant outputs.
        #expect(Folding.thresholds(a: 0, b: 0.5, taus: [0.25, 0.5, 0.75], reach: 10)
                == (false, [Int32.min, Int32.min, Int32.max]))
        // Out-of-reach thresholds become "always" / "never"; reachable ones stay.
        #expect(Folding.thresholds(a: 1, b: 0, taus: [-11, -10, 10, 11], reach: 10)
                == (false, [Int32.min, -10, 10, Int32.max]))
        #expect(Folding.thresholds(a: 1e-300, b: 0, taus: [-1, 1], reach: 10) == (false, [Int32.min, Int32.max]))
    }

    @Test func logitFixedPointUsesTheLargestFittingFraction() throws {
        let unit = try #require(Folding.logitAffine(a: [1, -0.5], b: [0.25, 0]))
        #expect(unit.fractionBits == 24 && unit.scale == [1 << 24, -(1 << 23)] && unit.bias == [1 << 22, 0])
        let big = try #require(Folding.logitAffine(a: [300], b: [-1]))
        #expect(big.fractionBits == 22 && big.scale == [300 << 22] && big.bias == [-(1 << 22)])
        #expect(Folding.logitAffine(a: [1], b: [3e9]) == nil)
    }

    @Test func foldedFixturesValidateAndCountNonzeros() throws {
        for architecture in [FixtureArchitecture.tinyConv, FixtureArchitecture.tinyDense, Architecture.sfc] {
            let checkpoint = FixtureCheckpoint.random(architecture: architecture, sparsity: 0.7, seed: 11)
            let network = try checkpoint.folded()
            try network.validate()
            #expect(network.layers.count == architecture.layers.count)
            #expect(network.layers[0].record.inputBits == 8)
            for (layer, tensors) in zip(network.layers, checkpoint.layers) {
                guard let t = tensors?.ternary else { continue }
                #expect(Int(layer.record.nonzeroWeights) == t.count(where: { $0 != 0 }))
            }
            #expect(network.layers.last!.record.logitFractionBits > 0)
        }
        let tiny = try FixtureCheckpoint.random(architecture: FixtureArchitecture.tinyConv, sparsity: 0.9, seed: 1).folded()
        let pool = tiny.layers[1].record
        #expect(pool.kind == .maxPool && pool.inputBits == 2 && pool.outputBits == 2 && pool.kernel == 2 && pool.stride == 2)
        let conv = tiny.layers[3].record
        #expect(conv.kind == .conv && conv.kernel == 3 && conv.padding == 1 && conv.stride == 1 && conv.inputBits == 1)
        let dense = tiny.layers[4].record
        #expect(dense.inChannels == 4 && dense.inHeight == 3 && dense.fanIn == 36 && dense.outHeight == 1)
    }

    /// The folded integers against the float forward pass, on random parameters (both γ signs, per-channel α,
    /// CHW ≠ HWC layouts, padding, pooling). A code may differ only where `y` is within 1e-6 of a threshold — and
    /// then the image is not compared further, since the difference propagates.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func integersMatchTheFloatForward(seed: UInt64) throws {
        let architecture = seed % 2 == 1 ? FixtureArchitecture.tinyConv : FixtureArchitecture.tinyDense
        var checkpoint = FixtureCheckpoint.random(architecture: architecture, sparsity: 0.5, seed: seed)
        // A dead channel (γ = 0) and a channel of all-zero weights.
        checkpoint.layers[0]!.batchNorm!.gamma[0] = 0
        let fanIn = try architecture.inferShapes()[0].fanIn
        for k in 0..<fanIn { checkpoint.layers[0]!.ternary![fanIn + k] = 0 }
        let network = try checkpoint.folded()
        let shapes = try architecture.inferShapes()
        let count = 60
        let images = FixtureCheckpoint.randomImages(architecture: architecture, count: count, seed: seed)
        let integerLogits = try IntegerReference.logits(network: network, images: images, count: count)
        var compared = 0
        var distinctCodes = Set<Int>()
        imageLoop: for n in 0..<count {
            let image = Array(images[(n * network.inputElements)..<((n + 1) * network.inputElements)])
            let trace = try IntegerReference.trace(network: network, image: image)
            let float = SimulatedForward.run(checkpoint, image: image)
            #expect(Array(integerLogits[(n * network.classCount)..<((n + 1) * network.classCount)]) == trace.last!)
            for (i, layer) in architecture.layers.enumerated() where i < architecture.layers.count - 1 {
                let o = shapes[i].output
                let integerCodes = chwFromHWC(trace[i], channels: o.channels, height: o.height, width: o.width)
                distinctCodes.formUnion(integerCodes)
                for k in integerCodes.indices where integerCodes[k] != float.codes[i][k] {
                    let y = float.preActivations[i][k]
                    let taus = layer.activation!.thresholds
                    #expect(taus.contains { abs(y - $0) < 1e-6 }, "layer \(i) element \(k): y = \(y) is not at a threshold")
                    continue imageLoop
                }
            }
            compared += 1
            // Logits: the fixed point is within rounding of the float affine.
            let last = network.layers.last!
            let scale = Double(1 << Int(last.record.logitFractionBits))
            for c in 0..<network.classCount {
                let tolerance = (Double(last.record.fanIn) + 1) / scale
                #expect(abs(Double(trace.last![c]) / scale - float.logits[c]) <= tolerance)
            }
        }
        #expect(compared == count, "all images far from thresholds")
        #expect(distinctCodes.count >= 3, "the fixture reaches several quantizer levels")
    }

    /// Exact ties: with dyadic parameters `y` lands exactly on τ, and both sides must say `y ≥ τ`.
    @Test func exactTiesAreReachedOnBothSides() throws {
        let architecture = Architecture(
            name: "ties", input: .init(channels: 1, height: 1, width: 2, scale: 0.0625, offset: 0),
            layers: [.dense(out: 4, activation: .sign), .dense(out: 2, activation: .uniform2), .dense(out: 2, activation: nil)])
        // Layer 0: y = γ·(acc/16 − 100/16) + β over acc = pixel 0; ties at pixel 100 for γ = ±1, β = 0.
        let layer0 = Checkpoint.LayerTensors(
            ternary: [1, 0, 1, 0, 1, 0, 1, 0], alpha: [1],
            batchNorm: .init(gamma: [1, -1, 0, 0], beta: [0, 0, 0, -0.5], mean: [6.25, 6.25, 0, 0], variance: [1, 1, 1, 1]))
        // Layer 1 reads a = 2·code − 1: y = ±0.25·(a0 ± a1) + 0.5 lands exactly on τ = 0.5 whenever a0 ± a1 = 0.
        let layer1 = Checkpoint.LayerTensors(
            ternary: [1, 1, 0, 0, 1, -1, 0, 0], alpha: [0.25],
            batchNorm: .init(gamma: [1, -1], beta: [0.5, 0.5], mean: [0, 0], variance: [1, 1]))
        let layer2 = Checkpoint.LayerTensors(ternary: [1, 0, 0, 1], alpha: [1])
        let checkpoint = Checkpoint(architecture: architecture, layers: [layer0, layer1, layer2], batchNormEpsilon: 0,
                                    dataset: "ties", seed: 0)
        let network = try checkpoint.folded()
        #expect(network.layers[0].thresholds == [100, -100, Int32.min, Int32.max])
        var sawTie = false
        for pixel in 0...255 {
            let image: [UInt8] = [UInt8(pixel), 7]
            let trace = try IntegerReference.trace(network: network, image: image)
            let float = SimulatedForward.run(checkpoint, image: image)
            #expect(trace[0].map(Int.init) == float.codes[0], "pixel \(pixel)")
            #expect(trace[1].map(Int.init) == float.codes[1], "pixel \(pixel)")
            if float.preActivations[0].contains(0) && float.preActivations[1].contains(0.5) { sawTie = true }
            #expect(float.codes[0] == [pixel >= 100 ? 1 : 0, pixel <= 100 ? 1 : 0, 1, 0])
            #expect(float.codes[1] == (pixel == 100 ? [3, 2] : pixel < 100 ? [2, 3] : [2, 0]))
        }
        #expect(sawTie)
    }

    @Test func unsupportedCheckpointsNameTheLayer() throws {
        var baseline = FixtureCheckpoint.random(architecture: FixtureArchitecture.tinyDense, sparsity: 0.5, seed: 1)
        baseline.layers[1]!.ternary = nil
        baseline.layers[1]!.mask = nil
        #expect(throws: FoldingError.noTernaryWeights(layer: 1)) { try baseline.folded() }

        let threeBits = Architecture.Activation(bits: 3, thresholds: [1, 2, 3, 4, 5, 6, 7], scale: 1, offset: 0)
        let wide = Architecture(name: "wide", input: .init(channels: 1, height: 2, width: 2),
                                layers: [.dense(out: 2, activation: threeBits), .dense(out: 2, activation: nil)])
        #expect(throws: FoldingError.unsupportedActivationBits(layer: 0, bits: 3)) {
            try FixtureCheckpoint.random(architecture: wide, sparsity: 0.5, seed: 1).folded()
        }
        let poolFirst = Architecture(name: "pool", input: .init(channels: 1, height: 2, width: 2),
                                     layers: [.maxPool(size: 2), .dense(out: 2, activation: nil)])
        #expect(throws: FoldingError.maxPoolNotAfterActivation(layer: 0)) {
            try FixtureCheckpoint.random(architecture: poolFirst, sparsity: 0.5, seed: 1).folded()
        }
        var broken = FixtureCheckpoint.random(architecture: FixtureArchitecture.tinyDense, sparsity: 0.5, seed: 1)
        broken.layers[0]!.alpha = [0]
        #expect(throws: FoldingError.invalidCheckpoint(
            .badValue(tensor: "layers.0.alpha", index: 0, problem: "0.0 is not finite and > 0"))) { try broken.folded() }
        var huge = FixtureCheckpoint.random(architecture: FixtureArchitecture.tinyDense, sparsity: 0.5, seed: 1)
        huge.layers[2]!.batchNorm!.beta[1] = 4e9
        #expect(throws: FoldingError.logitAffineOutOfRange(layer: 2, channel: 1)) { try huge.folded() }
    }
}
