/// im2col for stride-1 k×k convolutions on NHWC input: row (b, oy, ox) holds the patch in `[kh][kw][c]` order, so
/// the convolution is one GEMM against OHWI weights. Out-of-image taps take `padValue`.
///
/// Both directions split the batch between threads: every image's rows (and, backward, its input gradient) belong
/// to one thread, and each element is written in the same order as a single thread would, so the results do not
/// depend on the thread count.
enum Im2Col {
    /// The geometry both directions walk: for every in-image tap of image `b`, `body(patchOffset, inputOffset)` with
    /// the offsets of its `c` consecutive channels in the columns and in the input.
    @inline(__always)
    private static func forEachTap(image b: Int, channels c: Int, height h: Int, width w: Int, kernel k: Int,
                                   padding p: Int, _ body: (Int, Int) -> Void) {
        let oh = h + 2 * p - k + 1, ow = w + 2 * p - k + 1
        let patch = k * k * c
        for oy in 0 ..< oh { for ox in 0 ..< ow {
            let row = ((b * oh + oy) * ow + ox) * patch
            for ky in 0 ..< k {
                let iy = oy + ky - p
                if iy < 0 || iy >= h { continue }
                for kx in 0 ..< k {
                    let ix = ox + kx - p
                    if ix < 0 || ix >= w { continue }
                    body(row + (ky * k + kx) * c, ((b * h + iy) * w + ix) * c)
                }
            }
        } }
    }

    /// The stored im2col matrix. The trainer reads it through `Gather` instead; this is the reference the tests
    /// compare the gathered operand with.
    static func forward(_ x: [Float], batch: Int, channels c: Int, height h: Int, width w: Int, kernel k: Int,
                        padding p: Int, padValue: Float) -> [Float] {
        let perImage = (h + 2 * p - k + 1) * (w + 2 * p - k + 1) * k * k * c
        return [Float](unsafeUninitializedCapacity: batch * perImage) { o, initialized in
            x.withUnsafeBufferPointer { xi in
                nonisolated(unsafe) let (o, xi) = (o, xi)
                Parallel.forEachSlice(count: batch) { images in
                    for b in images {
                        (o.baseAddress! + b * perImage).initialize(repeating: padValue, count: perImage)
                        forEachTap(image: b, channels: c, height: h, width: w, kernel: k, padding: p) { dst, src in
                            for ch in 0 ..< c { o[dst + ch] = xi[src + ch] }
                        }
                    }
                }
            }
            initialized = batch * perImage
        }
    }

    /// The im2col matrix of a convolution without storing it: `GEMM.Operand(gathered)` reads element (row, tap)
    /// as `input[rowOffsets[row] + columnOffsets[tap]]`, where `input` is the layer's input with `padding` rows and
    /// columns of `padValue` around every image (the input itself when padding is 0). Row (b, oy, ox) starts at
    /// the patch's top-left input pixel; tap (ky, kx, c) adds `(ky · paddedWidth + kx) · channels + c`. The packed
    /// GEMM panels hold exactly the values `forward` would have written, so results are unchanged, and the
    /// `rows × k²·c` matrix (180 MB for CNV's second layer at batch 100) is never written or read back.
    struct Gather {
        var input: [Float]
        var rowOffsets: [Int]
        var columnOffsets: [Int]
        /// See `GEMM.Operand.columnRuns`: taps (kx, c) of one kernel row lie side by side in the input.
        var columnRuns: [Int]

        init(_ x: [Float], batch: Int, channels c: Int, height h: Int, width w: Int, kernel k: Int, padding p: Int,
             padValue: Float, reusing old: Gather?) {
            let hp = h + 2 * p, wp = w + 2 * p, oh = hp - k + 1, ow = wp - k + 1
            input = p == 0 ? x : Im2Col.pad(x, batch: batch, channels: c, height: h, width: w, padding: p,
                                            padValue: padValue)
            if let old, old.rowOffsets.count == batch * oh * ow, old.columnOffsets.count == k * k * c {
                rowOffsets = old.rowOffsets; columnOffsets = old.columnOffsets; columnRuns = old.columnRuns
                return
            }
            rowOffsets = []
            rowOffsets.reserveCapacity(batch * oh * ow)
            for b in 0 ..< batch { for oy in 0 ..< oh { for ox in 0 ..< ow { rowOffsets.append(((b * hp + oy) * wp + ox) * c) } } }
            columnOffsets = []
            columnOffsets.reserveCapacity(k * k * c)
            for ky in 0 ..< k { for kx in 0 ..< k { for ch in 0 ..< c { columnOffsets.append((ky * wp + kx) * c + ch) } } }
            columnRuns = (0 ..< k * k * c).map { k * c - $0 % (k * c) }
        }

        /// `body(operand)` with the gathered operand (valid only inside `body`).
        func withOperand<R>(_ body: (GEMM.Operand) -> R) -> R {
            input.withUnsafeBufferPointer { x in rowOffsets.withUnsafeBufferPointer { r in
                columnOffsets.withUnsafeBufferPointer { c in columnRuns.withUnsafeBufferPointer { runs in
                    body(GEMM.Operand(x.baseAddress!, rowOffsets: r.baseAddress!, columnOffsets: c.baseAddress!,
                                      columnRuns: runs.baseAddress!))
                } }
            } }
        }
    }

    /// `x` with `p` rows and columns of `padValue` around every image (split by image between threads).
    static func pad(_ x: [Float], batch: Int, channels c: Int, height h: Int, width w: Int, padding p: Int,
                    padValue: Float) -> [Float] {
        let hp = h + 2 * p, wp = w + 2 * p, perImage = hp * wp * c
        return [Float](unsafeUninitializedCapacity: batch * perImage) { o, initialized in
            x.withUnsafeBufferPointer { xi in
                nonisolated(unsafe) let (o, xi) = (o, xi)
                Parallel.forEachSlice(count: batch) { images in
                    for b in images {
                        let dst = o.baseAddress! + b * perImage
                        dst.initialize(repeating: padValue, count: perImage)
                        for y in 0 ..< h {
                            (dst + ((y + p) * wp + p) * c).update(from: xi.baseAddress! + (b * h + y) * w * c, count: w * c)
                        }
                    }
                }
            }
            initialized = batch * perImage
        }
    }

    /// Adjoint of `forward` (padding taps dropped): sums patch gradients back into the input positions, in the
    /// order `forEachTap` visits them (row by row, then ky, then kx and channel), each in-image run of kx taps as
    /// one contiguous run of `kx·c` values.
    static func backward(_ g: UnsafePointer<Float>, batch: Int, channels c: Int, height h: Int, width w: Int,
                         kernel k: Int, padding p: Int) -> [Float] {
        let perImage = h * w * c
        let oh = h + 2 * p - k + 1, ow = w + 2 * p - k + 1
        let patch = k * k * c
        return [Float](unsafeUninitializedCapacity: batch * perImage) { d, initialized in
            nonisolated(unsafe) let (d, gi) = (d, g)
            Parallel.forEachSlice(count: batch) { images in
                for b in images {
                    let image = d.baseAddress! + b * perImage
                    image.initialize(repeating: 0, count: perImage)
                    for oy in 0 ..< oh { for ox in 0 ..< ow {
                        let row = gi + ((b * oh + oy) * ow + ox) * patch
                        let kx0 = max(0, p - ox), kx1 = min(k, w + p - ox)
                        if kx0 >= kx1 { continue }
                        let run = (kx1 - kx0) * c
                        for ky in 0 ..< k {
                            let iy = oy + ky - p
                            if iy < 0 || iy >= h { continue }
                            let src = row + (ky * k + kx0) * c
                            let dst = image + (iy * w + ox + kx0 - p) * c
                            for i in 0 ..< run { dst[i] += src[i] }
                        }
                    } }
                }
            }
            initialized = batch * perImage
        }
    }
}
