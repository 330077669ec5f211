import TernModel

/// A feed-forward stack of weight layers (dense/conv + batch-norm + activation) and 2×2 max-pools.
public final class Network {
    public enum Block {
        case weight(WeightLayer)
        case pool(MaxPool)
    }

    public let architecture: Architecture
    public let blocks: [Block]
    public let classes: Int
    public let inputScale: Float
    public let inputOffset: Float
    /// The weight layers in order (the checkpoint's `layers.i` skip the pools).
    public var weightLayers: [WeightLayer] {
        blocks.compactMap { if case .weight(let l) = $0 { return l } else { return nil } }
    }

    /// Builds the network and initializes its weights from `seed`; `activationOverride` replaces every hidden
    /// activation (the float baseline uses ReLU).
    public init(architecture: Architecture, seed: UInt64, activationOverride: ActivationQuantizer? = nil) {
        self.architecture = architecture
        inputScale = Float(architecture.input.scale)
        inputOffset = Float(architecture.input.offset)
        var rng = SplitMix64(seed: seed)
        var blocks: [Block] = []
        var c = architecture.input.channels, h = architecture.input.height, w = architecture.input.width
        var padValue = inputOffset
        for layer in architecture.layers {
            switch layer {
            case .dense(let out, let activation):
                let act = activation.map { activationOverride ?? ActivationQuantizer($0) }
                let l = WeightLayer(geometry: .dense(inputs: c * h * w), outputs: out, activation: act, rng: &rng)
                l.inputPadValue = padValue
                blocks.append(.weight(l))
                c = out; h = 1; w = 1
                padValue = act?.zeroCodeValue ?? 0
            case .conv(let out, let k, let p, let activation):
                let act = activation.map { activationOverride ?? ActivationQuantizer($0) }
                let l = WeightLayer(geometry: .conv(inChannels: c, height: h, width: w, kernel: k, padding: p),
                                    outputs: out, activation: act, rng: &rng)
                l.inputPadValue = padValue
                blocks.append(.weight(l))
                h = l.outHeight; w = l.outWidth; c = out
                padValue = act?.zeroCodeValue ?? 0
            case .maxPool:
                blocks.append(.pool(MaxPool(channels: c, height: h, width: w)))
                h /= 2; w /= 2
            }
        }
        self.blocks = blocks
        classes = c
    }

    /// The real-valued input of `count` images starting at `images[offset]` (pixels HWC), gathered by `order`.
    public func inputs(_ images: [UInt8], imageSize: Int, indices: ArraySlice<Int>) -> [Float] {
        var x = [Float](repeating: 0, count: indices.count * imageSize)
        let s = inputScale, o = inputOffset
        var r = 0
        for idx in indices {
            let base = idx * imageSize
            for p in 0 ..< imageSize { x[r * imageSize + p] = s * Float(images[base + p]) + o }
            r += 1
        }
        return x
    }

    /// Logits `[batch][classes]`.
    public func forward(_ x: [Float], batch: Int, training: Bool) -> [Float] {
        var a = x
        for block in blocks {
            switch block {
            case .weight(let l): a = l.forward(a, batch: batch, training: training)
            case .pool(let p): a = p.forward(a, batch: batch)
            }
        }
        return a
    }

    /// Back-propagates ∂L/∂logits, accumulating every parameter's gradient.
    public func backward(_ gradLogits: [Float]) {
        var g = gradLogits
        for (i, block) in blocks.enumerated().reversed() {
            switch block {
            case .weight(let l): g = l.backward(g, needInputGradient: i > 0)
            case .pool(let p): g = p.backward(g)
            }
        }
    }

    public var parameters: [Parameter] { weightLayers.flatMap { [$0.weight, $0.gamma, $0.beta] } }

    public func zeroGradients() {
        for p in parameters { p.grad.withUnsafeMutableBufferPointer { g in g.update(repeating: 0) } }
    }

    public func setQuantization(_ mode: WeightQuantization, thresholdFactor: Float = 0.7) {
        for l in weightLayers { l.quantization = mode; l.thresholdFactor = thresholdFactor }
    }

    /// Fraction of zero weights over all weight layers (deployed weights).
    public var sparsity: (total: Double, layers: [Double]) {
        var zeros = 0.0, all = 0.0
        var per: [Double] = []
        for l in weightLayers {
            let s = l.sparsity
            per.append(s)
            zeros += s * Double(l.weight.count); all += Double(l.weight.count)
        }
        return (all > 0 ? zeros / all : 0, per)
    }
}
