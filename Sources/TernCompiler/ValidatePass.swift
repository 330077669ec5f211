import TernFormat
import TernModel

/// First pass: checks that every layer is something the format and the runtime can execute, and that the network
/// is internally consistent, before any work is done. Each error names the layer (index and kind).
enum ValidatePass {
    static func run(_ network: IntegerNetwork) throws(CompileError) {
        guard !network.layers.isEmpty else { throw .emptyNetwork }
        guard network.layers.count <= Limits.layerCount else {
            throw .limitExceeded(index: network.layers.count - 1, what: "layer count", value: network.layers.count,
                                 limit: Limits.layerCount)
        }
        var shape = (c: network.inputChannels, h: network.inputHeight, w: network.inputWidth)
        guard shape.c > 0, shape.h > 0, shape.w > 0 else {
            throw .shapeMismatch(index: 0, kind: kindName(network.layers[0].record.kind),
                                 reason: "input shape \(shape.c)×\(shape.h)×\(shape.w) has an empty dimension")
        }
        var bits = 8
        for (i, layer) in network.layers.enumerated() {
            let r = layer.record
            let kind = kindName(r.kind)
            let isLast = i == network.layers.count - 1
            let input = (c: Int(r.inChannels), h: Int(r.inHeight), w: Int(r.inWidth))
            guard input == shape else {
                throw .shapeMismatch(index: i, kind: kind, reason: "input is \(input.c)×\(input.h)×\(input.w) but "
                    + "the previous layer produces \(shape.c)×\(shape.h)×\(shape.w)")
            }
            guard Int(r.inputBits) == bits else {
                throw .shapeMismatch(index: i, kind: kind, reason: "reads \(r.inputBits)-bit inputs but receives "
                    + "\(bits)-bit ones")
            }
            try checkLimits(r, index: i)
            switch r.kind {
            case .dense:
                guard r.kernel == 0, r.padding == 0, r.stride == 0 else {
                    throw .unsupportedLayer(index: i, kind: kind, reason: "a dense layer has no kernel, padding or stride")
                }
                guard r.outHeight == 1, r.outWidth == 1 else {
                    throw .shapeMismatch(index: i, kind: kind, reason: "a dense output must be C×1×1")
                }
            case .conv:
                guard !isLast else {
                    throw .unsupportedLayer(index: i, kind: kind, reason: "the final layer must be dense (it produces logits)")
                }
                guard r.stride == 1 else {
                    throw .unsupportedLayer(index: i, kind: kind, reason: "stride \(r.stride); only stride 1 is supported")
                }
                guard r.kernel % 2 == 1, Int(r.kernel) <= Limits.kernel else {
                    throw .unsupportedLayer(index: i, kind: kind, reason: "kernel \(r.kernel); odd kernels 1…15 are supported")
                }
                guard r.padding <= 1 else {
                    throw .unsupportedLayer(index: i, kind: kind, reason: "padding \(r.padding); only 0 or 1 is supported")
                }
                let oh = input.h + 2 * Int(r.padding) - Int(r.kernel) + 1
                let ow = input.w + 2 * Int(r.padding) - Int(r.kernel) + 1
                guard oh >= 1, ow >= 1 else {
                    throw .shapeMismatch(index: i, kind: kind, reason: "a \(r.kernel)×\(r.kernel) kernel does not fit "
                        + "a \(input.h)×\(input.w) input")
                }
                guard Int(r.outHeight) == oh, Int(r.outWidth) == ow else {
                    throw .shapeMismatch(index: i, kind: kind, reason: "output is \(r.outHeight)×\(r.outWidth), "
                        + "kernel and padding give \(oh)×\(ow)")
                }
            case .maxPool:
                guard !isLast else {
                    throw .unsupportedLayer(index: i, kind: kind, reason: "the final layer must be dense (it produces logits)")
                }
                guard i > 0 else {
                    throw .unsupportedLayer(index: i, kind: kind, reason: "max-pool on raw pixels; pooling runs on "
                        + "1- or 2-bit activation codes")
                }
                guard r.kernel == 2, r.stride == 2, r.padding == 0 else {
                    throw .unsupportedLayer(index: i, kind: kind, reason: "\(r.kernel)×\(r.kernel) stride \(r.stride); "
                        + "only 2×2 stride 2 is supported")
                }
                guard r.outputBits == r.inputBits else {
                    throw .shapeMismatch(index: i, kind: kind, reason: "max-pool keeps the bit width of its input")
                }
                guard Int(r.outChannels) == input.c, Int(r.outHeight) == input.h / 2, Int(r.outWidth) == input.w / 2,
                      input.h >= 2, input.w >= 2 else {
                    throw .shapeMismatch(index: i, kind: kind, reason: "output \(r.outChannels)×\(r.outHeight)×"
                        + "\(r.outWidth) is not the 2×2 pooling of \(input.c)×\(input.h)×\(input.w)")
                }
                guard layer.weights.isEmpty, layer.thresholds.isEmpty, layer.logitScale.isEmpty,
                      layer.logitBias.isEmpty else {
                    throw .badParameters(index: i, kind: kind, reason: "a max-pool has no weights or parameters")
                }
            }
            if r.kind != .maxPool {
                if isLast {
                    guard r.outputBits == 0 else {
                        throw .unsupportedActivationBits(index: i, kind: kind, bits: Int(r.outputBits))
                    }
                } else {
                    guard r.outputBits == 1 || r.outputBits == 2 else {
                        throw .unsupportedActivationBits(index: i, kind: kind, bits: Int(r.outputBits))
                    }
                }
                try checkWeights(layer, index: i)
                try checkParameters(layer, index: i, isLast: isLast)
            }
            guard r.logitFractionBits == 0 || isLast, r.logitFractionBits <= 31 else {
                throw .badParameters(index: i, kind: kind, reason: "logitFractionBits \(r.logitFractionBits) "
                    + "(only the final layer has one, 0…31)")
            }
            shape = (Int(r.outChannels), Int(r.outHeight), Int(r.outWidth))
            bits = Int(r.outputBits)
        }
    }

    private static func checkLimits(_ r: LayerRecord, index i: Int) throws(CompileError) {
        for (what, v) in [("input channels", r.inChannels), ("output channels", r.outChannels)]
        where Int(v) > Limits.channels || v == 0 {
            throw .limitExceeded(index: i, what: what, value: Int(v), limit: Limits.channels)
        }
        for v in [r.inHeight, r.inWidth, r.outHeight, r.outWidth] where Int(v) > Limits.spatial || v == 0 {
            throw .limitExceeded(index: i, what: "height/width", value: Int(v), limit: Limits.spatial)
        }
        guard r.fanIn <= Limits.fanIn else {
            throw .limitExceeded(index: i, what: "fan-in", value: r.fanIn, limit: Limits.fanIn)
        }
        guard r.weightCount <= Limits.elements else {
            throw .limitExceeded(index: i, what: "weight count", value: r.weightCount, limit: Limits.elements)
        }
    }

    private static func checkWeights(_ layer: IntegerNetwork.Layer, index i: Int) throws(CompileError) {
        let r = layer.record
        let kind = kindName(r.kind)
        guard layer.weights.count == r.weightCount else {
            throw .badWeights(index: i, kind: kind, reason: "\(layer.weights.count) weights, the shape needs "
                + "\(r.outChannels) × \(r.fanIn) = \(r.weightCount)")
        }
        var nonzero = 0
        for (j, w) in layer.weights.enumerated() {
            guard w >= -1, w <= 1 else {
                throw .badWeights(index: i, kind: kind, reason: "weight \(j) is \(w), not in {−1, 0, +1}")
            }
            if w != 0 { nonzero += 1 }
        }
        guard nonzero == Int(r.nonzeroWeights) else {
            throw .badWeights(index: i, kind: kind, reason: "the record declares \(r.nonzeroWeights) nonzero "
                + "weights, the tensor has \(nonzero)")
        }
    }

    private static func checkParameters(_ layer: IntegerNetwork.Layer, index i: Int, isLast: Bool) throws(CompileError) {
        let r = layer.record
        let kind = kindName(r.kind)
        let out = Int(r.outChannels)
        if isLast {
            guard layer.thresholds.isEmpty else {
                throw .badParameters(index: i, kind: kind, reason: "the final layer has no thresholds")
            }
            guard layer.logitScale.count == out, layer.logitBias.count == out else {
                throw .badParameters(index: i, kind: kind, reason: "\(layer.logitScale.count) scales and "
                    + "\(layer.logitBias.count) biases for \(out) classes")
            }
            return
        }
        guard layer.logitScale.isEmpty, layer.logitBias.isEmpty else {
            throw .badParameters(index: i, kind: kind, reason: "only the final layer has a logit affine")
        }
        let per = r.thresholdsPerChannel
        guard layer.thresholds.count == out * per else {
            throw .badThresholds(index: i, kind: kind, reason: "\(layer.thresholds.count) thresholds, "
                + "\(out) channels × \(per) needs \(out * per)")
        }
        for c in 0..<out {
            for j in 1..<max(per, 1) where layer.thresholds[c * per + j] < layer.thresholds[c * per + j - 1] {
                throw .badThresholds(index: i, kind: kind, reason: "channel \(c)'s thresholds decrease")
            }
        }
    }
}
