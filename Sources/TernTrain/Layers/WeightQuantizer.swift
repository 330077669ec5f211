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
    /// Quantizes `latent` (with an optional pruning mask) per `mode`. Runs on every training step over every
    /// weight, so it is branch-free and parallel over fixed chunks (results independent of the thread count).
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
        latent.withUnsafeBufferPointer { wb in m.withUnsafeBufferPointer { mb in
            ternary.withUnsafeMutableBufferPointer { tb in
                // Workers read w and m and write disjoint ranges of t.
                nonisolated(unsafe) let (w, mk, t) = (wb, mb, tb)
                let meanAbs = Parallel.chunkedSum(count: n) { r in (sumAbs(w, r, keep: nil), r.count) }.sum
                    / Double(max(n, 1))
                var dz: Float = -1
                var sumKept: (sum: Double, count: Int) = (0, 0)
                switch mode {
                case .float: break
                case .binary:
                    Parallel.forEachSlice(count: n) { r in for i in r { t[i] = w[i] < 0 ? -1 : 1 } }
                    sumKept = (meanAbs, 1)
                case .ternary, .masked:
                    if mode == .ternary { delta = thresholdFactor * Float(meanAbs); dz = delta }
                    let limit = dz
                    sumKept = Parallel.chunkedSum(count: n) { r in
                        var kept = 0
                        for i in r {
                            let on = abs(w[i]) > limit && mk[i] != 0
                            t[i] = on ? (w[i] < 0 ? -1 : 1) : 0
                            kept += on ? 1 : 0
                        }
                        return (sumAbs(w, r, keep: t), kept)
                    }
                }
                let a = sumKept.count > 0 ? Float(sumKept.sum / Double(sumKept.count)) : 1
                alpha = a > 0 ? a : 1
            }
        } }
        let a = alpha
        ternary.withUnsafeBufferPointer { tb in used.withUnsafeMutableBufferPointer { ub in
            nonisolated(unsafe) let (t, u) = (tb, ub)
            Parallel.forEachSlice(count: n) { r in for i in r { u[i] = Float(t[i]) * a } }
        } }
        return QuantizedWeights(used: used, ternary: ternary, alpha: alpha, threshold: delta)
    }

    /// Σ |w[i]| over `r` (only where `keep[i] ≠ 0` when given), four interleaved Double accumulators.
    @inline(__always)
    private static func sumAbs(_ w: UnsafeBufferPointer<Float>, _ r: Range<Int>,
                               keep: UnsafeMutableBufferPointer<Int8>?) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = r.lowerBound
        func v(_ j: Int) -> Double {
            let x = Double(abs(w[j]))
            guard let keep else { return x }
            return keep[j] != 0 ? x : 0
        }
        while i + 4 <= r.upperBound {
            s0 += v(i); s1 += v(i + 1); s2 += v(i + 2); s3 += v(i + 3)
            i += 4
        }
        while i < r.upperBound { s0 += v(i); i += 1 }
        return (s0 + s1) + (s2 + s3)
    }
}
