/// A trained network as the trainer writes it and the compiler reads it: docs/CHECKPOINT.md.
///
/// `layers[i]` holds the tensors of `architecture.layers[i]` (nil for max-pool). Values are in the checkpoint's own
/// order: dense `[out, in]` with CHW-flattened inputs, conv OIHW. `validate()` checks everything against the
/// architecture; `load` and `write` call it, so a checkpoint on disk is always consistent.
public struct Checkpoint: Equatable, Sendable {
    /// Batch-norm parameters and running statistics, one value per output channel.
    public struct BatchNorm: Equatable, Sendable {
        public var gamma: [Float]
        public var beta: [Float]
        public var mean: [Float]
        public var variance: [Float]

        public init(gamma: [Float], beta: [Float], mean: [Float], variance: [Float]) {
            self.gamma = gamma
            self.beta = beta
            self.mean = mean
            self.variance = variance
        }
    }

    /// The tensors of one weight layer. At least one of `weight` and `ternary` is present.
    public struct LayerTensors: Equatable, Sendable {
        /// Latent float weights (`layers.i.weight`).
        public var weight: [Float]?
        /// Deployed weights in {−1, 0, +1} (`layers.i.ternary`); absent in float-only baselines.
        public var ternary: [Int8]?
        /// 1 = may be nonzero, 0 = pruned (`layers.i.mask`); absent before pruning.
        public var mask: [UInt8]?
        /// Ternary scale α > 0, per output channel or one for the layer (`layers.i.alpha`); required with `ternary`.
        public var alpha: [Float]?
        /// Absent: batch norm is the identity.
        public var batchNorm: BatchNorm?

        public init(weight: [Float]? = nil, ternary: [Int8]? = nil, mask: [UInt8]? = nil, alpha: [Float]? = nil,
                    batchNorm: BatchNorm? = nil) {
            self.weight = weight
            self.ternary = ternary
            self.mask = mask
            self.alpha = alpha
            self.batchNorm = batchNorm
        }

        /// α for output channel `c` (per-layer α is broadcast).
        public func alpha(channel c: Int) -> Float? {
            guard let alpha else { return nil }
            return alpha.count == 1 ? alpha[0] : alpha[c]
        }
    }

    /// One training stage's summary. Keys other than the four named ones are kept in `extra`.
    public struct Stage: Equatable, Sendable {
        public var name: String
        public var epochs: Int
        public var testAccuracy: Double?
        public var seconds: Double?
        public var extra: [String: JSONValue]

        public init(name: String, epochs: Int, testAccuracy: Double? = nil, seconds: Double? = nil,
                    extra: [String: JSONValue] = [:]) {
            self.name = name
            self.epochs = epochs
            self.testAccuracy = testAccuracy
            self.seconds = seconds
            self.extra = extra
        }
    }

    /// Fraction of zero ternary weights: over all weight layers, and per weight layer in order.
    public struct Sparsity: Equatable, Sendable {
        public var total: Double
        public var layers: [Double]

        public init(total: Double, layers: [Double]) {
            self.total = total
            self.layers = layers
        }
    }

    public var architecture: Architecture
    /// Aligned with `architecture.layers`; nil exactly for max-pool layers.
    public var layers: [LayerTensors?]
    public var batchNormEpsilon: Double
    /// `mnist`, `fashion-mnist` or `cifar10` for Tern's own runs.
    public var dataset: String
    public var seed: Int
    /// The trainer's full settings; free-form, written with sorted keys.
    public var recipe: JSONValue
    public var stages: [Stage]
    public var sparsity: Sparsity?
    /// The integer reference's accuracy on the test set, when measured.
    public var integerTestAccuracy: Double?
    /// How many test images the accuracies (`stages[].testAccuracy`, `integerTestAccuracy`) were measured on: the
    /// first `testImages` of the test split (`tern train --test-limit`). Nil in checkpoints written before it was
    /// recorded.
    public var testImages: Int?

    public init(architecture: Architecture, layers: [LayerTensors?], batchNormEpsilon: Double = 1e-5,
                dataset: String, seed: Int, recipe: JSONValue = .object([:]), stages: [Stage] = [],
                sparsity: Sparsity? = nil, integerTestAccuracy: Double? = nil, testImages: Int? = nil) {
        self.architecture = architecture
        self.layers = layers
        self.batchNormEpsilon = batchNormEpsilon
        self.dataset = dataset
        self.seed = seed
        self.recipe = recipe
        self.stages = stages
        self.sparsity = sparsity
        self.integerTestAccuracy = integerTestAccuracy
        self.testImages = testImages
    }

    /// The measured sparsity of the ternary weights (nil if any weight layer has no ternary tensor).
    public func measuredSparsity() -> Sparsity? {
        var zeros = 0
        var total = 0
        var perLayer: [Double] = []
        for case let tensors? in layers {
            guard let t = tensors.ternary else { return nil }
            let z = t.count(where: { $0 == 0 })
            zeros += z
            total += t.count
            perLayer.append(t.isEmpty ? 0 : Double(z) / Double(t.count))
        }
        return Sparsity(total: total == 0 ? 0 : Double(zeros) / Double(total), layers: perLayer)
    }
}

/// A checkpoint that cannot be read, written or trusted. Layer indices are positions in `architecture.layers`;
/// tensor names are the safetensors names (`layers.3.bn.var`).
public enum CheckpointError: Error, Equatable, Sendable {
    case io(path: String, problem: String)
    /// `model.json` is malformed; `path` is the JSON path (`stages[1].epochs`).
    case json(path: String, problem: String)
    case architecture(ArchitectureError)
    case safetensors(SafetensorsError)
    /// `layers` does not line up with the architecture.
    case layerCount(expected: Int, found: Int)
    case tensorsOnMaxPool(layer: Int)
    case missingTensors(layer: Int)
    case missingTensor(layer: Int, tensor: String)
    case unexpectedTensor(name: String)
    case wrongDType(tensor: String, expected: String, found: String)
    case wrongShape(tensor: String, expected: [Int], found: [Int])
    /// A value breaks a rule (`index` is the flat element index).
    case badValue(tensor: String, index: Int, problem: String)
    case badField(name: String, problem: String)
}

extension Checkpoint {
    static func tensorName(_ layer: Int, _ field: String) -> String { "layers.\(layer).\(field)" }

    /// Checks every tensor against the architecture and every number for range and finiteness.
    public func validate() throws(CheckpointError) {
        let shapes: [LayerShape]
        do { shapes = try architecture.inferShapes() } catch { throw .architecture(error) }
        guard layers.count == architecture.layers.count else {
            throw .layerCount(expected: architecture.layers.count, found: layers.count)
        }
        guard batchNormEpsilon.isFinite, batchNormEpsilon >= 0 else {
            throw .badField(name: "batchNormEpsilon", problem: "must be finite and ≥ 0")
        }
        for (i, layer) in architecture.layers.enumerated() {
            guard layer.hasWeights else {
                if layers[i] != nil { throw .tensorsOnMaxPool(layer: i) }
                continue
            }
            guard let t = layers[i] else { throw .missingTensors(layer: i) }
            try Self.validate(t, layer: i, shape: shapes[i], epsilon: batchNormEpsilon)
        }
        guard !dataset.isEmpty else { throw .badField(name: "dataset", problem: "empty") }
        for (n, s) in stages.enumerated() {
            guard s.epochs >= 0 else { throw .badField(name: "stages[\(n)].epochs", problem: "negative") }
            if let a = s.testAccuracy, !(0...1).contains(a) {
                throw .badField(name: "stages[\(n)].testAccuracy", problem: "not in [0, 1]")
            }
            if let sec = s.seconds, !(sec.isFinite && sec >= 0) {
                throw .badField(name: "stages[\(n)].seconds", problem: "not a finite number ≥ 0")
            }
        }
        if let sparsity {
            let weightLayers = architecture.weightLayerIndices.count
            guard sparsity.layers.count == weightLayers else {
                throw .badField(name: "sparsity.layers", problem: "\(sparsity.layers.count) values for "
                                + "\(weightLayers) weight layers")
            }
            guard ([sparsity.total] + sparsity.layers).allSatisfy({ (0...1).contains($0) }) else {
                throw .badField(name: "sparsity", problem: "values must be in [0, 1]")
            }
        }
        if let a = integerTestAccuracy, !(0...1).contains(a) {
            throw .badField(name: "integerTestAccuracy", problem: "not in [0, 1]")
        }
        if let n = testImages, n < 1 { throw .badField(name: "testImages", problem: "not a positive count") }
    }

    private static func validate(
        _ t: LayerTensors, layer i: Int, shape: LayerShape, epsilon: Double
    ) throws(CheckpointError) {
        let count = shape.weightShape.reduce(1, *)
        let out = shape.output.channels
        func checkCount(_ found: Int, _ field: String, _ expected: [Int]) throws(CheckpointError) {
            if found != expected.reduce(1, *) {
                throw .wrongShape(tensor: tensorName(i, field), expected: expected, found: [found])
            }
        }
        guard t.weight != nil || t.ternary != nil else { throw .missingTensor(layer: i, tensor: tensorName(i, "ternary")) }
        if let w = t.weight {
            try checkCount(w.count, "weight", shape.weightShape)
            if let bad = w.firstIndex(where: { !$0.isFinite }) {
                throw .badValue(tensor: tensorName(i, "weight"), index: bad, problem: "not finite")
            }
        }
        if let q = t.ternary {
            try checkCount(q.count, "ternary", shape.weightShape)
            if let bad = q.firstIndex(where: { $0 < -1 || $0 > 1 }) {
                throw .badValue(tensor: tensorName(i, "ternary"), index: bad, problem: "\(q[bad]) is not in {-1, 0, 1}")
            }
            guard t.alpha != nil else { throw .missingTensor(layer: i, tensor: tensorName(i, "alpha")) }
        }
        if let m = t.mask {
            try checkCount(m.count, "mask", shape.weightShape)
            if let bad = m.firstIndex(where: { $0 > 1 }) {
                throw .badValue(tensor: tensorName(i, "mask"), index: bad, problem: "\(m[bad]) is not 0 or 1")
            }
            if let q = t.ternary, let bad = (0..<count).first(where: { m[$0] == 0 && q[$0] != 0 }) {
                throw .badValue(tensor: tensorName(i, "ternary"), index: bad, problem: "nonzero where the mask is 0")
            }
        }
        if let a = t.alpha {
            guard a.count == out || a.count == 1 else {
                throw .wrongShape(tensor: tensorName(i, "alpha"), expected: [out], found: [a.count])
            }
            if let bad = a.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw .badValue(tensor: tensorName(i, "alpha"), index: bad, problem: "\(a[bad]) is not finite and > 0")
            }
        }
        if let bn = t.batchNorm {
            for (field, values) in [("bn.gamma", bn.gamma), ("bn.beta", bn.beta), ("bn.mean", bn.mean),
                                    ("bn.var", bn.variance)] {
                try checkCount(values.count, field, [out])
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    throw .badValue(tensor: tensorName(i, field), index: bad, problem: "not finite")
                }
            }
            if let bad = bn.variance.firstIndex(where: { !($0 >= 0 && Double($0) + epsilon > 0) }) {
                throw .badValue(tensor: tensorName(i, "bn.var"), index: bad,
                                problem: "\(bn.variance[bad]) is negative (or zero with batchNormEpsilon 0)")
            }
        }
    }
}
