import TernFormat
import TernModel

/// How the graph's float input relates to the `UInt8` pixels Tern's runtime reads: `input = scale · pixel + offset`.
public struct ONNXImportOptions: Sendable {
    public var inputScale: Double
    public var inputOffset: Double
    /// Metadata only.
    public var name: String
    public var dataset: String

    public init(inputScale: Double = 1.0 / 255, inputOffset: Double = 0, name: String = "onnx", dataset: String = "") {
        self.inputScale = inputScale
        self.inputOffset = inputOffset
        self.name = name
        self.dataset = dataset
    }
}

/// What the import produced: the integer network (what `Folding.fold` produces for a checkpoint) and, per layer,
/// the ONNX nodes it came from.
public struct ONNXImport: Sendable {
    public var network: IntegerNetwork
    public var layerSources: [String]
}

/// QONNX / ONNX → `IntegerNetwork`, by walking the constant-folded graph with a symbolic value per tensor:
///
/// - a **feature map** (the pixels, or an activation's codes): real value `scale · code + offset`, per tensor;
/// - a **pending layer**: a Conv/MatMul/Gemm of ternary weights on a feature map, whose real value is
///   `A_c · acc_c + B_c` per output channel (docs/DATAFLOW.md); bias, `Mul`/`Add`/`Sub`/`Div` by constants and
///   `BatchNormalization` update `A`, `B`;
/// - an activation quantizer (`Quant`, `BipolarQuant`, `MultiThreshold`, optionally after `Relu`) closes the layer:
///   its real-valued thresholds become integer thresholds through `Folding.thresholds`, as for a checkpoint; a
///   pending layer that is the graph's output becomes the logits through `Folding.logitAffine`.
///
/// Anything else — an unknown op, a quantizer Tern cannot represent, weights that are not ternary per output channel,
/// a graph that is not a chain — is refused naming the node; nothing is approximated.
public enum ONNXImporter {
    struct FeatureMap {
        /// ONNX shape, batch 1.
        var shape: [Int]
        /// The C×H×W map the artifact sees (a flattened map keeps the shape it was flattened from).
        var map: FeatureShape
        var flat: Bool
        var bits: Int
        var scale: Double
        var offset: Double
        var maxCode: Int { bits == 8 ? 255 : (1 << bits) - 1 }
    }

    struct PendingLayer {
        var layer: IntegerNetwork.Layer
        var shape: [Int]
        var a: [Double]
        var b: [Double]
        var reach: [Int]
        var relu = false
        var sources: [String]
    }

    enum Value {
        case features(FeatureMap)
        case pending(PendingLayer)
    }

    public static func importGraph(_ graph: ONNXGraph, options: ONNXImportOptions = ONNXImportOptions()) throws(ONNXError) -> ONNXImport {
        let g = try Evaluator(graph).graph
        guard options.inputScale.isFinite, options.inputScale > 0, options.inputOffset.isFinite else {
            throw .badModel("input scale must be finite and > 0, offset finite")
        }
        guard g.outputNames.count == 1 else {
            throw .badModel("Tern's network has one output (the logits); the graph has \(g.outputNames.count)")
        }
        // A chain: every computed tensor is read by at most one node.
        var readers: [String: Int] = [:]
        for n in g.nodes { for i in n.inputs where g.constants[i] == nil && !i.isEmpty { readers[i, default: 0] += 1 } }
        let shape = g.inputShape
        let inputMap = shape.count == 4
            ? FeatureShape(channels: shape[1], height: shape[2], width: shape[3])
            : FeatureShape(channels: shape[1], height: 1, width: 1)
        var values: [String: Value] = [
            g.inputName: .features(FeatureMap(shape: shape, map: inputMap, flat: shape.count == 2, bits: 8,
                                              scale: options.inputScale, offset: options.inputOffset)),
        ]
        var layers: [IntegerNetwork.Layer] = []
        var sources: [String] = []

        for node in g.nodes {
            func unsupported(_ reason: String) -> ONNXError { .unsupported(node: node.label, opType: node.opType, reason: reason) }
            let dynamicInputs = node.inputs.filter { !$0.isEmpty && g.constants[$0] == nil }
            guard dynamicInputs.count == 1, let inputName = dynamicInputs.first, let value = values[inputName] else {
                throw unsupported("it combines \(dynamicInputs.count) computed tensors; Tern runs a chain of layers")
            }
            if (readers[inputName] ?? 0) > 1 {
                throw unsupported("its input '\(inputName)' feeds \(readers[inputName]!) nodes; Tern runs a chain of layers")
            }
            func constant(_ i: Int) -> Tensor? { i < node.inputs.count ? g.constants[node.inputs[i]] : nil }
            let result: Value
            switch (node.opType, value) {
            case ("Identity", _):
                result = value
            case ("Flatten", .features(var f)), ("Reshape", .features(var f)), ("Transpose", .features(var f)):
                let total = f.shape.reduce(1, *)
                let newShape: [Int]
                switch node.opType {
                case "Flatten":
                    let axis = node.int("axis", default: 1)
                    guard axis == 1 || axis + f.shape.count == 1 else {
                        throw unsupported("axis \(axis) (only 1: keep the batch axis)")
                    }
                    newShape = [1, total]
                case "Reshape":
                    guard let target = constant(1) else { throw unsupported("its shape input must be a constant") }
                    newShape = try ONNXOps.reshapeTarget(node, from: f.shape, to: target.data)
                default:
                    let perm = node.ints("perm") ?? Array((0..<f.shape.count).reversed())
                    guard perm.sorted() == Array(0..<f.shape.count) else { throw unsupported("perm \(perm)") }
                    let moved = perm.filter { f.shape[$0] != 1 }
                    guard moved == moved.sorted() else {
                        throw unsupported("perm \(perm) reorders the data of shape \(f.shape); Tern keeps channels-first order")
                    }
                    newShape = perm.map { f.shape[$0] }
                }
                let mapShape = [1, f.map.channels, f.map.height, f.map.width]
                if newShape.count == 2, newShape[0] == 1 {
                    f.flat = true                     // [N, C·H·W]: CHW order, whatever it was flattened from
                } else if newShape == mapShape, !f.flat || f.map.height * f.map.width == 1 {
                    f.flat = false                    // the same C×H×W map (only size-1 axes moved)
                } else if newShape != f.shape {
                    throw unsupported("shape \(f.shape) → \(newShape); only flattening to [N, C·H·W] is supported")
                }
                f.shape = newShape
                result = .features(f)
            case ("Conv", .features(let f)), ("MatMul", .features(let f)), ("Gemm", .features(let f)):
                result = .pending(try weightLayer(node, input: f, constants: g.constants))
            case ("MaxPool", .features(var f)):
                try ONNXOps.poolGeometry(node)
                guard f.bits != 8 else { throw unsupported("it pools the input pixels; Tern pools activation codes") }
                guard !f.flat, f.map.height % 2 == 0, f.map.width % 2 == 0 else {
                    throw unsupported("2×2 pooling needs an unflattened map of even height and width, not \(f.shape)")
                }
                var record = LayerRecord(kind: .maxPool, inputBits: UInt8(f.bits), outputBits: UInt8(f.bits), kernel: 2, stride: 2,
                                         inChannels: UInt32(f.map.channels), inHeight: UInt32(f.map.height),
                                         inWidth: UInt32(f.map.width), outChannels: UInt32(f.map.channels),
                                         outHeight: UInt32(f.map.height / 2), outWidth: UInt32(f.map.width / 2))
                record.nonzeroWeights = 0
                layers.append(IntegerNetwork.Layer(record: record))
                sources.append("\(node.label) (MaxPool)")
                f.map = FeatureShape(channels: f.map.channels, height: f.map.height / 2, width: f.map.width / 2)
                f.shape = [1, f.map.channels, f.map.height, f.map.width]
                result = .features(f)
            case ("Add", _), ("Sub", _), ("Mul", _), ("Div", _):
                let constantFirst = g.constants[node.inputs[0]] != nil
                guard let c = constant(constantFirst ? 0 : 1) else { throw unsupported("one operand must be a constant") }
                result = try affineUpdate(node, value, constant: c, constantFirst: constantFirst)
            case ("BatchNormalization", .pending(var p)):
                let channels = p.a.count
                var params: [[Float]] = []
                for i in 1...4 {
                    guard let t = constant(i), t.count == channels else {
                        throw unsupported("its parameters must be constants with one value per channel (\(channels))")
                    }
                    params.append(t.data)
                }
                let eps = Double(node.float("epsilon", default: 1e-5))
                for ch in 0..<channels {
                    let deviation = (Double(params[3][ch]) + eps).squareRoot()
                    let gamma = Double(params[0][ch]) / deviation
                    guard gamma.isFinite else { throw unsupported("channel \(ch): variance + epsilon is not positive") }
                    p.a[ch] *= gamma
                    p.b[ch] = (p.b[ch] - Double(params[2][ch])) * gamma + Double(params[1][ch])
                }
                p.sources.append("\(node.label) (BatchNormalization)")
                result = .pending(p)
            case ("Relu", .pending(var p)):
                p.relu = true
                p.sources.append("\(node.label) (Relu)")
                result = .pending(p)
            case ("Relu", .features(let f)):
                // Codes are ordered like their values; with no negative value the Relu is the identity.
                guard f.offset >= 0 else { throw unsupported("it clips activations whose real values go below 0") }
                result = value
            case ("Quant", .pending(let p)), ("BipolarQuant", .pending(let p)), ("MultiThreshold", .pending(let p)):
                let q = try Quantizer.read(node, constants: g.constants)
                let (layer, features) = try close(p, node: node, quantizer: q)
                layers.append(layer)
                sources.append((p.sources + ["\(node.label) (\(node.opType))"]).joined(separator: " → "))
                result = .features(features)
            case ("Quant", .features), ("BipolarQuant", .features), ("MultiThreshold", .features):
                throw unsupported("it quantizes \(inputName), which is not the output of a Conv/MatMul/Gemm; Tern "
                                  + "quantizes only layer outputs (export without an input or requantizing quantizer)")
            case (_, .pending) where ["Flatten", "Reshape", "Transpose", "MaxPool", "Conv", "MatMul", "Gemm"].contains(node.opType):
                throw unsupported("it reads the unquantized output of a weight layer; put an activation quantizer first")
            default:
                if ONNXOps.supported.contains(node.opType) { throw unsupported("not in this position") }
                throw .unsupportedOp(node: node.label, opType: node.opType, domain: node.domain)
            }
            values[node.outputs[0]] = result
        }
        guard let last = values[g.outputNames[0]] else { throw .badModel("the output is not computed from the input") }
        guard case .pending(var p) = last else {
            throw .badModel("the graph's output '\(g.outputNames[0])' is not a weight layer's output; Tern's last layer "
                            + "produces logits (end the graph with a Conv/MatMul/Gemm and its bias/scale, no quantizer)")
        }
        guard !p.relu else { throw .badModel("a Relu on the logits is not supported") }
        guard p.a.allSatisfy(\.isFinite), p.b.allSatisfy(\.isFinite), let (scale, bias, fraction) = Folding.logitAffine(a: p.a, b: p.b) else {
            throw .badModel("the last layer's scale or bias does not fit a 32-bit fixed point")
        }
        p.layer.logitScale = scale
        p.layer.logitBias = bias
        p.layer.record.logitFractionBits = UInt8(fraction)
        p.layer.record.outputBits = 0
        layers.append(p.layer)
        sources.append(p.sources.joined(separator: " → "))
        let network = IntegerNetwork(name: options.name, architecture: "onnx", dataset: options.dataset,
                                     inputChannels: inputMap.channels, inputHeight: inputMap.height,
                                     inputWidth: inputMap.width, layers: layers)
        return ONNXImport(network: network, layerSources: sources)
    }

    /// Mul/Div/Add/Sub by a constant: on a pending layer per channel (axis 1), on a feature map only per tensor.
    static func affineUpdate(_ node: ONNXGraph.Node, _ value: Value, constant c: Tensor, constantFirst: Bool) throws(ONNXError) -> Value {
        func unsupported(_ r: String) -> ONNXError { .unsupported(node: node.label, opType: node.opType, reason: r) }
        if constantFirst && node.opType == "Div" { throw unsupported("dividing a constant by a computed tensor") }
        switch value {
        case .pending(var p):
            guard let k = c.perChannel(axis: 1, rank: p.shape.count, channels: p.a.count) else {
                throw unsupported("constant of shape \(c.shape) is not per channel for \(p.shape)")
            }
            for ch in 0..<p.a.count {
                let v = Double(k[ch])
                switch node.opType {
                case "Add": p.b[ch] += v
                case "Sub": if constantFirst { p.a[ch] = -p.a[ch]; p.b[ch] = v - p.b[ch] } else { p.b[ch] -= v }
                case "Mul": p.a[ch] *= v; p.b[ch] *= v
                default: p.a[ch] /= v; p.b[ch] /= v
                }
            }
            p.sources.append("\(node.label) (\(node.opType))")
            return .pending(p)
        case .features(var f):
            guard c.count == 1 else { throw unsupported("a per-element constant on activations changes their quantization grid") }
            let v = Double(c.data[0])
            switch node.opType {
            case "Add": f.offset += v
            case "Sub":
                guard !constantFirst else { throw unsupported("negating activations reverses their order") }
                f.offset -= v
            case "Mul", "Div":
                guard v > 0 else { throw unsupported("a scale ≤ 0 on activations (Tern's codes are ordered like their values)") }
                if node.opType == "Mul" { f.scale *= v; f.offset *= v } else { f.scale /= v; f.offset /= v }
            default: break
            }
            return .features(f)
        }
    }

    /// Conv / MatMul / Gemm with constant weights that are ternary × a per-output-channel scale.
    static func weightLayer(_ node: ONNXGraph.Node, input f: FeatureMap, constants: [String: Tensor]) throws(ONNXError) -> PendingLayer {
        func unsupported(_ r: String) -> ONNXError { .unsupported(node: node.label, opType: node.opType, reason: r) }
        guard node.inputs.count >= 2, let w = constants[node.inputs[1]] else {
            throw unsupported("its weights '\(node.inputs.count > 1 ? node.inputs[1] : "")' are not a constant (or a quantizer of one)")
        }
        var record: LayerRecord
        var rows: [[Float]]          // [out][fanIn] in ONNX order (conv OIHW, dense CHW columns)
        var bias: [Float]?
        var alphaFactor: Double = 1
        var outShape: [Int]
        if node.opType == "Conv" {
            guard !f.flat, f.shape.count == 4 else { throw unsupported("it reads a flattened tensor \(f.shape)") }
            let (k, pad) = try ONNXOps.convGeometry(node, weightShape: w.shape)
            guard w.shape[1] == f.map.channels else { throw unsupported("weights \(w.shape) for \(f.map.channels) input channels") }
            guard k % 2 == 1, pad == 0 || pad == 1 else { throw unsupported("kernel \(k) / padding \(pad): Tern needs an odd kernel and padding 0 or 1") }
            guard pad == 0 || f.offset == 0 else {
                throw unsupported("zero padding of activations whose code 0 means \(f.offset), not 0 (Tern pads with code 0)")
            }
            let oh = f.map.height + 2 * pad - k + 1, ow = f.map.width + 2 * pad - k + 1
            guard oh >= 1, ow >= 1 else { throw unsupported("kernel \(k) does not fit \(f.shape)") }
            let out = w.shape[0], fanIn = w.count / out
            rows = (0..<out).map { Array(w.data[($0 * fanIn)..<(($0 + 1) * fanIn)]) }
            record = LayerRecord(kind: .conv, inputBits: UInt8(f.bits), outputBits: 0, padding: UInt8(pad), kernel: UInt8(k), stride: 1,
                                 inChannels: UInt32(f.map.channels), inHeight: UInt32(f.map.height), inWidth: UInt32(f.map.width),
                                 outChannels: UInt32(out), outHeight: UInt32(oh), outWidth: UInt32(ow))
            if node.inputs.count > 2, !node.inputs[2].isEmpty {
                guard let b = constants[node.inputs[2]] else { throw unsupported("its bias is not a constant") }
                bias = b.data
            }
            outShape = [1, out, oh, ow]
        } else {
            guard f.shape.count == 2 else { throw unsupported("it reads shape \(f.shape); flatten to [N, K] first") }
            let k = f.map.elements
            let transB = node.opType == "Gemm" && node.int("transB", default: 0) != 0
            guard node.int("transA", default: 0) == 0 else { throw unsupported("transA = 1") }
            guard w.rank == 2, (transB ? w.shape[1] : w.shape[0]) == k else { throw unsupported("weights \(w.shape) for \(k) inputs") }
            let out = transB ? w.shape[0] : w.shape[1]
            rows = (0..<out).map { o in (0..<k).map { i in transB ? w.data[o * k + i] : w.data[i * out + o] } }
            record = LayerRecord(kind: .dense, inputBits: UInt8(f.bits), outputBits: 0,
                                 inChannels: UInt32(f.map.channels), inHeight: UInt32(f.map.height), inWidth: UInt32(f.map.width),
                                 outChannels: UInt32(out), outHeight: 1, outWidth: 1)
            if node.opType == "Gemm" {
                alphaFactor = Double(node.float("alpha", default: 1))
                if node.inputs.count > 2, !node.inputs[2].isEmpty {
                    guard let c = constants[node.inputs[2]], let b = c.perChannel(axis: 1, rank: 2, channels: out) else {
                        throw unsupported("its bias C is not a constant per output")
                    }
                    let beta = node.float("beta", default: 1)
                    bias = b.map { $0 * beta }
                }
            }
            outShape = [1, out]
        }
        guard record.fanIn <= Limits.fanIn, Int(record.outChannels) <= Limits.channels,
              Int(record.outChannels) * record.fanIn <= Limits.elements else {
            throw unsupported("fan-in \(record.fanIn) × \(record.outChannels) outputs exceeds the format's limits")
        }
        // Ternarize per output channel: every weight must be 0 or ±α_c, exactly.
        var ternary: [Int8] = []
        ternary.reserveCapacity(rows.count * record.fanIn)
        var a: [Double] = [], b: [Double] = [], reach: [Int] = []
        for (o, row) in rows.enumerated() {
            let alpha = row.map(\.magnitude).max() ?? 0
            guard alpha.isFinite else { throw .notTernary(node: node.label, opType: node.opType, reason: "output channel \(o) holds a non-finite weight") }
            var sum = 0, magnitude = 0
            for v in row {
                let t: Int8 = v == 0 ? 0 : v == alpha ? 1 : v == -alpha ? -1 : 2
                guard t != 2 else {
                    let distinct = Set(row.map(\.magnitude)).sorted().prefix(4)
                    throw .notTernary(node: node.label, opType: node.opType,
                                      reason: "output channel \(o) holds magnitudes \(Array(distinct))…; Tern needs {−α, 0, +α} per output channel")
                }
                ternary.append(t)
                sum += Int(t)
                magnitude += Int(t.magnitude)
            }
            let (za, zb) = Folding.affine(alpha: alpha == 0 ? 1 : Double(alpha) * alphaFactor, weightSum: sum,
                                          inputScale: f.scale, inputOffset: f.offset, batchNorm: nil, epsilon: 0)
            a.append(za)
            b.append(zb + Double(bias?[o] ?? 0))
            reach.append(magnitude * f.maxCode)
        }
        if let bias, bias.count != rows.count { throw unsupported("bias of \(bias.count) for \(rows.count) outputs") }
        let weights = artifactOrder(ternary, record: record)
        record.nonzeroWeights = UInt32(weights.count { $0 != 0 })
        return PendingLayer(layer: IntegerNetwork.Layer(record: record, weights: weights), shape: outShape, a: a, b: b,
                            reach: reach, sources: ["\(node.label) (\(node.opType))"])
    }

    /// Folds the activation quantizer into integer thresholds (`Folding.thresholds`) and returns the codes it makes.
    static func close(_ p: PendingLayer, node: ONNXGraph.Node, quantizer q: Quantizer) throws(ONNXError) -> (IntegerNetwork.Layer, FeatureMap) {
        func unsupported(_ r: String) -> ONNXError { .unsupported(node: node.label, opType: node.opType, reason: r) }
        let levels = q.levels
        guard levels >= 2, levels <= 4 else {
            throw unsupported("\(levels) output levels; Tern's hidden activations have 2 (1 bit) to 4 (2 bits)")
        }
        if case .multiThreshold(let rows, _, _) = q, rows.count != 1, rows.count != p.a.count {
            throw unsupported("\(rows.count) threshold rows for \(p.a.count) channels")
        }
        guard p.a.allSatisfy(\.isFinite), p.b.allSatisfy(\.isFinite) else { throw unsupported("a scale or bias before it is not finite") }
        let bits = levels <= 2 ? 1 : 2
        var layer = p.layer
        layer.record.outputBits = UInt8(bits)
        var weights = layer.weights
        let fanIn = layer.record.fanIn
        var codeScale = 0.0, codeOffset = 0.0
        for c in 0..<p.a.count {
            var (taus, s, o) = q.realThresholds(channel: c)
            (codeScale, codeOffset) = (s, o)
            // max(y, 0) ≥ τ is always true for τ ≤ 0, and the same as y ≥ τ otherwise.
            if p.relu { taus = taus.map { $0 <= 0 ? -.infinity : $0 } }
            taus += [Double](repeating: .infinity, count: (1 << bits) - 1 - taus.count)
            let (negate, t) = Folding.thresholds(a: p.a[c], b: p.b[c], taus: taus, reach: p.reach[c])
            if negate { for k in (c * fanIn)..<((c + 1) * fanIn) { weights[k] = -weights[k] } }
            layer.thresholds += t
        }
        guard codeScale > 0 else { throw unsupported("its output scale \(codeScale) is not > 0") }
        layer.weights = weights
        let r = layer.record
        let map = FeatureShape(channels: Int(r.outChannels), height: Int(r.outHeight), width: Int(r.outWidth))
        return (layer, FeatureMap(shape: p.shape, map: map, flat: p.shape.count == 2, bits: bits,
                                  scale: codeScale, offset: codeOffset))
    }

    /// ONNX order → artifact order: conv OIHW → OHWI; a dense layer reading a flattened C×H×W map, CHW → HWC columns
    /// (the same rule as `Folding` applies to a checkpoint).
    static func artifactOrder(_ w: [Int8], record r: LayerRecord) -> [Int8] {
        let out = Int(r.outChannels), inC = Int(r.inChannels)
        switch r.kind {
        case .conv:
            let k = Int(r.kernel)
            var result = [Int8](repeating: 0, count: w.count)
            for o in 0..<out { for i in 0..<inC { for y in 0..<k { for x in 0..<k {
                result[((o * k + y) * k + x) * inC + i] = w[((o * inC + i) * k + y) * k + x]
            } } } }
            return result
        case .dense:
            let hw = Int(r.inHeight) * Int(r.inWidth)
            guard hw > 1, inC > 1 else { return w }
            let fanIn = inC * hw
            var result = [Int8](repeating: 0, count: w.count)
            for o in 0..<out { for ch in 0..<inC { for p in 0..<hw {
                result[o * fanIn + p * inC + ch] = w[o * fanIn + ch * hw + p]
            } } }
            return result
        case .maxPool:
            return w
        }
    }
}
