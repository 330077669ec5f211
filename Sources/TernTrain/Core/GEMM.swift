import Foundation

/// Single-precision matrix multiply for the trainer: `C[M×N] = op(A)[M×K] · op(B)[K×N] (+ C)`.
///
/// Goto/BLIS structure: B is packed into `NR`-column panels and A into `MR`-row panels per `KC`-deep block, and an
/// `MR × NR` register-tiled micro-kernel does the arithmetic: 6 × 16 of `SIMD8<Float>` (AVX2's 16 registers), or
/// 8 × 32 of `SIMD16<Float>` where the build targets the host and the host has AVX-512 (32 registers). Work is
/// split across threads by output columns (or rows) only; each element of C is reduced by one thread over
/// k = 0 ..< K in order, one multiply-add per k, stored and reloaded at the same `KC` boundaries by either kernel,
/// so the result is bit-identical for any thread count and either kernel. The products are written `a * b + c` (see docs/TOOLCHAIN.md:
/// `addingProduct` calls `fmaf` without `-march`).
public enum GEMM {
    static let kc = 256
    static let mc = 128
    static let nc = 512

    /// A row-major operand: element (i, j) of `op(X)` is `X[i * ld + j]`, or `X[j * ld + i]` when `transposed`.
    /// A gathered operand has no stored X: element (i, j) of X is `base[rowOffsets[i] + columnOffsets[j]]`, which is
    /// how a convolution's im2col matrix is read straight from its (padded) input while packing (`Im2Col.Gather`).
    public struct Operand {
        public var base: UnsafePointer<Float>
        public var ld: Int
        public var transposed: Bool
        public var rowOffsets: UnsafePointer<Int>?
        public var columnOffsets: UnsafePointer<Int>?
        /// Gathered only: `columnRuns[j]` ≥ 1 is how many columns from j on are stored consecutively
        /// (`columnOffsets[j + t] = columnOffsets[j] + t` for t < columnRuns[j]), so packing can copy runs.
        public var columnRuns: UnsafePointer<Int>?
        public init(_ base: UnsafePointer<Float>, ld: Int, transposed: Bool = false) {
            self.base = base
            self.ld = ld
            self.transposed = transposed
        }
        /// The gathered, untransposed operand `X[i][j] = base[rowOffsets[i] + columnOffsets[j]]`.
        public init(_ base: UnsafePointer<Float>, rowOffsets: UnsafePointer<Int>, columnOffsets: UnsafePointer<Int>,
                    columnRuns: UnsafePointer<Int>) {
            self.base = base
            ld = 0
            transposed = false
            self.rowOffsets = rowOffsets
            self.columnOffsets = columnOffsets
            self.columnRuns = columnRuns
        }
        @inline(__always) func at(_ i: Int, _ j: Int) -> Float {
            if let rowOffsets, let columnOffsets { return base[rowOffsets[i] + columnOffsets[j]] }
            return transposed ? base[j * ld + i] : base[i * ld + j]
        }
    }

    /// Whether `multiply` uses the 8 × 32 `SIMD16` kernel: only in builds for the host (`TERN_NATIVE`, so the
    /// vectors are real AVX-512 registers) on an x86-64 Linux host whose CPU reports `avx512f`.
    /// `TERN_GEMM_KERNEL=avx2` forces the 6 × 16 kernel (for comparisons).
    public static let usesWideKernel: Bool = {
        #if TERN_NATIVE && arch(x86_64) && os(Linux)
        if ProcessInfo.processInfo.environment["TERN_GEMM_KERNEL"] == "avx2" { return false }
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
        return info.split(separator: "\n").contains { $0.hasPrefix("flags") && $0.split(separator: " ").contains("avx512f") }
        #else
        return false
        #endif
    }()

    /// `C = op(A) · op(B)` (or `C += …` when `accumulate`), C row-major with leading dimension `ldc`.
    public static func multiply(m: Int, n: Int, k: Int, a: Operand, b: Operand,
                                c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false) {
        if usesWideKernel {
            multiply(Kernel8x32.self, m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
        } else {
            multiply(Kernel6x16.self, m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
        }
    }

    /// `multiply` with a given micro-kernel (tests compare the two).
    static func multiply<K: MicroKernel>(_ kernel: K.Type, m: Int, n: Int, k: Int, a: Operand, b: Operand,
                                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if !accumulate { for i in 0 ..< m { (c + i * ldc).initialize(repeating: 0, count: n) } }
            return
        }
        let work = m * n * k
        let parts = work < 1 << 18 ? 1 : Parallel.threadCount
        let cAddress = UInt(bitPattern: c)
        if n >= m {
            Parallel.forEachSlice(count: n, granule: K.nr, parts: parts) { cols in
                let c = UnsafeMutablePointer<Float>(bitPattern: cAddress)!
                block(K.self, rows: 0 ..< m, cols: cols, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
            }
        } else {
            Parallel.forEachSlice(count: m, granule: K.mr, parts: parts) { rows in
                let c = UnsafeMutablePointer<Float>(bitPattern: cAddress)!
                block(K.self, rows: rows, cols: 0 ..< n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
            }
        }
    }

    /// One thread's share: rows × cols of C.
    static func block<K: MicroKernel>(_: K.Type, rows: Range<Int>, cols: Range<Int>, k: Int, a: Operand, b: Operand,
                                      c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let mr = K.mr, nr = K.nr
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
                    // Untransposed A is packed row by row (contiguous copies); the kernel reads A(i, d) at
                    // panel[i·aRow + d·aStep] either way.
                    let (aRow, aStep) = a.transposed ? (1, mr) : (kcur, 1)
                    if a.transposed {
                        pack(a, transposedSense: true, from: pc, kcur, cols: ic, mcur, width: mr, into: packA)
                    } else {
                        packRows(a, from: pc, kcur, rows: ic, mcur, width: mr, into: packA)
                    }
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
                                K.run(kcur, ap, aRow, aStep, bp, cp, ldc, load)
                            } else {
                                for i in 0 ..< mr { for j in 0 ..< nr {
                                    edge[i * nr + j] = (load && i < mrem && j < nrem) ? cp[i * ldc + j] : 0
                                } }
                                K.run(kcur, ap, aRow, aStep, bp, edge, nr, true)
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

    /// Copies `count` floats with inline 16-wide moves: the packing copies are mostly 9 to 256 values long, where a
    /// call to `memmove` per copy cost more than the copy (perf: `memmove` 7 % of a CNV step).
    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
        while i + 16 <= count {
            d.storeBytes(of: s.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self), toByteOffset: i * 4,
                         as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { dst[i] = src[i]; i += 1 }
    }

    /// Packs rows `r0 ..< r0 + count` of an untransposed operand, columns `d0 ..< d0 + depth`, row after row
    /// (`out[i · depth + d] = X(r0 + i, d0 + d)`), with zero rows up to a multiple of `width`. Gathered operands
    /// are copied run by run.
    static func packRows(_ x: Operand, from d0: Int, _ depth: Int, rows r0: Int, _ count: Int, width: Int,
                         into out: UnsafeMutablePointer<Float>) {
        for i in 0 ..< count {
            let dst = out + i * depth
            if let rows = x.rowOffsets, let cols = x.columnOffsets {
                let src = x.base + rows[r0 + i]
                if let runs = x.columnRuns {
                    var d = 0
                    while d < depth {
                        let n = min(runs[d0 + d], depth - d)
                        copy(src + cols[d0 + d], to: dst + d, count: n)
                        d += n
                    }
                } else {
                    for d in 0 ..< depth { dst[d] = src[cols[d0 + d]] }
                }
            } else {
                copy(x.base + (r0 + i) * x.ld + d0, to: dst, count: depth)
            }
        }
        let padded = (count + width - 1) / width * width
        if padded > count { (out + count * depth).update(repeating: 0, count: (padded - count) * depth) }
    }

    /// Packs a `depth × count` slab of an operand into panels `width` wide: panel p holds, for each depth step d,
    /// `width` consecutive values (zero beyond `count`). `transposedSense` false: value(d, j) = X[j * ld + d]
    /// (A as stored row-major, B transposed); true: value(d, j) = X[d * ld + j].
    @inline(__always)
    static func pack(_ x: Operand, transposedSense: Bool, from d0: Int, _ depth: Int, cols j0: Int, _ count: Int,
                     width: Int, into out: UnsafeMutablePointer<Float>) {
        if let rows = x.rowOffsets, let cols = x.columnOffsets {
            // Gathered X (never transposed, so `transposedSense` says which index is the depth): the same values
            // the stored path would read, so the packed panels are identical.
            var p = 0
            while p < count {
                let w = min(width, count - p)
                let panel = out + p * depth
                if transposedSense {
                    // value(d, j) = X[d0 + d][j0 + p + j], copied run by run where the runs are known.
                    for d in 0 ..< depth {
                        let src = x.base + rows[d0 + d]
                        let dst = panel + d * width
                        if let runs = x.columnRuns {
                            var j = 0
                            while j < w {
                                let n = min(runs[j0 + p + j], w - j)
                                copy(src + cols[j0 + p + j], to: dst + j, count: n)
                                j += n
                            }
                        } else {
                            for j in 0 ..< w { dst[j] = src[cols[j0 + p + j]] }
                        }
                        for j in w ..< width { dst[j] = 0 }
                    }
                } else {
                    // value(d, j) = X[j0 + p + j][d0 + d]
                    for j in 0 ..< width {
                        if j < w {
                            let src = x.base + rows[j0 + p + j]
                            for d in 0 ..< depth { panel[d * width + j] = src[cols[d0 + d]] }
                        } else {
                            for d in 0 ..< depth { panel[d * width + j] = 0 }
                        }
                    }
                }
                p += width
            }
            return
        }
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

    @inline(__always)
    static func madd(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16<Float> {
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
                let av = a.at(i, d), bv = b.at(d, j)
                s += Double(av) * Double(bv)
            }
            out[i * n + j] = Float(s)
        } }
        return out
    }
}

/// A register-tiled `mr × nr` micro-kernel: `C[mr × nr] (+)= Apanel · Bpanel` over `depth` steps, one multiply-add
/// per step and element in k order (`load` adds to the C tile). A(i, d) is `a[i · aRow + d · aStep]`; B is packed
/// `nr` wide, step after step.
protocol MicroKernel {
    static var mr: Int { get }
    static var nr: Int { get }
    static func run(_ depth: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int, _ b: UnsafePointer<Float>,
                    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ load: Bool)
}

/// 6 × 16: 12 accumulators of `SIMD8<Float>` plus two B vectors and one broadcast fit the 16 vector registers of AVX2.
enum Kernel6x16: MicroKernel {
    static var mr: Int { 6 }
    static var nr: Int { 16 }

    @inline(__always)
    static func run(_ depth: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int, _ b: UnsafePointer<Float>,
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
        let a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow, a4 = a + 4 * aRow, a5 = a + 5 * aRow
        var o = 0
        var bp = UnsafeRawPointer(b)
        for _ in 0 ..< depth {
            let b0 = bp.loadUnaligned(as: V.self)
            let b1 = bp.loadUnaligned(fromByteOffset: 32, as: V.self)
            var s = V(repeating: a0[o]); c00 = GEMM.madd(s, b0, c00); c01 = GEMM.madd(s, b1, c01)
            s = V(repeating: a1[o]); c10 = GEMM.madd(s, b0, c10); c11 = GEMM.madd(s, b1, c11)
            s = V(repeating: a2[o]); c20 = GEMM.madd(s, b0, c20); c21 = GEMM.madd(s, b1, c21)
            s = V(repeating: a3[o]); c30 = GEMM.madd(s, b0, c30); c31 = GEMM.madd(s, b1, c31)
            s = V(repeating: a4[o]); c40 = GEMM.madd(s, b0, c40); c41 = GEMM.madd(s, b1, c41)
            s = V(repeating: a5[o]); c50 = GEMM.madd(s, b0, c50); c51 = GEMM.madd(s, b1, c51)
            o += aStep
            bp += 64
        }
        @inline(__always) func st(_ v: V, _ i: Int, _ h: Int) {
            raw.storeBytes(of: v, toByteOffset: (i * ldc + h * 8) * 4, as: V.self)
        }
        st(c00, 0, 0); st(c01, 0, 1); st(c10, 1, 0); st(c11, 1, 1); st(c20, 2, 0); st(c21, 2, 1)
        st(c30, 3, 0); st(c31, 3, 1); st(c40, 4, 0); st(c41, 4, 1); st(c50, 5, 0); st(c51, 5, 1)
    }
}

/// 8 × 32: 16 accumulators of `SIMD16<Float>` plus two B vectors and one broadcast, for AVX-512's 32 registers.
/// On a build without AVX-512 the vectors are split in halves and spill, so `GEMM.usesWideKernel` picks it only
/// where they are real registers.
enum Kernel8x32: MicroKernel {
    static var mr: Int { 8 }
    static var nr: Int { 32 }

    @inline(__always)
    static func run(_ depth: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int, _ b: UnsafePointer<Float>,
                    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ load: Bool) {
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        let raw = UnsafeMutableRawPointer(c)
        @inline(__always) func ld(_ i: Int, _ h: Int) -> V {
            raw.loadUnaligned(fromByteOffset: (i * ldc + h * 16) * 4, as: V.self)
        }
        if load {
            c00 = ld(0, 0); c01 = ld(0, 1); c10 = ld(1, 0); c11 = ld(1, 1); c20 = ld(2, 0); c21 = ld(2, 1)
            c30 = ld(3, 0); c31 = ld(3, 1); c40 = ld(4, 0); c41 = ld(4, 1); c50 = ld(5, 0); c51 = ld(5, 1)
            c60 = ld(6, 0); c61 = ld(6, 1); c70 = ld(7, 0); c71 = ld(7, 1)
        }
        let a0 = a, a1 = a + aRow, a2 = a + 2 * aRow, a3 = a + 3 * aRow, a4 = a + 4 * aRow, a5 = a + 5 * aRow
        let a6 = a + 6 * aRow, a7 = a + 7 * aRow
        var o = 0
        var bp = UnsafeRawPointer(b)
        for _ in 0 ..< depth {
            let b0 = bp.loadUnaligned(as: V.self)
            let b1 = bp.loadUnaligned(fromByteOffset: 64, as: V.self)
            var s = V(repeating: a0[o]); c00 = GEMM.madd(s, b0, c00); c01 = GEMM.madd(s, b1, c01)
            s = V(repeating: a1[o]); c10 = GEMM.madd(s, b0, c10); c11 = GEMM.madd(s, b1, c11)
            s = V(repeating: a2[o]); c20 = GEMM.madd(s, b0, c20); c21 = GEMM.madd(s, b1, c21)
            s = V(repeating: a3[o]); c30 = GEMM.madd(s, b0, c30); c31 = GEMM.madd(s, b1, c31)
            s = V(repeating: a4[o]); c40 = GEMM.madd(s, b0, c40); c41 = GEMM.madd(s, b1, c41)
            s = V(repeating: a5[o]); c50 = GEMM.madd(s, b0, c50); c51 = GEMM.madd(s, b1, c51)
            s = V(repeating: a6[o]); c60 = GEMM.madd(s, b0, c60); c61 = GEMM.madd(s, b1, c61)
            s = V(repeating: a7[o]); c70 = GEMM.madd(s, b0, c70); c71 = GEMM.madd(s, b1, c71)
            o += aStep
            bp += 128
        }
        @inline(__always) func st(_ v: V, _ i: Int, _ h: Int) {
            raw.storeBytes(of: v, toByteOffset: (i * ldc + h * 16) * 4, as: V.self)
        }
        st(c00, 0, 0); st(c01, 0, 1); st(c10, 1, 0); st(c11, 1, 1); st(c20, 2, 0); st(c21, 2, 1)
        st(c30, 3, 0); st(c31, 3, 1); st(c40, 4, 0); st(c41, 4, 1); st(c50, 5, 0); st(c51, 5, 1)
        st(c60, 6, 0); st(c61, 6, 1); st(c70, 7, 0); st(c71, 7, 1)
    }
}
