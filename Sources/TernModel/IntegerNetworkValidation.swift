import TernFormat

/// An `IntegerNetwork` that breaks the rules of docs/DATAFLOW.md. `layer` is the index in `layers`.
public enum ModelError: Error, Equatable, Sendable {
    case badInputShape(channels: Int, height: Int, width: Int)
    case noLayers
    case badLayer(layer: Int, problem: String)
    /// Evaluation: the image buffer or labels do not match the network's input.
    case badImages(problem: String)
}

extension IntegerNetwork {
    /// Checks everything an evaluator relies on: shapes chain from the input to the logits, bit widths chain, weight
    /// and parameter counts, ternary values, non-decreasing thresholds, sizes within `TernFormat.Limits` (which keeps
    /// every accumulator inside Int32). A network that passes cannot make the integer reference trap.
    public func validate() throws(ModelError) {
        guard (1...Limits.channels).contains(inputChannels), (1...Limits.spatial).contains(inputHeight),
              (1...Limits.spatial).contains(inputWidth) else {
            throw .badInputShape(channels: inputChannels, height: inputHeight, width: inputWidth)
        }
        guard !layers.isEmpty else { throw .noLayers }
        guard layers.count <= Limits.layerCount else {
            throw .badLayer(layer: Limits.layerCount, problem: "more than \(Limits.layerCount) layers")
        }
        var (c, h, w) = (inputChannels, inputHeight, inputWidth)
        var bits: UInt8 = 8
        for (i, layer) in layers.enumerated() {
            func fail(_ problem: String) -> ModelError { .badLayer(layer: i, problem: problem) }
            let r = layer.record
            let isLast = i == layers.count - 1
            guard Int(r.inChannels) == c, Int(r.inHeight) == h, Int(r.inWidth) == w else {
                throw fail("input \(r.inChannels)×\(r.inHeight)×\(r.inWidth) but the previous output is \(c)×\(h)×\(w)")
            }
            guard r.inputBits == bits else { throw fail("inputBits \(r.inputBits), the producer gives \(bits)") }
            guard (1...Limits.channels).contains(Int(r.outChannels)), (1...Limits.spatial).contains(Int(r.outHeight)),
                  (1...Limits.spatial).contains(Int(r.outWidth)) else {
                throw fail("output shape \(r.outChannels)×\(r.outHeight)×\(r.outWidth) out of range")
            }
            let (oc, oh, ow) = (Int(r.outChannels), Int(r.outHeight), Int(r.outWidth))
            switch r.kind {
            case .maxPool:
                guard !isLast else { throw fail("the last layer must produce logits, not max-pool") }
                guard r.kernel == 2, r.stride == 2, r.padding == 0 else { throw fail("max-pool must be 2×2, stride 2") }
                guard bits != 8 else { throw fail("max-pool cannot read raw pixels") }
                guard r.outputBits == bits else { throw fail("max-pool outputBits must equal inputBits") }
                guard h % 2 == 0, w % 2 == 0, oc == c, oh == h / 2, ow == w / 2 else {
                    throw fail("max-pool of \(c)×\(h)×\(w) cannot give \(oc)×\(oh)×\(ow)")
                }
                guard layer.weights.isEmpty, layer.thresholds.isEmpty, layer.logitScale.isEmpty,
                      layer.logitBias.isEmpty else { throw fail("max-pool has no weights or parameters") }
                (c, h, w) = (oc, oh, ow)
                continue
            case .dense:
                guard oh == 1, ow == 1 else { throw fail("dense output must be C×1×1") }
                guard r.kernel == 0, r.padding == 0, r.stride == 0 else { throw fail("dense has no kernel") }
            case .conv:
                guard r.kernel % 2 == 1, Int(r.kernel) <= Limits.kernel, r.padding <= 1, r.stride == 1 else {
                    throw fail("conv needs an odd kernel ≤ \(Limits.kernel), padding 0 or 1, stride 1")
                }
                let k = Int(r.kernel), p = Int(r.padding)
                guard oh == h + 2 * p - k + 1, ow == w + 2 * p - k + 1 else {
                    throw fail("conv \(k)×\(k) pad \(p) of \(c)×\(h)×\(w) cannot give \(oc)×\(oh)×\(ow)")
                }
            }
            guard r.fanIn <= Limits.fanIn, r.weightCount <= Limits.elements else {
                throw fail("fan-in \(r.fanIn) or weight count \(r.weightCount) beyond the format's limits")
            }
            guard layer.weights.count == r.weightCount else {
                throw fail("\(layer.weights.count) weights, the shape needs \(r.weightCount)")
            }
            var nonzero = 0
            for v in layer.weights {
                guard v >= -1, v <= 1 else { throw fail("weight \(v) is not ternary") }
                if v != 0 { nonzero += 1 }
            }
            guard nonzero == Int(r.nonzeroWeights) else {
                throw fail("nonzeroWeights \(r.nonzeroWeights), the weights have \(nonzero)")
            }
            if isLast {
                guard r.outputBits == 0 else { throw fail("the last layer must produce logits (outputBits 0)") }
                guard layer.thresholds.isEmpty, layer.logitScale.count == oc, layer.logitBias.count == oc else {
                    throw fail("the last layer needs \(oc) logit scales and biases and no thresholds")
                }
            } else {
                guard r.outputBits == 1 || r.outputBits == 2 else {
                    throw fail("outputBits \(r.outputBits): hidden layers produce 1- or 2-bit codes")
                }
                let per = r.thresholdsPerChannel
                guard layer.thresholds.count == oc * per, layer.logitScale.isEmpty, layer.logitBias.isEmpty else {
                    throw fail("needs \(oc * per) thresholds and no logit affine")
                }
                for ch in 0..<oc {
                    for j in 1..<max(per, 1) where layer.thresholds[ch * per + j] < layer.thresholds[ch * per + j - 1] {
                        throw fail("thresholds of channel \(ch) decrease")
                    }
                }
            }
            bits = r.outputBits
            (c, h, w) = (oc, oh, ow)
        }
    }
}
