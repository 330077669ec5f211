/// Why an ONNX file cannot be read, evaluated or imported. Every case that concerns a node names it (its `name`, or
/// `#index` when the exporter left it unnamed) and its op type, so the user can find it in Netron or the exporter.
public enum ONNXError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a protobuf `ModelProto` (truncated, garbage, or another file).
    case notProtobuf(String)
    /// A well-formed protobuf that is not a usable ONNX model (no graph, no input, external data, …).
    case badModel(String)
    /// A tensor (initializer or `Constant`) that cannot be read.
    case badTensor(name: String, reason: String)
    /// The graph's nodes do not form a DAG; `node` is one of the nodes on a cycle.
    case cycle(node: String, opType: String)
    /// An input shape that is not fully known (`dim_param` or missing dims outside the batch axis).
    case dynamicShape(tensor: String, shape: String)
    /// A node reads a tensor nothing produces.
    case missingInput(node: String, opType: String, tensor: String)
    /// The evaluator or the importer does not handle this op at all.
    case unsupportedOp(node: String, opType: String, domain: String)
    /// A supported op used in a way Tern cannot represent exactly (the reason says which rule).
    case unsupported(node: String, opType: String, reason: String)
    /// Weights that are not ternary × a per-output-channel scale.
    case notTernary(node: String, opType: String, reason: String)
    /// Attributes or input shapes that contradict the op's definition.
    case badNode(node: String, opType: String, reason: String)

    public var description: String {
        switch self {
        case .notProtobuf(let why): "not an ONNX model (protobuf decoding failed: \(why))"
        case .badModel(let why): "not a usable ONNX model: \(why)"
        case .badTensor(let name, let why): "tensor '\(name)' cannot be read: \(why)"
        case .cycle(let node, let op): "the graph has a cycle through node '\(node)' (\(op)); ONNX graphs must be acyclic"
        case .dynamicShape(let tensor, let shape):
            "input '\(tensor)' has a dynamic shape \(shape); Tern needs every dimension but the batch fixed"
        case .missingInput(let node, let op, let tensor):
            "node '\(node)' (\(op)) reads '\(tensor)', which no node, initializer or graph input provides"
        case .unsupportedOp(let node, let op, let domain):
            "node '\(node)' has op type \(domain.isEmpty ? "" : domain + ".")\(op), which Tern does not support "
                + "(supported: \(ONNXOps.supportedList))"
        case .unsupported(let node, let op, let why): "node '\(node)' (\(op)) is not supported: \(why)"
        case .notTernary(let node, let op, let why): "node '\(node)' (\(op)) has weights that are not ternary: \(why)"
        case .badNode(let node, let op, let why): "node '\(node)' (\(op)) is malformed: \(why)"
        }
    }
}
