import TernModel

/// An activation function of the trainer, expressed as docs/DATAFLOW.md's (τ, s', o'):
/// `code = #{ j : y ≥ τ_j }`, real value `s' · code + o'`.
///
/// Backward is the straight-through estimator clipped to the quantizer's range: ∂a/∂y = 1 for `lo ≤ y ≤ hi`, else 0
/// (sign: [−1, 1], the BNN "hardtanh" STE; 2-bit uniform: [0, 1]). `relu` is the float baseline's activation.
public struct ActivationQuantizer: Equatable, Sendable {
    public enum Kind: String, Sendable, Codable { case sign, uniform, relu }
    public var kind: Kind
    public var bits: Int
    public var thresholds: [Float]
    public var scale: Float
    public var offset: Float
    var lo: Float
    var hi: Float

    /// 1-bit bipolar sign: τ = [0], code 0 ↔ −1, code 1 ↔ +1.
    public static let sign = ActivationQuantizer(kind: .sign, bits: 1, thresholds: [0], scale: 2, offset: -1, lo: -1, hi: 1)
    /// 2-bit uniform on [0, 1]: τ = [1/6, 1/2, 5/6], value code/3.
    public static let uniform2 = ActivationQuantizer(kind: .uniform, bits: 2, thresholds: [1.0 / 6, 0.5, 5.0 / 6],
                                                     scale: 1.0 / 3, offset: 0, lo: 0, hi: 1)
    /// Float ReLU (baseline only; not foldable into thresholds).
    public static let relu = ActivationQuantizer(kind: .relu, bits: 32, thresholds: [], scale: 1, offset: 0, lo: 0, hi: .infinity)

    /// The quantizer an architecture describes; the STE window is the range of its real values,
    /// [value(code 0), value(max code)].
    public init(_ a: Architecture.Activation) {
        kind = a.bits == 1 && a.offset < 0 ? .sign : .uniform
        bits = a.bits
        thresholds = a.thresholds.map { Float($0) }
        scale = Float(a.scale)
        offset = Float(a.offset)
        lo = offset
        hi = offset + scale * Float(a.maxCode)
    }

    init(kind: Kind, bits: Int, thresholds: [Float], scale: Float, offset: Float, lo: Float, hi: Float) {
        self.kind = kind; self.bits = bits; self.thresholds = thresholds
        self.scale = scale; self.offset = offset; self.lo = lo; self.hi = hi
    }

    /// The quantizer for `bits` (1 → sign, 2 → uniform).
    public static func forBits(_ bits: Int) -> ActivationQuantizer { bits == 1 ? .sign : .uniform2 }

    /// The real value code 0 stands for (convolution padding uses it, see DATAFLOW.md).
    public var zeroCodeValue: Float { kind == .relu ? 0 : offset }

    @inline(__always)
    public func apply(_ y: Float) -> Float {
        if kind == .relu { return max(y, 0) }
        var code: Float = 0
        for t in thresholds where y >= t { code += 1 }
        return scale * code + offset
    }

    @inline(__always)
    public func passes(_ y: Float) -> Bool { y >= lo && y <= hi }
}
