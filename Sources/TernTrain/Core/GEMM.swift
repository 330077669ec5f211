/// Single-precision matrix multiply for the trainer: `C[M×N] = op(A)[M×K] · op(B)[K×N] (+ C)`.
///
/// Goto/BLIS structure: B is packed into `NR`-column panels and A into `MR`-row panels per `KC`-deep block, and an
/// `MR × NR` register-tiled micro-kernel of `SIMD8<Float>` does the arithmetic. Work is split across threads by
/// output columns (or rows) only; each element of C is reduced by one thread over k = 0 ..< K in order, so the
/// result is bit-identical for any thread count. The products are written `a * b + c` (see docs/TOOLCHAIN.md:
/// `addingProduct` calls `fmaf` without `-march`).
public enum GEMM {
    static let mr = 6
    static let nr = 16
    static let kc = 256
    static let mc = 128
    static let nc = 512

    /// A row-major operand: element (i, j) of `op(X)` is `X[i * ld + j]`, or `X[j * ld + i]` when `transposed`.
    public struct Operand {
        public var base: UnsafePointer<Float>
        public var ld: Int
        public var transposed: Bool
        public init(_ base: UnsafePointer<Float>, ld: Int, transposed: Bool = false) {
            self.base = base
            self.ld = ld
            self.transposed = transposed
        }
    }

    /// `C = op(A) · op(B)` (or `C += …` when `accumulate`), C row-major with leading dimension `ldc`.
    public static func multiply(m: Int, n: Int, k: Int, a: Operand, b: Operand,
                                c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if !accumulate { for i in 0 ..< m { (c + i * ldc).initialize(repeating: 0, count: n) } }
            return
        }
        let work = m * n * k
        let parts = work < 1 << 18 ? 1 : Parallel.threadCount
        let cAddress = UInt(bitPattern: c)
        if n >= m {
            Parallel.forEachSlice(count: n, granule: nr, parts: parts) { cols in
                let c = UnsafeMutablePointer<Float>(bitPattern: cAddress)!
                block(rows: 0 ..< m, cols: cols, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
            }
        } else {
            Parallel.forEachSlice(count: m, granule: mr, parts: parts) { rows in
                let c = UnsafeMutablePointer<Float>(bitPattern: cAddress)!
                block(rows: rows, cols: 0 ..< n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
            }
        }
    }

    /// One thread's share: rows × cols of C.
    static func block(rows: Range<Int>, cols: Range<Int>, k: Int, a: Operand, b: Operand,
                      c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let packB = UnsafeMutablePointer<Float>.allocate(capacity: kc * (nc + nr))
        let packA = UnsafeMutablePointer<Float>.allocate(capacity: kc * (mc + mr))
        let edge = UnsafeMutablePointer<Float>.allocate(capacity: mr * nr)
        defer { packB.deallocate(); packA.deallocate(); edge.deallocate() }

        var jc = cols.lowerBound
        while jc < cols.upperBound {
            let ncur = min(nc, cols.upperBound - jc)
            var pc = 0
            while pc < k {
                let kcur = min(kc, k - pc)
                pack(b, transposedSense: !b.transposed, from: pc, kcur, cols: jc, ncur, width: nr, into: packB)
                let load = accumulate || pc > 0
                var ic = rows.lowerBound
                while ic < rows.upperBound {
                    let mcur = min(mc, rows.upperBound - ic)
                    pack(a, transposedSense: a.transposed, from: pc, kcur, cols: ic, mcur, width: mr, into: packA)
                    var jr = 0
                    while jr < ncur {
                        let nrem = min(nr, ncur - jr)
                        var ir = 0
                        while ir < mcur {
                            let mrem = min(mr, mcur - ir)
                            let ap = packA + ir * kcur
                            let bp = packB + jr * kcur
                            let cp = c + (ic + ir) * ldc + jc + jr
                            if mrem == mr && nrem == nr {
                                kernel(kcur, ap, bp, cp, ldc, load)
                            } else {
                                for i in 0 ..< mr { for j in 0 ..< nr {
                                    edge[i * nr + j] = (load && i < mrem && j < nrem) ? cp[i * ldc + j] : 0
                                } }
                                kernel(kcur, ap, bp, edge, nr, true)
                                for i in 0 ..< mrem { for j in 0 ..< nrem { cp[i * ldc + j] = edge[i * nr + j] } }
                            }
                            ir += mr
                        }
                        jr += nr
                    }
                    ic += mc
                }
                pc += kc
            }
            jc += nc
        }
    }

    /// Packs a `depth × count` slab of an operand into panels `width` wide: panel p holds, for each depth step d,
    /// `width` consecutive values (zero beyond `count`). `transposedSense` false: value(d, j) = X[j * ld + d]
    /// (A as stored row-major, B transposed); true: value(d, j) = X[d * ld + j].
    @inline(__always)
    static func pack(_ x: Operand, transposedSense: Bool, from d0: Int, _ depth: Int, cols j0: Int, _ count: Int,
                     width: Int, into out: UnsafeMutablePointer<Float>) {
        var p = 0
        while p < count {
            let w = min(width, count - p)
            let panel = out + p * depth
            if transposedSense {
                for d in 0 ..< depth {
                    let src = x.base + (d0 + d) * x.ld + j0 + p
                    let dst = panel + d * width
                    for j in 0 ..< w { dst[j] = src[j] }
                    for j in w ..< width { dst[j] = 0 }
                }
            } else {
                for j in 0 ..< width {
                    if j < w {
                        let src = x.base + (j0 + p + j) * x.ld + d0
                        for d in 0 ..< depth { panel[d * width + j] = src[d] }
                    } else {
                        for d in 0 ..< depth { panel[d * width + j] = 0 }
                    }
                }
            }
            p += width
        }
    }

    /// The 6 × 16 micro-kernel: 12 accumulators of `SIMD8<Float>` plus two B vectors and one broadcast fit the
    /// 16 vector registers of AVX2 (the 2-core Zen machines here report no AVX-512); `load` adds to the C tile.
    @inline(__always)
    static func kernel(_ depth: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                       _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ load: Bool) {
        typealias V = SIMD8<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        let raw = UnsafeMutableRawPointer(c)
        @inline(__always) func ld(_ i: Int, _ h: Int) -> V {
            raw.loadUnaligned(fromByteOffset: (i * ldc + h * 8) * 4, as: V.self)
        }
        if load {
            c00 = ld(0, 0); c01 = ld(0, 1); c10 = ld(1, 0); c11 = ld(1, 1); c20 = ld(2, 0); c21 = ld(2, 1)
            c30 = ld(3, 0); c31 = ld(3, 1); c40 = ld(4, 0); c41 = ld(4, 1); c50 = ld(5, 0); c51 = ld(5, 1)
        }
        var ap = a
        var bp = UnsafeRawPointer(b)
        for _ in 0 ..< depth {
            let b0 = bp.loadUnaligned(as: V.self)
            let b1 = bp.loadUnaligned(fromByteOffset: 32, as: V.self)
            var s = V(repeating: ap[0]); c00 = madd(s, b0, c00); c01 = madd(s, b1, c01)
            s = V(repeating: ap[1]); c10 = madd(s, b0, c10); c11 = madd(s, b1, c11)
            s = V(repeating: ap[2]); c20 = madd(s, b0, c20); c21 = madd(s, b1, c21)
            s = V(repeating: ap[3]); c30 = madd(s, b0, c30); c31 = madd(s, b1, c31)
            s = V(repeating: ap[4]); c40 = madd(s, b0, c40); c41 = madd(s, b1, c41)
            s = V(repeating: ap[5]); c50 = madd(s, b0, c50); c51 = madd(s, b1, c51)
            ap += 6
            bp += 64
        }
        @inline(__always) func st(_ v: V, _ i: Int, _ h: Int) {
            raw.storeBytes(of: v, toByteOffset: (i * ldc + h * 8) * 4, as: V.self)
        }
        st(c00, 0, 0); st(c01, 0, 1); st(c10, 1, 0); st(c11, 1, 1); st(c20, 2, 0); st(c21, 2, 1)
        st(c30, 3, 0); st(c31, 3, 1); st(c40, 4, 0); st(c41, 4, 1); st(c50, 5, 0); st(c51, 5, 1)
    }

    /// `a · b + c`: a fused multiply-add when the build targets the host (`TERN_NATIVE=1` defines TERN_NATIVE and
    /// adds `-march=native`); otherwise a separate multiply and add, because `addingProduct` without an FMA target
    /// calls `fmaf` per lane (docs/TOOLCHAIN.md).
    @inline(__always)
    static func madd(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>) -> SIMD8<Float> {
        #if TERN_NATIVE
        return c.addingProduct(a, b)
        #else
        return a * b + c
        #endif
    }

    /// Reference triple loop (tests): same operand conventions, Double accumulation.
    public static func reference(m: Int, n: Int, k: Int, a: Operand, b: Operand) -> [Float] {
        var out = [Float](repeating: 0, count: m * n)
        for i in 0 ..< m { for j in 0 ..< n {
            var s = 0.0
            for d in 0 ..< k {
                let av = a.transposed ? a.base[d * a.ld + i] : a.base[i * a.ld + d]
                let bv = b.transposed ? b.base[j * b.ld + d] : b.base[d * b.ld + j]
                s += Double(av) * Double(bv)
            }
            out[i * n + j] = Float(s)
        } }
        return out
    }
}
