/// The optimized kernels: one output channel (row) over every batch entry and output position, then the threshold
/// activation (or the final affine) written straight into the bit-packed output. `Reference` holds the slow,
/// obviously-correct versions every kernel here is tested against.
///
/// All arithmetic is wrapping (`&+`): `|acc| < 2^31` is guaranteed by the format's fan-in limit, so the checks
/// would only cost time.

/// What a weight layer reads and writes for one call (a chunk of up to `batch` images).
struct LayerContext {
    let count: Int
    // Input tensor, batch entry 0, and the distance between entries.
    let input: UnsafeRawPointer
    let inputStride: Int
    let inputBits: Int
    /// Codes: bits between plane 0 and plane 1 of one position.
    let planeBits: Int
    let inputPositionStride: Int
    let inputPaddedWidth: Int
    let inputWordsPerPlane: Int
    let inputWordsPerPosition: Int
    let outHeight: Int
    let outWidth: Int
    // Output tensor (hidden layers).
    let output: UnsafeMutablePointer<UInt64>?
    let outputStrideWords: Int
    let outputBorder: Int
    let outputPaddedWidth: Int
    let outputWordsPerPlane: Int
    let outputWordsPerPosition: Int
    let outputBits: Int
    /// Thresholds (hidden) or M then B (final), widened.
    let params: UnsafePointer<Int32>
    let thresholdsPerChannel: Int
    // Final layer.
    let logits: UnsafeMutablePointer<Int64>?
    let classes: Int

    /// Applies the activation of channel `row` at output position (y, x) of batch entry `n`.
    @inline(__always)
    func emit(_ n: Int, _ y: Int, _ x: Int, _ row: Int, _ acc: Int32) {
        if let output {
            let t = params + row * thresholdsPerChannel
            var code = 0
            for j in 0..<thresholdsPerChannel { code &+= acc >= t[j] ? 1 : 0 }
            if code == 0 { return }
            let position = (y &+ outputBorder) &* outputPaddedWidth &+ (x &+ outputBorder)
            // Machine words (see `MachineWord`): a 32-bit core sets the bit without a 64-bit shift.
            let first = (n &* outputStrideWords &+ position &* outputWordsPerPosition) &* MachineWord.perUInt64
            let word = UnsafeMutableRawPointer(output).assumingMemoryBound(to: UInt.self)
                + (first &+ (row &>> MachineWord.shift))
            let bit = UInt(1) &<< UInt(row & MachineWord.mask)
            let plane = outputWordsPerPlane &* MachineWord.perUInt64
            for b in 0..<outputBits where (code >> b) & 1 != 0 { word[b &* plane] |= bit }
        } else if let logits {
            logits[n &* classes &+ row] = Int64(acc) &* Int64(params[row]) &+ Int64(params[classes &+ row])
        }
    }

    /// Patch origin of output position (y, x) in input offset units.
    @inline(__always) func origin(_ y: Int, _ x: Int) -> Int {
        (y &* inputPaddedWidth &+ x) &* inputPositionStride
    }
}

enum SparseKernel {
    /// One row given as input offsets (`plus[0..<plusCount]`, `minus[0..<minusCount]`).
    @inline(__always)
    static func row(_ c: LayerContext, _ row: Int, plus: UnsafePointer<UInt32>, plusCount: Int,
                    minus: UnsafePointer<UInt32>, minusCount: Int) {
        switch c.inputBits {
        case 8:
            for n in 0..<c.count {
                let pixels = (c.input + n &* c.inputStride).assumingMemoryBound(to: UInt8.self)
                for y in 0..<c.outHeight {
                    for x in 0..<c.outWidth {
                        let p = pixels + c.origin(y, x)
                        var acc: Int32 = 0
                        for t in 0..<plusCount { acc &+= Int32(p[Int(plus[t])]) }
                        for t in 0..<minusCount { acc &-= Int32(p[Int(minus[t])]) }
                        c.emit(n, y, x, row, acc)
                    }
                }
            }
        case 1:
            for n in 0..<c.count {
                let words = (c.input + n &* c.inputStride).assumingMemoryBound(to: UInt64.self)
                for y in 0..<c.outHeight {
                    for x in 0..<c.outWidth {
                        let o = c.origin(y, x)
                        var acc: Int32 = 0
                        for t in 0..<plusCount { acc &+= bit(words, o &+ Int(plus[t])) }
                        for t in 0..<minusCount { acc &-= bit(words, o &+ Int(minus[t])) }
                        c.emit(n, y, x, row, acc)
                    }
                }
            }
        default:
            let plane = c.planeBits
            for n in 0..<c.count {
                let words = (c.input + n &* c.inputStride).assumingMemoryBound(to: UInt64.self)
                for y in 0..<c.outHeight {
                    for x in 0..<c.outWidth {
                        let o = c.origin(y, x)
                        var acc: Int32 = 0
                        for t in 0..<plusCount {
                            let i = o &+ Int(plus[t])
                            acc &+= bit(words, i) &+ bit(words, i &+ plane) << 1
                        }
                        for t in 0..<minusCount {
                            let i = o &+ Int(minus[t])
                            acc &-= bit(words, i) &+ bit(words, i &+ plane) << 1
                        }
                        c.emit(n, y, x, row, acc)
                    }
                }
            }
        }
    }

    @inline(__always) static func bit(_ words: UnsafePointer<UInt64>, _ i: Int) -> Int32 {
        Int32(truncatingIfNeeded: (words[i >> 6] >> UInt64(i & 63)) & 1)
    }
}

enum DenseKernel {
    /// Four mask or input words as one vector (unaligned: rows of masks are not 32-byte aligned).
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt64>) -> SIMD4<UInt64> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<UInt64>.self)
    }

    /// A whole layer (conv, or dense over several positions) with masks shaped like the input patch
    /// (`patchHeight × patchWidth` positions of `wordsPerPlane` words; per row `nonzero` = P | N, then `minus` = N;
    /// `corrections[r]` = (2^bits − 1) · popcount(N)). Codes inputs only. Per output position the rows go in groups
    /// of 64 (the patch stays in L1 while every row's masks pass over it) and each group's activations are written
    /// a word at a time: a per-row, per-position emit mispredicted on every other code.
    static func patchLayer(_ c: LayerContext, rows: Int, masks: UnsafePointer<UInt64>, maskWords: Int,
                           corrections: UnsafePointer<Int32>, patchHeight: Int, patchWidth: Int) {
        let wpp = c.inputWordsPerPlane
        let wpos = c.inputWordsPerPosition
        let stride = 2 &* maskWords
        let twoPlanes = c.inputBits == 2
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { group in
            let g = group.baseAddress!
            for n in 0..<c.count {
                let words = (c.input + n &* c.inputStride).assumingMemoryBound(to: UInt64.self)
                for y in 0..<c.outHeight {
                    for x in 0..<c.outWidth {
                        var first = 0
                        while first < rows {
                            let end = min(rows, first &+ 64)
                            for r in first..<end {
                                let m = masks + r &* stride, neg = m + maskWords
                                var acc = 0
                                var t = 0
                                for kh in 0..<patchHeight {
                                    var p = words + ((y &+ kh) &* c.inputPaddedWidth &+ x) &* wpos
                                    for _ in 0..<patchWidth {
                                        for w in 0..<wpp {
                                            let mk = m[t &+ w], ng = neg[t &+ w]
                                            acc &+= (ng ^ (p[w] & mk)).nonzeroBitCount
                                            if twoPlanes { acc &+= (ng ^ (p[wpp &+ w] & mk)).nonzeroBitCount &<< 1 }
                                        }
                                        t &+= wpp
                                        p += wpos
                                    }
                                }
                                g[r &- first] = Int32(truncatingIfNeeded: acc &- Int(corrections[r]))
                            }
                            c.emitGroup(n, UnsafePointer(g) - first, from: first, to: end, y: y, x: x)
                            first = end
                        }
                    }
                }
            }
        }
    }

    /// A whole dense layer over one position of 1- or 2-bit codes (LFC's hidden and final layers):
    /// `acc = popcount-sum(plane 0) [+ 2 · popcount-sum(plane 1)] − (2^bits − 1) · popcount(N)`, both planes against
    /// the same mask loads. Rows go in groups of 64 and the input in blocks of 16 words per plane: a block's vectors
    /// stay in registers for all 64 rows (measured: 10.5 µs instead of 16.7 µs for a 1024×1024 2-bit layer), and
    /// the group's activations are written a word at a time.
    static func layerOverOnePosition(_ c: LayerContext, rows: Int, masks: UnsafePointer<UInt64>, maskWords: Int,
                                     corrections: UnsafePointer<Int32>) {
        let stride = 2 &* maskWords
        let twoPlanes = c.inputBits == 2
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { group in
            let g = group.baseAddress!
            for n in 0..<c.count {
                let lo = (c.input + n &* c.inputStride).assumingMemoryBound(to: UInt64.self)
                let hi = lo + c.inputWordsPerPlane
                var first = 0
                while first < rows {
                    let end = min(rows, first &+ 64)
                    for r in first..<end { g[r &- first] = 0 &- corrections[r] }
                    var i = 0
                    while i &+ 16 <= maskWords {
                        let (a0, a1, a2, a3) = (load(lo + i), load(lo + (i &+ 4)), load(lo + (i &+ 8)), load(lo + (i &+ 12)))
                        // The plane test sits outside the row loop, so each row loop is straight-line code.
                        if twoPlanes {
                            let (b0, b1, b2, b3) = (load(hi + i), load(hi + (i &+ 4)), load(hi + (i &+ 8)), load(hi + (i &+ 12)))
                            for r in first..<end {
                                let m = masks + (r &* stride &+ i), neg = m + maskWords
                                let (m0, m1, m2, m3) = (load(m), load(m + 4), load(m + 8), load(m + 12))
                                let (n0, n1, n2, n3) = (load(neg), load(neg + 4), load(neg + 8), load(neg + 12))
                                var low = (n0 ^ (a0 & m0)).nonzeroBitCount &+ (n1 ^ (a1 & m1)).nonzeroBitCount
                                low &+= (n2 ^ (a2 & m2)).nonzeroBitCount &+ (n3 ^ (a3 & m3)).nonzeroBitCount
                                var high = (n0 ^ (b0 & m0)).nonzeroBitCount &+ (n1 ^ (b1 & m1)).nonzeroBitCount
                                high &+= (n2 ^ (b2 & m2)).nonzeroBitCount &+ (n3 ^ (b3 & m3)).nonzeroBitCount
                                g[r &- first] &+= Int32(truncatingIfNeeded: (low &+ high &+ high).wrappedSum())
                            }
                        } else {
                            for r in first..<end {
                                let m = masks + (r &* stride &+ i), neg = m + maskWords
                                var lanes = (load(neg) ^ (a0 & load(m))).nonzeroBitCount
                                lanes &+= (load(neg + 4) ^ (a1 & load(m + 4))).nonzeroBitCount
                                lanes &+= (load(neg + 8) ^ (a2 & load(m + 8))).nonzeroBitCount
                                lanes &+= (load(neg + 12) ^ (a3 & load(m + 12))).nonzeroBitCount
                                g[r &- first] &+= Int32(truncatingIfNeeded: lanes.wrappedSum())
                            }
                        }
                        i &+= 16
                    }
                    if i < maskWords {
                        for r in first..<end {
                            let m = masks + (r &* stride &+ i)
                            var acc = dot(lo + i, m, m + maskWords, maskWords &- i)
                            if twoPlanes { acc &+= dot(hi + i, m, m + maskWords, maskWords &- i) &<< 1 }
                            g[r &- first] &+= Int32(truncatingIfNeeded: acc)
                        }
                    }
                    c.emitGroup(n, UnsafePointer(g) - first, from: first, to: end)
                    first = end
                }
            }
        }
    }

    /// Σ popcount(N ^ (x & (P | N))) over `count` words: each +1 weight counts its input bit, each −1 weight the
    /// complement of its input bit, so subtracting popcount(N) afterwards leaves Σ_P x − Σ_N x.
    /// Four words at a time as a SIMD vector (the host's vector popcount when built with TERN_NATIVE=1).
    @inline(__always)
    static func dot(_ x: UnsafePointer<UInt64>, _ nonzero: UnsafePointer<UInt64>, _ minus: UnsafePointer<UInt64>,
                    _ count: Int) -> Int {
        var lanes = SIMD4<UInt64>()
        var i = 0
        while i &+ 4 <= count {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<UInt64>.self)
            let mv = UnsafeRawPointer(nonzero + i).loadUnaligned(as: SIMD4<UInt64>.self)
            let nv = UnsafeRawPointer(minus + i).loadUnaligned(as: SIMD4<UInt64>.self)
            lanes &+= (nv ^ (xv & mv)).nonzeroBitCount
            i &+= 4
        }
        var s = Int(truncatingIfNeeded: lanes.wrappedSum())
        while i < count {
            s &+= (minus[i] ^ (x[i] & nonzero[i])).nonzeroBitCount
            i &+= 1
        }
        return s
    }
}

enum PoolKernel {
    /// 2×2 stride-2 max-pool on bit-packed codes: OR for 1 bit; for 2 bits, the larger code per channel computed
    /// word-wide from the two planes.
    static func run(input: UnsafePointer<UInt64>, inputStrideWords: Int, inLayout: TensorLayout,
                    output: UnsafeMutablePointer<UInt64>, outputStrideWords: Int, outLayout: TensorLayout,
                    count: Int) {
        let wpp = inLayout.wordsPerPlane
        let inPos = inLayout.wordsPerPosition
        let outPos = outLayout.wordsPerPosition
        for n in 0..<count {
            let src = input + n &* inputStrideWords
            let dst = output + n &* outputStrideWords
            for y in 0..<outLayout.height {
                for x in 0..<outLayout.width {
                    let a = src + ((2 &* y &+ inLayout.border) &* inLayout.paddedWidth &+ 2 &* x &+ inLayout.border) &* inPos
                    let b = a + inPos
                    let c = a + inLayout.paddedWidth &* inPos
                    let d = c + inPos
                    let o = dst + ((y &+ outLayout.border) &* outLayout.paddedWidth &+ x &+ outLayout.border) &* outPos
                    if inLayout.bits == 1 {
                        for w in 0..<wpp { o[w] = a[w] | b[w] | c[w] | d[w] }
                    } else {
                        for w in 0..<wpp {
                            var lo = a[w], hi = a[w &+ wpp]
                            (lo, hi) = max2(lo, hi, b[w], b[w &+ wpp])
                            (lo, hi) = max2(lo, hi, c[w], c[w &+ wpp])
                            (lo, hi) = max2(lo, hi, d[w], d[w &+ wpp])
                            o[w] = lo
                            o[w &+ wpp] = hi
                        }
                    }
                }
            }
        }
    }

    /// Channel-wise max of two 2-bit codes held as (low plane, high plane) words.
    @inline(__always)
    static func max2(_ al: UInt64, _ ah: UInt64, _ bl: UInt64, _ bh: UInt64) -> (UInt64, UInt64) {
        ((al & (ah | ~bh)) | (bl & (bh | ~ah)), ah | bh)
    }
}
