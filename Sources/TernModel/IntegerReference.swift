import Dispatch
import TernFormat

/// The integer reference: evaluates an `IntegerNetwork` exactly as docs/DATAFLOW.md defines, with integers only.
///
/// Its logits are what the runtime and the firmware must reproduce bit for bit. It is written for clarity first,
/// but skips zero weights (per-channel lists of the +1 and −1 taps), so a full test set takes seconds in release.
/// Images are `UInt8`, HWC, concatenated; big batches are split across cores with identical results.
public enum IntegerReference {
    /// Logits, `count × classCount`, image-major.
    public static func logits(network: IntegerNetwork, images: [UInt8], count: Int) throws(ModelError) -> [Int64] {
        let plan = try Plan(network: network, images: images, count: count)
        let classes = network.classCount
        var result = [Int64](repeating: 0, count: count * classes)
        let chunk = 64
        let chunks = (count + chunk - 1) / chunk
        result.withUnsafeMutableBufferPointer { out in
            let sink = UncheckedSendable(out)
            images.withUnsafeBufferPointer { pixels in
                let source = UncheckedSendable(pixels)
                DispatchQueue.concurrentPerform(iterations: chunks) { n in
                    var scratch = plan.makeScratch()
                    for image in (n * chunk)..<min(count, (n + 1) * chunk) {
                        let input = UnsafeBufferPointer(rebasing: source.value[(image * plan.inputElements)...]
                            .prefix(plan.inputElements))
                        plan.run(input, scratch: &scratch)
                        for c in 0..<classes { sink.value[image * classes + c] = scratch.logits[c] }
                    }
                }
            }
        }
        return result
    }

    /// Predicted class of each image: the lowest index of the largest logit.
    public static func predictions(network: IntegerNetwork, images: [UInt8], count: Int) throws(ModelError) -> [Int] {
        let l = try logits(network: network, images: images, count: count)
        let classes = network.classCount
        return (0..<count).map { argmax(l[(($0) * classes)..<(($0 + 1) * classes)]) }
    }

    /// Fraction of images whose prediction equals the label; `images.count` must be a whole number of images.
    public static func accuracy(network: IntegerNetwork, images: [UInt8], labels: [UInt8]) throws(ModelError) -> Double {
        guard !labels.isEmpty else { throw .badImages(problem: "no labels") }
        let p = try predictions(network: network, images: images, count: labels.count)
        return Double(zip(p, labels).count(where: { $0 == Int($1) })) / Double(labels.count)
    }

    /// Every layer's output for one image, in the artifact's layout (HWC codes; logits for the last layer), for
    /// tests that compare a runtime layer by layer.
    public static func trace(network: IntegerNetwork, image: [UInt8]) throws(ModelError) -> [[Int64]] {
        let plan = try Plan(network: network, images: image, count: 1)
        var scratch = plan.makeScratch()
        var outputs: [[Int64]] = []
        image.withUnsafeBufferPointer { plan.run($0, scratch: &scratch, trace: &outputs) }
        return outputs
    }

    /// Lowest index of the largest value.
    public static func argmax(_ values: ArraySlice<Int64>) -> Int {
        var best = values.startIndex
        for i in values.indices where values[i] > values[best] { best = i }
        return best - values.startIndex
    }
}

extension UnsafeBufferPointer {
    /// Element access without the bounds check (the caller has proven the index valid).
    fileprivate subscript(unchecked i: Int) -> Element { baseAddress.unsafelyUnwrapped[i] }
}

/// Lets a buffer pointer cross into `concurrentPerform`; each iteration touches a disjoint range.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A validated network prepared for evaluation: per output channel, the input offsets of its +1 and −1 weights.
private struct Plan: Sendable {
    struct Layer: Sendable {
        var record: LayerRecord
        /// Per output channel `c`: `positive[start[c]..<start[c+1]]` etc. Dense: input indices. Conv: offsets into
        /// the padded HWC input relative to the window's top-left corner.
        var positive: [Int32] = []
        var positiveStart: [Int] = []
        var negative: [Int32] = []
        var negativeStart: [Int] = []
        var thresholds: [Int32]
        var logitScale: [Int32]
        var logitBias: [Int32]
    }

    struct Scratch {
        var a: [Int32]
        var b: [Int32]
        var padded: [Int32]
        var logits: [Int64]
    }

    let layers: [Layer]
    let inputElements: Int
    let largestMap: Int
    let largestPadded: Int
    let classes: Int

    init(network: IntegerNetwork, images: [UInt8], count: Int) throws(ModelError) {
        try network.validate()
        inputElements = network.inputElements
        guard count >= 0, images.count == count * inputElements else {
            throw .badImages(problem: "\(images.count) bytes are not \(count) images of \(inputElements) pixels")
        }
        classes = network.classCount
        var largestMap = inputElements
        var largestPadded = 0
        var prepared: [Layer] = []
        for layer in network.layers {
            let r = layer.record
            largestMap = max(largestMap, r.outputElements)
            var p = Layer(record: r, thresholds: layer.thresholds, logitScale: layer.logitScale,
                          logitBias: layer.logitBias)
            let fanIn = r.fanIn
            // Offset of each weight position (artifact order) in the layer's input buffer.
            var offsets = [Int32](repeating: 0, count: fanIn)
            switch r.kind {
            case .maxPool:
                prepared.append(p)
                continue
            case .dense:
                for i in 0..<fanIn { offsets[i] = Int32(i) }
            case .conv:
                let k = Int(r.kernel), inC = Int(r.inChannels)
                let paddedWidth = Int(r.inWidth) + 2 * Int(r.padding)
                largestPadded = max(largestPadded, inC * paddedWidth * (Int(r.inHeight) + 2 * Int(r.padding)))
                for y in 0..<k {
                    for x in 0..<k {
                        for i in 0..<inC { offsets[(y * k + x) * inC + i] = Int32((y * paddedWidth + x) * inC + i) }
                    }
                }
            }
            for c in 0..<Int(r.outChannels) {
                p.positiveStart.append(p.positive.count)
                p.negativeStart.append(p.negative.count)
                for i in 0..<fanIn {
                    switch layer.weights[c * fanIn + i] {
                    case 1: p.positive.append(offsets[i])
                    case -1: p.negative.append(offsets[i])
                    default: break
                    }
                }
            }
            p.positiveStart.append(p.positive.count)
            p.negativeStart.append(p.negative.count)
            prepared.append(p)
        }
        layers = prepared
        self.largestMap = largestMap
        self.largestPadded = largestPadded
    }

    func makeScratch() -> Scratch {
        Scratch(a: [Int32](repeating: 0, count: largestMap), b: [Int32](repeating: 0, count: largestMap),
                padded: [Int32](repeating: 0, count: largestPadded), logits: [Int64](repeating: 0, count: classes))
    }

    func run(_ image: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) {
        var ignored: [[Int64]]? = nil
        run(image, scratch: &scratch, traceInto: &ignored)
    }

    func run(_ image: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, trace: inout [[Int64]]) {
        var outputs: [[Int64]]? = []
        run(image, scratch: &scratch, traceInto: &outputs)
        trace = outputs!
    }

    /// One image. Activations live in `scratch.a` (input) and `scratch.b` (output), swapped after each layer.
    private func run(_ image: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, traceInto trace: inout [[Int64]]?) {
        for i in 0..<image.count { scratch.a[i] = Int32(image[i]) }
        for layer in layers {
            let r = layer.record
            switch r.kind {
            case .maxPool:
                maxPool(r, from: scratch.a, into: &scratch.b)
            case .dense:
                weighted(layer, positions: 1, input: scratch.a, stride: 0, scratch: &scratch)
            case .conv:
                pad(r, from: scratch.a, into: &scratch.padded)
                weighted(layer, positions: Int(r.outHeight) * Int(r.outWidth), input: scratch.padded,
                         stride: Int(r.inWidth) + 2 * Int(r.padding), scratch: &scratch)
            }
            if r.isFinal {
                trace?.append(scratch.logits)
            } else {
                swap(&scratch.a, &scratch.b)
                trace?.append(scratch.a.prefix(r.outputElements).map(Int64.init))
            }
        }
    }

    /// Copies a C×H×W (HWC) map into a zero-bordered buffer (padding holds code 0 / pixel 0).
    private func pad(_ r: LayerRecord, from input: [Int32], into padded: inout [Int32]) {
        let c = Int(r.inChannels), h = Int(r.inHeight), w = Int(r.inWidth), p = Int(r.padding)
        let pw = w + 2 * p
        let total = c * pw * (h + 2 * p)
        for i in 0..<total { padded[i] = 0 }
        for y in 0..<h {
            for x in 0..<w {
                for ch in 0..<c { padded[((y + p) * pw + x + p) * c + ch] = input[(y * w + x) * c + ch] }
            }
        }
    }

    /// Accumulates each output channel at each output position, then thresholds (hidden) or the affine (last).
    private func weighted(_ layer: Layer, positions: Int, input: [Int32], stride paddedWidth: Int,
                          scratch: inout Scratch) {
        let r = layer.record
        let outC = Int(r.outChannels), outW = max(Int(r.outWidth), 1), inC = Int(r.inChannels)
        let per = r.thresholdsPerChannel
        // Plan.init made every offset land inside `input` (validated shapes), so the hot loop reads unchecked.
        input.withUnsafeBufferPointer { x in
        layer.positive.withUnsafeBufferPointer { positive in
        layer.negative.withUnsafeBufferPointer { negative in
        for position in 0..<positions {
            // Top-left of the window in the padded input (conv); 0 for dense.
            let base = paddedWidth == 0 ? 0 : ((position / outW) * paddedWidth + position % outW) * inC
            let window = UnsafeBufferPointer(rebasing: x[base...])
            for c in 0..<outC {
                var acc: Int32 = 0
                for k in layer.positiveStart[c]..<layer.positiveStart[c + 1] {
                    acc &+= window[unchecked: Int(positive[k])]
                }
                for k in layer.negativeStart[c]..<layer.negativeStart[c + 1] {
                    acc &-= window[unchecked: Int(negative[k])]
                }
                if r.isFinal {
                    scratch.logits[c] = Int64(acc) * Int64(layer.logitScale[c]) + Int64(layer.logitBias[c])
                } else {
                    var code: Int32 = 0
                    for j in 0..<per where acc >= layer.thresholds[c * per + j] { code += 1 }
                    scratch.b[position * outC + c] = code
                }
            }
        }
        }
        }
        }
    }

    private func maxPool(_ r: LayerRecord, from input: [Int32], into output: inout [Int32]) {
        let c = Int(r.inChannels), w = Int(r.inWidth)
        for y in 0..<Int(r.outHeight) {
            for x in 0..<Int(r.outWidth) {
                for ch in 0..<c {
                    let top = ((2 * y) * w + 2 * x) * c + ch
                    let bottom = top + w * c
                    output[(y * Int(r.outWidth) + x) * c + ch] =
                        max(max(input[top], input[top + c]), max(input[bottom], input[bottom + c]))
                }
            }
        }
    }
}
