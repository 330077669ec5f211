/// A dense or convolution layer followed by batch-norm and (except for the last layer) an activation quantizer:
/// the trainer's unit, matching one weight layer of docs/CHECKPOINT.md.
///
/// Activations are row-major `[rows][channels]`: rows = batch for dense, batch·H·W (NHWC) for conv. Internal weight
/// order is `[out][fanIn]` with fanIn ordered as the layer reads its input: dense in HWC-flatten order of the
/// previous feature map, conv `[kh][kw][inC]` (OHWI). The checkpoint writer permutes to OIHW / CHW.
public final class WeightLayer {
    public enum Geometry: Equatable, Sendable {
        case dense(inputs: Int)
        case conv(inChannels: Int, height: Int, width: Int, kernel: Int, padding: Int)
    }

    public let geometry: Geometry
    public let outputs: Int
    public let fanIn: Int
    public let weight: Parameter
    public let gamma: Parameter
    public let beta: Parameter
    public var runningMean: [Float]
    public var runningVar: [Float]
    /// 1 = may be nonzero; nil before pruning.
    public var mask: [UInt8]?
    /// nil for the last layer (its batch-norm output is the logits).
    public var activation: ActivationQuantizer?
    public var quantization: WeightQuantization = .float
    public var thresholdFactor: Float = 0.7
    /// Real value of the input's code 0; convolution padding uses it (DATAFLOW.md).
    public var inputPadValue: Float = 0
    public static let epsilon: Float = 1e-5
    public static let momentum: Float = 0.1

    // Forward caches for backward.
    /// Dense: the input. Conv: unused (the gathered im2col of `gather` stands for it).
    private var columns: [Float] = []
    private var gather: Im2Col.Gather?
    // Per-step scratch kept between steps, so the large buffers are not allocated (and page-faulted) every step.
    private var z: [Float] = []
    private var dz: [Float] = []
    private var dcols: [Float] = []
    private var quantized = QuantizedWeights(used: [], ternary: [], alpha: 1, threshold: 0)
    private var normalized: [Float] = []
    private(set) var preActivation: [Float] = []
    private var invStd: [Float] = []
    private var rows = 0
    private var batch = 0

    public init(geometry: Geometry, outputs: Int, activation: ActivationQuantizer?, rng: inout SplitMix64) {
        self.geometry = geometry
        self.outputs = outputs
        self.activation = activation
        switch geometry {
        case .dense(let n): fanIn = n
        case .conv(let c, _, _, let k, _): fanIn = c * k * k
        }
        let limit = (6 / Float(fanIn + outputs)).squareRoot()
        var w = [Float](repeating: 0, count: outputs * fanIn)
        for i in 0 ..< w.count { w[i] = (rng.nextUnitFloat() * 2 - 1) * limit }
        weight = Parameter(w, isWeight: true)
        gamma = Parameter([Float](repeating: 1, count: outputs), isWeight: false)
        beta = Parameter([Float](repeating: 0, count: outputs), isWeight: false)
        runningMean = [Float](repeating: 0, count: outputs)
        runningVar = [Float](repeating: 1, count: outputs)
    }

    /// Output spatial size (1×1 for dense).
    public var outHeight: Int {
        if case .conv(_, let h, _, let k, let p) = geometry { return h + 2 * p - k + 1 }
        return 1
    }
    public var outWidth: Int {
        if case .conv(_, _, let w, let k, let p) = geometry { return w + 2 * p - k + 1 }
        return 1
    }

    /// The weights the forward pass uses now (quantized per `quantization`, masked).
    public func currentQuantized() -> QuantizedWeights {
        WeightQuantizer.quantize(weight.value, mask: mask, mode: quantization, thresholdFactor: thresholdFactor)
    }

    /// Δ of the quantizer in the last forward pass (what the threshold regularizer treats as the dead zone).
    public var lastDeadZone: Float { quantized.threshold }

    /// Forward pass of `batch` examples; training mode uses batch statistics and updates the running ones.
    public func forward(_ x: [Float], batch: Int, training: Bool) -> [Float] {
        self.batch = batch
        quantized = currentQuantized()
        switch geometry {
        case .dense:
            rows = batch
            columns = x
            gather = nil
        case .conv(let c, let h, let w, let k, let p):
            rows = batch * outHeight * outWidth
            columns = []
            gather = Im2Col.Gather(x, batch: batch, channels: c, height: h, width: w, kernel: k, padding: p,
                                   padValue: inputPadValue, reusing: gather)
        }
        // The GEMM overwrites every element (accumulate: false), so the buffer is only resized, never cleared.
        Self.resize(&z, to: rows * outputs)
        z.withUnsafeMutableBufferPointer { zp in quantized.used.withUnsafeBufferPointer { wp in
            let b = GEMM.Operand(wp.baseAddress!, ld: fanIn, transposed: true)
            withInput { a in GEMM.multiply(m: rows, n: outputs, k: fanIn, a: a, b: b, c: zp.baseAddress!, ldc: outputs) }
        } }
        // Batch norm, per output channel over all rows.
        var mean = runningMean, variance = runningVar
        if training {
            let stats = BatchNormKernels.statistics(z, rows: rows, channels: outputs)
            mean = stats.mean; variance = stats.variance
            for c in 0 ..< outputs {
                let unbiased = rows > 1 ? Float(stats.squares[c] / Double(rows - 1)) : variance[c]
                runningMean[c] = (1 - Self.momentum) * runningMean[c] + Self.momentum * mean[c]
                runningVar[c] = (1 - Self.momentum) * runningVar[c] + Self.momentum * unbiased
            }
        }
        invStd = variance.map { 1 / ($0 + Self.epsilon).squareRoot() }
        return BatchNormKernels.normalize(
            z, rows: rows, channels: outputs, mean: mean, invStd: invStd, gamma: gamma.value, beta: beta.value,
            activation: activation, normalized: &normalized, preActivation: &preActivation)
    }

    /// Backward pass (after a training-mode forward): accumulates parameter gradients and returns ∂L/∂input
    /// (empty when `needInputGradient` is false).
    public func backward(_ gradOut: [Float], needInputGradient: Bool) -> [Float] {
        Self.resize(&dz, to: rows * outputs)
        let (sumDy, sumDyX) = BatchNormKernels.backward(
            gradOut, into: &dz, rows: rows, channels: outputs, preActivation: preActivation, activation: activation,
            normalized: normalized, gamma: gamma.value, invStd: invStd)
        for c in 0 ..< outputs { gamma.grad[c] += sumDyX[c]; beta.grad[c] += sumDy[c] }
        // Weight gradient (straight through the quantizer): dW[out][fanIn] += dzᵀ · columns.
        dz.withUnsafeBufferPointer { dp in weight.grad.withUnsafeMutableBufferPointer { gp in
            let a = GEMM.Operand(dp.baseAddress!, ld: outputs, transposed: true)
            withInput { b in
                GEMM.multiply(m: outputs, n: fanIn, k: rows, a: a, b: b, c: gp.baseAddress!, ldc: fanIn, accumulate: true)
            }
        } }
        if let mask {
            weight.grad.withUnsafeMutableBufferPointer { gp in for i in 0 ..< mask.count where mask[i] == 0 { gp[i] = 0 } }
        }
        guard needInputGradient else { return [] }
        // The GEMM overwrites every element (accumulate: false), so the buffer is only resized, never cleared.
        if case .dense = geometry {
            var dx = [Float](unsafeUninitializedCapacity: rows * fanIn) { _, n in n = rows * fanIn }
            inputGradientColumns(into: &dx)
            return dx
        }
        Self.resize(&dcols, to: rows * fanIn)
        inputGradientColumns(into: &dcols)
        guard case .conv(let c, let h, let w, let k, let p) = geometry else { return [] }
        return dcols.withUnsafeBufferPointer { g in
            Im2Col.backward(g.baseAddress!, batch: batch, channels: c, height: h, width: w, kernel: k, padding: p)
        }
    }

    /// ∂L/∂columns = dz · W into `out` (rows × fanIn).
    private func inputGradientColumns(into out: inout [Float]) {
        dz.withUnsafeBufferPointer { dp in quantized.used.withUnsafeBufferPointer { wp in
            out.withUnsafeMutableBufferPointer { cp in
                GEMM.multiply(m: rows, n: fanIn, k: outputs,
                              a: .init(dp.baseAddress!, ld: outputs), b: .init(wp.baseAddress!, ld: fanIn),
                              c: cp.baseAddress!, ldc: fanIn)
            }
        } }
    }

    /// `body` with the GEMM operand of this layer's `rows × fanIn` input matrix: the dense input, or the conv's
    /// gathered im2col.
    private func withInput<R>(_ body: (GEMM.Operand) -> R) -> R {
        if let gather { return gather.withOperand(body) }
        return columns.withUnsafeBufferPointer { body(GEMM.Operand($0.baseAddress!, ld: fanIn)) }
    }

    /// Sets `buffer`'s length to `count`, keeping its storage when the length is unchanged (contents are
    /// whatever they were: every caller overwrites all of it).
    private static func resize(_ buffer: inout [Float], to count: Int) {
        if buffer.count == count { return }
        buffer = [Float](unsafeUninitializedCapacity: count) { _, n in n = count }
    }

    /// Fraction of weights that are zero in the deployed (quantized) layer.
    public var sparsity: Double {
        let q = currentQuantized()
        if q.ternary.isEmpty { return Double(q.used.filter { $0 == 0 }.count) / Double(max(q.used.count, 1)) }
        return Double(q.ternary.filter { $0 == 0 }.count) / Double(max(q.ternary.count, 1))
    }
}
