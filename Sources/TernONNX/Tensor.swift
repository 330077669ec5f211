/// A dense float tensor in row-major (C) order: what the evaluator computes with and what constants fold to.
///
/// ONNX integer tensors (Reshape's shape, Quant's bit width) are held as floats too; every integer the supported ops
/// read is far below 2^24, where `Float` is exact.
public struct Tensor: Equatable, Sendable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not hold \(data.count) values")
        self.shape = shape
        self.data = data
    }

    public init(scalar: Float) { self.init(shape: [], data: [scalar]) }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// The number of elements of `shape`, or nil when a dim is negative or the product overflows `limit`.
    static func elementCount(_ shape: [Int], limit: Int = 1 << 28) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, p <= limit else { return nil }
            n = p
        }
        return n
    }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// NumPy broadcasting of two shapes, or nil when they are incompatible.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let x = i < n - a.count ? 1 : a[i - (n - a.count)]
            let y = i < n - b.count ? 1 : b[i - (n - b.count)]
            guard x == y || x == 1 || y == 1 else { return nil }
            out[i] = max(x, y)
        }
        return out
    }

    /// Applies `f` elementwise with NumPy broadcasting; nil when the shapes do not broadcast.
    static func broadcast(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor? {
        if a.shape == b.shape { return Tensor(shape: a.shape, data: zip(a.data, b.data).map(f)) }
        if b.count == 1, let shape = broadcastShape(a.shape, b.shape), shape.count == a.rank {
            let y = b.data[0]
            return Tensor(shape: shape, data: a.data.map { f($0, y) })
        }
        guard let shape = broadcastShape(a.shape, b.shape), elementCount(shape) != nil else { return nil }
        let n = shape.count
        let outStrides = strides(shape)
        func inputStrides(_ s: [Int]) -> [Int] {
            let padded = [Int](repeating: 1, count: n - s.count) + s
            let st = strides(padded)
            return (0..<n).map { padded[$0] == 1 ? 0 : st[$0] }
        }
        let sa = inputStrides(a.shape), sb = inputStrides(b.shape)
        let total = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: total)
        for flat in 0..<total {
            var rest = flat, ia = 0, ib = 0
            for d in 0..<n {
                let q = rest / outStrides[d]
                rest -= q * outStrides[d]
                ia += q * sa[d]
                ib += q * sb[d]
            }
            out[flat] = f(a.data[ia], b.data[ib])
        }
        return Tensor(shape: shape, data: out)
    }

    /// The values along `axis` when the tensor varies only along it (per-channel parameters such as `[1, C, 1, 1]`,
    /// `[C, 1, 1]`, `[C]`), with `channels` entries; a scalar is broadcast. Nil when it varies elsewhere.
    func perChannel(axis: Int, rank outRank: Int, channels: Int) -> [Float]? {
        if count == 1 { return [Float](repeating: data[0], count: channels) }
        let padded = [Int](repeating: 1, count: max(0, outRank - rank)) + shape
        guard padded.count == outRank else { return nil }
        for (d, size) in padded.enumerated() where d != axis && size != 1 { return nil }
        guard padded[axis] == channels else { return nil }
        return data
    }
}
