import TernFormat

/// A small deterministic PRNG (SplitMix64) so fixtures are the same on every machine and run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random ternary weights with the given fraction of zeros (exactly reproducible from the generator).
public func randomTernary(count: Int, sparsity: Double, using rng: inout SeededGenerator) -> [Int8] {
    (0..<count).map { _ in
        Double.random(in: 0..<1, using: &rng) < sparsity ? 0 : (Bool.random(using: &rng) ? 1 : -1)
    }
}

/// One layer of a synthetic network, in the artifact's own terms.
public struct SyntheticLayer: Sendable {
    public var record: LayerRecord
    /// Artifact order; empty for max-pool.
    public var weights: [Int8]
    /// Thresholds (channel-major) for hidden layers, or `M` then `B` for the final layer.
    public var params: [Int32]
}

/// Builds random but valid networks and their `.tern` bytes, for tests of the format and the runtime.
public struct SyntheticNetwork: Sendable {
    public var layers: [SyntheticLayer]

    /// A dense chain `sizes[0]` → … → `sizes.last` (a 1×1×sizes[0] input), hidden layers with `bits`-bit outputs.
    public static func dense(
        _ sizes: [Int], bits: UInt8 = 1, sparsity: Double, seed: UInt64
    ) -> SyntheticNetwork {
        var rng = SeededGenerator(seed: seed)
        var layers: [SyntheticLayer] = []
        var inBits: UInt8 = 8
        for i in 1..<sizes.count {
            let isLast = i == sizes.count - 1
            let record = LayerRecord(
                kind: .dense, inputBits: inBits, outputBits: isLast ? 0 : bits, logitFractionBits: isLast ? 8 : 0,
                inChannels: UInt32(sizes[i - 1]), inHeight: 1, inWidth: 1,
                outChannels: UInt32(sizes[i]), outHeight: 1, outWidth: 1)
            let w = randomTernary(count: record.weightCount, sparsity: sparsity, using: &rng)
            let maxInput = inBits == 8 ? 255 : (1 << Int(inBits)) - 1
            let params = randomParams(record, maxInput: maxInput, using: &rng)
            var r = record
            r.nonzeroWeights = UInt32(w.count(where: { $0 != 0 }))
            layers.append(SyntheticLayer(record: r, weights: w, params: params))
            inBits = bits
        }
        return SyntheticNetwork(layers: layers)
    }

    /// Random thresholds near the middle of the reachable accumulator range, or a random affine.
    static func randomParams(_ l: LayerRecord, maxInput: Int, using rng: inout SeededGenerator) -> [Int32] {
        if l.isFinal {
            let m = (0..<Int(l.outChannels)).map { _ in Int32.random(in: -300...300, using: &rng) }
            let b = (0..<Int(l.outChannels)).map { _ in Int32.random(in: -5000...5000, using: &rng) }
            return m + b
        }
        let spread = max(1, Int(Double(l.fanIn).squareRoot() * Double(maxInput) / 2))
        var out: [Int32] = []
        for _ in 0..<Int(l.outChannels) {
            var t = (0..<l.thresholdsPerChannel).map { _ in Int32.random(in: Int32(-spread)...Int32(spread), using: &rng) }
            t.sort()
            out += t
        }
        return out
    }

    /// The artifact, uncompressed (the runtime's zlib path is tested with compressed variants elsewhere).
    public func fileBytes(weightLayout: SectionLayout = .ternaryTokens, alignment: UInt32 = 32) throws(FormatError) -> [UInt8] {
        var w = TernWriter(alignment: alignment)
        w.setMetadata(Array("general.architecture".utf8), .string(Array("synthetic".utf8)))
        w.setMetadata(Array("general.name".utf8), .string(Array("test network".utf8)))
        for l in layers {
            let i = w.addLayer(l.record)
            guard l.record.kind != .maxPool else { continue }
            let encoded = weightLayout == .ternaryTokens ? TernaryTokens.encode(l.weights) : TernaryPacked2.encode(l.weights)
            w.addSection(layer: i, kind: .weights, layout: weightLayout, compression: .none, windowBits: 0,
                         elementCount: l.weights.count, decoded: encoded, stored: encoded)
            var p: [UInt8] = []
            for v in l.params { for s in stride(from: 0, to: 32, by: 8) { p.append(UInt8(truncatingIfNeeded: v >> Int32(s))) } }
            w.addSection(layer: i, kind: l.record.isFinal ? .affine : .thresholds, layout: .int32, compression: .none,
                         windowBits: 0, elementCount: l.params.count, decoded: p, stored: p)
        }
        return try w.serialize()
    }
}
