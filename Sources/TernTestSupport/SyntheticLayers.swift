import TernFormat
import TernZlib

/// One layer of a random network description for `SyntheticNetwork.stack`.
public enum SyntheticSpec: Sendable {
    case conv(channels: Int, kernel: Int, padding: Int, bits: UInt8)
    case pool
    case dense(outputs: Int, bits: UInt8)
    /// The final layer (logits), dense.
    case classes(Int)
}

/// How `SyntheticNetwork.fileBytes(options:)` stores sections.
public struct SyntheticEncoding: Sendable {
    public var weightLayout: SectionLayout
    /// `.int8`, `.int16` or `.int32`; values that do not fit fall back to the next wider width.
    public var thresholdLayout: SectionLayout
    /// zlib windowBits for every section, or nil for uncompressed.
    public var zlibWindowBits: Int?
    /// Extra string metadata (e.g. `general.dataset`).
    public var metadata: [(key: String, value: String)]
    public init(weightLayout: SectionLayout = .ternaryTokens, thresholdLayout: SectionLayout = .int32,
                zlibWindowBits: Int? = nil, metadata: [(key: String, value: String)] = []) {
        self.weightLayout = weightLayout
        self.thresholdLayout = thresholdLayout
        self.zlibWindowBits = zlibWindowBits
        self.metadata = metadata
    }
}

extension SyntheticNetwork {
    /// A random network over a `channels × height × width` pixel input following `specs` (convs, pools, dense
    /// layers, then `.classes`). Shapes are derived; some thresholds are the "always"/"never" sentinels.
    public static func stack(
        input: (channels: Int, height: Int, width: Int), _ specs: [SyntheticSpec], sparsity: Double, seed: UInt64
    ) -> SyntheticNetwork {
        var rng = SeededGenerator(seed: seed)
        var layers: [SyntheticLayer] = []
        var (c, h, w) = input
        var bits: UInt8 = 8
        for spec in specs {
            var record: LayerRecord
            switch spec {
            case .conv(let oc, let k, let p, let ob):
                let oh = h + 2 * p - k + 1, ow = w + 2 * p - k + 1
                record = LayerRecord(kind: .conv, inputBits: bits, outputBits: ob, padding: UInt8(p), kernel: UInt8(k),
                                     stride: 1, inChannels: UInt32(c), inHeight: UInt32(h), inWidth: UInt32(w),
                                     outChannels: UInt32(oc), outHeight: UInt32(oh), outWidth: UInt32(ow))
                (c, h, w, bits) = (oc, oh, ow, ob)
            case .pool:
                record = LayerRecord(kind: .maxPool, inputBits: bits, outputBits: bits, kernel: 2, stride: 2,
                                     inChannels: UInt32(c), inHeight: UInt32(h), inWidth: UInt32(w),
                                     outChannels: UInt32(c), outHeight: UInt32(h / 2), outWidth: UInt32(w / 2))
                (h, w) = (h / 2, w / 2)
            case .dense(let o, let ob):
                record = LayerRecord(kind: .dense, inputBits: bits, outputBits: ob, inChannels: UInt32(c),
                                     inHeight: UInt32(h), inWidth: UInt32(w), outChannels: UInt32(o), outHeight: 1,
                                     outWidth: 1)
                (c, h, w, bits) = (o, 1, 1, ob)
            case .classes(let o):
                record = LayerRecord(kind: .dense, inputBits: bits, outputBits: 0, logitFractionBits: 8,
                                     inChannels: UInt32(c), inHeight: UInt32(h), inWidth: UInt32(w),
                                     outChannels: UInt32(o), outHeight: 1, outWidth: 1)
                (c, h, w) = (o, 1, 1)
            }
            if record.kind == .maxPool {
                layers.append(SyntheticLayer(record: record, weights: [], params: []))
                continue
            }
            let weights = randomTernary(count: record.weightCount, sparsity: sparsity, using: &rng)
            let maxInput = record.inputBits == 8 ? 255 : (1 << Int(record.inputBits)) - 1
            // Centre thresholds on the expected accumulator of a half-on input so codes vary.
            var params = randomParams(record, maxInput: maxInput, using: &rng)
            if !record.isFinal {
                let density = 1 - sparsity
                let scale = max(1.0, (Double(record.fanIn) * density).squareRoot() * Double(maxInput) / 2)
                let per = record.thresholdsPerChannel
                for ch in 0..<Int(record.outChannels) {
                    var t = (0..<per).map { _ in Int32((Double.random(in: -1...1, using: &rng) * scale).rounded()) }
                    t.sort()
                    if Int.random(in: 0..<16, using: &rng) == 0 { t[0] = Int32.min }
                    if Int.random(in: 0..<16, using: &rng) == 0 { t[per - 1] = Int32.max }
                    params.replaceSubrange(ch * per..<(ch + 1) * per, with: t)
                }
            }
            var r = record
            r.nonzeroWeights = UInt32(weights.count(where: { $0 != 0 }))
            layers.append(SyntheticLayer(record: r, weights: weights, params: params))
        }
        return SyntheticNetwork(layers: layers)
    }

    /// The artifact with the given section encodings.
    public func fileBytes(encoding: SyntheticEncoding, alignment: UInt32 = 32) throws -> [UInt8] {
        var w = TernWriter(alignment: alignment)
        w.setMetadata(Array("general.architecture".utf8), .string(Array("synthetic".utf8)))
        for (k, v) in encoding.metadata { w.setMetadata(Array(k.utf8), .string(Array(v.utf8))) }
        func add(_ layer: Int, _ kind: SectionKind, _ layout: SectionLayout, _ count: Int, _ decoded: [UInt8]) throws {
            if let bits = encoding.zlibWindowBits {
                let stored = try deflate(decoded, level: 9, windowBits: bits)
                w.addSection(layer: layer, kind: kind, layout: layout, compression: .zlib, windowBits: UInt8(bits),
                             elementCount: count, decoded: decoded, stored: stored)
            } else {
                w.addSection(layer: layer, kind: kind, layout: layout, compression: .none, windowBits: 0,
                             elementCount: count, decoded: decoded, stored: decoded)
            }
        }
        for l in layers {
            let i = w.addLayer(l.record)
            guard l.record.kind != .maxPool else { continue }
            let encoded = encoding.weightLayout == .ternaryTokens
                ? TernaryTokens.encode(l.weights) : TernaryPacked2.encode(l.weights)
            try add(i, .weights, encoding.weightLayout, l.weights.count, encoded)
            if l.record.isFinal {
                try add(i, .affine, .int32, l.params.count, littleEndian(l.params, width: 4))
            } else {
                var width = encoding.thresholdLayout.integerWidth ?? 4
                while width < 4 && !l.params.allSatisfy({ fits($0, width: width) }) { width *= 2 }
                let layout: SectionLayout = width == 1 ? .int8 : width == 2 ? .int16 : .int32
                let narrowed = l.params.map { v -> Int32 in
                    guard width < 4 else { return v }
                    let top = Int32(1) << Int32(8 * width - 1)
                    return v == .min ? -top : v == .max ? top - 1 : v
                }
                try add(i, .thresholds, layout, l.params.count, littleEndian(narrowed, width: width))
            }
        }
        return try w.serialize()
    }
}

/// Whether `v` is representable in a `width`-byte threshold (sentinels always are; other values must avoid the
/// type's min and max, which mean −∞ and +∞).
func fits(_ v: Int32, width: Int) -> Bool {
    if v == .min || v == .max || width >= 4 { return true }
    let top = Int32(1) << Int32(8 * width - 1)
    return v > -top && v < top - 1
}

func littleEndian(_ values: [Int32], width: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(values.count * width)
    for v in values { for k in 0..<width { out.append(UInt8(truncatingIfNeeded: v >> Int32(8 * k))) } }
    return out
}
