/// Softmax cross-entropy over `[batch][classes]` logits, averaged over the batch.
public enum SoftmaxCrossEntropy {
    /// Returns the mean loss, ∂loss/∂logits and the number of correct argmax predictions (lowest index wins ties).
    public static func evaluate(logits: [Float], labels: ArraySlice<UInt8>, classes: Int) -> (loss: Double, grad: [Float], correct: Int) {
        let batch = labels.count
        var grad = [Float](repeating: 0, count: logits.count)
        var loss = 0.0, correct = 0
        for (r, label) in labels.enumerated() {
            let row = r * classes
            var best = 0
            var maxv = logits[row]
            for c in 1 ..< classes where logits[row + c] > maxv { maxv = logits[row + c]; best = c }
            if best == Int(label) { correct += 1 }
            var sum = 0.0
            for c in 0 ..< classes { sum += exp(Double(logits[row + c] - maxv)) }
            loss += log(sum) - Double(logits[row + Int(label)] - maxv)
            for c in 0 ..< classes {
                let p = exp(Double(logits[row + c] - maxv)) / sum
                grad[row + c] = Float((p - (c == Int(label) ? 1 : 0)) / Double(batch))
            }
        }
        return (loss / Double(batch), grad, correct)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Knowledge distillation (Hinton et al., 2015): `(1 − β)·CE(labels) + β·T²·KL(softmax(t/T) ‖ softmax(s/T))` over
/// student logits `s` and teacher logits `t`, averaged over the batch. The T² keeps the teacher term's gradient
/// on the scale of the label term's whatever the temperature.
public enum DistillationLoss {
    /// Returns the mean loss, ∂loss/∂(student logits) and the student's correct argmax predictions.
    public static func evaluate(logits: [Float], teacherLogits: [Float], labels: ArraySlice<UInt8>, classes: Int,
                                weight: Float, temperature: Float) -> (loss: Double, grad: [Float], correct: Int) {
        precondition(logits.count == teacherLogits.count && logits.count == labels.count * classes)
        var (loss, grad, correct) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, classes: classes)
        let beta = Double(weight), t = Double(temperature), batch = Double(labels.count)
        var kl = 0.0
        var ps = [Double](repeating: 0, count: classes), pt = [Double](repeating: 0, count: classes)
        for r in 0 ..< labels.count {
            let row = r * classes
            softmax(logits, row: row, classes: classes, temperature: t, into: &ps)
            softmax(teacherLogits, row: row, classes: classes, temperature: t, into: &pt)
            for c in 0 ..< classes where pt[c] > 0 { kl += pt[c] * (log(pt[c]) - log(max(ps[c], .leastNormalMagnitude))) }
            for c in 0 ..< classes {
                // ∂(T²·KL)/∂s_c = T·(ps_c − pt_c); the label term's gradient is already averaged over the batch.
                grad[row + c] = Float((1 - beta) * Double(grad[row + c]) + beta * t * (ps[c] - pt[c]) / batch)
            }
        }
        loss = (1 - beta) * loss + beta * t * t * kl / batch
        return (loss, grad, correct)
    }

    private static func softmax(_ z: [Float], row: Int, classes: Int, temperature: Double, into p: inout [Double]) {
        var maxv = Double(z[row])
        for c in 1 ..< classes { maxv = max(maxv, Double(z[row + c])) }
        var sum = 0.0
        for c in 0 ..< classes { p[c] = exp((Double(z[row + c]) - maxv) / temperature); sum += p[c] }
        for c in 0 ..< classes { p[c] /= sum }
    }
}
