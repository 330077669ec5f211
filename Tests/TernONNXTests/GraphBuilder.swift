import Foundation
import SwiftProtobuf
@testable import TernONNX

/// Builds small ONNX models in memory with the generated protobuf types, for the importer's edge cases.
struct GraphBuilder {
    var nodes: [Onnx_NodeProto] = []
    var initializers: [Onnx_TensorProto] = []
    var inputName = "x"
    /// Ints are fixed dims, strings symbolic ones.
    var inputDims: [Any] = [1, 1, 4, 4]
    var outputName = "y"

    mutating func constant(_ name: String, _ shape: [Int], _ values: [Float]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = shape.map { Int64($0) }
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        t.floatData = values
        initializers.append(t)
    }

    mutating func node(_ op: String, _ inputs: [String], _ output: String, name: String? = nil, domain: String = "",
                       ints: [String: [Int]] = [:], int: [String: Int] = [:], floats: [String: Float] = [:],
                       strings: [String: String] = [:]) {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = name ?? "\(op.lowercased())_\(nodes.count)"
        n.domain = domain
        n.input = inputs
        n.output = [output]
        for (k, v) in ints { var a = Onnx_AttributeProto(); a.name = k; a.type = .ints; a.ints = v.map { Int64($0) }; n.attribute.append(a) }
        for (k, v) in int { var a = Onnx_AttributeProto(); a.name = k; a.type = .int; a.i = Int64(v); n.attribute.append(a) }
        for (k, v) in floats { var a = Onnx_AttributeProto(); a.name = k; a.type = .float; a.f = v; n.attribute.append(a) }
        for (k, v) in strings { var a = Onnx_AttributeProto(); a.name = k; a.type = .string; a.s = Data(v.utf8); n.attribute.append(a) }
        nodes.append(n)
    }

    func bytes() -> [UInt8] {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 13
        m.opsetImport = [opset]
        var g = Onnx_GraphProto()
        g.name = "test"
        g.node = nodes
        g.initializer = initializers
        var input = Onnx_ValueInfoProto()
        input.name = inputName
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = 1
        var shape = Onnx_TensorShapeProto()
        for d in inputDims {
            var dim = Onnx_TensorShapeProto.Dimension()
            if let v = d as? Int { dim.dimValue = Int64(v) } else if let p = d as? String { dim.dimParam = p }
            shape.dim.append(dim)
        }
        tensorType.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensorType
        input.type = type
        g.input = [input]
        var output = Onnx_ValueInfoProto()
        output.name = outputName
        g.output = [output]
        m.graph = g
        return try! [UInt8](m.serializedBytes() as Data)
    }

    /// A tiny valid model: 1×1×4×4 → flatten → MatMul (16 → 3, ternary × α) → Quant 2-bit → MatMul (3 → 2).
    static func tinyMLP() -> GraphBuilder {
        var b = GraphBuilder()
        b.constant("shape", [2], [1, -1])
        b.node("Reshape", ["x", "shape"], "flat")
        // Column c is ternary × α_c with α = (0.5, 0.25, 1).
        b.constant("w1", [16, 3], (0..<48).map { i in [Float(0.5), 0.25, 1][i % 3] * Float([1, 0, -1][(i / 3 + i % 3) % 3]) })
        b.node("MatMul", ["flat", "w1"], "h", name: "fc1")
        b.constant("s", [], [0.25]); b.constant("z", [], [0]); b.constant("bits", [], [2])
        b.node("Quant", ["h", "s", "z", "bits"], "a", name: "act1", domain: "qonnx.custom_op.general", int: ["signed": 0, "narrow": 0])
        b.constant("w2", [3, 2], [1, -1, 0, 1, -1, 0])
        b.node("MatMul", ["a", "w2"], "y", name: "fc2")
        return b
    }
}
