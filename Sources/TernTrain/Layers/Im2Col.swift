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

    /// Adjoint of `forward` (padding taps dropped): sums patch gradients back into the input positions.
    static func backward(_ g: [Float], batch: Int, channels c: Int, height h: Int, width w: Int, kernel k: Int,
                         padding p: Int) -> [Float] {
        let perImage = h * w * c
        return [Float](unsafeUninitializedCapacity: batch * perImage) { d, initialized in
            g.withUnsafeBufferPointer { gi in
                nonisolated(unsafe) let (d, gi) = (d, gi)
                Parallel.forEachSlice(count: batch) { images in
                    for b in images {
                        (d.baseAddress! + b * perImage).initialize(repeating: 0, count: perImage)
                        forEachTap(image: b, channels: c, height: h, width: w, kernel: k, padding: p) { src, dst in
                            for ch in 0 ..< c { d[dst + ch] += gi[src + ch] }
                        }
                    }
                }
            }
            initialized = batch * perImage
        }
    }
}
