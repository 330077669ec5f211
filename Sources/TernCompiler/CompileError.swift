import TernFormat
import TernZlib

/// Everything that stops a compile, with enough payload to name the problem. Layer indices are positions in the
/// input network's `layers` (execution order), so a message points at the layer the user wrote.
public enum CompileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The network has no layers.
    case emptyNetwork
    /// A layer the format or the runtime cannot execute (a conv as the last layer, a max-pool on pixels, …).
    case unsupportedLayer(index: Int, kind: String, reason: String)
    /// An activation width other than 1 or 2 bits on a hidden layer (or a non-zero width on the final one).
    case unsupportedActivationBits(index: Int, kind: String, bits: Int)
    /// Shapes or bit widths that do not chain from the previous layer / the input.
    case shapeMismatch(index: Int, kind: String, reason: String)
    /// Weight tensor of the wrong length, values outside {−1, 0, +1}, or a wrong nonzero count.
    case badWeights(index: Int, kind: String, reason: String)
    /// Threshold list of the wrong length or not non-decreasing.
    case badThresholds(index: Int, kind: String, reason: String)
    /// Final-layer affine of the wrong length, or parameters on a layer that must have none.
    case badParameters(index: Int, kind: String, reason: String)
    /// A size above the format's hard limits (docs/FORMAT.md §8).
    case limitExceeded(index: Int, what: String, value: Int, limit: Int)
    /// The smallest arena the runtime needs does not fit the target's RAM budget, even with the smallest window.
    case doesNotFit(target: String, arenaBytes: Int, budgetBytes: Int)
    /// The runtime's planner refuses the artifact (a compiler/runtime disagreement, reported rather than written).
    case runtimeRejects(String)
    /// Options that contradict each other or are out of range.
    case badOptions(String)
    /// zlib refused to compress (should not happen with valid options).
    case compression(String)
    /// The writer produced a file its own reader rejects (a compiler bug, reported rather than written).
    case format(FormatError)
    /// The `.tern` given to re-encode could not be read back (`Compiler.reencode`).
    case badArtifact(String)

    public var description: String {
        switch self {
        case .emptyNetwork: "the network has no layers"
        case .unsupportedLayer(let i, let kind, let reason): "layer \(i) (\(kind)) is not supported: \(reason)"
        case .unsupportedActivationBits(let i, let kind, let bits):
            "layer \(i) (\(kind)) has \(bits)-bit activations; Tern supports 1- or 2-bit hidden activations "
                + "and logits (0) on the final layer"
        case .shapeMismatch(let i, let kind, let reason): "layer \(i) (\(kind)): shape mismatch: \(reason)"
        case .badWeights(let i, let kind, let reason): "layer \(i) (\(kind)): bad weights: \(reason)"
        case .badThresholds(let i, let kind, let reason): "layer \(i) (\(kind)): bad thresholds: \(reason)"
        case .badParameters(let i, let kind, let reason): "layer \(i) (\(kind)): bad parameters: \(reason)"
        case .limitExceeded(let i, let what, let value, let limit):
            "layer \(i): \(what) is \(value), above the format's limit of \(limit)"
        case .doesNotFit(let target, let arena, let budget):
            "the runtime needs an arena of \(arena) bytes even with the smallest inflate window, above the "
                + "\(budget)-byte budget of target \(target) (use --ram to state the real RAM)"
        case .runtimeRejects(let message): "the runtime cannot plan the artifact: \(message)"
        case .badOptions(let message): "bad compile options: \(message)"
        case .compression(let message): "zlib failed: \(message)"
        case .format(let error): "the compiler produced an invalid file (a bug): \(error)"
        case .badArtifact(let message): "the artifact to re-encode is not valid: \(message)"
        }
    }
}

/// The name a message uses for a layer kind.
func kindName(_ kind: LayerKind) -> String {
    switch kind {
    case .dense: "dense"
    case .conv: "conv"
    case .maxPool: "maxpool"
    }
}
