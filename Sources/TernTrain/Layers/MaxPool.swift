/// 2×2 stride-2 max-pool on NHWC activations (floor of odd sizes, as the runtime does).
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
        let oh = outHeight, ow = outWidth, c = channels
        var out = [Float](repeating: 0, count: batch * oh * ow * c)
        argmax = [Int32](repeating: 0, count: out.count)
        for b in 0 ..< batch { for i in 0 ..< oh { for j in 0 ..< ow { for ch in 0 ..< c {
            var best = -Float.infinity, at = 0
            for di in 0 ..< 2 { for dj in 0 ..< 2 {
                let idx = ((b * inHeight + 2 * i + di) * inWidth + 2 * j + dj) * c + ch
                if x[idx] > best { best = x[idx]; at = idx }   // first maximum wins
            } }
            let o = ((b * oh + i) * ow + j) * c + ch
            out[o] = best; argmax[o] = Int32(at)
        } } } }
        return out
    }

    public func backward(_ g: [Float]) -> [Float] {
        var dx = [Float](repeating: 0, count: batch * inHeight * inWidth * channels)
        for o in 0 ..< g.count { dx[Int(argmax[o])] += g[o] }
        return dx
    }
}
