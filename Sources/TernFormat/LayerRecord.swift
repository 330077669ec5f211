/// Operator kinds of format version 1.
public enum LayerKind: UInt8, Sendable {
    case dense = 1
    case conv = 2
    case maxPool = 3
}

/// One 64-byte entry of the layer table. See docs/FORMAT.md §4.
///
/// Shapes are (channels, height, width); activations are HWC. A dense layer's input shape is its predecessor's
/// output shape, flattened HWC; its output shape is (outChannels, 1, 1).
public struct LayerRecord: Equatable, Sendable {
    public static let size = 64
    public static let noSection: UInt32 = 0xFFFF_FFFF

    public var kind: LayerKind
    /// 8 for the first layer (raw pixels), else the producer's output bits.
    public var inputBits: UInt8
    /// 1 or 2 for threshold layers; 0 for the final layer, which produces logits; max-pool: its input bits.
    public var outputBits: UInt8
    /// Conv: 0 or 1 (zero = code 0 / pixel 0 padding). Others: 0.
    public var padding: UInt8
    /// Conv: odd kernel size; max-pool: window (2); dense: 0.
    public var kernel: UInt8
    /// Conv: 1; max-pool: 2; dense: 0.
    public var stride: UInt8
    /// Final layer: `logit / 2^logitFractionBits` is the real-valued logit. Others: 0.
    public var logitFractionBits: UInt8
    public var inChannels: UInt32
    public var inHeight: UInt32
    public var inWidth: UInt32
    public var outChannels: UInt32
    public var outHeight: UInt32
    public var outWidth: UInt32
    /// Index of the ternary weight section, or `noSection` (max-pool).
    public var weightSection: UInt32
    /// Thresholds (hidden layers) or the fixed-point affine (final layer); `noSection` for max-pool.
    public var paramSection: UInt32
    /// Weights that are not zero; checked when the weights are decoded.
    public var nonzeroWeights: UInt32

    public init(
        kind: LayerKind, inputBits: UInt8, outputBits: UInt8, padding: UInt8 = 0, kernel: UInt8 = 0,
        stride: UInt8 = 0, logitFractionBits: UInt8 = 0, inChannels: UInt32, inHeight: UInt32, inWidth: UInt32,
        outChannels: UInt32, outHeight: UInt32, outWidth: UInt32, nonzeroWeights: UInt32 = 0
    ) {
        self.kind = kind
        self.inputBits = inputBits
        self.outputBits = outputBits
        self.padding = padding
        self.kernel = kernel
        self.stride = stride
        self.logitFractionBits = logitFractionBits
        self.inChannels = inChannels
        self.inHeight = inHeight
        self.inWidth = inWidth
        self.outChannels = outChannels
        self.outHeight = outHeight
        self.outWidth = outWidth
        self.weightSection = Self.noSection
        self.paramSection = Self.noSection
        self.nonzeroWeights = nonzeroWeights
    }

    /// Inputs feeding one output: C·H·W for dense, C·k·k for conv, 0 for max-pool.
    public var fanIn: Int {
        switch kind {
        case .dense: Int(inChannels) * Int(inHeight) * Int(inWidth)
        case .conv: Int(inChannels) * Int(kernel) * Int(kernel)
        case .maxPool: 0
        }
    }

    /// Number of ternary weights (outChannels × fanIn).
    public var weightCount: Int { Int(outChannels) * fanIn }

    /// Whether this layer produces logits.
    public var isFinal: Bool { outputBits == 0 }

    /// Thresholds per output channel (2^bits − 1) for threshold layers, else 0.
    public var thresholdsPerChannel: Int { kind == .maxPool || isFinal ? 0 : (1 << Int(outputBits)) - 1 }

    public var inputElements: Int { Int(inChannels) * Int(inHeight) * Int(inWidth) }
    public var outputElements: Int { Int(outChannels) * Int(outHeight) * Int(outWidth) }

    static func read(_ r: inout ByteReader, index: Int) throws(FormatError) -> LayerRecord {
        let kindByte = try r.u8()
        guard let kind = LayerKind(rawValue: kindByte) else {
            throw .badLayer(index: index, problem: .unknownKind(kindByte))
        }
        var l = LayerRecord(
            kind: kind, inputBits: try r.u8(), outputBits: try r.u8(), padding: try r.u8(), kernel: try r.u8(),
            stride: try r.u8(), logitFractionBits: try r.u8(), inChannels: 0, inHeight: 0, inWidth: 0,
            outChannels: 0, outHeight: 0, outWidth: 0)
        guard try r.u8() == 0 else { throw .badLayer(index: index, problem: .reservedNotZero) }
        l.inChannels = try r.u32()
        l.inHeight = try r.u32()
        l.inWidth = try r.u32()
        l.outChannels = try r.u32()
        l.outHeight = try r.u32()
        l.outWidth = try r.u32()
        l.weightSection = try r.u32()
        l.paramSection = try r.u32()
        l.nonzeroWeights = try r.u32()
        do { try r.zeros(20) } catch { throw .badLayer(index: index, problem: .reservedNotZero) }
        return l
    }

    func write(_ w: inout ByteWriter) {
        w.u8(kind.rawValue); w.u8(inputBits); w.u8(outputBits); w.u8(padding); w.u8(kernel); w.u8(stride)
        w.u8(logitFractionBits); w.u8(0)
        w.u32(inChannels); w.u32(inHeight); w.u32(inWidth)
        w.u32(outChannels); w.u32(outHeight); w.u32(outWidth)
        w.u32(weightSection); w.u32(paramSection); w.u32(nonzeroWeights)
        w.zeros(20)
    }
}
