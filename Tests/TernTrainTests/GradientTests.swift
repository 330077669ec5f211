import Testing
import TernModel
@testable import TernTrain

/// Finite-difference checks of every layer's backward pass. Quantizers have no useful derivative; their documented
/// straight-through estimators (docs/METHOD.md) are checked as such.
@Suite struct GradientTests {
    private func random(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0 ..< n).map { _ in (rng.nextUnitFloat() - 0.5) * 2 * scale }
    }

    private func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Checks ∂(r·f(x))/∂x for a handful of coordinates against central differences in Double-ish precision.
    private func check(_ name: String, analytic: [Float], count: Int, probe: Int = 12, eps: Float = 1e-2,
                       f: (Int, Float) -> Double) {
        var rng = SplitMix64(seed: 99)
        for _ in 0 ..< probe {
            let i = Int(rng.next() % UInt64(count))
            let numeric = (f(i, eps) - f(i, -eps)) / Double(2 * eps)
            let tol = 2e-2 * max(1, abs(numeric))
            #expect(abs(Double(analytic[i]) - numeric) < tol, "\(name)[\(i)]: analytic \(analytic[i]) numeric \(numeric)")
        }
    }

    /// A layer in float mode without activation: linear + batch norm (training statistics).
    private func layerCheck(geometry: WeightLayer.Geometry, outputs: Int, batch: Int, inputCount: Int) {
        var rng = SplitMix64(seed: 1)
        let layer = WeightLayer(geometry: geometry, outputs: outputs, activation: nil, rng: &rng)
        layer.quantization = .float
        layer.inputPadValue = -0.5
        layer.gamma.value = random(outputs, seed: 7, scale: 1).map { $0 + 1.5 }
        layer.beta.value = random(outputs, seed: 8)
        let x = random(inputCount, seed: 2)
        let y0 = layer.forward(x, batch: batch, training: true)
        let r = random(y0.count, seed: 3)
        let dx = layer.backward(r, needInputGradient: true)
        let dw = layer.weight.grad, dg = layer.gamma.grad, db = layer.beta.grad
        func loss(_ x: [Float]) -> Double { dot(layer.forward(x, batch: batch, training: true), r) }
        check("input", analytic: dx, count: x.count) { i, e in var xx = x; xx[i] += e; return loss(xx) }
        let w0 = layer.weight.value
        check("weight", analytic: dw, count: w0.count) { i, e in
            layer.weight.value = w0; layer.weight.value[i] += e
            defer { layer.weight.value = w0 }
            return loss(x)
        }
        let g0 = layer.gamma.value
        check("gamma", analytic: dg, count: g0.count, probe: 4) { i, e in
            layer.gamma.value = g0; layer.gamma.value[i] += e
            defer { layer.gamma.value = g0 }
            return loss(x)
        }
        let b0 = layer.beta.value
        check("beta", analytic: db, count: b0.count, probe: 4) { i, e in
            layer.beta.value = b0; layer.beta.value[i] += e
            defer { layer.beta.value = b0 }
            return loss(x)
        }
    }

    @Test func denseWithBatchNorm() {
        layerCheck(geometry: .dense(inputs: 9), outputs: 5, batch: 6, inputCount: 54)
    }

    @Test(arguments: [0, 1])
    func convWithBatchNorm(padding: Int) {
        layerCheck(geometry: .conv(inChannels: 2, height: 5, width: 4, kernel: 3, padding: padding),
                   outputs: 3, batch: 2, inputCount: 2 * 5 * 4 * 2)
    }

    @Test func maxPool() {
        let pool = MaxPool(channels: 2, height: 4, width: 5)
        let x = random(2 * 4 * 5 * 2, seed: 4)
        let y = pool.forward(x, batch: 2)
        let r = random(y.count, seed: 5)
        let dx = pool.backward(r)
        check("pool", analytic: dx, count: x.count, probe: 20, eps: 1e-4) { i, e in
            var xx = x; xx[i] += e; return dot(pool.forward(xx, batch: 2), r)
        }
    }

    @Test func softmaxCrossEntropy() {
        let logits = random(3 * 4, seed: 6, scale: 2)
        let labels: ArraySlice<UInt8> = [2, 0, 3]
        let (_, grad, _) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, classes: 4)
        check("logits", analytic: grad, count: logits.count, probe: 12, eps: 1e-3) { i, e in
            var l = logits; l[i] += e
            return SoftmaxCrossEntropy.evaluate(logits: l, labels: labels, classes: 4).loss
        }
    }

    @Test func distillationLoss() {
        let logits = random(3 * 4, seed: 6, scale: 2), teacher = random(3 * 4, seed: 9, scale: 3)
        let labels: ArraySlice<UInt8> = [2, 0, 3]
        func loss(_ l: [Float], weight: Float = 0.7) -> (loss: Double, grad: [Float], correct: Int) {
            DistillationLoss.evaluate(logits: l, teacherLogits: teacher, labels: labels, classes: 4, weight: weight,
                                      temperature: 3)
        }
        check("logits", analytic: loss(logits).grad, count: logits.count, probe: 12, eps: 1e-3) { i, e in
            var l = logits; l[i] += e
            return loss(l).loss
        }
        // β = 0 is plain cross-entropy; a student equal to the teacher pays nothing for the teacher term.
        let ce = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, classes: 4)
        #expect(loss(logits, weight: 0).grad == ce.grad && abs(loss(logits, weight: 0).loss - ce.loss) < 1e-12)
        let copy = DistillationLoss.evaluate(logits: teacher, teacherLogits: teacher, labels: labels, classes: 4,
                                             weight: 1, temperature: 3)
        #expect(abs(copy.loss) < 1e-9 && copy.grad.allSatisfy { abs($0) < 1e-7 })
    }

    /// Activation STE: ∂a/∂y = 1 inside [value(code 0), value(max code)], 0 outside; forward is the threshold count.
    @Test func activationStraightThroughWindows() {
        let sign = ActivationQuantizer(Architecture.Activation.sign)
        #expect(sign.apply(0) == 1 && sign.apply(-0.01) == -1)
        #expect(sign.passes(0.99) && sign.passes(-1) && !sign.passes(1.01) && !sign.passes(-1.5))
        let u = ActivationQuantizer(Architecture.Activation.uniform2)
        #expect(u.apply(1.0 / 6) == 1.0 / 3 && u.apply(0.16) == 0 && u.apply(0.9) == 1 && u.apply(-3) == 0)
        #expect(u.passes(0) && u.passes(1) && !u.passes(-0.01) && !u.passes(1.01))

        // Through a layer: the gradient reaching batch norm is the incoming one masked by the window.
        var rng = SplitMix64(seed: 2)
        let layer = WeightLayer(geometry: .dense(inputs: 4), outputs: 3, activation: sign, rng: &rng)
        let noAct = WeightLayer(geometry: .dense(inputs: 4), outputs: 3, activation: nil, rng: &rng)
        noAct.weight.value = layer.weight.value
        let x = random(4 * 8, seed: 3)
        let y = noAct.forward(x, batch: 8, training: true)
        _ = layer.forward(x, batch: 8, training: true)
        let r = random(y.count, seed: 4)
        let masked = zip(r, y).map { abs($1) <= 1 ? $0 : 0 }
        #expect(layer.backward(r, needInputGradient: true) == noAct.backward(masked, needInputGradient: true))
    }

    /// Weight STE: the latent gradient of a ternary layer equals the float gradient at the quantized weights
    /// (α·t), masked where pruned.
    @Test func weightStraightThroughEstimator() {
        var rng = SplitMix64(seed: 5)
        let ternary = WeightLayer(geometry: .dense(inputs: 6), outputs: 4, activation: nil, rng: &rng)
        ternary.quantization = .ternary
        ternary.mask = (0 ..< 24).map { $0 % 5 == 0 ? 0 : 1 }
        let q = ternary.currentQuantized()
        #expect(q.ternary.enumerated().allSatisfy { ternary.mask![$0.offset] == 1 || $0.element == 0 })
        let float = WeightLayer(geometry: .dense(inputs: 6), outputs: 4, activation: nil, rng: &rng)
        float.weight.value = q.used
        let x = random(6 * 5, seed: 6)
        _ = ternary.forward(x, batch: 5, training: true)
        _ = float.forward(x, batch: 5, training: true)
        let r = random(20, seed: 7)
        _ = ternary.backward(r, needInputGradient: false)
        _ = float.backward(r, needInputGradient: false)
        for i in 0 ..< 24 {
            #expect(ternary.weight.grad[i] == (ternary.mask![i] == 0 ? 0 : float.weight.grad[i]))
        }
    }

    @Test func ternaryQuantizerMatchesTWNDefinition() {
        let w: [Float] = [0.9, -0.05, 0.3, -0.6, 0.01, 0.0]
        let q = WeightQuantizer.quantize(w, mask: nil, mode: .ternary, thresholdFactor: 0.7)
        let mean = w.map { abs($0) }.reduce(0, +) / 6
        #expect(abs(q.threshold - 0.7 * mean) < 1e-6)
        #expect(q.ternary == [1, 0, 1, -1, 0, 0])
        #expect(abs(q.alpha - (0.9 + 0.3 + 0.6) / 3) < 1e-6)
        let b = WeightQuantizer.quantize(w, mask: nil, mode: .binary, thresholdFactor: 0.7)
        #expect(b.ternary == [1, -1, 1, -1, 1, 1])
        let m = WeightQuantizer.quantize(w, mask: [1, 1, 0, 0, 1, 1], mode: .masked, thresholdFactor: 0.7)
        #expect(m.ternary == [1, -1, 0, 0, 1, 1])
    }
}
