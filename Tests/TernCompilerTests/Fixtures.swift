import TernFormat
import TernModel
import TernTestSupport

/// Small integer networks for the compiler's tests, and a straightforward evaluator of DATAFLOW.md's integers used
/// to check that the compiler's rewrites are bit-exact.
enum Fixtures {
    /// A dense chain `sizes[0]` → … → `sizes.last` on a 1×1×sizes[0] input with random sparse weights and
    /// thresholds spread over the reachable accumulator range.
    static func dense(_ sizes: [Int], bits: UInt8 = 1, sparsity: Double, seed: UInt64) -> IntegerNetwork {
        var rng = SeededGenerator(seed: seed)
        var layers: [IntegerNetwork.Layer] = []
        var inBits: UInt8 = 8
        for i in 1..<sizes.count {
            let isLast = i == sizes.count - 1
            let record = LayerRecord(
                kind: .dense, inputBits: inBits, outputBits: isLast ? 0 : bits, logitFractionBits: isLast ? 4 : 0,
                inChannels: UInt32(sizes[i - 1]), inHeight: 1, inWidth: 1,
                outChannels: UInt32(sizes[i]), outHeight: 1, outWidth: 1)
            layers.append(layer(record, sparsity: sparsity, rng: &rng))
            inBits = bits
        }
        return IntegerNetwork(name: "fixture", architecture: "test", dataset: "none", inputChannels: sizes[0],
                              inputHeight: 1, inputWidth: 1, layers: layers)
    }

    /// conv(3×3, pad 1) → maxpool → conv(3×3, pad 0) → dense(final) on a 1×8×8 input, 2-bit activations.
    static func convNet(sparsity: Double, seed: UInt64) -> IntegerNetwork {
        var rng = SeededGenerator(seed: seed)
        let c1 = LayerRecord(kind: .conv, inputBits: 8, outputBits: 2, padding: 1, kernel: 3, stride: 1,
                             inChannels: 1, inHeight: 8, inWidth: 8, outChannels: 6, outHeight: 8, outWidth: 8)
        let pool = LayerRecord(kind: .maxPool, inputBits: 2, outputBits: 2, kernel: 2, stride: 2,
                               inChannels: 6, inHeight: 8, inWidth: 8, outChannels: 6, outHeight: 4, outWidth: 4)
        let c2 = LayerRecord(kind: .conv, inputBits: 2, outputBits: 1, padding: 0, kernel: 3, stride: 1,
                             inChannels: 6, inHeight: 4, inWidth: 4, outChannels: 5, outHeight: 2, outWidth: 2)
        let fc = LayerRecord(kind: .dense, inputBits: 1, outputBits: 0, logitFractionBits: 3,
                             inChannels: 5, inHeight: 2, inWidth: 2, outChannels: 3, outHeight: 1, outWidth: 1)
        let layers = [layer(c1, sparsity: sparsity, rng: &rng), IntegerNetwork.Layer(record: pool),
                      layer(c2, sparsity: sparsity, rng: &rng), layer(fc, sparsity: sparsity, rng: &rng)]
        return IntegerNetwork(name: "conv fixture", architecture: "test", dataset: "none", inputChannels: 1,
                              inputHeight: 8, inputWidth: 8, layers: layers)
    }

    static func layer(_ record: LayerRecord, sparsity: Double, rng: inout SeededGenerator) -> IntegerNetwork.Layer {
        var r = record
        let w = randomTernary(count: r.weightCount, sparsity: sparsity, using: &rng)
        r.nonzeroWeights = UInt32(w.count(where: { $0 != 0 }))
        if r.isFinal {
            let n = Int(r.outChannels)
            return IntegerNetwork.Layer(
                record: r, weights: w,
                logitScale: (0..<n).map { _ in Int32.random(in: -300...300, using: &rng) },
                logitBias: (0..<n).map { _ in Int32.random(in: -5000...5000, using: &rng) })
        }
        let xmax = r.inputBits == 8 ? 255 : (1 << Int(r.inputBits)) - 1
        let per = r.thresholdsPerChannel
        var thresholds: [Int32] = []
        for c in 0..<Int(r.outChannels) {
            let row = w[(c * r.fanIn)..<((c + 1) * r.fanIn)]
            let hi = row.count(where: { $0 > 0 }) * xmax, lo = -row.count(where: { $0 < 0 }) * xmax
            var t = (0..<per).map { _ in Int32(Int.random(in: (lo - 2)...(hi + 2), using: &rng)) }
            t.sort()
            thresholds += t
        }
        return IntegerNetwork.Layer(record: r, weights: w, thresholds: thresholds)
    }

    static func randomInput(_ network: IntegerNetwork, rng: inout SeededGenerator) -> [UInt8] {
        (0..<network.inputElements).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
}

/// DATAFLOW.md, written as plainly as possible: HWC activations, `≥` thresholds, 2×2 max-pool, Int64 logits.
func evaluate(_ network: IntegerNetwork, _ pixels: [UInt8]) -> [Int64] {
    var x = pixels.map(Int32.init)
    for layer in network.layers {
        let r = layer.record
        let (inC, inH, inW) = (Int(r.inChannels), Int(r.inHeight), Int(r.inWidth))
        let (outC, outH, outW) = (Int(r.outChannels), Int(r.outHeight), Int(r.outWidth))
        var acc = [Int32](repeating: 0, count: outC * outH * outW)
        switch r.kind {
        case .maxPool:
            var y = [Int32](repeating: 0, count: outC * outH * outW)
            for h in 0..<outH { for w in 0..<outW { for c in 0..<outC {
                var m: Int32 = 0
                for dh in 0..<2 { for dw in 0..<2 { m = max(m, x[((2 * h + dh) * inW + 2 * w + dw) * inC + c]) } }
                y[(h * outW + w) * outC + c] = m
            } } }
            x = y
            continue
        case .dense:
            for o in 0..<outC {
                var s: Int32 = 0
                for i in 0..<r.fanIn { s += Int32(layer.weights[o * r.fanIn + i]) * x[i] }
                acc[o] = s
            }
        case .conv:
            let k = Int(r.kernel), p = Int(r.padding)
            for h in 0..<outH { for w in 0..<outW { for o in 0..<outC {
                var s: Int32 = 0
                for kh in 0..<k { for kw in 0..<k {
                    let ih = h + kh - p, iw = w + kw - p
                    guard ih >= 0, ih < inH, iw >= 0, iw < inW else { continue }
                    for c in 0..<inC {
                        s += Int32(layer.weights[o * r.fanIn + (kh * k + kw) * inC + c]) * x[(ih * inW + iw) * inC + c]
                    }
                } }
                acc[(h * outW + w) * outC + o] = s
            } } }
        }
        if r.isFinal {
            return (0..<outC).map { Int64(acc[$0]) * Int64(layer.logitScale[$0]) + Int64(layer.logitBias[$0]) }
        }
        let per = r.thresholdsPerChannel
        x = acc.indices.map { i in
            let c = i % outC
            return Int32(layer.thresholds[(c * per)..<((c + 1) * per)].count(where: { acc[i] >= $0 }))
        }
    }
    return []
}
