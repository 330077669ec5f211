/// The batch-norm (and activation) arithmetic of `WeightLayer` on `[rows][channels]` activations, split between
/// threads without changing a single bit: per-channel reductions give each thread whole channels, summed over the
/// rows in order, and element-wise steps give each thread whole rows.
///
/// Inner loops run 16 channels at a time in `SIMD16` lanes: each lane performs exactly the scalar operations, in the
/// same order, of the channel it holds (per-channel sums still run over the rows in order), so the vector and the
/// scalar tail give the same bits.
enum BatchNormKernels {
    typealias V = SIMD16<Float>
    typealias VD = SIMD16<Double>
    static let lanes = 16

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
    /// A copy of a per-channel array in memory the kernels can read through a pointer from any thread
    /// (the caller deallocates it).
    static func pointer(_ a: [Float]) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: a.count)
        p.initialize(from: a, count: a.count)
        return p
    }
    @inline(__always) static func load(_ p: UnsafePointer<Double>) -> VD {
        UnsafeRawPointer(p).loadUnaligned(as: VD.self)
    }
    @inline(__always) static func store(_ v: VD, _ p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: VD.self)
    }

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
                Parallel.forEachSlice(count: n, granule: lanes, parts: parts(rows, n)) { cs in
                    let zp = z.baseAddress!
                    var c = cs.lowerBound
                    // 64 channels at a time: each row's 256 bytes are read in one sweep down the rows.
                    while c + 4 * lanes <= cs.upperBound {
                        var s0 = VD(), s1 = VD(), s2 = VD(), s3 = VD()
                        for r in 0 ..< rows {
                            let row = zp + r * n + c
                            s0 += VD(load(row)); s1 += VD(load(row + 16)); s2 += VD(load(row + 32)); s3 += VD(load(row + 48))
                        }
                        let count = VD(repeating: Double(rows))
                        let m0 = V(s0 / count), m1 = V(s1 / count), m2 = V(s2 / count), m3 = V(s3 / count)
                        store(m0, mean.baseAddress! + c); store(m1, mean.baseAddress! + c + 16)
                        store(m2, mean.baseAddress! + c + 32); store(m3, mean.baseAddress! + c + 48)
                        var q0 = VD(), q1 = VD(), q2 = VD(), q3 = VD()
                        for r in 0 ..< rows {
                            let row = zp + r * n + c
                            let d0 = VD(load(row) - m0), d1 = VD(load(row + 16) - m1)
                            let d2 = VD(load(row + 32) - m2), d3 = VD(load(row + 48) - m3)
                            q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3
                        }
                        for (k, q) in [q0, q1, q2, q3].enumerated() {
                            store(q, sq.baseAddress! + c + 16 * k)
                            store(V(q / count), variance.baseAddress! + c + 16 * k)
                        }
                        c += 4 * lanes
                    }
                    // 32 at a time (two threads share CNV's 64-channel layers as 32 + 32).
                    while c + 2 * lanes <= cs.upperBound {
                        var s0 = VD(), s1 = VD()
                        for r in 0 ..< rows { let row = zp + r * n + c; s0 += VD(load(row)); s1 += VD(load(row + 16)) }
                        let count = VD(repeating: Double(rows))
                        let m0 = V(s0 / count), m1 = V(s1 / count)
                        store(m0, mean.baseAddress! + c); store(m1, mean.baseAddress! + c + 16)
                        var q0 = VD(), q1 = VD()
                        for r in 0 ..< rows {
                            let row = zp + r * n + c
                            let d0 = VD(load(row) - m0), d1 = VD(load(row + 16) - m1)
                            q0 += d0 * d0; q1 += d1 * d1
                        }
                        store(q0, sq.baseAddress! + c); store(V(q0 / count), variance.baseAddress! + c)
                        store(q1, sq.baseAddress! + c + 16); store(V(q1 / count), variance.baseAddress! + c + 16)
                        c += 2 * lanes
                    }
                    while c + lanes <= cs.upperBound {
                        var sum = VD()
                        for r in 0 ..< rows { sum += VD(load(zp + r * n + c)) }
                        let m = V(sum / VD(repeating: Double(rows)))
                        store(m, mean.baseAddress! + c)
                        var q = VD()
                        for r in 0 ..< rows { let d = VD(load(zp + r * n + c) - m); q += d * d }
                        store(q, sq.baseAddress! + c)
                        store(V(q / VD(repeating: Double(rows))), variance.baseAddress! + c)
                        c += lanes
                    }
                    let tail = c ..< cs.upperBound
                    var sum = [Double](repeating: 0, count: tail.count)
                    for r in 0 ..< rows { for c in tail { sum[c - tail.lowerBound] += Double(z[r * n + c]) } }
                    for c in tail { mean[c] = Float(sum[c - tail.lowerBound] / Double(rows)) }
                    for r in 0 ..< rows { for c in tail {
                        let d = Double(z[r * n + c] - mean[c]); sq[c] += d * d
                    } }
                    for c in tail { variance[c] = Float(sq[c] / Double(rows)) }
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
                let vectorized = activation?.kind != .relu ? n / lanes * lanes : 0
                let (mean, invStd, gamma, beta) = (Self.pointer(mean), Self.pointer(invStd), Self.pointer(gamma), Self.pointer(beta))
                defer { for q in [mean, invStd, gamma, beta] { q.deallocate() } }
                Parallel.forEachSlice(count: rows, parts: parts(rows, n)) { rs in
                    for r in rs {
                        var c = 0
                        while c < vectorized {
                            let i = r * n + c
                            let x = (load(z.baseAddress! + i) - load(mean + c)) * load(invStd + c)
                            let v = load(gamma + c) * x + load(beta + c)
                            store(x, xh.baseAddress! + i)
                            store(v, y.baseAddress! + i)
                            if let activation {
                                // ActivationQuantizer.apply, lane by lane: count the thresholds reached.
                                var code = V()
                                for t in activation.thresholds { code += V(repeating: 1).replacing(with: 0, where: .!(v .>= t)) }
                                store(activation.scale * code + activation.offset, out.baseAddress! + i)
                            }
                            c += lanes
                        }
                        for c in c ..< n {
                            let i = r * n + c
                            xh[i] = (z[i] - mean[c]) * invStd[c]
                            y[i] = gamma[c] * xh[i] + beta[c]
                            if let activation { out[i] = activation.apply(y[i]) }
                        }
                    }
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
                    @inline(__always) func dy(vectorAt i: Int) -> V {
                        let v = load(g.baseAddress! + i)
                        guard let activation else { return v }
                        let x = load(pre.baseAddress! + i)
                        return v.replacing(with: 0, where: .!((x .>= activation.lo) .& (x .<= activation.hi)))
                    }
                    Parallel.forEachSlice(count: n, granule: lanes, parts: p) { cs in
                        var c = cs.lowerBound
                        // 64 channels at a time: each row's 256 bytes of every array are read in one sweep.
                        while c + 4 * lanes <= cs.upperBound {
                            var sd0 = V(), sd1 = V(), sd2 = V(), sd3 = V(), sx0 = V(), sx1 = V(), sx2 = V(), sx3 = V()
                            for r in 0 ..< rows {
                                let i = r * n + c
                                let x = xh.baseAddress! + i
                                let d0 = dy(vectorAt: i), d1 = dy(vectorAt: i + 16)
                                let d2 = dy(vectorAt: i + 32), d3 = dy(vectorAt: i + 48)
                                sd0 += d0; sx0 += d0 * load(x)
                                sd1 += d1; sx1 += d1 * load(x + 16)
                                sd2 += d2; sx2 += d2 * load(x + 32)
                                sd3 += d3; sx3 += d3 * load(x + 48)
                            }
                            for (k, (sd, sx)) in [(sd0, sx0), (sd1, sx1), (sd2, sx2), (sd3, sx3)].enumerated() {
                                store(sd, sumDy.baseAddress! + c + 16 * k); store(sx, sumDyX.baseAddress! + c + 16 * k)
                            }
                            c += 4 * lanes
                        }
                        while c + 2 * lanes <= cs.upperBound {
                            var sd0 = V(), sd1 = V(), sx0 = V(), sx1 = V()
                            for r in 0 ..< rows {
                                let i = r * n + c
                                let x = xh.baseAddress! + i
                                let d0 = dy(vectorAt: i), d1 = dy(vectorAt: i + 16)
                                sd0 += d0; sx0 += d0 * load(x)
                                sd1 += d1; sx1 += d1 * load(x + 16)
                            }
                            store(sd0, sumDy.baseAddress! + c); store(sx0, sumDyX.baseAddress! + c)
                            store(sd1, sumDy.baseAddress! + c + 16); store(sx1, sumDyX.baseAddress! + c + 16)
                            c += 2 * lanes
                        }
                        while c + lanes <= cs.upperBound {
                            var sd = V(), sx = V()
                            for r in 0 ..< rows {
                                let i = r * n + c
                                let d = dy(vectorAt: i)
                                sd += d; sx += d * load(xh.baseAddress! + i)
                            }
                            store(sd, sumDy.baseAddress! + c); store(sx, sumDyX.baseAddress! + c)
                            c += lanes
                        }
                        for r in 0 ..< rows { for c in c ..< cs.upperBound {
                            let i = r * n + c
                            let d = dy(i)
                            sumDy[c] += d; sumDyX[c] += d * xh[i]
                        } }
                    }
                    let invRows = 1 / Float(rows)
                    let vectorized = n / lanes * lanes
                    let (gamma, invStd) = (Self.pointer(gamma), Self.pointer(invStd))
                    defer { gamma.deallocate(); invStd.deallocate() }
                    Parallel.forEachSlice(count: rows, parts: p) { rs in
                        for r in rs {
                            var c = 0
                            while c < vectorized {
                                let i = r * n + c
                                let scale = load(gamma + c) * load(invStd + c)
                                let centred = dy(vectorAt: i) - invRows * load(sumDy.baseAddress! + c)
                                store(scale * (centred - load(xh.baseAddress! + i) * invRows * load(sumDyX.baseAddress! + c)),
                                      dz.baseAddress! + i)
                                c += lanes
                            }
                            for c in c ..< n {
                                let i = r * n + c
                                dz[i] = gamma[c] * invStd[c] * (dy(i) - invRows * sumDy[c] - xh[i] * invRows * sumDyX[c])
                            }
                        }
                    }
                } }
            } }
        } }
        return (sumDy, sumDyX)
    }
}
