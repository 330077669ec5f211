/// The trainer-style quantized forward pass in floating point, straight from a checkpoint's tensors.
///
/// It follows the left column of docs/DATAFLOW.md "Folding" literally: `a = s·x + o`, `z = α·Σ W·a` (padding holds
/// the real value `o` of code 0), batch norm, quantizer, max-pool on real values. It works in the checkpoint's own
/// layout (CHW maps, OIHW / CHW-flatten weights) and shares no code with `Folding`, so tests can check the folded
/// integers against it. Arithmetic is `Double`, to keep the cases where it disagrees with the integers (y within
/// rounding of a τ) as rare as possible; it is a test oracle, not a fast path.
public enum SimulatedForward {
    public struct Result: Equatable, Sendable {
        /// For every layer: the output codes in CHW order (hidden and max-pool layers), empty for the last layer.
        public var codes: [[Int]]
        /// For every layer: the quantizer input `y` (after batch norm) in CHW order, for weight layers; empty for
        /// max-pool. Lets tests see how close a value came to a threshold.
        public var preActivations: [[Double]]
        /// The last layer's real-valued logits.
        public var logits: [Double]
    }

    /// Runs one `UInt8` HWC image. The checkpoint must be valid and have ternary weights in every weight layer.
    public static func run(_ checkpoint: Checkpoint, image: [UInt8]) -> Result {
        let architecture = checkpoint.architecture
        let shapes = try! architecture.inferShapes()
        let input = architecture.input
        let (c0, h0, w0) = (input.channels, input.height, input.width)
        // Real values, CHW.
        var values = [Double](repeating: 0, count: c0 * h0 * w0)
        for ch in 0..<c0 {
            for y in 0..<h0 {
                for x in 0..<w0 {
                    values[(ch * h0 + y) * w0 + x] = input.scale * Double(image[(y * w0 + x) * c0 + ch]) + input.offset
                }
            }
        }
        var codeOfValue = [Int](repeating: 0, count: values.count)
        var zeroCodeValue = input.offset
        var result = Result(codes: [], preActivations: [], logits: [])
        for (i, layer) in architecture.layers.enumerated() {
            let shape = shapes[i]
            let (inC, inH, inW) = (shape.input.channels, shape.input.height, shape.input.width)
            let (outC, outH, outW) = (shape.output.channels, shape.output.height, shape.output.width)
            if case .maxPool = layer {
                var pooled = [Double](repeating: 0, count: shape.output.elements)
                var pooledCodes = [Int](repeating: 0, count: shape.output.elements)
                for ch in 0..<outC {
                    for y in 0..<outH {
                        for x in 0..<outW {
                            var best = -Double.infinity
                            var bestCode = 0
                            for dy in 0..<2 {
                                for dx in 0..<2 {
                                    let k = (ch * inH + 2 * y + dy) * inW + 2 * x + dx
                                    if values[k] > best { best = values[k]; bestCode = codeOfValue[k] }
                                }
                            }
                            pooled[(ch * outH + y) * outW + x] = best
                            pooledCodes[(ch * outH + y) * outW + x] = bestCode
                        }
                    }
                }
                values = pooled
                codeOfValue = pooledCodes
                result.codes.append(pooledCodes)
                result.preActivations.append([])
                continue
            }
            let tensors = checkpoint.layers[i]!
            let w = tensors.ternary!
            var y = [Double](repeating: 0, count: shape.output.elements)
            for c in 0..<outC {
                let alpha = Double(tensors.alpha(channel: c)!)
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        var sum = 0.0
                        switch layer {
                        case .conv(_, let k, let p, _):
                            for ic in 0..<inC {
                                for ky in 0..<k {
                                    for kx in 0..<k {
                                        let weight = w[((c * inC + ic) * k + ky) * k + kx]
                                        guard weight != 0 else { continue }
                                        let (sy, sx) = (oy + ky - p, ox + kx - p)
                                        let a = (0..<inH).contains(sy) && (0..<inW).contains(sx)
                                            ? values[(ic * inH + sy) * inW + sx] : zeroCodeValue
                                        sum += Double(weight) * a
                                    }
                                }
                            }
                        default:
                            for j in 0..<shape.fanIn where w[c * shape.fanIn + j] != 0 {
                                sum += Double(w[c * shape.fanIn + j]) * values[j]
                            }
                        }
                        var v = alpha * sum
                        if let bn = tensors.batchNorm {
                            v = Double(bn.gamma[c]) * (v - Double(bn.mean[c]))
                                / (Double(bn.variance[c]) + checkpoint.batchNormEpsilon).squareRoot() + Double(bn.beta[c])
                        }
                        y[(c * outH + oy) * outW + ox] = v
                    }
                }
            }
            result.preActivations.append(y)
            guard let activation = layer.activation else {
                result.codes.append([])
                result.logits = y
                break
            }
            codeOfValue = y.map { v in activation.thresholds.count(where: { v >= $0 }) }
            values = codeOfValue.map { activation.scale * Double($0) + activation.offset }
            zeroCodeValue = activation.offset
            result.codes.append(codeOfValue)
        }
        return result
    }
}
