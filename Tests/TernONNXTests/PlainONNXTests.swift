import Foundation
import TernModel
import TernTestSupport
import Testing
@testable import TernONNX

/// Plain ONNX (no QONNX weight quantizers) and FINN's MultiThreshold: per-channel thresholds, a conv with bias and
/// padding, pooling, a transposed Gemm, scalar rescaling, and batch norm with a negative γ (a negated row).
@Suite struct PlainONNXTests {
    static func convNet() -> GraphBuilder {
        var b = GraphBuilder()
        b.inputDims = [1, 2, 4, 4]
        // conv 3×2×3×3, α = (0.3, 0.7, 0.2), pad 1, bias.
        let alphas: [Float] = [0.3, 0.7, 0.2]
        b.constant("wc", [3, 2, 3, 3], (0..<54).map { i in alphas[i / 18] * Float([1, 0, -1, 0, 1][(i * 7 + i / 18) % 5]) })
        b.constant("bc", [3], [0.1, -0.2, 0.05])
        b.node("Conv", ["x", "wc", "bc"], "c", name: "conv", ints: ["pads": [1, 1, 1, 1], "kernel_shape": [3, 3]])
        // Per-channel 2-bit thresholds (unsorted on purpose: MultiThreshold counts, order does not matter).
        b.constant("t1", [3, 3], [0.9, 0.1, 0.5, -0.2, 0.3, 0.8, 0.0, 0.4, 0.2])
        b.node("MultiThreshold", ["c", "t1"], "a", name: "mt1", domain: "qonnx.custom_op.general",
               floats: ["out_scale": 0.5, "out_bias": 0])
        b.node("MaxPool", ["a"], "p", name: "pool", ints: ["kernel_shape": [2, 2], "strides": [2, 2]])
        b.node("Flatten", ["p"], "f", name: "flatten", int: ["axis": 1])
        // Gemm transB: [5, 12], α per row.
        b.constant("wd", [5, 12], (0..<60).map { i in [Float(1), 2, 0.5, 1.5, 3][i / 12] * Float([0, 1, -1, 1, 0, 0, -1][(i * 3 + i / 12) % 7]) })
        b.node("Gemm", ["f", "wd"], "g", name: "fc", int: ["transB": 1])
        b.constant("k", [], [0.5])
        b.node("Mul", ["g", "k"], "gm", name: "rescale")
        b.constant("gamma", [5], [1, -2, 0.5, 1, -1]); b.constant("beta", [5], [0.1, 0, -0.3, 0.2, 0])
        b.constant("mean", [5], [0.2, -0.1, 0, 0.3, 0.1]); b.constant("var", [5], [1, 0.5, 2, 1, 0.25])
        b.node("BatchNormalization", ["gm", "gamma", "beta", "mean", "var"], "bn", name: "bn")
        b.constant("t2", [5, 1], [0, 0.1, -0.1, 0.05, 0])
        b.node("MultiThreshold", ["bn", "t2"], "s", name: "sign", domain: "qonnx.custom_op.general",
               strings: ["out_dtype": "BIPOLAR"])
        b.constant("wo", [5, 4], (0..<20).map { i in 0.25 * Float([1, -1, 0, 1, 1, -1, 0][i % 7]) })
        b.constant("bo", [4], [0, 0.1, -0.1, 0.2])
        b.node("Gemm", ["s", "wo", "bo"], "y", name: "out")
        return b
    }

    @Test func artifactAgreesWithTheGraphOnRandomImages() throws {
        let graph = try ONNXGraph(bytes: Self.convNet().bytes())
        let imported = try ONNXImporter.importGraph(graph)
        #expect(imported.network.layers.map(\.record.kind) == [.conv, .maxPool, .dense, .dense])
        #expect(imported.network.layers.map(\.record.outputBits) == [2, 2, 1, 0])
        var rng = SeededGenerator(seed: 25)
        let count = 200
        let images = (0..<(count * 32)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let (_, logits) = try compileAndRun(imported.network, images: images, count: count)
        #expect(try IntegerReference.logits(network: imported.network, images: images, count: count) == logits)
        let agreement = try Agreement.measure(
            evaluator: try Evaluator(graph), images: images, labels: [UInt8](repeating: 0, count: count), count: count,
            artifactLogits: logits, fractionBits: Int(imported.network.layers.last!.record.logitFractionBits),
            inputScale: 1.0 / 255, inputOffset: 0)
        #expect(agreement.unexplained == 0, "\(agreement.differences)")
        #expect(agreement.agreeing + agreement.differences.count == count)
        #expect(agreement.maxLogitError < 1e-3)
    }

    @Test func bipolarQuantWeightsAreBinaryTernaryWeights() throws {
        var b = GraphBuilder.tinyMLP()
        // fc2's weights: BipolarQuant(latent, per-output scale) = ±scale_c, no zeros.
        b.constant("latent", [3, 2], [0.3, -0.1, -0.2, 0.4, 0.0, -0.5])
        b.constant("wscale", [1, 2], [0.75, 1.5])
        b.node("BipolarQuant", ["latent", "wscale"], "w2q", name: "wq", domain: "qonnx.custom_op.general")
        b.nodes.swapAt(b.nodes.count - 1, b.nodes.count - 2)
        b.nodes[b.nodes.count - 1].input[1] = "w2q"
        let graph = try ONNXGraph(bytes: b.bytes())
        let imported = try ONNXImporter.importGraph(graph)
        // Artifact order [out][in]: column o of the latent, signs with sign(0) = +1.
        #expect(imported.network.layers[1].weights == [1, -1, 1, -1, 1, -1])
        let logits = try compileAndRun(imported.network, images: [UInt8](0..<16).map { $0 * 16 }, count: 1).logits
        let graphOut = try Evaluator(graph).run(Agreement.graphInput([UInt8](0..<16).map { $0 * 16 }, image: 0,
                                                                   shape: [1, 1, 4, 4], scale: 1.0 / 255, offset: 0)).outputs[0]
        let unit = Double(sign: .plus, exponent: -Int(imported.network.layers[1].record.logitFractionBits), significand: 1)
        for (a, g) in zip(logits, graphOut.data) { #expect(abs(Double(a) * unit - Double(g)) < 1e-4) }
    }

    @Test func paddingBipolarCodesIsRefused() throws {
        var b = GraphBuilder()
        b.inputDims = [1, 1, 4, 4]
        b.constant("w1", [2, 1, 3, 3], (0..<18).map { Float($0 % 3) - 1 })
        b.node("Conv", ["x", "w1"], "c1", name: "conv1", ints: ["pads": [1, 1, 1, 1]])
        b.constant("s", [], [1])
        b.node("BipolarQuant", ["c1", "s"], "a1", name: "sign1", domain: "qonnx.custom_op.general")
        b.constant("w2", [2, 2, 3, 3], (0..<36).map { Float($0 % 3) - 1 })
        b.node("Conv", ["a1", "w2"], "y", name: "conv2", ints: ["pads": [1, 1, 1, 1]])
        guard case .unsupported(let node, _, let reason)? = Result(catching: { try ONNXImporter.importGraph(try ONNXGraph(bytes: b.bytes())) }).failureValue else {
            Issue.record("expected unsupported")
            return
        }
        #expect(node == "conv2" && reason.contains("padding"))
    }
}

extension Result {
    var failureValue: ONNXError? { if case .failure(let e) = self { e as? ONNXError } else { nil } }
}
