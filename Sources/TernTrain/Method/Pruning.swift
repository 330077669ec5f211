/// Stage 2's quantization pruning: chooses which weights become permanent zeros.
public enum Pruner {
    /// Per-layer sparsities that reach `target` over all layers: the last layer gets `min(target, cap)`, the others
    /// share one value s_h with Σ s_l·n_l = target · Σ n_l. When the last layer is so large that s_h would keep less
    /// than half of the target's density in the other layers, every layer gets `target` instead.
    public static func perLayerTargets(counts: [Int], target: Double, lastCap: Double) -> [Double] {
        guard let lastCount = counts.last else { return [] }
        if counts.count == 1 { return [target] }
        let total = Double(counts.reduce(0, +))
        let last = min(target, lastCap)
        let rest = total - Double(lastCount)
        let hidden = max(0, (target * total - last * Double(lastCount)) / rest)
        if hidden > 1 - (1 - target) / 2 { return counts.map { _ in target } }
        return counts.dropLast().map { _ in hidden } + [last]
    }

    /// New masks for `layers` at overall sparsity `target`: weights already pruned stay pruned; among the rest, the
    /// smallest |w| (ties: lower index first) are pruned until each layer reaches its share. Pruned latents are set to 0.
    public static func prune(_ layers: [WeightLayer], target: Double, recipe: Recipe) {
        let counts = layers.map { $0.weight.count }
        let lastTarget = min(target, recipe.lastLayerSparsityCap)
        switch recipe.pruning {
        case .perLayer, .erk:
            let targets = recipe.pruning == .erk
                ? erkTargets(counts: counts, scores: layers.map(erkScore),
                             alreadyPruned: layers.map { l in l.mask.map { m in m.reduce(0) { $0 + (1 - Int($1)) } } ?? 0 },
                             target: target, lastCap: recipe.lastLayerSparsityCap)
                : perLayerTargets(counts: counts, target: target, lastCap: recipe.lastLayerSparsityCap)
            for (l, s) in zip(layers, targets) {
                apply(l, keepScores: l.weight.value.map { abs($0) }, pruneCount: Int((s * Double(l.weight.count)).rounded()))
            }
        case .global:
            // Last layer on its own; the rest ranked together on |w| / mean|w| of their layer.
            let body = Array(layers.dropLast())
            var scored: [(Float, Int, Int)] = []
            for (li, l) in body.enumerated() {
                let mean = l.weight.value.reduce(Float(0)) { $0 + abs($1) } / Float(max(l.weight.count, 1))
                for (i, w) in l.weight.value.enumerated() { scored.append((abs(w) / max(mean, 1e-12), li, i)) }
            }
            let bodyTotal = counts.dropLast().reduce(0, +)
            let wanted = Int((target * Double(counts.reduce(0, +)) - lastTarget * Double(counts.last!)).rounded())
            let pruneCount = min(bodyTotal, max(0, wanted))
            scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2) }
            var masks = body.map { $0.mask ?? [UInt8](repeating: 1, count: $0.weight.count) }
            for j in 0 ..< pruneCount { masks[scored[j].1][scored[j].2] = 0 }
            for (li, l) in body.enumerated() {
                l.mask = masks[li]
                for i in 0 ..< l.weight.count where masks[li][i] == 0 { l.weight.value[i] = 0 }
            }
            if let last = layers.last {
                apply(last, keepScores: last.weight.value.map { abs($0) },
                      pruneCount: Int((lastTarget * Double(last.weight.count)).rounded()))
            }
        }
    }

    /// ERK's density score of a layer: (c_in + c_out + k + k) / (c_in · c_out · k · k) for a k×k conv,
    /// (n_in + n_out) / (n_in · n_out) for a dense layer.
    static func erkScore(_ l: WeightLayer) -> Double {
        switch l.geometry {
        case .dense(let n): return Double(n + l.outputs) / Double(n * l.outputs)
        case .conv(let c, _, _, let k, _): return Double(c + l.outputs + 2 * k) / Double(c * l.outputs * k * k)
        }
    }

    /// Per-layer sparsities for ERK pruning at overall sparsity `target`: the last layer gets `min(target, lastCap)`;
    /// every other layer l keeps density min(ε·score_l, 1 − alreadyPruned_l / count_l) (a pruned weight never
    /// returns), with one ε chosen so the zeros add up to the target. Layers that hit their ceiling are fixed and ε
    /// is solved again for the rest; when every layer is at its ceiling, each keeps what it has (the total is then at or
    /// just above the target). Falls back to `perLayerTargets` only for degenerate scores.
    public static func erkTargets(counts: [Int], scores: [Double], alreadyPruned: [Int], target: Double,
                                  lastCap: Double) -> [Double] {
        guard counts.count > 1 else { return perLayerTargets(counts: counts, target: target, lastCap: lastCap) }
        let hidden = counts.count - 1
        let last = min(target, lastCap)
        let total = Double(counts.reduce(0, +))
        // Nonzeros the hidden layers may keep in all.
        let budget = (1 - target) * total - (1 - last) * Double(counts[hidden])
        let ceiling = (0 ..< hidden).map { 1 - Double(alreadyPruned[$0]) / Double(max(counts[$0], 1)) }
        var fixed = [Bool](repeating: false, count: hidden)
        var density = ceiling
        while true {
            let fixedKept = (0 ..< hidden).filter { fixed[$0] }.reduce(0.0) { $0 + ceiling[$1] * Double(counts[$1]) }
            let free = (0 ..< hidden).filter { !fixed[$0] }
            // Every layer already holds no more than its share (stage 1's dead zone, or rounding at the end of
            // stage 2): each keeps what it has. Per-layer targets here would prune the small layers after all.
            if free.isEmpty { break }
            let weighted = free.reduce(0.0) { $0 + scores[$1] * Double(counts[$1]) }
            guard weighted > 0, budget - fixedKept >= 0 else {
                return perLayerTargets(counts: counts, target: target, lastCap: lastCap)
            }
            let epsilon = (budget - fixedKept) / weighted
            let capped = free.filter { epsilon * scores[$0] > ceiling[$0] }
            if capped.isEmpty {
                for l in free { density[l] = epsilon * scores[l] }
                break
            }
            for l in capped { fixed[l] = true }
        }
        return density.map { 1 - $0 } + [last]
    }

    /// Stage 2's first step (Faraone et al.'s quantization pruning): every weight the ternary quantizer maps to zero
    /// (|w| ≤ Δ, or already pruned) is pruned for good. Stage 2's magnitude schedule then continues from this
    /// sparsity, so the final sparsity is at least the target.
    public static func pruneDeadZone(_ layers: [WeightLayer], thresholdFactor: Float) {
        for l in layers {
            let q = WeightQuantizer.quantize(l.weight.value, mask: l.mask, mode: .ternary, thresholdFactor: thresholdFactor)
            l.mask = q.ternary.map { $0 == 0 ? 0 : 1 }
            for i in 0 ..< q.ternary.count where q.ternary[i] == 0 { l.weight.value[i] = 0 }
        }
    }

    /// Prunes the `pruneCount` lowest-score weights of a layer (already-pruned ones count first).
    static func apply(_ l: WeightLayer, keepScores: [Float], pruneCount: Int) {
        var mask = l.mask ?? [UInt8](repeating: 1, count: l.weight.count)
        let order = (0 ..< keepScores.count).sorted {
            let a = mask[$0] == 0 ? -Float.infinity : keepScores[$0]
            let b = mask[$1] == 0 ? -Float.infinity : keepScores[$1]
            return a != b ? a < b : $0 < $1
        }
        for j in 0 ..< min(pruneCount, order.count) { mask[order[j]] = 0 }
        l.mask = mask
        for i in 0 ..< mask.count where mask[i] == 0 { l.weight.value[i] = 0 }
    }

    /// Zhu & Gupta's gradual schedule: sparsity after fraction `t` ∈ [0, 1] of stage 2: `s·(1 − (1 − t)³)`.
    public static func gradualTarget(final s: Double, progress t: Double) -> Double {
        s * (1 - pow(1 - min(max(t, 0), 1), 3))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
