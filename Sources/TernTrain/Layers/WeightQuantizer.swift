/// How a layer's latent float weights become the weights the forward pass uses.
///
/// Gradients go straight through (STE): ∂L/∂w_latent = ∂L/∂w_used · mask, whatever the mode (docs/METHOD.md).
public enum WeightQuantization: String, Sendable, Codable {
    /// Latent weights as they are (float baseline).
    case float
    /// BNN: `α · sign(w)`, `sign(0) = +1`, α = mean |w|.
    case binary
    /// TWN-style ternary: `t = sign(w) · [|w| > Δ]`, Δ = `thresholdFactor` · mean |w| (0.7 in TWN), α = mean |w|
    /// over `t ≠ 0`. Pruned weights (mask 0) are zero.
    case ternary
    /// Sparse ternary after pruning: `t = sign(w)` where the mask is 1, else 0; α = mean |w| over the mask.
    case masked
}

/// The quantized weights of one layer: `used = α · ternary` (float mode: `used` = latent).
public struct QuantizedWeights {
    public var used: [Float]
    public var ternary: [Int8]
    public var alpha: Float
    /// Δ of the dead zone, in latent units (0 outside `.ternary`).
    public var threshold: Float
}

public enum WeightQuantizer {
    /// Quantizes `latent` (with an optional pruning mask) per `mode`.
    public static func quantize(_ latent: [Float], mask: [UInt8]?, mode: WeightQuantization,
                                thresholdFactor: Float) -> QuantizedWeights {
        let n = latent.count
        if mode == .float {
            var used = latent
            if let mask { for i in 0 ..< n where mask[i] == 0 { used[i] = 0 } }
            return QuantizedWeights(used: used, ternary: [], alpha: 1, threshold: 0)
        }
        let ones = [UInt8](repeating: 1, count: mask == nil ? n : 0)
        let m = mask ?? ones
        var ternary = [Int8](repeating: 0, count: n)
        var used = [Float](repeating: 0, count: n)
        var alpha: Float = 1, delta: Float = 0
        latent.withUnsafeBufferPointer { w in m.withUnsafeBufferPointer { mk in
            ternary.withUnsafeMutableBufferPointer { t in
                var meanAbs: Double = 0
                for i in 0 ..< n { meanAbs += Double(abs(w[i])) }
                meanAbs /= Double(max(n, 1))
                var sum: Double = 0, kept = 0
                switch mode {
                case .float: break
                case .binary:
                    for i in 0 ..< n { t[i] = w[i] < 0 ? -1 : 1 }
                    sum = meanAbs; kept = 1
                case .ternary:
                    delta = thresholdFactor * Float(meanAbs)
                    for i in 0 ..< n where abs(w[i]) > delta && mk[i] != 0 {
                        t[i] = w[i] < 0 ? -1 : 1
                        sum += Double(abs(w[i])); kept += 1
                    }
                case .masked:
                    for i in 0 ..< n where mk[i] != 0 {
                        t[i] = w[i] < 0 ? -1 : 1
                        sum += Double(abs(w[i])); kept += 1
                    }
                }
                let a = kept > 0 ? Float(sum / Double(kept)) : 1
                alpha = a > 0 ? a : 1
            }
        } }
        let a = alpha
        ternary.withUnsafeBufferPointer { t in used.withUnsafeMutableBufferPointer { u in
            for i in 0 ..< n { u[i] = Float(t[i]) * a }
        } }
        return QuantizedWeights(used: used, ternary: ternary, alpha: alpha, threshold: delta)
    }
}
