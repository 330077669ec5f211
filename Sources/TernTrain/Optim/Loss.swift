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
