/// The shape of a network: the `architecture` object of docs/CHECKPOINT.md and of `Models/architectures/*.json`.
///
/// It says what the layers are and how activations are quantized, nothing about trained values. The trainer builds its
/// layers from it, the checkpoint stores it, and folding turns it (with the tensors) into an `IntegerNetwork`.
///
/// Treatment of the ends of the network (the same in every architecture):
/// - The **first** weight layer reads the raw `UInt8` pixels; their real value is `input.scale · pixel + input.offset`
///   (1/255 and 0 for all of Tern's datasets). Its weights are ternary like every other layer's.
/// - The **last** weight layer is ternary too, has no activation and produces logits through a per-class affine
///   (its batch norm, folded). Nothing may follow it.
public struct Architecture: Equatable, Sendable {
    /// The image the network reads: shape and the real value of a pixel.
    public struct Input: Equatable, Sendable {
        public var channels: Int
        public var height: Int
        public var width: Int
        /// Real value of a pixel: `scale · pixel + offset`.
        public var scale: Double
        public var offset: Double

        public init(channels: Int, height: Int, width: Int, scale: Double = 1.0 / 255.0, offset: Double = 0) {
            self.channels = channels
            self.height = height
            self.width = width
            self.scale = scale
            self.offset = offset
        }
    }

    /// A threshold quantizer: `code = #{ j : y ≥ thresholds[j] }`, real value `scale · code + offset`.
    public struct Activation: Equatable, Sendable {
        public var bits: Int
        /// τ, ascending, `2^bits − 1` of them.
        public var thresholds: [Double]
        public var scale: Double
        public var offset: Double

        public init(bits: Int, thresholds: [Double], scale: Double, offset: Double) {
            self.bits = bits
            self.thresholds = thresholds
            self.scale = scale
            self.offset = offset
        }

        /// 1-bit bipolar sign: code 0 ↔ −1, code 1 ↔ +1, `sign(0) = +1`.
        public static let sign = Activation(bits: 1, thresholds: [0], scale: 2, offset: -1)
        /// 2-bit uniform on [0, 1]: round-half-up of `3 · clip(y, 0, 1)`, codes ↔ {0, 1/3, 2/3, 1}.
        public static let uniform2 = Activation(bits: 2, thresholds: [1.0 / 6, 0.5, 5.0 / 6], scale: 1.0 / 3, offset: 0)

        /// The trainer's quantizer for a bit width: `sign` for 1, `uniform2` for 2, nil otherwise.
        public static func standard(bits: Int) -> Activation? {
            switch bits {
            case 1: .sign
            case 2: .uniform2
            default: nil
            }
        }

        /// The largest code, `2^bits − 1`.
        public var maxCode: Int { (1 << bits) - 1 }
    }

    public enum Layer: Equatable, Sendable {
        /// Fully connected; `activation` is nil only for the last weight layer.
        case dense(out: Int, activation: Activation?)
        /// k×k convolution, stride 1, zero (code 0) padding of 0 or 1.
        case conv(out: Int, kernel: Int, padding: Int, activation: Activation?)
        /// `size`×`size` max-pool with stride `size` (Tern supports 2).
        case maxPool(size: Int)

        public var activation: Activation? {
            switch self {
            case .dense(_, let a), .conv(_, _, _, let a): a
            case .maxPool: nil
            }
        }

        /// Whether the layer has weights (dense or conv).
        public var hasWeights: Bool { if case .maxPool = self { false } else { true } }

        /// `dense`, `conv` or `maxpool`, as in the JSON.
        public var kindName: String {
            switch self {
            case .dense: "dense"
            case .conv: "conv"
            case .maxPool: "maxpool"
            }
        }
    }

    public var name: String
    public var input: Input
    public var layers: [Layer]
    /// Free text explaining choices that the layer list alone does not (written as `"note"` in the JSON).
    public var note: String?

    public init(name: String, input: Input, layers: [Layer], note: String? = nil) {
        self.name = name
        self.input = input
        self.layers = layers
        self.note = note
    }

    /// Indices of the layers with weights, in order.
    public var weightLayerIndices: [Int] { layers.indices.filter { layers[$0].hasWeights } }
}

/// A (channels, height, width) feature-map shape.
public struct FeatureShape: Equatable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    public var elements: Int { channels * height * width }
    public var description: String { "\(channels)×\(height)×\(width)" }
}

/// What shape inference knows about one layer.
public struct LayerShape: Equatable, Sendable {
    public var input: FeatureShape
    public var output: FeatureShape
    /// Inputs per output value: C·H·W for dense, C·k·k for conv, 0 for max-pool.
    public var fanIn: Int
    /// Checkpoint tensor shape of the weights: `[out, in]` (dense) or `[out, inC, k, k]` (conv, OIHW); empty for
    /// max-pool.
    public var weightShape: [Int]
    /// Bits of the values the layer reads: 8 for pixels, else the producing activation's bits.
    public var inputBits: Int
}

/// A layer list that cannot describe a network Tern can train or run. `layer` is the index in `layers`.
public enum ArchitectureError: Error, Equatable, Sendable {
    case badInput(problem: String)
    case noWeightLayers
    case badLayer(layer: Int, kind: String, problem: String)
    case missingActivation(layer: Int)
    /// The last weight layer produces logits, so it has no activation.
    case lastLayerHasActivation(layer: Int)
    case layerAfterLastWeightLayer(layer: Int)
    case badActivation(layer: Int, problem: String)
    case shapeMismatch(layer: Int, problem: String)
    /// The JSON form is malformed.
    case json(path: String, problem: String)
    case unknownBuiltin(name: String, known: [String])
}

extension Architecture {
    /// Sizes far above anything Tern trains; they keep shape arithmetic (and the trainer's allocations) in range.
    static let maxChannels = 1 << 16
    static let maxSpatial = 4096
    static let maxKernel = 15

    /// Checks the whole description and returns each layer's shapes (`result[i]` for `layers[i]`).
    public func inferShapes() throws(ArchitectureError) -> [LayerShape] {
        guard (1...Self.maxChannels).contains(input.channels), (1...Self.maxSpatial).contains(input.height),
              (1...Self.maxSpatial).contains(input.width) else {
            throw .badInput(problem: "shape \(input.channels)×\(input.height)×\(input.width) out of range")
        }
        guard input.scale.isFinite, input.scale > 0, input.offset.isFinite else {
            throw .badInput(problem: "scale must be finite and > 0, offset finite")
        }
        guard let last = weightLayerIndices.last else { throw .noWeightLayers }
        var shape = FeatureShape(channels: input.channels, height: input.height, width: input.width)
        var bits = 8
        var result: [LayerShape] = []
        for (i, layer) in layers.enumerated() {
            if i > last { throw .layerAfterLastWeightLayer(layer: i) }
            let inShape = shape
            let inBits = bits
            switch layer {
            case .dense(let out, let activation):
                guard (1...Self.maxChannels).contains(out) else {
                    throw .badLayer(layer: i, kind: "dense", problem: "out \(out) not in 1...\(Self.maxChannels)")
                }
                shape = FeatureShape(channels: out, height: 1, width: 1)
                result.append(LayerShape(input: inShape, output: shape, fanIn: inShape.elements,
                                         weightShape: [out, inShape.elements], inputBits: inBits))
                bits = try Self.checkActivation(activation, layer: i, isLast: i == last)
            case .conv(let out, let kernel, let padding, let activation):
                guard (1...Self.maxChannels).contains(out) else {
                    throw .badLayer(layer: i, kind: "conv", problem: "out \(out) not in 1...\(Self.maxChannels)")
                }
                guard kernel % 2 == 1, (1...Self.maxKernel).contains(kernel) else {
                    throw .badLayer(layer: i, kind: "conv", problem: "kernel \(kernel) must be odd, 1...\(Self.maxKernel)")
                }
                guard padding == 0 || padding == 1 else {
                    throw .badLayer(layer: i, kind: "conv", problem: "padding \(padding) must be 0 or 1")
                }
                let h = inShape.height + 2 * padding - kernel + 1
                let w = inShape.width + 2 * padding - kernel + 1
                guard h >= 1, w >= 1 else {
                    throw .shapeMismatch(layer: i, problem: "\(kernel)×\(kernel) kernel with padding \(padding) "
                                         + "does not fit the \(inShape) input")
                }
                shape = FeatureShape(channels: out, height: h, width: w)
                result.append(LayerShape(input: inShape, output: shape, fanIn: inShape.channels * kernel * kernel,
                                         weightShape: [out, inShape.channels, kernel, kernel], inputBits: inBits))
                bits = try Self.checkActivation(activation, layer: i, isLast: i == last)
            case .maxPool(let size):
                guard size == 2 else {
                    throw .badLayer(layer: i, kind: "maxpool", problem: "size \(size) unsupported (only 2)")
                }
                guard inShape.height % size == 0, inShape.width % size == 0 else {
                    throw .shapeMismatch(layer: i, problem: "\(size)×\(size) max-pool needs even height and width, "
                                         + "input is \(inShape)")
                }
                shape = FeatureShape(channels: inShape.channels, height: inShape.height / size,
                                     width: inShape.width / size)
                result.append(LayerShape(input: inShape, output: shape, fanIn: 0, weightShape: [], inputBits: inBits))
            }
        }
        return result
    }

    /// Validates an activation and returns the bits of the values it produces (0 for the logits layer).
    private static func checkActivation(
        _ activation: Activation?, layer: Int, isLast: Bool
    ) throws(ArchitectureError) -> Int {
        if isLast {
            if activation != nil { throw .lastLayerHasActivation(layer: layer) }
            return 0
        }
        guard let a = activation else { throw .missingActivation(layer: layer) }
        guard (1...8).contains(a.bits) else { throw .badActivation(layer: layer, problem: "bits \(a.bits) not in 1...8") }
        guard a.thresholds.count == a.maxCode else {
            throw .badActivation(layer: layer, problem: "\(a.bits) bits need \(a.maxCode) thresholds, "
                                 + "found \(a.thresholds.count)")
        }
        guard a.thresholds.allSatisfy(\.isFinite), zip(a.thresholds, a.thresholds.dropFirst()).allSatisfy({ $0 < $1 })
        else { throw .badActivation(layer: layer, problem: "thresholds must be finite and strictly ascending") }
        // A positive scale keeps the real value increasing with the code, so max-pooling codes equals max-pooling
        // real values (docs/DATAFLOW.md).
        guard a.scale.isFinite, a.scale > 0, a.offset.isFinite else {
            throw .badActivation(layer: layer, problem: "scale must be finite and > 0, offset finite")
        }
        return a.bits
    }
}
