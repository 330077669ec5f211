import Foundation
import Testing
@testable import TernONNX

/// Bad input is refused with an error that names what is wrong; nothing crashes.
@Suite struct RefusalTests {
    func importError(_ bytes: [UInt8]) -> ONNXError? {
        do {
            _ = try ONNXImporter.importGraph(try ONNXGraph(bytes: bytes))
            return nil
        } catch {
            return error
        }
    }

    @Test func theTinyModelImports() throws {
        let imported = try ONNXImporter.importGraph(try ONNXGraph(bytes: GraphBuilder.tinyMLP().bytes()))
        #expect(imported.network.layers.count == 2)
        #expect(imported.network.layers[0].record.outputBits == 2)
    }

    @Test func garbageIsNotAModel() {
        let garbage = Array("this is not an ONNX file, just text\n".utf8) + [0xFF, 0xFF, 0xFF, 0x07]
        switch importError(garbage) {
        case .notProtobuf?, .badModel?: break
        case let other: Issue.record("expected notProtobuf/badModel, got \(String(describing: other))")
        }
    }

    @Test func truncatedFileIsRefused() throws {
        let bytes = try BrevitasFixture("lfc").bytes
        for cut in [7, bytes.count / 3, bytes.count - 5] {
            switch importError(Array(bytes.prefix(cut))) {
            case .notProtobuf?, .badModel?: break
            case let other: Issue.record("cut at \(cut): expected notProtobuf/badModel, got \(String(describing: other))")
            }
        }
    }

    @Test func unknownOpIsNamed() {
        var b = GraphBuilder.tinyMLP()
        b.nodes[b.nodes.count - 1].output = ["logits"]
        b.node("Softmax", ["logits"], "y", name: "probabilities")
        #expect(importError(b.bytes()) == .unsupportedOp(node: "probabilities", opType: "Softmax", domain: ""))
        #expect(ONNXError.unsupportedOp(node: "probabilities", opType: "Softmax", domain: "").description.contains("probabilities"))
    }

    @Test func nonTernaryWeightsAreNamed() {
        var b = GraphBuilder.tinyMLP()
        b.initializers[b.initializers.firstIndex { $0.name == "w2" }!].floatData = [1, -1, 0, 0.5, -1, 0]
        guard case .notTernary(let node, let op, let reason)? = importError(b.bytes()) else {
            Issue.record("expected notTernary")
            return
        }
        #expect(node == "fc2" && op == "MatMul")
        #expect(reason.contains("output channel 1"))
    }

    @Test func dynamicShapeIsRefused() {
        var b = GraphBuilder.tinyMLP()
        b.inputDims = ["batch", 1, "height", 4]
        #expect(importError(b.bytes()) == .dynamicShape(tensor: "x", shape: "[batch, 1, height, 4]"))
        // A symbolic batch axis alone is fine.
        b.inputDims = ["batch", 1, 4, 4]
        #expect(importError(b.bytes()) == nil)
    }

    @Test func hugeDimensionsAreRefusedBeforeAllocating() {
        var b = GraphBuilder.tinyMLP()
        b.initializers[b.initializers.firstIndex { $0.name == "w2" }!].dims = [1 << 40, 1 << 40]
        guard case .badTensor(let name, _)? = importError(b.bytes()) else {
            Issue.record("expected badTensor")
            return
        }
        #expect(name == "w2")
        b = GraphBuilder.tinyMLP()
        b.inputDims = [1, 1 << 19, 1 << 19, 4]
        guard case .badModel? = importError(b.bytes()) else {
            Issue.record("expected badModel for a huge input")
            return
        }
    }

    @Test func nonIntegerReshapeTargetIsRefused() {
        // Found by MutationTests at 40,000 mutations: a float → Int conversion trapped on 1e30.
        for bad: [Float] in [[1e30, -1], [1, 0.5], [-7, 16]] {
            var b = GraphBuilder.tinyMLP()
            b.initializers[b.initializers.firstIndex { $0.name == "shape" }!].floatData = bad
            guard case .badNode(let node, let op, _)? = importError(b.bytes()) else {
                Issue.record("\(bad): expected badNode")
                continue
            }
            #expect(node == "reshape_0" && op == "Reshape")
        }
    }

    @Test func cycleIsRefused() {
        var b = GraphBuilder()
        b.constant("w", [16, 16], [Float](repeating: 1, count: 256))
        b.node("Add", ["x", "loop"], "sum", name: "join")
        b.node("MatMul", ["sum", "w"], "loop", name: "back")
        b.node("Identity", ["loop"], "y", name: "out")
        #expect(importError(b.bytes()) == .cycle(node: "join", opType: "Add"))
    }

    @Test func missingInputIsNamed() {
        var b = GraphBuilder.tinyMLP()
        b.nodes[1].input[1] = "nowhere"
        #expect(importError(b.bytes()) == .missingInput(node: "fc1", opType: "MatMul", tensor: "nowhere"))
    }

    @Test func perChannelActivationScaleIsRefused() {
        var b = GraphBuilder.tinyMLP()
        let i = b.initializers.firstIndex { $0.name == "s" }!
        b.initializers[i].dims = [1, 3]
        b.initializers[i].floatData = [0.25, 0.5, 0.25]
        guard case .unsupported(let node, _, let reason)? = importError(b.bytes()) else {
            Issue.record("expected unsupported")
            return
        }
        #expect(node == "act1" && reason.contains("per-tensor"))
    }

    @Test func residualIsRefused() {
        var b = GraphBuilder.tinyMLP()
        b.nodes[b.nodes.count - 1].output = ["logits"]
        b.node("Add", ["logits", "logits"], "y", name: "double")
        guard case .unsupported(let node, _, _)? = importError(b.bytes()) else {
            Issue.record("expected unsupported")
            return
        }
        #expect(node == "double")
    }

    @Test func endingInAQuantizerIsRefused() {
        var b = GraphBuilder.tinyMLP()
        b.nodes.removeLast()
        b.outputName = "a"
        guard case .badModel(let reason)? = importError(b.bytes()) else {
            Issue.record("expected badModel")
            return
        }
        #expect(reason.contains("logits"))
    }
}

/// Layout ops: flattening is read, a transpose that reorders data is refused.
@Suite struct LayoutTests {
    func tinyConv(_ between: (inout GraphBuilder) -> Void) -> GraphBuilder {
        var b = GraphBuilder()
        b.inputDims = [1, 1, 4, 4]
        b.constant("wc", [2, 1, 3, 3], (0..<18).map { Float([1, 0, -1][$0 % 3]) })
        b.node("Conv", ["x", "wc"], "c", name: "conv", ints: ["pads": [1, 1, 1, 1]])
        b.constant("s", [], [0.5]); b.constant("z", [], [0]); b.constant("bits", [], [2])
        b.node("Quant", ["c", "s", "z", "bits"], "a", name: "act", domain: "qonnx.custom_op.general", int: ["signed": 0])
        between(&b)
        b.constant("wd", [32, 3], (0..<96).map { Float([1, 0, -1, 0][$0 % 4]) })
        b.node("MatMul", [b.nodes.last!.output[0], "wd"], "y", name: "fc")
        return b
    }

    @Test func flattenWithNegativeAxisIsRead() throws {
        let b = tinyConv { $0.node("Flatten", ["a"], "f", name: "flatten", int: ["axis": -3]) }
        let imported = try ONNXImporter.importGraph(try ONNXGraph(bytes: b.bytes()))
        #expect(imported.network.layers.map(\.record.kind) == [.conv, .dense])
        #expect(imported.network.layers[1].record.inChannels == 2 && imported.network.layers[1].record.inHeight == 4)
    }

    @Test func channelsLastTransposeIsRefused() throws {
        let b = tinyConv { b in
            b.node("Transpose", ["a"], "t", name: "nhwc", ints: ["perm": [0, 2, 3, 1]])
            b.node("Flatten", ["t"], "f", name: "flatten")
        }
        guard case .unsupported(let node, let op, _)? = Result(catching: { try ONNXImporter.importGraph(try ONNXGraph(bytes: b.bytes())) }).failureValue else {
            Issue.record("expected unsupported")
            return
        }
        #expect(node == "nhwc" && op == "Transpose")
    }
}
