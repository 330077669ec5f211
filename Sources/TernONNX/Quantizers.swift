/// The three QONNX quantizers, as qonnx defines them (`qonnx/custom_op/general/{quant,bipolar_quant,multithreshold}.py`),
/// each reduced to "count the thresholds the input reaches, then scale and shift": the form Tern's thresholds take.
///
/// Both the evaluator (which applies them in float, as the graph says) and the importer (which turns them into the
/// real-valued thresholds folding starts from) read them from here, so the two cannot drift apart.
enum Quantizer: Sendable {
    /// `Quant(x, scale, zeropt, bitwidth)`: `q = clamp(R(x / scale + zeropt), lo, hi)`, out `(q − zeropt) · scale`.
    case quant(scale: Float, zeroPoint: Float, low: Int, high: Int, rounding: Rounding)
    /// `BipolarQuant(x, scale)`: `+scale` where `x ≥ 0`, else `−scale`.
    case bipolar(scale: Float)
    /// `MultiThreshold(x, T)`: `out_scale · #{ j : x ≥ T[c, j] } + out_bias`, thresholds per channel (axis 1) or shared.
    case multiThreshold(thresholds: [[Float]], outScale: Float, outBias: Float)

    enum Rounding: String, Sendable {
        /// NumPy's `round`: half to even.
        case round = "ROUND"
        case halfUp = "HALF_UP"
        case floor = "FLOOR"
    }

    /// Reads the quantizer of `node` (one of the three op types) with its constant parameters.
    static func read(_ node: ONNXGraph.Node, constants: [String: Tensor]) throws(ONNXError) -> Quantizer {
        func constant(_ i: Int, _ what: String) throws(ONNXError) -> Tensor {
            guard i < node.inputs.count, let t = constants[node.inputs[i]] else {
                throw .unsupported(node: node.label, opType: node.opType, reason: "its \(what) must be a constant")
            }
            return t
        }
        func scalar(_ i: Int, _ what: String) throws(ONNXError) -> Float {
            let t = try constant(i, what)
            guard t.count == 1 else {
                throw .unsupported(node: node.label, opType: node.opType,
                                   reason: "its \(what) has shape \(t.shape); only a per-tensor (scalar) \(what) is supported")
            }
            return t.data[0]
        }
        switch node.opType {
        case "Quant":
            let scale = try scalar(1, "scale"), zeroPoint = try scalar(2, "zero point"), bits = try scalar(3, "bit width")
            guard scale.isFinite, scale > 0 else {
                throw .badNode(node: node.label, opType: node.opType, reason: "scale \(scale) is not finite and > 0")
            }
            guard zeroPoint.isFinite, zeroPoint == zeroPoint.rounded() else {
                throw .unsupported(node: node.label, opType: node.opType, reason: "zero point \(zeroPoint) is not an integer")
            }
            guard bits == bits.rounded(), bits >= 1, bits <= 16 else {
                throw .unsupported(node: node.label, opType: node.opType, reason: "bit width \(bits) is not an integer in 1...16")
            }
            let b = Int(bits)
            let signed = node.int("signed", default: 1) != 0, narrow = node.int("narrow", default: 0) != 0
            let low = signed ? -(1 << (b - 1)) + (narrow ? 1 : 0) : 0
            let high = signed ? (1 << (b - 1)) - 1 : (1 << b) - 1 - (narrow ? 1 : 0)
            guard high > low else {
                throw .unsupported(node: node.label, opType: node.opType, reason: "\(b)-bit narrow range holds one value")
            }
            let mode = node.string("rounding_mode", default: "ROUND").uppercased()
            guard let rounding = Rounding(rawValue: mode) else {
                throw .unsupported(node: node.label, opType: node.opType,
                                   reason: "rounding_mode \(mode) (supported: ROUND, HALF_UP, FLOOR)")
            }
            return .quant(scale: scale, zeroPoint: zeroPoint, low: low, high: high, rounding: rounding)
        case "BipolarQuant":
            let scale = try scalar(1, "scale")
            guard scale.isFinite, scale > 0 else {
                throw .badNode(node: node.label, opType: node.opType, reason: "scale \(scale) is not finite and > 0")
            }
            return .bipolar(scale: scale)
        case "MultiThreshold":
            let t = try constant(1, "threshold tensor")
            guard t.rank == 2, t.shape[1] >= 1 else {
                throw .badNode(node: node.label, opType: node.opType, reason: "thresholds have shape \(t.shape), [C, n] expected")
            }
            guard node.string("data_layout", default: "NCHW") == "NCHW" || node.string("data_layout", default: "NCHW") == "NC" else {
                throw .unsupported(node: node.label, opType: node.opType, reason: "data_layout \(node.string("data_layout", default: "")) (only NCHW/NC)")
            }
            let n = t.shape[1]
            // qonnx counts `x ≥ T` over every threshold: the order within a channel does not matter, so keep them sorted.
            let rows = (0..<t.shape[0]).map { c in Array(t.data[(c * n)..<((c + 1) * n)]).sorted() }
            guard rows.allSatisfy({ $0.allSatisfy { !$0.isNaN } }) else {
                throw .badNode(node: node.label, opType: node.opType, reason: "a threshold is NaN")
            }
            let bipolar = node.string("out_dtype", default: "") == "BIPOLAR"
            let outScale = bipolar ? 2 : node.float("out_scale", default: 1)
            let outBias = bipolar ? -1 : node.float("out_bias", default: 0)
            return .multiThreshold(thresholds: rows, outScale: outScale, outBias: outBias)
        default:
            throw .unsupportedOp(node: node.label, opType: node.opType, domain: node.domain)
        }
    }

    /// Float evaluation, exactly as qonnx's numpy code does it (`channel` picks a MultiThreshold row).
    func apply(_ x: Float, channel: Int) -> Float {
        switch self {
        case .quant(let scale, let zeroPoint, let low, let high, let rounding):
            var v = x / scale + zeroPoint
            v = min(max(v, Float(low)), Float(high))
            switch rounding {
            case .round: v = v.rounded(.toNearestOrEven)
            case .halfUp: v = (v + 0.5).rounded(.down)
            case .floor: v = v.rounded(.down)
            }
            return (v - zeroPoint) * scale
        case .bipolar(let scale):
            return x >= 0 ? scale : -scale
        case .multiThreshold(let thresholds, let outScale, let outBias):
            let row = thresholds.count == 1 ? thresholds[0] : thresholds[channel]
            return outScale * Float(row.count { x >= $0 }) + outBias
        }
    }

    /// Levels and the real-valued thresholds on the input for channel `c`: `code = #{ j : x ≥ τ_j }` (ascending),
    /// output real value `codeScale · code + codeOffset`. Quant's rounding boundaries are `(n − ½ − z) · s`
    /// (FLOOR: `(n − z) · s`); ties exactly at a boundary are where the graph's half-to-even rounding and Tern's
    /// `≥` can differ, which `--verify` reports.
    func realThresholds(channel c: Int) -> (taus: [Double], codeScale: Double, codeOffset: Double) {
        switch self {
        case .quant(let scale, let zeroPoint, let low, let high, let rounding):
            let s = Double(scale), z = Double(zeroPoint)
            let half = rounding == .floor ? 0.0 : 0.5
            let taus = ((low + 1)...high).map { n in (Double(n) - half - z) * s }
            return (taus, s, (Double(low) - z) * s)
        case .bipolar(let scale):
            return ([0], 2 * Double(scale), -Double(scale))
        case .multiThreshold(let thresholds, let outScale, let outBias):
            let row = thresholds.count == 1 ? thresholds[0] : thresholds[c]
            return (row.map { Double($0) }, Double(outScale), Double(outBias))
        }
    }

    /// The same quantizer with another scale (and, for `Quant`, zero point): per-channel weight quantizers.
    func with(scale: Float, zeroPoint: Float) -> Quantizer {
        switch self {
        case .quant(_, _, let low, let high, let rounding):
            .quant(scale: scale, zeroPoint: zeroPoint, low: low, high: high, rounding: rounding)
        case .bipolar: .bipolar(scale: scale)
        case .multiThreshold: self
        }
    }

    /// Whether the parameters satisfy what `read` checks for a per-tensor quantizer.
    var isValid: Bool {
        switch self {
        case .quant(let s, let z, _, _, _): s.isFinite && s > 0 && z.isFinite && z == z.rounded()
        case .bipolar(let s): s.isFinite && s > 0
        case .multiThreshold: true
        }
    }

    /// Number of distinct codes.
    var levels: Int {
        switch self {
        case .quant(_, _, let low, let high, _): high - low + 1
        case .bipolar: 2
        case .multiThreshold(let t, _, _): (t.first?.count ?? 0) + 1
        }
    }

    /// How far `x` is from the nearest threshold of channel `c`, in the quantizer's own input units (Quant: steps of
    /// `x / scale`); used to tell a threshold tie from a real disagreement.
    func tieDistance(_ x: Float, channel c: Int) -> Double {
        let (taus, _, _) = realThresholds(channel: c)
        var best = Double.infinity
        let unit: Double
        if case .quant(let s, _, _, _, _) = self { unit = Double(s) } else { unit = 1 }
        for t in taus { best = min(best, abs(Double(x) - t) / unit / max(1, abs(t / unit))) }
        return best
    }
}

extension ONNXGraph.Node {
    func int(_ name: String, default value: Int) -> Int {
        guard let a = attributes[name] else { return value }
        return Int(a.i)
    }
    func float(_ name: String, default value: Float) -> Float {
        guard let a = attributes[name] else { return value }
        return a.f
    }
    func string(_ name: String, default value: String) -> String {
        guard let a = attributes[name] else { return value }
        return String(decoding: a.s, as: UTF8.self)
    }
    func ints(_ name: String) -> [Int]? {
        guard let a = attributes[name] else { return nil }
        return a.ints.map { Int($0) }
    }
}
