/// One image's path through the float simulation, block by block, in the integer reference's terms: the activation
/// code of every unit (what `IntegerReference.trace` holds) and how far its batch-norm output lay from the nearest
/// quantizer threshold. It explains a prediction on which the float simulation and the integer reference disagree.
public struct SimulationTrace: Sendable {
    public struct Block: Sendable {
        /// Activation codes (HWC); for the last layer, empty (its output is `logits`).
        public var codes: [Int64]
        /// Per unit of a weight layer with a quantized activation, |batch-norm output − nearest threshold|;
        /// empty for pools and the last layer.
        public var thresholdDistance: [Float]
    }

    public var blocks: [Block]
    /// The float logits.
    public var logits: [Float]
}

extension Network {
    /// Traces one image (`x`: its real-valued input, as `inputs` builds it) in eval mode. Nil when a hidden
    /// activation is not a quantizer (the float baseline's ReLU has no codes).
    public func trace(_ x: [Float]) -> SimulationTrace? {
        var a = x
        var current: ActivationQuantizer?
        var out: [SimulationTrace.Block] = []
        for (i, block) in blocks.enumerated() {
            let last = i == blocks.count - 1
            switch block {
            case .weight(let l):
                a = l.forward(a, batch: 1, training: false)
                if last { return SimulationTrace(blocks: out + [.init(codes: [], thresholdDistance: [])], logits: a) }
                current = l.activation
                guard let q = current, q.kind != .relu else { return nil }
                let distance = l.preActivation.map { y in q.thresholds.map { abs(y - $0) }.min() ?? .infinity }
                out.append(.init(codes: a.map { Self.code(of: $0, quantizer: q) }, thresholdDistance: distance))
            case .pool(let p):
                a = p.forward(a, batch: 1)
                guard let q = current, q.kind != .relu else { return nil }
                out.append(.init(codes: a.map { Self.code(of: $0, quantizer: q) }, thresholdDistance: []))
            }
        }
        return nil
    }

    private static func code(of value: Float, quantizer q: ActivationQuantizer) -> Int64 {
        Int64(((value - q.offset) / q.scale).rounded())
    }
}
