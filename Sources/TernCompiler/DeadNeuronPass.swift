import TernFormat
import TernModel

/// Dead-neuron elimination, bit-exact (GUIDE §3). For every hidden weight layer P and the next weight layer Q
/// (max-pools in between carry channels through unchanged), a channel c of P is removed when
///
/// - **nobody reads it**: every weight of Q on channel c's inputs is zero. Its row of P, its thresholds and its
///   (all-zero) columns of Q go; Q's accumulators are unchanged.
/// - **it is constant**: all of its thresholds are sentinels after `ThresholdPass.canonicalize` (e.g. its row of P is
///   all zero, so its accumulator is always 0), so its code is the same k everywhere. Q then adds the constant
///   `C_o = k · Σ W_Q[o][columns of c]` to every accumulator, which moves into Q's thresholds (`acc + C ≥ t ⇔
///   acc ≥ t − C`) or, for the final layer, into its bias (`B + C·M`). Skipped when k ≠ 0 and Q is a padded conv
///   (its border positions read code 0, not k), or when the moved value would leave the non-sentinel Int32 range.
///
/// A layer keeps at least one channel. Run to a fixed point (removing a channel can zero another row).
enum DeadNeuronPass {
    /// One sweep over all producer layers. Returns the network and how many channels were removed.
    static func apply(_ network: IntegerNetwork) -> (IntegerNetwork, removed: Int) {
        var net = network
        var removed = 0
        for p in net.layers.indices {
            guard net.layers[p].record.thresholdsPerChannel > 0 else { continue }
            guard let q = consumer(of: p, in: net) else { continue }
            removed += eliminate(producer: p, consumer: q, in: &net)
        }
        return (net, removed)
    }

    /// The next weight layer after `p`, if only max-pools lie between.
    static func consumer(of p: Int, in net: IntegerNetwork) -> Int? {
        var q = p + 1
        while q < net.layers.count, net.layers[q].record.kind == .maxPool { q += 1 }
        return q < net.layers.count ? q : nil
    }

    private static func eliminate(producer p: Int, consumer q: Int, in net: inout IntegerNetwork) -> Int {
        let channels = Int(net.layers[p].record.outChannels)
        let per = net.layers[p].record.thresholdsPerChannel
        let qr = net.layers[q].record
        let qFanIn = qr.fanIn
        let blocks = qFanIn / channels  // Q's inputs are blocks of `channels` values, channel innermost
        var remove = [Bool](repeating: false, count: channels)
        var removeCount = 0
        for c in 0..<channels where removeCount < channels - 1 {
            // Column sums of Q over channel c, per output: zero everywhere means "nobody reads it".
            var sums = [Int64](repeating: 0, count: Int(qr.outChannels))
            var anyNonzero = false
            for o in 0..<Int(qr.outChannels) {
                var s: Int64 = 0
                for b in 0..<blocks {
                    let w = net.layers[q].weights[o * qFanIn + b * channels + c]
                    if w != 0 { anyNonzero = true; s += Int64(w) }
                }
                sums[o] = s
            }
            if !anyNonzero {
                remove[c] = true
                removeCount += 1
                continue
            }
            let t = net.layers[p].thresholds[(c * per)..<((c + 1) * per)]
            guard t.allSatisfy({ $0 == Int32.min || $0 == Int32.max }) else { continue }
            let k = Int64(t.count(where: { $0 == Int32.min }))
            if k == 0 { remove[c] = true; removeCount += 1; continue }  // always code 0: contributes nothing
            if qr.kind == .conv && qr.padding != 0 { continue }
            if foldConstant(k: k, sums: sums, into: q, in: &net) {
                remove[c] = true
                removeCount += 1
            }
        }
        guard removeCount > 0 else { return 0 }
        removeChannels(remove, producer: p, consumer: q, in: &net)
        return removeCount
    }

    /// Moves `k · sums[o]` into Q's thresholds or bias; false (and nothing changed) if a value would not fit.
    private static func foldConstant(k: Int64, sums: [Int64], into q: Int, in net: inout IntegerNetwork) -> Bool {
        let layer = net.layers[q]
        if layer.record.isFinal {
            var bias = layer.logitBias
            for o in sums.indices {
                let b = Int64(bias[o]) + k * sums[o] * Int64(layer.logitScale[o])
                guard b >= Int64(Int32.min), b <= Int64(Int32.max) else { return false }
                bias[o] = Int32(b)
            }
            net.layers[q].logitBias = bias
            return true
        }
        let per = layer.record.thresholdsPerChannel
        var thresholds = layer.thresholds
        for o in sums.indices {
            for j in 0..<per {
                let t = thresholds[o * per + j]
                guard t != Int32.min, t != Int32.max else { continue }
                let moved = Int64(t) - k * sums[o]
                guard moved > Int64(Int32.min), moved < Int64(Int32.max) else { return false }
                thresholds[o * per + j] = Int32(moved)
            }
        }
        net.layers[q].thresholds = thresholds
        return true
    }

    private static func removeChannels(_ remove: [Bool], producer p: Int, consumer q: Int, in net: inout IntegerNetwork) {
        let channels = remove.count
        let kept = remove.count(where: { !$0 })
        let pr = net.layers[p].record
        let per = pr.thresholdsPerChannel
        let pFanIn = pr.fanIn
        var weights: [Int8] = [], thresholds: [Int32] = []
        weights.reserveCapacity(kept * pFanIn)
        for c in 0..<channels where !remove[c] {
            weights += net.layers[p].weights[(c * pFanIn)..<((c + 1) * pFanIn)]
            thresholds += net.layers[p].thresholds[(c * per)..<((c + 1) * per)]
        }
        net.layers[p].weights = weights
        net.layers[p].thresholds = thresholds
        net.layers[p].record.outChannels = UInt32(kept)
        net.layers[p].record.nonzeroWeights = UInt32(weights.count(where: { $0 != 0 }))
        for m in (p + 1)..<q {
            net.layers[m].record.inChannels = UInt32(kept)
            net.layers[m].record.outChannels = UInt32(kept)
        }
        let qr = net.layers[q].record
        let qFanIn = qr.fanIn
        let blocks = qFanIn / channels
        var qWeights: [Int8] = []
        qWeights.reserveCapacity(Int(qr.outChannels) * blocks * kept)
        for o in 0..<Int(qr.outChannels) {
            for b in 0..<blocks {
                let base = o * qFanIn + b * channels
                for c in 0..<channels where !remove[c] { qWeights.append(net.layers[q].weights[base + c]) }
            }
        }
        net.layers[q].weights = qWeights
        net.layers[q].record.inChannels = UInt32(kept)
        net.layers[q].record.nonzeroWeights = UInt32(qWeights.count(where: { $0 != 0 }))
    }
}
