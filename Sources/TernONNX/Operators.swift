/// The float kernels of the ops Tern imports, written for clarity (the evaluator is a reference, not a runtime).
/// Tensors are NCHW. Each function checks what it relies on and throws `badNode`/`unsupported` naming the node.
enum ONNXOps {
    static let supported: [String] = [
        "Quant", "BipolarQuant", "MultiThreshold", "BatchNormalization", "Conv", "MatMul", "Gemm", "MaxPool",
        "Flatten", "Reshape", "Transpose", "Add", "Sub", "Mul", "Div", "Relu", "Identity", "Constant",
    ]
    static var supportedList: String { supported.joined(separator: ", ") }

    static func run(_ node: ONNXGraph.Node, _ inputs: [Tensor?], constants: [String: Tensor]) throws(ONNXError) -> Tensor {
        func input(_ i: Int) throws(ONNXError) -> Tensor {
            guard i < inputs.count, let t = inputs[i] else {
                throw .badNode(node: node.label, opType: node.opType, reason: "input \(i) is missing")
            }
            return t
        }
        func bad(_ reason: String) -> ONNXError { .badNode(node: node.label, opType: node.opType, reason: reason) }
        switch node.opType {
        case "Quant" where (inputs.count > 2 && (inputs[1]?.count ?? 1) * (inputs[2]?.count ?? 1) != 1),
             "BipolarQuant" where (inputs.count > 1 && (inputs[1]?.count ?? 1) != 1):
            // A per-channel scale: weight quantizers, evaluated once by constant folding. The element rule is the
            // per-tensor quantizer's, with that element's scale (and zero point).
            let x = try input(0), scale = try input(1)
            let zeroPoint = node.opType == "Quant" ? try input(2) : Tensor(scalar: 0)
            guard let expanded = Tensor.broadcast(x, scale, { _, s in s }),
                  let zps = Tensor.broadcast(expanded, zeroPoint, { _, z in z }), expanded.shape == x.shape,
                  zps.shape == x.shape else {
                throw bad("scale \(scale.shape) / zero point \(zeroPoint.shape) do not broadcast to \(x.shape)")
            }
            // Read the attributes once with the first element's parameters, then swap in each element's.
            let first = [node.inputs[1]: Tensor(scalar: expanded.data[0])]
                .merging(node.opType == "Quant" ? [node.inputs[2]: Tensor(scalar: zps.data[0]), node.inputs[3]: try input(3)] : [:]) { $1 }
            let template = try Quantizer.read(node, constants: first)
            var out = x.data
            for i in out.indices {
                let q = template.with(scale: expanded.data[i], zeroPoint: zps.data[i])
                guard q.isValid else { throw bad("element \(i): scale \(expanded.data[i]) / zero point \(zps.data[i]) is not usable") }
                out[i] = q.apply(x.data[i], channel: 0)
            }
            return Tensor(shape: x.shape, data: out)
        case "Quant", "BipolarQuant", "MultiThreshold":
            let q = try Quantizer.read(node, constants: constants)
            let x = try input(0)
            if case .multiThreshold(let rows, _, _) = q, rows.count > 1 {
                guard x.rank >= 2, x.shape[1] == rows.count else {
                    throw bad("\(rows.count) threshold rows for input shape \(x.shape)")
                }
                let inner = x.shape.dropFirst(2).reduce(1, *)
                let channels = x.shape[1]
                return Tensor(shape: x.shape, data: x.data.indices.map { q.apply(x.data[$0], channel: ($0 / inner) % channels) })
            }
            return Tensor(shape: x.shape, data: x.data.map { q.apply($0, channel: 0) })
        case "Identity":
            return try input(0)
        case "Relu":
            let x = try input(0)
            return Tensor(shape: x.shape, data: x.data.map { max($0, 0) })
        case "Add", "Sub", "Mul", "Div":
            let f: (Float, Float) -> Float = switch node.opType {
            case "Add": { $0 + $1 }
            case "Sub": { $0 - $1 }
            case "Mul": { $0 * $1 }
            default: { $0 / $1 }
            }
            guard let r = Tensor.broadcast(try input(0), try input(1), f) else {
                throw bad("shapes \(try input(0).shape) and \(try input(1).shape) do not broadcast")
            }
            return r
        case "BatchNormalization":
            let x = try input(0)
            guard x.rank >= 2 else { throw bad("input rank \(x.rank) < 2") }
            let c = x.shape[1]
            let params = try (1...4).map { i throws(ONNXError) in try input(i) }
            guard params.allSatisfy({ $0.count == c }) else { throw bad("parameters are not \(c) per channel") }
            let eps = node.float("epsilon", default: 1e-5)
            let inner = x.shape.dropFirst(2).reduce(1, *)
            var out = x.data
            for i in out.indices {
                let ch = (i / inner) % c
                out[i] = params[0].data[ch] * (x.data[i] - params[2].data[ch]) / (params[3].data[ch] + eps).squareRoot()
                    + params[1].data[ch]
            }
            return Tensor(shape: x.shape, data: out)
        case "MatMul":
            let a = try input(0), b = try input(1)
            guard a.rank == 2, b.rank == 2, a.shape[1] == b.shape[0] else { throw bad("shapes \(a.shape) × \(b.shape)") }
            return matmul(a, b, transposeB: false)
        case "Gemm":
            let a = try input(0), b = try input(1)
            guard node.int("transA", default: 0) == 0 else { throw bad("transA = 1 is not supported") }
            let transB = node.int("transB", default: 0) != 0
            guard a.rank == 2, b.rank == 2, a.shape[1] == (transB ? b.shape[1] : b.shape[0]) else {
                throw bad("shapes \(a.shape) × \(b.shape) (transB \(transB))")
            }
            var y = matmul(a, b, transposeB: transB)
            let alpha = node.float("alpha", default: 1), beta = node.float("beta", default: 1)
            if alpha != 1 { y.data = y.data.map { $0 * alpha } }
            if inputs.count > 2, let c = inputs[2] {
                guard let r = Tensor.broadcast(y, c, { $0 + beta * $1 }) else { throw bad("bias shape \(c.shape)") }
                y = r
            }
            return y
        case "Conv":
            return try conv(node, try input(0), try input(1), inputs.count > 2 ? inputs[2] : nil)
        case "MaxPool":
            return try maxPool(node, try input(0))
        case "Flatten":
            let x = try input(0)
            var axis = node.int("axis", default: 1)
            if axis < 0 { axis += x.rank }
            guard (0...x.rank).contains(axis) else { throw bad("axis \(axis)") }
            let outer = x.shape.prefix(axis).reduce(1, *)
            return Tensor(shape: [outer, x.count / max(outer, 1)], data: x.data)
        case "Reshape":
            let x = try input(0), target = try input(1)
            return Tensor(shape: try reshapeTarget(node, from: x.shape, to: target.data), data: x.data)
        case "Transpose":
            let x = try input(0)
            let perm = node.ints("perm") ?? Array((0..<x.rank).reversed())
            guard perm.sorted() == Array(0..<x.rank) else { throw bad("perm \(perm) for rank \(x.rank)") }
            return transpose(x, perm)
        default:
            throw .unsupportedOp(node: node.label, opType: node.opType, domain: node.domain)
        }
    }

    /// ONNX Reshape: `0` copies the input's dim, one `-1` is inferred.
    static func reshapeTarget(_ node: ONNXGraph.Node, from shape: [Int], to values: [Float]) throws(ONNXError) -> [Int] {
        guard values.allSatisfy({ $0 == $0.rounded() && $0 >= -1 && $0 <= Float(1 << 28) }) else {
            throw .badNode(node: node.label, opType: node.opType, reason: "shape \(values) is not a list of dims")
        }
        let target = values.map { Int($0) }
        let copyZeros = node.int("allowzero", default: 0) == 0
        var out = target.enumerated().map { i, d in d == 0 && copyZeros && i < shape.count ? shape[i] : d }
        let total = shape.reduce(1, *)
        if let unknown = out.firstIndex(of: -1) {
            let known = Tensor.elementCount(out.enumerated().filter { $0.offset != unknown }.map(\.element)) ?? 0
            guard known > 0, total % known == 0 else {
                throw .badNode(node: node.label, opType: node.opType, reason: "cannot reshape \(shape) to \(target)")
            }
            out[unknown] = total / known
        }
        guard out.allSatisfy({ $0 >= 1 }), Tensor.elementCount(out) == total else {
            throw .badNode(node: node.label, opType: node.opType, reason: "cannot reshape \(shape) to \(target)")
        }
        return out
    }

    static func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool) -> Tensor {
        let m = a.shape[0], k = a.shape[1], n = transposeB ? b.shape[0] : b.shape[1]
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k { s += a.data[i * k + p] * (transposeB ? b.data[j * k + p] : b.data[p * n + j]) }
                out[i * n + j] = s
            }
        }
        return Tensor(shape: [m, n], data: out)
    }

    static func transpose(_ x: Tensor, _ perm: [Int]) -> Tensor {
        let shape = perm.map { x.shape[$0] }
        let inStrides = Tensor.strides(x.shape), outStrides = Tensor.strides(shape)
        var out = [Float](repeating: 0, count: x.count)
        for flat in 0..<x.count {
            var rest = flat, src = 0
            for d in 0..<shape.count {
                let q = rest / outStrides[d]
                rest -= q * outStrides[d]
                src += q * inStrides[perm[d]]
            }
            out[flat] = x.data[src]
        }
        return Tensor(shape: shape, data: out)
    }

    /// The 2-D conv attributes Tern supports, checked: square kernel, stride 1, dilation 1, one group, symmetric pads.
    static func convGeometry(_ node: ONNXGraph.Node, weightShape w: [Int]) throws(ONNXError) -> (kernel: Int, pad: Int) {
        func unsupported(_ r: String) -> ONNXError { .unsupported(node: node.label, opType: node.opType, reason: r) }
        guard w.count == 4, w[2] == w[3] else { throw unsupported("weight shape \(w); square 2-D kernels only") }
        guard node.int("group", default: 1) == 1 else { throw unsupported("group \(node.int("group", default: 1)) (only 1)") }
        guard (node.ints("strides") ?? [1, 1]).allSatisfy({ $0 == 1 }) else { throw unsupported("strides \(node.ints("strides")!) (only 1)") }
        guard (node.ints("dilations") ?? [1, 1]).allSatisfy({ $0 == 1 }) else { throw unsupported("dilations \(node.ints("dilations")!) (only 1)") }
        let autoPad = node.string("auto_pad", default: "NOTSET")
        let pads: [Int]
        switch autoPad {
        case "NOTSET": pads = node.ints("pads") ?? [0, 0, 0, 0]
        case "VALID": pads = [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER": pads = [Int](repeating: (w[2] - 1) / 2, count: 4)
        default: throw unsupported("auto_pad \(autoPad)")
        }
        guard pads.count == 4, Set(pads).count == 1 else { throw unsupported("pads \(pads) (only equal on every side)") }
        return (w[2], pads[0])
    }

    static func conv(_ node: ONNXGraph.Node, _ x: Tensor, _ w: Tensor, _ bias: Tensor?) throws(ONNXError) -> Tensor {
        let (k, pad) = try convGeometry(node, weightShape: w.shape)
        guard x.rank == 4, x.shape[1] == w.shape[1] else {
            throw .badNode(node: node.label, opType: node.opType, reason: "input \(x.shape) for weights \(w.shape)")
        }
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = w.shape[0]
        let oh = h + 2 * pad - k + 1, ow = wd + 2 * pad - k + 1
        guard oh >= 1, ow >= 1 else { throw .badNode(node: node.label, opType: node.opType, reason: "kernel larger than input") }
        if let bias, bias.count != o { throw .badNode(node: node.label, opType: node.opType, reason: "bias of \(bias.count) for \(o) channels") }
        var out = [Float](repeating: 0, count: n * o * oh * ow)
        for b in 0..<n {
            for oc in 0..<o {
                for y in 0..<oh {
                    for xx in 0..<ow {
                        var s: Float = 0
                        for ic in 0..<c {
                            for ky in 0..<k {
                                let iy = y + ky - pad
                                guard iy >= 0, iy < h else { continue }
                                for kx in 0..<k {
                                    let ix = xx + kx - pad
                                    guard ix >= 0, ix < wd else { continue }
                                    s += x.data[((b * c + ic) * h + iy) * wd + ix] * w.data[((oc * c + ic) * k + ky) * k + kx]
                                }
                            }
                        }
                        out[((b * o + oc) * oh + y) * ow + xx] = s + (bias?.data[oc] ?? 0)
                    }
                }
            }
        }
        return Tensor(shape: [n, o, oh, ow], data: out)
    }

    /// The pooling Tern supports: 2×2, stride 2, no padding, floor mode.
    static func poolGeometry(_ node: ONNXGraph.Node) throws(ONNXError) {
        func unsupported(_ r: String) -> ONNXError { .unsupported(node: node.label, opType: node.opType, reason: r) }
        guard node.ints("kernel_shape") == [2, 2] else { throw unsupported("kernel_shape \(node.ints("kernel_shape") ?? []) (only [2, 2])") }
        guard (node.ints("strides") ?? [1, 1]) == [2, 2] else { throw unsupported("strides \(node.ints("strides") ?? [1, 1]) (only [2, 2])") }
        guard (node.ints("pads") ?? [0, 0, 0, 0]).allSatisfy({ $0 == 0 }) else { throw unsupported("padding") }
        guard node.int("ceil_mode", default: 0) == 0 else { throw unsupported("ceil_mode 1") }
        guard (node.ints("dilations") ?? [1, 1]).allSatisfy({ $0 == 1 }) else { throw unsupported("dilations") }
        guard node.outputs.count == 1 || node.outputs.dropFirst().allSatisfy(\.isEmpty) else { throw unsupported("the Indices output") }
    }

    static func maxPool(_ node: ONNXGraph.Node, _ x: Tensor) throws(ONNXError) -> Tensor {
        try poolGeometry(node)
        guard x.rank == 4 else { throw .badNode(node: node.label, opType: node.opType, reason: "input rank \(x.rank)") }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = h / 2, ow = w / 2
        var out = [Float](repeating: 0, count: n * c * oh * ow)
        for p in 0..<(n * c) {
            for y in 0..<oh {
                for xx in 0..<ow {
                    let base = p * h * w
                    out[(p * oh + y) * ow + xx] = max(max(x.data[base + 2 * y * w + 2 * xx], x.data[base + 2 * y * w + 2 * xx + 1]),
                                                     max(x.data[base + (2 * y + 1) * w + 2 * xx], x.data[base + (2 * y + 1) * w + 2 * xx + 1]))
                }
            }
        }
        return Tensor(shape: [n, c, oh, ow], data: out)
    }
}
