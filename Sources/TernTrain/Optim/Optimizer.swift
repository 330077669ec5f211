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
    public func update(_ p: Parameter, lr: Float, step: Int, l2: Float, thresholdPenalty: Float, deadZone: Float?) {
        let n = p.count
        let (b1, b2, eps, mom) = (beta1, beta2, epsilon, momentum)
        p.value.withUnsafeMutableBufferPointer { w in
            p.grad.withUnsafeBufferPointer { g in
                p.moment1.withUnsafeMutableBufferPointer { m in
                    p.moment2.withUnsafeMutableBufferPointer { v in
                        switch kind {
                        case .adam:
                            let c1 = 1 - pow(b1, Float(step)), c2 = 1 - pow(b2, Float(step))
                            let stepSize = lr * c2.squareRoot() / c1
                            for i in 0 ..< n {
                                let gi = g[i]
                                m[i] = b1 * m[i] + (1 - b1) * gi
                                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                w[i] -= stepSize * m[i] / (v[i].squareRoot() + eps)
                            }
                        case .sgd:
                            for i in 0 ..< n {
                                m[i] = mom * m[i] + g[i]
                                w[i] -= lr * m[i]
                            }
                        }
                    }
                }
            }
            guard p.isWeight else { return }
            if l2 > 0 { let f = 1 - lr * l2; for i in 0 ..< n { w[i] *= f } }
            if let delta = deadZone, thresholdPenalty > 0 {
                let shrink = lr * thresholdPenalty
                for i in 0 ..< n where abs(w[i]) < delta {
                    let a = abs(w[i]) - shrink
                    w[i] = a > 0 ? (w[i] < 0 ? -a : a) : 0
                }
            }
            if clip > 0 { for i in 0 ..< n { w[i] = min(max(w[i], -clip), clip) } }
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
