import ArgumentParser
import Foundation
import TernCompiler
import TernFormat
import TernModel

extension CompileTarget: ExpressibleByArgument {}

/// `tern compile`: checkpoint → folded integer network → `.tern` artifact.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a trained checkpoint (model.json + model.safetensors) into a .tern artifact.",
        discussion: """
            Folds batch-norm and the activation quantizers into per-channel integer thresholds (a negative \
            batch-norm scale negates the channel's weights) and the last layer into a fixed-point affine; removes \
            hidden neurons nobody reads or whose output is constant (bit-exact; --keep-dead-neurons to skip); \
            stores each layer's ternary weights as the token stream or 2-bit packing, uncompressed or with zlib, \
            whichever is smallest; thresholds in the narrowest integer type; and writes the runtime's exact arena \
            sizes into the header. The zlib window is limited by the target's RAM (--target, --ram). The file is \
            written atomically and the same inputs always give the same bytes.

            --verify runs the artifact through the runtime's reference path and the trainer's integer reference on \
            the test split of DATA_DIR (all of it, or --count images) and fails on any difference in a prediction \
            or a logit.

            Examples:
              tern compile /work/runs/lfc98/model.json -o Models/lfc-mnist-98/model.tern
              tern compile model.json -o m3.tern --target cortex-m3 --verify ../shared/datasets/mnist --count 1000
            """
    )

    @Argument(help: "The checkpoint's model.json (or the directory holding it).")
    var model: String

    @Option(name: .shortAndLong, help: "Where to write the .tern file.")
    var output: String

    @Option(help: "Model name for the artifact's metadata (default: the output's folder for model.tern, else its file name).")
    var name: String?

    @Option(help: "Where the artifact will run: host, cortex-m4 (192 KiB RAM), cortex-m3 (64 KiB), cortex-m0 (16 KiB).")
    var target: CompileTarget = .host

    @Option(name: .customLong("ram"), help: "RAM of the target in KiB (overrides the target's default).")
    var ramKiB: Int?

    @Flag(help: "Keep hidden neurons that nobody reads or that are constant (they are removed by default).")
    var keepDeadNeurons = false

    @Option(help: "Dataset directory (IDX or CIFAR-10 binary files) to verify the artifact against.")
    var verify: String?

    @Option(help: "Number of test images to verify (default: the whole test split).")
    var count: Int?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        if let ramKiB, ramKiB < 8 { throw ValidationError("--ram must be at least 8 (KiB)") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if count != nil && verify == nil { throw ValidationError("--count needs --verify DATA_DIR") }
    }

    func run() throws {
        let (network, description) = try loadAndFold(model, name: name ?? defaultModelName(output))
        let options = CompileOptions(target: target, ramKiB: ramKiB, eliminateDeadNeurons: !keepDeadNeurons,
                                     description: description, arenaPlanner: runtimeArenaPlanner)
        let artifact = try Compiler.compileWithReport(network: network, options: options)
        var verification: VerificationSummary?
        if let verify {
            verification = try verifyArtifact(artifact.bytes, reference: network, dataDirectory: verify, count: count)
        }
        try writeAtomically(artifact.bytes, to: output)
        let summary = CompileSummary(artifact, source: network, output: output, target: target,
                                     verification: verification)
        print(json ? try jsonString(summary) : summary.text)
    }
}

/// What `tern compile` reports.
struct CompileSummary: Encodable {
    struct Layer: Encodable {
        var index: Int
        var kind: String
        var shape: String
        var weights: Int
        var nonzero: Int
        var weightEncoding: String?
        var weightBytes: Int
        var parameters: String?
        var parameterBytes: Int
    }
    var output: String
    var target: String
    var fileBytes: Int
    var weightBytes: Int
    var nonWeightBytes: Int
    var entropyBoundBytes: Double
    var weightsOverEntropy: Double
    var arenaStreamingBytes: Int
    var arenaResidentBytes: Int
    var largestWindowBits: Int
    var removedChannels: Int
    var layers: [Layer]
    var verification: VerificationSummary?

    init(_ a: CompiledArtifact, source: IntegerNetwork, output: String, target: CompileTarget,
         verification: VerificationSummary?) {
        self.output = output
        self.target = target.rawValue
        fileBytes = a.bytes.count
        weightBytes = a.weightBytes
        nonWeightBytes = a.nonWeightBytes
        entropyBoundBytes = source.layers.reduce(0) { sum, l in
            sum + SizeReport.entropyBytes(n: l.weights.count, minus: l.weights.count(where: { $0 < 0 }),
                                          plus: l.weights.count(where: { $0 > 0 }))
        }
        weightsOverEntropy = entropyBoundBytes > 0 ? Double(weightBytes) / entropyBoundBytes : 0
        arenaStreamingBytes = a.arena.streaming
        arenaResidentBytes = a.arena.resident
        largestWindowBits = a.largestWindowBits
        removedChannels = a.removedChannels
        let inputs = SizeReport.inputs(a.network)
        var i = 0
        layers = a.layers.enumerated().compactMap { index, l in
            guard l.weightEncoding != nil else { return nil }
            let input = inputs[i]
            i += 1
            return Layer(index: index, kind: input.kind, shape: input.shape, weights: input.weights.count,
                         nonzero: Int(l.record.nonzeroWeights), weightEncoding: l.weightEncoding,
                         weightBytes: l.weightBytes, parameters: l.paramEncoding, parameterBytes: l.paramBytes)
        }
        self.verification = verification
    }

    var text: String {
        var lines = ["wrote \(output) (\(fileBytes) bytes, target \(target))", ""]
        lines.append("| layer | shape | weights | nonzero | weight encoding | bytes | parameters | bytes |")
        lines.append("|---|---|---:|---:|---|---:|---|---:|")
        for l in layers {
            lines.append("| \(l.index) \(l.kind) | \(l.shape) | \(l.weights) | \(l.nonzero) | \(l.weightEncoding ?? "") | "
                + "\(l.weightBytes) | \(l.parameters ?? "") | \(l.parameterBytes) |")
        }
        lines.append("")
        lines.append(String(format: "weights %d bytes = %.3f × the zero-order entropy bound (%.1f bytes)",
                            weightBytes, weightsOverEntropy, entropyBoundBytes))
        lines.append(String(format: "everything else %d bytes (%.1f %% of the weights)", nonWeightBytes,
                            weightBytes > 0 ? 100 * Double(nonWeightBytes) / Double(weightBytes) : 0))
        lines.append("arena: streaming \(arenaStreamingBytes) bytes, resident \(arenaResidentBytes) bytes; "
            + "largest zlib window 2^\(largestWindowBits)")
        if removedChannels > 0 { lines.append("dead-neuron elimination removed \(removedChannels) hidden channels") }
        if let v = verification { lines.append(v.text) }
        return lines.joined(separator: "\n")
    }
}

// MARK: - Pipeline pieces that other modules provide

/// `Models/lfc-mnist-98/model.tern` → `lfc-mnist-98`; `lfc98.tern` → `lfc98`.
func defaultModelName(_ output: String) -> String {
    let url = URL(fileURLWithPath: output)
    let stem = url.deletingPathExtension().lastPathComponent
    return stem == "model" ? url.deletingLastPathComponent().lastPathComponent : stem
}

/// Loads a checkpoint and folds it into the integer network (TernModel).
func loadAndFold(_ path: String, name: String? = nil) throws -> (IntegerNetwork, ArtifactDescription) {
    // TODO(compiler): TernModel.Folding has not landed yet.
    throw ValidationError("compiling checkpoints needs TernModel's folding, which this build does not have yet")
}

/// The runtime's exact arena planner (TernRuntime `Plan`).
let runtimeArenaPlanner: (@Sendable ([UInt8]) -> ArenaSizes?)? = nil

/// The outcome of `--verify`.
struct VerificationSummary: Encodable {
    var images: Int
    var mismatchedPredictions: Int
    var mismatchedLogits: Int
    var accuracy: Double

    var text: String {
        String(format: "verified %d test images: runtime reference == integer reference on every prediction and "
            + "logit; accuracy %.2f %%", images, 100 * accuracy)
    }
}

/// Runs the artifact through the runtime's reference path and the trainer's integer reference.
func verifyArtifact(_ bytes: [UInt8], reference: IntegerNetwork, dataDirectory: String, count: Int?) throws
    -> VerificationSummary
{
    throw ValidationError("--verify needs TernRuntime's reference path, which this build does not have yet")
}
