import TernFormat

/// A checkpoint that folding cannot turn into integers. `layer` is the index in `architecture.layers`.
public enum FoldingError: Error, Equatable, Sendable {
    case invalidCheckpoint(CheckpointError)
    /// Float-only baselines have latent weights but no deployed ternary ones.
    case noTernaryWeights(layer: Int)
    /// The integer dataflow has 1- and 2-bit activations only.
    case unsupportedActivationBits(layer: Int, bits: Int)
    /// Max-pool works on codes; it cannot read the raw pixels.
    case maxPoolNotAfterActivation(layer: Int)
    /// The layer would need accumulators or sizes beyond `TernFormat.Limits`.
    case tooLarge(layer: Int, problem: String)
    /// Even with 0 fraction bits a logit scale or bias does not fit in an Int32.
    case logitAffineOutOfRange(layer: Int, channel: Int)
}

/// Batch-norm + quantizer folding, exactly as docs/DATAFLOW.md "Folding" describes. Used by both the trainer's
/// integer reference and the compiler, so what is evaluated is what is shipped.
public enum Folding {
    /// Largest fixed-point fraction of the last layer's affine.
    public static let maximumLogitFractionBits = 24

    /// The integer network of a checkpoint, weights in artifact order (OHWI, HWC-flattened dense inputs).
    public static func fold(_ checkpoint: Checkpoint, name: String? = nil) throws(FoldingError) -> IntegerNetwork {
        do { try checkpoint.validate() } catch { throw .invalidCheckpoint(error) }
        let architecture = checkpoint.architecture
        let shapes = try! architecture.inferShapes()  // validate() checked the architecture
        let lastWeightLayer = architecture.weightLayerIndices.last!
        var layers: [IntegerNetwork.Layer] = []
        // The real value of the current layer's inputs, `scale · x + offset`, and the largest x.
        var inputScale = architecture.input.scale
        var inputOffset = architecture.input.offset
        var maxInput = 255
        var inputBits: UInt8 = 8

        for (i, layer) in architecture.layers.enumerated() {
            let shape = shapes[i]
            var record = LayerRecord(
                kind: .dense, inputBits: inputBits, outputBits: 0,
                inChannels: UInt32(shape.input.channels), inHeight: UInt32(shape.input.height),
                inWidth: UInt32(shape.input.width), outChannels: UInt32(shape.output.channels),
                outHeight: UInt32(shape.output.height), outWidth: UInt32(shape.output.width))
            switch layer {
            case .maxPool(let size):
                guard inputBits != 8 else { throw .maxPoolNotAfterActivation(layer: i) }
                record.kind = .maxPool
                record.outputBits = inputBits
                record.kernel = UInt8(size)
                record.stride = UInt8(size)
                layers.append(IntegerNetwork.Layer(record: record))
                continue
            case .dense:
                break
            case .conv(_, let kernel, let padding, _):
                record.kind = .conv
                record.kernel = UInt8(kernel)
                record.padding = UInt8(padding)
                record.stride = 1
            }
            guard shape.fanIn <= Limits.fanIn, shape.output.channels <= Limits.channels,
                  shape.output.channels * shape.fanIn <= Limits.elements else {
                throw .tooLarge(layer: i, problem: "fan-in \(shape.fanIn) × \(shape.output.channels) outputs exceeds "
                                + "the format's limits")
            }
            let tensors = checkpoint.layers[i]!
            guard let ternary = tensors.ternary else { throw .noTernaryWeights(layer: i) }
            var weights = artifactOrder(ternary, layer: layer, shape: shape)
            let out = shape.output.channels
            let fanIn = shape.fanIn
            var affineA = [Double](repeating: 0, count: out)
            var affineB = [Double](repeating: 0, count: out)
            var reach = [Int](repeating: 0, count: out)
            for c in 0..<out {
                let row = weights[(c * fanIn)..<((c + 1) * fanIn)]
                var sum = 0
                var magnitude = 0
                for w in row {
                    sum += Int(w)
                    magnitude += Int(w.magnitude)
                }
                reach[c] = magnitude * maxInput
                (affineA[c], affineB[c]) = affine(
                    alpha: Double(tensors.alpha(channel: c)!), weightSum: sum, inputScale: inputScale,
                    inputOffset: inputOffset,
                    batchNorm: tensors.batchNorm.map {
                        (Double($0.gamma[c]), Double($0.beta[c]), Double($0.mean[c]), Double($0.variance[c]))
                    },
                    epsilon: checkpoint.batchNormEpsilon)
            }

            var result = IntegerNetwork.Layer(record: record)
            if i == lastWeightLayer {
                guard let (scale, bias, fraction) = logitAffine(a: affineA, b: affineB) else {
                    let bad = (0..<out).first { c in
                        affineA[c].magnitude.rounded() >= 0x1p31 || affineB[c].magnitude.rounded() >= 0x1p31
                    } ?? 0
                    throw .logitAffineOutOfRange(layer: i, channel: bad)
                }
                result.logitScale = scale
                result.logitBias = bias
                result.record.logitFractionBits = UInt8(fraction)
            } else {
                let activation = layer.activation!
                guard activation.bits == 1 || activation.bits == 2 else {
                    throw .unsupportedActivationBits(layer: i, bits: activation.bits)
                }
                result.record.outputBits = UInt8(activation.bits)
                result.thresholds.reserveCapacity(out * activation.thresholds.count)
                for c in 0..<out {
                    let (negate, t) = thresholds(a: affineA[c], b: affineB[c], taus: activation.thresholds,
                                                 reach: reach[c])
                    if negate {
                        for k in (c * fanIn)..<((c + 1) * fanIn) { weights[k] = -weights[k] }
                    }
                    result.thresholds += t
                }
                inputScale = activation.scale
                inputOffset = activation.offset
                maxInput = activation.maxCode
                inputBits = UInt8(activation.bits)
            }
            result.weights = weights
            result.record.nonzeroWeights = UInt32(weights.count(where: { $0 != 0 }))
            layers.append(result)
        }
        return IntegerNetwork(
            name: name ?? "\(architecture.name)-\(checkpoint.dataset)", architecture: architecture.name,
            dataset: checkpoint.dataset, inputChannels: architecture.input.channels,
            inputHeight: architecture.input.height, inputWidth: architecture.input.width, layers: layers)
    }

    /// `y = A · acc + B` for one output channel: docs/DATAFLOW.md's `A_c`, `B_c`. Without batch norm `y = z`.
    public static func affine(
        alpha: Double, weightSum: Int, inputScale: Double, inputOffset: Double,
        batchNorm: (gamma: Double, beta: Double, mean: Double, variance: Double)?, epsilon: Double
    ) -> (a: Double, b: Double) {
        let zScale = alpha * inputScale
        let zOffset = alpha * inputOffset * Double(weightSum)
        guard let bn = batchNorm else { return (zScale, zOffset) }
        let deviation = (bn.variance + epsilon).squareRoot()
        return (bn.gamma * zScale / deviation, bn.gamma * (zOffset - bn.mean) / deviation + bn.beta)
    }

    /// Integer thresholds on the accumulator for `code = #{ j : A·acc + B ≥ τ_j }`, where `|acc| ≤ reach`.
    ///
    /// Returns whether the channel's weights must be negated (A < 0) and the non-decreasing thresholds; values that
    /// are always reached become `Int32.min`, never reached `Int32.max`.
    public static func thresholds(a: Double, b: Double, taus: [Double], reach: Int) -> (negate: Bool, thresholds: [Int32]) {
        let low = Double(-reach - 1)
        let high = Double(reach + 1)
        var result: [Int32] = []
        result.reserveCapacity(taus.count)
        for tau in taus {
            var t: Double
            if a > 0 {
                t = ((tau - b) / a).rounded(.up)
            } else if a < 0 {
                // acc ≤ q  ⇔  −acc ≥ −floor(q), with the row negated.
                t = -((tau - b) / a).rounded(.down)
            } else {
                t = b >= tau ? low : high
            }
            t = min(max(t, low), high)
            result.append(t == low ? Int32.min : t == high ? Int32.max : Int32(t))
        }
        return (a < 0, result)
    }

    /// The last layer's fixed point: `M = round(A · 2^F)`, `B' = round(B · 2^F)` with the largest `F ≤ 24` that keeps
    /// all of them below 2^31 in magnitude; nil if even `F = 0` does not.
    public static func logitAffine(a: [Double], b: [Double]) -> (scale: [Int32], bias: [Int32], fractionBits: Int)? {
        for f in stride(from: maximumLogitFractionBits, through: 0, by: -1) {
            let factor = Double(sign: .plus, exponent: f, significand: 1)
            let scale = a.map { ($0 * factor).rounded() }
            let bias = b.map { ($0 * factor).rounded() }
            if (scale + bias).allSatisfy({ $0.magnitude < 0x1p31 }) {
                return (scale.map { Int32($0) }, bias.map { Int32($0) }, f)
            }
        }
        return nil
    }

    /// Checkpoint order → artifact order: conv OIHW → OHWI; a dense layer reading a C×H×W map, CHW → HWC columns.
    static func artifactOrder(_ w: [Int8], layer: Architecture.Layer, shape: LayerShape) -> [Int8] {
        let out = shape.output.channels
        switch layer {
        case .conv(_, let k, _, _):
            let inC = shape.input.channels
            var result = [Int8](repeating: 0, count: w.count)
            for o in 0..<out {
                for i in 0..<inC {
                    for y in 0..<k {
                        for x in 0..<k {
                            result[((o * k + y) * k + x) * inC + i] = w[((o * inC + i) * k + y) * k + x]
                        }
                    }
                }
            }
            return result
        case .dense:
            let (c, h, wd) = (shape.input.channels, shape.input.height, shape.input.width)
            guard h * wd > 1, c > 1 else { return w }
            let fanIn = c * h * wd
            var result = [Int8](repeating: 0, count: w.count)
            for o in 0..<out {
                for ch in 0..<c {
                    for p in 0..<(h * wd) {
                        result[o * fanIn + p * c + ch] = w[o * fanIn + ch * h * wd + p]
                    }
                }
            }
            return result
        case .maxPool:
            return w
        }
    }
}

extension Checkpoint {
    /// The integer network of this checkpoint (`Folding.fold`).
    public func folded(name: String? = nil) throws(FoldingError) -> IntegerNetwork {
        try Folding.fold(self, name: name)
    }
}
