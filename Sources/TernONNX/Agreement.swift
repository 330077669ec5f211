/// `--verify` for an imported graph: the compiled artifact's predictions against the graph's own float output
/// (`Evaluator`), image by image, with every disagreement explained or flagged.
///
/// The artifact computes exact integers; the graph computes floats. They can differ only where the graph's float
/// value sits on (within rounding of) a quantizer threshold or where two logits tie; anything else is reported as
/// unexplained, which is a bug.
public struct Agreement: Sendable {
    public struct Difference: Sendable, Encodable {
        public var image: Int
        public var graphPrediction: Int
        public var artifactPrediction: Int
        /// Nil when neither a threshold tie nor a logit tie accounts for it.
        public var explanation: String?
    }

    public var images: Int
    public var agreeing: Int
    public var differences: [Difference]
    /// Largest |artifact logit / 2^F − graph logit| over all images and classes.
    public var maxLogitError: Double
    public var graphAccuracy: Double
    public var artifactAccuracy: Double

    public var unexplained: Int { differences.count { $0.explanation == nil } }

    /// A threshold (or logit) closer than this, relative, counts as a tie: float32 sums of a few thousand terms are
    /// accurate to a few 1e-6 relative, so 1e-4 leaves a wide margin and still flags real disagreements.
    public static let tieTolerance = 1e-4

    /// The graph's input for image `i` of HWC `UInt8` images: `scale · pixel + offset`, laid out as the graph reads it
    /// (NCHW for a 4-D input, the pixels in order for a 2-D one).
    public static func graphInput(_ images: [UInt8], image i: Int, shape: [Int], scale: Double, offset: Double) -> Tensor {
        let n = shape.reduce(1, *)
        let pixels = images[(i * n)..<((i + 1) * n)]
        var data = [Float](repeating: 0, count: n)
        if shape.count == 4 {
            let (c, h, w) = (shape[1], shape[2], shape[3])
            for y in 0..<h { for x in 0..<w { for ch in 0..<c {
                data[(ch * h + y) * w + x] = Float(Double(pixels[pixels.startIndex + (y * w + x) * c + ch]) * scale + offset)
            } } }
        } else {
            for (k, p) in pixels.enumerated() { data[k] = Float(Double(p) * scale + offset) }
        }
        return Tensor(shape: shape, data: data)
    }

    /// Compares `artifactLogits` (`count × classes`, fixed point with `fractionBits`) with the graph on the same images.
    public static func measure(
        evaluator: Evaluator, images: [UInt8], labels: [UInt8], count: Int, artifactLogits: [Int64], fractionBits: Int,
        inputScale: Double, inputOffset: Double
    ) throws(ONNXError) -> Agreement {
        let classes = artifactLogits.count / max(count, 1)
        let unit = Double(sign: .plus, exponent: -fractionBits, significand: 1)
        var result = Agreement(images: count, agreeing: 0, differences: [], maxLogitError: 0, graphAccuracy: 0, artifactAccuracy: 0)
        var graphCorrect = 0, artifactCorrect = 0
        for i in 0..<count {
            let input = graphInput(images, image: i, shape: evaluator.graph.inputShape, scale: inputScale, offset: inputOffset)
            let (outputs, _) = try evaluator.run(input)
            let graph = outputs[0].data
            guard graph.count == classes else {
                throw .badModel("the graph gives \(graph.count) outputs, the artifact \(classes)")
            }
            let artifact = artifactLogits[(i * classes)..<((i + 1) * classes)]
            for (a, g) in zip(artifact, graph) { result.maxLogitError = max(result.maxLogitError, abs(Double(a) * unit - Double(g))) }
            let gp = argmax(graph.map { Double($0) }), ap = argmax(artifact.map { Double($0) })
            if gp == Int(labels[i]) { graphCorrect += 1 }
            if ap == Int(labels[i]) { artifactCorrect += 1 }
            if gp == ap {
                result.agreeing += 1
                continue
            }
            // Explain: a logit tie, or a quantizer input on a threshold.
            let (_, tie) = try evaluator.run(input, trackTies: true)
            let top = graph.map { Double($0) }.sorted(by: >)
            var explanation: String?
            if top.count >= 2, top[0] - top[1] <= tieTolerance * max(1, abs(top[0])) {
                explanation = "logit tie: the graph's two largest logits differ by \(top[0] - top[1])"
            } else if let tie, tie.distance <= tieTolerance {
                explanation = "threshold tie at node '\(tie.node)': an input lies \(tie.distance) (relative) from a threshold"
            }
            result.differences.append(Difference(image: i, graphPrediction: gp, artifactPrediction: ap, explanation: explanation))
        }
        result.graphAccuracy = Double(graphCorrect) / Double(max(count, 1))
        result.artifactAccuracy = Double(artifactCorrect) / Double(max(count, 1))
        return result
    }

    /// First index of the largest value (the runtime's tie rule).
    static func argmax(_ v: [Double]) -> Int {
        var best = 0
        for i in v.indices where v[i] > v[best] { best = i }
        return best
    }
}
