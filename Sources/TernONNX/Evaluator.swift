/// Runs an ONNX graph of the supported ops in float, as the graph says: the reference `--verify` compares a compiled
/// artifact with, and (through `foldConstants`) the way weight quantizers become plain weight tensors.
public struct Evaluator: Sendable {
    /// The graph after constant folding: `graph.nodes` keeps only nodes that depend on the input.
    public private(set) var graph: ONNXGraph

    public init(_ graph: ONNXGraph) throws(ONNXError) {
        self.graph = try Self.foldConstants(graph)
    }

    /// Evaluates every node whose inputs are all constants (weight `Quant`/`BipolarQuant`, shape arithmetic) once.
    static func foldConstants(_ graph: ONNXGraph) throws(ONNXError) -> ONNXGraph {
        var g = graph
        var dynamic: [ONNXGraph.Node] = []
        for node in graph.nodes {
            let present = node.inputs.filter { !$0.isEmpty }
            if !present.isEmpty, present.allSatisfy({ g.constants[$0] != nil }), node.outputs.count >= 1 {
                let inputs = node.inputs.map { $0.isEmpty ? nil : g.constants[$0] }
                g.constants[node.outputs[0]] = try ONNXOps.run(node, inputs, constants: g.constants)
            } else {
                dynamic.append(node)
            }
        }
        g.nodes = dynamic
        return g
    }

    /// The nearest any activation quantizer came to one of its thresholds on one input (see `Quantizer.tieDistance`).
    public struct NearestTie: Sendable {
        public var node: String
        public var distance: Double
    }

    /// The graph's outputs for one input tensor (shape `graph.inputShape`), and optionally the nearest tie.
    public func run(_ input: Tensor, trackTies: Bool = false) throws(ONNXError) -> (outputs: [Tensor], nearestTie: NearestTie?) {
        guard input.shape == graph.inputShape else {
            throw .badModel("the input has shape \(input.shape); the graph reads \(graph.inputShape)")
        }
        var values = graph.constants
        values[graph.inputName] = input
        var tie: NearestTie?
        for node in graph.nodes {
            let inputs = node.inputs.map { $0.isEmpty ? nil : values[$0] }
            let out = try ONNXOps.run(node, inputs, constants: graph.constants)
            if trackTies, ["Quant", "BipolarQuant", "MultiThreshold"].contains(node.opType), let x = inputs[0] {
                let q = try Quantizer.read(node, constants: graph.constants)
                let inner = x.rank > 2 ? x.shape.dropFirst(2).reduce(1, *) : 1
                let channels = x.rank >= 2 ? x.shape[1] : 1
                for (i, v) in x.data.enumerated() {
                    let d = q.tieDistance(v, channel: (i / inner) % channels)
                    if d < (tie?.distance ?? .infinity) { tie = NearestTie(node: node.label, distance: d) }
                }
            }
            values[node.outputs[0]] = out
        }
        var outputs: [Tensor] = []
        for name in graph.outputNames {
            guard let t = values[name] else { throw .badModel("output '\(name)' was not computed") }
            outputs.append(t)
        }
        return (outputs, tie)
    }
}
