/// The batch-norm (and activation) arithmetic of `WeightLayer` on `[rows][channels]` activations, split between
/// threads without changing a single bit: per-channel reductions give each thread whole channels, summed over the
/// rows in order, and element-wise steps give each thread whole rows.
enum BatchNormKernels {
    /// Below this many elements one thread does the work (thread start-up would cost more).
    static let parallelThreshold = 1 << 15

    private static func parts(_ rows: Int, _ channels: Int) -> Int {
        rows * channels < parallelThreshold ? 1 : Parallel.threadCount
    }

    /// Per-channel mean, variance (biased, what the forward pass divides by) and Σ(z − mean)², in Double, over the rows.
    static func statistics(_ z: [Float], rows: Int, channels n: Int) -> (mean: [Float], variance: [Float], squares: [Double]) {
        var mean = [Float](repeating: 0, count: n), variance = mean
        var sq = [Double](repeating: 0, count: n)
        z.withUnsafeBufferPointer { zb in mean.withUnsafeMutableBufferPointer { mb in
            variance.withUnsafeMutableBufferPointer { vb in sq.withUnsafeMutableBufferPointer { qb in
                nonisolated(unsafe) let (z, mean, variance, sq) = (zb, mb, vb, qb)
                Parallel.forEachSlice(count: n, granule: 16, parts: parts(rows, n)) { cs in
                    var sum = [Double](repeating: 0, count: cs.count)
                    for r in 0 ..< rows { for c in cs { sum[c - cs.lowerBound] += Double(z[r * n + c]) } }
                    for c in cs { mean[c] = Float(sum[c - cs.lowerBound] / Double(rows)) }
                    for r in 0 ..< rows { for c in cs {
                        let d = Double(z[r * n + c] - mean[c]); sq[c] += d * d
                    } }
                    for c in cs { variance[c] = Float(sq[c] / Double(rows)) }
                }
            } }
        } }
        return (mean, variance, sq)
    }

    /// `normalized = (z − mean)·invStd`, `preActivation = γ·normalized + β` (both written into the given buffers,
    /// whose storage is kept when their length fits), and returns the layer output (the activation of it, or
    /// `preActivation` itself for the last layer).
    static func normalize(_ z: [Float], rows: Int, channels n: Int, mean: [Float], invStd: [Float],
                          gamma: [Float], beta: [Float], activation: ActivationQuantizer?,
                          normalized xhat: inout [Float], preActivation pre: inout [Float]) -> [Float] {
        let count = rows * n
        if xhat.count != count { xhat = [Float](unsafeUninitializedCapacity: count) { _, k in k = count } }
        if pre.count != count { pre = [Float](unsafeUninitializedCapacity: count) { _, k in k = count } }
        // Every element of all three is written below.
        var out = activation == nil ? [] : [Float](unsafeUninitializedCapacity: count) { _, k in k = count }
        z.withUnsafeBufferPointer { zb in xhat.withUnsafeMutableBufferPointer { xb in
            pre.withUnsafeMutableBufferPointer { pb in out.withUnsafeMutableBufferPointer { ob in
                nonisolated(unsafe) let (z, xh, y, out) = (zb, xb, pb, ob)
                Parallel.forEachSlice(count: rows, parts: parts(rows, n)) { rs in
                    for r in rs { for c in 0 ..< n {
                        let i = r * n + c
                        xh[i] = (z[i] - mean[c]) * invStd[c]
                        y[i] = gamma[c] * xh[i] + beta[c]
                        if let activation { out[i] = activation.apply(y[i]) }
                    } }
                }
            } }
        } }
        return activation == nil ? pre : out
    }

    /// Backward through the activation's STE and batch norm (batch statistics): writes ∂L/∂z into `dz` (`rows ×
    /// channels` long) and returns the per-channel Σ dy and Σ dy·normalized (β's and γ's gradients).
    static func backward(_ gradOut: [Float], into dz: inout [Float], rows: Int, channels n: Int, preActivation: [Float],
                         activation: ActivationQuantizer?, normalized: [Float], gamma: [Float], invStd: [Float])
        -> (sumDy: [Float], sumDyX: [Float]) {
        precondition(dz.count == rows * n && gradOut.count == rows * n)
        var sumDy = [Float](repeating: 0, count: n), sumDyX = sumDy
        let p = parts(rows, n)
        // dy = gradOut where the STE passes, else 0; computed in both passes rather than stored.
        gradOut.withUnsafeBufferPointer { gb in dz.withUnsafeMutableBufferPointer { db in
            preActivation.withUnsafeBufferPointer { pb in normalized.withUnsafeBufferPointer { xb in
                sumDy.withUnsafeMutableBufferPointer { sb in sumDyX.withUnsafeMutableBufferPointer { sxb in
                    nonisolated(unsafe) let (g, dz, pre, xh, sumDy, sumDyX) = (gb, db, pb, xb, sb, sxb)
                    @inline(__always) func dy(_ i: Int) -> Float {
                        if let activation, !activation.passes(pre[i]) { return 0 }
                        return g[i]
                    }
                    Parallel.forEachSlice(count: n, granule: 16, parts: p) { cs in
                        for r in 0 ..< rows { for c in cs {
                            let i = r * n + c
                            let d = dy(i)
                            sumDy[c] += d; sumDyX[c] += d * xh[i]
                        } }
                    }
                    let invRows = 1 / Float(rows)
                    Parallel.forEachSlice(count: rows, parts: p) { rs in
                        for r in rs { for c in 0 ..< n {
                            let i = r * n + c
                            dz[i] = gamma[c] * invStd[c] * (dy(i) - invRows * sumDy[c] - xh[i] * invRows * sumDyX[c])
                        } }
                    }
                } }
            } }
        } }
        return (sumDy, sumDyX)
    }
}
