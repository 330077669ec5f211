import Foundation
import TernFormat
import TernModel

/// The same network stored every way, per layer and in total: `tern sizes`.
///
/// Sizes are bytes of weights only (no thresholds or scales), except the `.tern file` row, which is the whole
/// artifact. Fixed-rate formats are rounded up to whole bytes (GGUF's TQ formats to whole 256-weight blocks) per
/// layer. "× vs binary" and "× vs 2-bit" are how many times smaller a row is than 1-bit and 2-bit storage of the same
/// weights (the paper's 5× / 11× columns).
public struct SizeReport: Encodable, Sendable {
    public struct Layer: Encodable, Sendable {
        public var index: Int
        public var kind: String
        public var shape: String
        public var weights: Int
        public var nonzero: Int
        public var sparsity: Double
    }

    public struct Method: Encodable, Sendable {
        /// Stable identifier for `--json` consumers, e.g. `float32`, `gzip`, `tern_weights`.
        public var id: String
        public var name: String
        /// Bytes per weight layer; nil entries when not measurable (a tool that is not installed).
        public var layers: [Double?]
        public var total: Double?
        /// Why the row is empty or how it was computed, when that needs saying.
        public var note: String?
        public var timesSmallerThanBinary: Double?
        public var timesSmallerThanTernary2: Double?
    }

    /// What the `.tern` artifact spends, and the goals measured on it.
    public struct TernSummary: Encodable, Sendable {
        public var fileBytes: Int
        public var weightBytes: Int
        public var nonWeightBytes: Int
        /// weightBytes / Σ n·H0 of the measured layers (goal ≤ 1.0, stretch ≤ 0.97).
        public var weightsOverEntropy: Double
        /// weightBytes / Σ n·H0 of the layers as stored (after dead-neuron elimination): the coding gain alone.
        public var weightsOverStoredEntropy: Double
        /// nonWeightBytes / weightBytes (goal ≤ 0.15 for LFC at 98 %).
        public var nonWeightShare: Double
    }

    public var layers: [Layer]
    public var methods: [Method]
    public var tern: TernSummary?

    /// One weight layer's weights, as input to `measure`.
    public struct Input: Sendable {
        public var index: Int
        public var kind: String
        public var shape: String
        public var weights: [Int8]
        public init(index: Int, kind: String, shape: String, weights: [Int8]) {
            self.index = index
            self.kind = kind
            self.shape = shape
            self.weights = weights
        }
    }

    /// What the `.tern` stores per weight layer (stored bytes of each weight section) and in total.
    public struct TernStorage: Sendable {
        public var weightSectionBytes: [Int]
        public var fileBytes: Int
        /// Σ n·H0 of the layers as the artifact stores them (after dead-neuron elimination), in bytes.
        public var storedEntropyBytes: Double
        public init(weightSectionBytes: [Int], fileBytes: Int, storedEntropyBytes: Double) {
            self.weightSectionBytes = weightSectionBytes
            self.fileBytes = fileBytes
            self.storedEntropyBytes = storedEntropyBytes
        }

        /// What `artifact` stores.
        public init(_ artifact: CompiledArtifact) {
            self.init(weightSectionBytes: artifact.layers.filter { $0.weightEncoding != nil }.map(\.weightBytes),
                      fileBytes: artifact.bytes.count, storedEntropyBytes: SizeReport.entropyBytes(artifact.network))
        }
    }

    /// Σ n·H0 over the weight layers of `network`, in bytes.
    public static func entropyBytes(_ network: IntegerNetwork) -> Double {
        network.layers.reduce(0) { sum, l in
            sum + entropyBytes(n: l.weights.count, minus: l.weights.count(where: { $0 < 0 }),
                               plus: l.weights.count(where: { $0 > 0 }))
        }
    }

    /// The weight layers of `network` as size inputs.
    public static func inputs(_ network: IntegerNetwork) -> [Input] {
        network.layers.enumerated().compactMap { i, l in
            let r = l.record
            guard r.kind != .maxPool else { return nil }
            let shape = r.kind == .dense
                ? "\(r.inputElements)→\(r.outChannels)"
                : "\(r.inChannels)→\(r.outChannels) k\(r.kernel) @\(r.outHeight)×\(r.outWidth)"
            return Input(index: i, kind: kindName(r.kind), shape: shape, weights: l.weights)
        }
    }

    /// Measures every storage method. `progress` is told each external tool as it starts (they take seconds).
    public static func measure(
        _ inputs: [Input], tern: TernStorage?, compressors: [ExternalCompressor] = ExternalCompressor.all,
        progress: ((String) -> Void)? = nil
    ) -> SizeReport {
        var layers: [Layer] = []
        var counts: [(n: Int, minus: Int, plus: Int)] = []
        for input in inputs {
            var minus = 0, plus = 0
            for w in input.weights { if w > 0 { plus += 1 } else if w < 0 { minus += 1 } }
            let n = input.weights.count
            counts.append((n, minus, plus))
            layers.append(Layer(index: input.index, kind: input.kind, shape: input.shape, weights: n,
                                nonzero: minus + plus, sparsity: n == 0 ? 0 : Double(n - minus - plus) / Double(n)))
        }
        var methods: [Method] = []
        func add(_ id: String, _ name: String, _ perLayer: [Double?], note: String? = nil) {
            let total: Double? = perLayer.contains(where: { $0 == nil }) ? nil : perLayer.reduce(0) { $0 + $1! }
            methods.append(Method(id: id, name: name, layers: perLayer, total: total, note: note))
        }
        func fixed(_ bitsPerWeight: Int) -> [Double?] { counts.map { Double(($0.n * bitsPerWeight + 7) / 8) } }
        add("float32", "float32", fixed(32))
        add("float16", "float16", fixed(16))
        add("int8", "int8", fixed(8))
        add("binary", "binary (1 bit)", fixed(1))
        add("ternary2", "2-bit ternary", fixed(2))
        add("base3", "base-3 (5 trits/byte)", counts.map { Double(($0.n + 4) / 5) })
        add("tq2_0", "GGUF TQ2_0 (2.0625 bpw)", counts.map { Double(($0.n + 255) / 256 * 66) })
        add("tq1_0", "GGUF TQ1_0 (1.6875 bpw)", counts.map { Double(($0.n + 255) / 256 * 54) })
        let csr = inputs.map { CSRSize($0.weights) }
        add("csr", "CSR, relative indices", csr.map { Double($0.rawBytes) },
            note: "index bits per layer: " + csr.map { "\($0.rawIndexBits)" }.joined(separator: ","))
        add("csr_huffman", "CSR + Huffman (Deep Compression)", csr.map { Double($0.huffmanBytes) },
            note: "index bits per layer: " + csr.map { "\($0.huffmanIndexBits)" }.joined(separator: ","))
        let packed = inputs.map { TernaryPacked2.encode($0.weights) }
        for c in compressors {
            let id = String(c.program)
            guard c.executablePath != nil else {
                add(id, "2-bit + \(c.name)", inputs.map { _ in nil }, note: "\(c.program) not installed")
                continue
            }
            progress?(c.name)
            let sizes = packed.map { c.compressedSize(of: $0).map(Double.init) }
            add(id, "2-bit + \(c.name)", sizes, note: sizes.contains(where: { $0 == nil }) ? "\(c.program) failed" : nil)
        }
        var summary: TernSummary?
        let entropy = counts.map { entropyBytes(n: $0.n, minus: $0.minus, plus: $0.plus) }
        if let tern {
            add("tern_weights", ".tern weight sections", tern.weightSectionBytes.map(Double.init))
            let weightBytes = tern.weightSectionBytes.reduce(0, +)
            methods.append(Method(id: "tern_file", name: ".tern file (everything)",
                                  layers: inputs.map { _ in nil }, total: Double(tern.fileBytes),
                                  note: "weights + header, tables, thresholds, affine, padding"))
            let h = entropy.reduce(0, +)
            summary = TernSummary(
                fileBytes: tern.fileBytes, weightBytes: weightBytes, nonWeightBytes: tern.fileBytes - weightBytes,
                weightsOverEntropy: h > 0 ? Double(weightBytes) / h : 0,
                weightsOverStoredEntropy: tern.storedEntropyBytes > 0 ? Double(weightBytes) / tern.storedEntropyBytes : 0,
                nonWeightShare: weightBytes > 0 ? Double(tern.fileBytes - weightBytes) / Double(weightBytes) : 0)
        }
        add("entropy", "zero-order entropy bound Σ n·H0", entropy,
            note: "no code treating weights as independent symbols can be smaller")
        let binary = methods.first { $0.id == "binary" }?.total ?? 0
        let ternary2 = methods.first { $0.id == "ternary2" }?.total ?? 0
        for i in methods.indices {
            guard let t = methods[i].total, t > 0 else { continue }
            methods[i].timesSmallerThanBinary = binary / t
            methods[i].timesSmallerThanTernary2 = ternary2 / t
        }
        return SizeReport(layers: layers, methods: methods, tern: summary)
    }

    /// n · H(p₋, p₀, p₊) / 8: the zero-order entropy of a layer in bytes.
    public static func entropyBytes(n: Int, minus: Int, plus: Int) -> Double {
        guard n > 0 else { return 0 }
        var bits = 0.0
        for k in [minus, plus, n - minus - plus] where k > 0 {
            let p = Double(k) / Double(n)
            bits -= Double(k) * log2(p)
        }
        return bits / 8
    }
}
