/// A trainable tensor with its gradient and the optimizer's per-element state (Adam's moments or SGD's velocity).
public final class Parameter {
    public var value: [Float]
    public var grad: [Float]
    public var moment1: [Float]
    public var moment2: [Float]
    /// Whether L2 and the quantization-threshold regularizer apply (latent weights yes, batch-norm no).
    public let isWeight: Bool

    public init(_ value: [Float], isWeight: Bool) {
        self.value = value
        self.isWeight = isWeight
        grad = [Float](repeating: 0, count: value.count)
        moment1 = grad
        moment2 = grad
    }

    public var count: Int { value.count }
}
