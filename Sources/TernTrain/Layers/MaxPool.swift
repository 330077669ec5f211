/// 2×2 stride-2 max-pool on NHWC activations (floor of odd sizes, as the runtime does).
/// Forward and backward split the batch between threads (each image's outputs and gradient belong to one thread).
public final class MaxPool {
    public let channels: Int, inHeight: Int, inWidth: Int
    public var outHeight: Int { inHeight / 2 }
    public var outWidth: Int { inWidth / 2 }
    private var argmax: [Int32] = []
    private var batch = 0

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels; inHeight = height; inWidth = width
    }

    public func forward(_ x: [Float], batch: Int) -> [Float] {
        self.batch = batch
        let oh = outHeight, ow = outWidth, c = channels, ih = inHeight, iw = inWidth
        let perImage = oh * ow * c
        var out = [Float](repeating: 0, count: batch * perImage)
        argmax = [Int32](repeating: 0, count: out.count)
        x.withUnsafeBufferPointer { xb in out.withUnsafeMutableBufferPointer { ob in
            argmax.withUnsafeMutableBufferPointer { ab in
                nonisolated(unsafe) let (x, out, arg) = (xb, ob, ab)
                Parallel.forEachSlice(count: batch) { images in
                    for b in images { for i in 0 ..< oh { for j in 0 ..< ow { for ch in 0 ..< c {
                        var best = -Float.infinity, at = 0
                        for di in 0 ..< 2 { for dj in 0 ..< 2 {
                            let idx = ((b * ih + 2 * i + di) * iw + 2 * j + dj) * c + ch
                            if x[idx] > best { best = x[idx]; at = idx }   // first maximum wins
                        } }
                        let o = ((b * oh + i) * ow + j) * c + ch
                        out[o] = best; arg[o] = Int32(at)
                    } } } }
                }
            }
        } }
        return out
    }

    public func backward(_ g: [Float]) -> [Float] {
        var dx = [Float](repeating: 0, count: batch * inHeight * inWidth * channels)
        let perImage = outHeight * outWidth * channels
        g.withUnsafeBufferPointer { gb in dx.withUnsafeMutableBufferPointer { db in
            argmax.withUnsafeBufferPointer { ab in
                // A 2×2 window lies inside one image, so each thread writes only its own images' gradient.
                nonisolated(unsafe) let (g, dx, arg) = (gb, db, ab)
                Parallel.forEachSlice(count: batch) { images in
                    for o in images.lowerBound * perImage ..< images.upperBound * perImage { dx[Int(arg[o])] += g[o] }
                }
            }
        } }
        return dx
    }
}
