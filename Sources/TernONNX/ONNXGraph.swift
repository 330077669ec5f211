import Foundation
import SwiftProtobuf

/// An ONNX model reduced to what Tern reads: nodes in a checked topological order, constants as float tensors, the
/// single image input with its static shape, and the outputs.
///
/// Parsing checks structure only (protobuf, DAG, static input shape, every input produced somewhere); whether the
/// ops can be evaluated or imported is the business of `Evaluator` and `ONNXImporter`.
public struct ONNXGraph: Sendable {
    /// One node, with attributes kept as their protobuf messages.
    public struct Node: Sendable {
        public var name: String
        public var opType: String
        public var domain: String
        public var inputs: [String]
        public var outputs: [String]
        var attributes: [String: Onnx_AttributeProto]

        /// The name a message uses: the node's own, or `#index` when unnamed.
        public var label: String
    }

    /// Nodes in execution order (a topological order of the graph; the file's own order when it is one).
    public var nodes: [Node]
    /// Initializers and `Constant` outputs.
    public var constants: [String: Tensor]
    /// The image input: the graph input that is not an initializer.
    public var inputName: String
    /// Its shape with the batch axis set to 1.
    public var inputShape: [Int]
    public var outputNames: [String]
    public var producerName: String

    /// Parses a serialized `ModelProto`.
    public init(bytes: [UInt8]) throws(ONNXError) {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw .notProtobuf("\(error)")
        }
        guard model.hasGraph, !model.graph.node.isEmpty else {
            throw .badModel(model.hasIrVersion ? "the model has no graph nodes" : "no ir_version and no graph")
        }
        let graph = model.graph
        producerName = model.producerName
        var constants: [String: Tensor] = [:]
        for t in graph.initializer {
            constants[t.name] = try Self.tensor(t, name: t.name)
        }
        var nodes: [Node] = []
        for (index, n) in graph.node.enumerated() {
            var attributes: [String: Onnx_AttributeProto] = [:]
            for a in n.attribute { attributes[a.name] = a }
            let label = n.name.isEmpty ? "#\(index)" : n.name
            if n.opType == "Constant" {
                guard n.output.count == 1, let value = attributes["value"], value.hasT else {
                    throw .unsupported(node: label, opType: "Constant", reason: "only the tensor form `value` is read")
                }
                constants[n.output[0]] = try Self.tensor(value.t, name: n.output[0])
                continue
            }
            nodes.append(Node(name: n.name, opType: n.opType, domain: n.domain, inputs: n.input, outputs: n.output,
                              attributes: attributes, label: label))
        }
        let dynamicInputs = graph.input.filter { constants[$0.name] == nil }
        guard dynamicInputs.count == 1, let input = dynamicInputs.first else {
            throw .badModel("Tern reads one image input; the graph has \(dynamicInputs.count) non-constant inputs "
                            + "(\(dynamicInputs.map(\.name)))")
        }
        inputName = input.name
        inputShape = try Self.staticShape(input)
        guard !graph.output.isEmpty else { throw .badModel("the graph has no outputs") }
        outputNames = graph.output.map(\.name)
        self.constants = constants
        self.nodes = try Self.topologicalOrder(nodes, available: Set(constants.keys).union([input.name]),
                                               outputs: outputNames)
    }

    /// Reads `path` and parses it.
    public init(contentsOf path: String) throws(ONNXError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .badModel("cannot read \(path)")
        }
        try self.init(bytes: [UInt8](data))
    }

    /// The input's shape, batch axis (0) set to 1; a symbolic batch axis is accepted, any other unknown dim is not.
    static func staticShape(_ input: Onnx_ValueInfoProto) throws(ONNXError) -> [Int] {
        guard input.hasType, case .tensorType(let t)? = input.type.value, t.hasShape else {
            throw .dynamicShape(tensor: input.name, shape: "(no shape)")
        }
        var shape: [Int] = []
        let described = "[" + t.shape.dim.map { d in
            switch d.value {
            case .dimValue(let v)?: "\(v)"
            case .dimParam(let p)?: p
            case nil: "?"
            }
        }.joined(separator: ", ") + "]"
        for (axis, d) in t.shape.dim.enumerated() {
            switch d.value {
            case .dimValue(let v)? where v >= 1 && v <= 1 << 20: shape.append(axis == 0 ? 1 : Int(v))
            case .dimParam? where axis == 0: shape.append(1)
            default: throw .dynamicShape(tensor: input.name, shape: described)
            }
        }
        guard Tensor.elementCount(shape, limit: 1 << 24) != nil else {
            throw .badModel("input '\(input.name)' has shape \(described): more than 2^24 values per image")
        }
        guard shape.count == 2 || shape.count == 4 else {
            throw .badModel("input '\(input.name)' has shape \(described); Tern reads [N, C, H, W] or [N, K]")
        }
        return shape
    }

    /// Kahn's algorithm, stable in file order; a node left over sits on a cycle (or reads a missing tensor).
    static func topologicalOrder(_ nodes: [Node], available: Set<String>, outputs: [String]) throws(ONNXError) -> [Node] {
        var producer: [String: Int] = [:]
        for (i, n) in nodes.enumerated() { for o in n.outputs where !o.isEmpty { producer[o] = i } }
        for n in nodes {
            for input in n.inputs where !input.isEmpty && !available.contains(input) && producer[input] == nil {
                throw .missingInput(node: n.label, opType: n.opType, tensor: input)
            }
        }
        var pending = nodes.map { n in Set(n.inputs.filter { !$0.isEmpty && !available.contains($0) }).count }
        var readers: [String: [Int]] = [:]
        for (i, n) in nodes.enumerated() {
            for input in Set(n.inputs) where !input.isEmpty && !available.contains(input) { readers[input, default: []].append(i) }
        }
        var ready = (0..<nodes.count).filter { pending[$0] == 0 }
        var order: [Int] = []
        var done = [Bool](repeating: false, count: nodes.count)
        while !ready.isEmpty {
            ready.sort()
            let i = ready.removeFirst()
            done[i] = true
            order.append(i)
            for o in nodes[i].outputs { for r in readers[o] ?? [] {
                pending[r] -= 1
                if pending[r] == 0 { ready.append(r) }
            } }
        }
        if let stuck = done.firstIndex(of: false) {
            throw .cycle(node: nodes[stuck].label, opType: nodes[stuck].opType)
        }
        for o in outputs where producer[o] == nil && !available.contains(o) {
            throw .badModel("graph output '\(o)' is produced by no node")
        }
        return order.map { nodes[$0] }
    }

    /// A `TensorProto` as floats (float, double and the integer types; raw or typed storage).
    static func tensor(_ t: Onnx_TensorProto, name: String) throws(ONNXError) -> Tensor {
        guard t.dataLocation != .external else { throw .badTensor(name: name, reason: "external data is not supported") }
        guard t.dims.allSatisfy({ $0 >= 0 && $0 <= 1 << 28 }) else {
            throw .badTensor(name: name, reason: "dims \(t.dims) out of range")
        }
        let shape = t.dims.map { Int($0) }
        guard let count = Tensor.elementCount(shape) else {
            throw .badTensor(name: name, reason: "shape \(shape) holds more than 2^28 elements")
        }
        let raw = [UInt8](t.rawData)
        func fromRaw<T>(_ type: T.Type, _ convert: (T) -> Float) throws(ONNXError) -> [Float] {
            let size = MemoryLayout<T>.size
            guard raw.count == count * size else {
                throw .badTensor(name: name, reason: "raw_data holds \(raw.count) bytes, \(count) × \(size) expected")
            }
            return raw.withUnsafeBytes { p in (0..<count).map { convert(p.loadUnaligned(fromByteOffset: $0 * size, as: T.self)) } }
        }
        let values: [Float]
        switch Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) {
        case .float?: values = raw.isEmpty ? t.floatData : try fromRaw(UInt32.self) { Float(bitPattern: UInt32(littleEndian: $0)) }
        case .double?: values = raw.isEmpty ? t.doubleData.map { Float($0) } : try fromRaw(UInt64.self) { Float(Double(bitPattern: UInt64(littleEndian: $0))) }
        case .int64?: values = raw.isEmpty ? t.int64Data.map { Float($0) } : try fromRaw(Int64.self) { Float(Int64(littleEndian: $0)) }
        case .int32?: values = raw.isEmpty ? t.int32Data.map { Float($0) } : try fromRaw(Int32.self) { Float(Int32(littleEndian: $0)) }
        case .int8?: values = raw.isEmpty ? t.int32Data.map { Float($0) } : try fromRaw(Int8.self) { Float($0) }
        case .uint8?: values = raw.isEmpty ? t.int32Data.map { Float($0) } : try fromRaw(UInt8.self) { Float($0) }
        default: throw .badTensor(name: name, reason: "data type \(t.dataType) is not supported (float, double, int8/32/64, uint8)")
        }
        guard values.count == count else {
            throw .badTensor(name: name, reason: "\(values.count) values for shape \(shape)")
        }
        return Tensor(shape: shape, data: values)
    }
}
