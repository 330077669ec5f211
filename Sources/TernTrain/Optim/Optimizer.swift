/// Parameter updates. Regularizers on latent weights are applied decoupled from the gradient step (AdamW style),
/// as the exact proximal/decay steps written in docs/METHOD.md.
public struct Optimizer: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case adam, sgd }
    public var kind: Kind = .adam
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var momentum: Float = 0.9
    /// Latent weights are clipped to ±clip after each step (keeps BNN/TWN latents from drifting away).
    public var clip: Float = 1

    public init(kind: Kind = .adam) { self.kind = kind }

    /// One step at learning rate `lr` (`step` counts from 1, for Adam's bias correction).
    /// - Parameters:
    ///   - l2: decoupled weight decay: `w ← w − lr·l2·w`.
    ///   - thresholdPenalty: the quantization-threshold regularizer's proximal step: weights with `|w| < Δ` move
    ///     `lr·λq` toward zero (stopping at zero). `deadZone(layer)` gives Δ; nil disables it.
    ///   - mask: pruned weights (mask 0) and their optimizer state are set back to zero after the step.
    /// Element-wise and parallel; the result does not depend on the thread count.
    public func update(_ p: Parameter, lr: Float, step: Int, l2: Float, thresholdPenalty: Float, deadZone: Float?,
                       mask: [UInt8]? = nil) {
        let n = p.count
        let (b1, b2, eps, mom, kind, clip) = (beta1, beta2, epsilon, momentum, kind, clip)
        let c1 = 1 - pow(b1, Float(step)), c2 = 1 - pow(b2, Float(step))
        let stepSize = lr * c2.squareRoot() / c1
        let decay: Float = p.isWeight && l2 > 0 ? 1 - lr * l2 : 1
        let shrink: Float = p.isWeight && thresholdPenalty > 0 && deadZone != nil ? lr * thresholdPenalty : 0
        let delta = deadZone ?? 0
        let clipTo: Float = p.isWeight && clip > 0 ? clip : .infinity
        let none = [UInt8]()
        let keep = mask ?? none
        p.value.withUnsafeMutableBufferPointer { wb in
            p.grad.withUnsafeBufferPointer { gb in
                p.moment1.withUnsafeMutableBufferPointer { mb in
                    p.moment2.withUnsafeMutableBufferPointer { vb in keep.withUnsafeBufferPointer { kb in
                        // Element-wise: every worker touches only its own slice.
                        nonisolated(unsafe) let (w, g, m, v, k) = (wb, gb, mb, vb, kb)
                        let masked = !k.isEmpty
                        Parallel.forEachSlice(count: n, granule: 64) { r in
                            for i in r {
                                let gi = g[i]
                                var wi = w[i]
                                switch kind {
                                case .adam:
                                    m[i] = b1 * m[i] + (1 - b1) * gi
                                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                    wi -= stepSize * m[i] / (v[i].squareRoot() + eps)
                                case .sgd:
                                    m[i] = mom * m[i] + gi
                                    wi -= lr * m[i]
                                }
                                wi *= decay
                                if shrink > 0 && abs(wi) < delta {
                                    let a = abs(wi) - shrink
                                    wi = a > 0 ? (wi < 0 ? -a : a) : 0
                                }
                                wi = min(max(wi, -clipTo), clipTo)
                                // A pruned weight stays 0, and so do its moments: left alone they would decay
                                // geometrically into subnormal floats, which cost Intel cores a microcode assist
                                // per operation (stage 3 ran 2.7× slower there; docs/TOOLCHAIN.md).
                                if masked && k[i] == 0 { wi = 0; m[i] = 0; v[i] = 0 }
                                w[i] = wi
                            }
                        }
                    } }
                }
            }
        }
    }
}

/// Learning-rate schedules over a stage of `total` steps.
public enum Schedule: String, Sendable, Codable {
    /// `lr · ½(1 + cos(π t/T))`.
    case cosine
    /// One-cycle: linear warm-up from lr/25 to lr over the first 30 %, then cosine down to lr/1e4.
    case oneCycle = "one-cycle"
    case constant

    public func rate(base: Float, step: Int, total: Int) -> Float {
        let t = Double(step) / Double(max(total, 1))
        switch self {
        case .constant: return base
        case .cosine: return Float(Double(base) * 0.5 * (1 + cos(Double.pi * t)))
        case .oneCycle:
            if t < 0.3 { return Float(Double(base) * (0.04 + 0.96 * t / 0.3)) }
            let u = (t - 0.3) / 0.7
            let lo = Double(base) * 1e-4
            return Float(lo + (Double(base) - lo) * 0.5 * (1 + cos(Double.pi * u)))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
