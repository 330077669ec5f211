import ArgumentParser
import Foundation
import TernCompiler
import TernFormat
import TernModel
import TernRuntime

extension CompileTarget: ExpressibleByArgument {}

/// `tern compile`: checkpoint → folded integer network → `.tern` artifact.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a trained checkpoint (model.json + model.safetensors) or a QONNX/ONNX model into a .tern artifact.",
        discussion: """
            Folds batch-norm and the activation quantizers into per-channel integer thresholds (a negative \
            batch-norm scale negates the channel's weights) and the last layer into a fixed-point affine; removes \
            hidden neurons nobody reads or whose output is constant (bit-exact; --keep-dead-neurons to skip); \
            stores each layer's ternary weights as the token stream or 2-bit packing, uncompressed or with zlib, \
            whichever is smallest; thresholds in the narrowest integer type; and writes the runtime's exact arena \
            sizes into the header. The zlib window is limited by the target's RAM (--target, --ram). The file is \
            written atomically and the same inputs always give the same bytes.

            --optimize chooses each section's encoding: size (the default, the smallest file), speed (every \
            section uncompressed: the cheapest to decode on every streaming pass) or balanced (zlib only where it \
            stores a section in at most two thirds of its uncompressed bytes). Given a .tern instead of a \
            checkpoint, compile re-encodes that artifact's sections for --optimize and --target and keeps its \
            layers, weights, thresholds and metadata, so every logit stays the same.

            --verify runs the artifact through the runtime's reference path and the trainer's integer reference on \
            the test split of DATA_DIR (all of it, or --count images) and fails on any difference in a prediction \
            or a logit.

            A .onnx file is read as QONNX as Brevitas/qonnx export it (weight Quant with 2-bit narrow signed or \
            BipolarQuant weights; activation Quant, BipolarQuant, MultiThreshold; BatchNormalization, Conv, \
            MatMul/Gemm, MaxPool, Flatten/Reshape/Transpose, Relu, constant Add/Sub/Mul/Div), or as plain ONNX \
            whose weights hold only {−a, 0, +a} per output channel. The graph's float input is taken to be \
            --input-scale · pixel + --input-offset (default pixel / 255). Anything Tern cannot represent exactly \
            is refused naming the node, its op type and the reason (docs/ONNX.md). With --verify, the artifact is \
            also checked against the graph's own float output (an in-tree evaluator of those ops): the report \
            counts agreeing predictions and explains each difference (a threshold or logit tie).

            Examples:
              tern compile runs/lfc98/model.json -o Models/lfc-mnist-98/model.tern
              tern compile model.json -o m3.tern --target cortex-m3 --verify DIR --count 1000
              tern compile lfc.onnx -o lfc.tern --verify DIR
              tern compile Models/lfc-mnist-98/model.tern -o lfc98-speed.tern --optimize speed --target cortex-m4
            """
    )

    @Argument(help: "The checkpoint's model.json (or the directory holding it), a .onnx file, or a .tern to re-encode.")
    var model: String

    @Option(help: "What each section's encoding is chosen for: size, speed or balanced.")
    var optimize: EncodingGoal = .size

    @Option(name: .shortAndLong, help: "Where to write the .tern file.")
    var output: String

    @Option(help: "Model name for the artifact's metadata (default: the output's folder for model.tern, else its file name).")
    var name: String?

    @Option(help: "Where the artifact will run: host, cortex-m4 (192 KiB RAM), cortex-m3 (64 KiB), cortex-m0 (16 KiB).")
    var target: CompileTarget = .host

    @Option(name: .customLong("ram"), parsing: .unconditional, help: "RAM of the target in KiB (overrides the target's default).")
    var ramKiB: Int?

    @Flag(help: "Keep hidden neurons that nobody reads or that are constant (they are removed by default).")
    var keepDeadNeurons = false

    @Option(help: "Dataset directory (IDX or CIFAR-10 binary files) to verify the artifact against.")
    var verify: String?

    @Option(parsing: .unconditional, help: "Number of test images to verify (default: the whole test split).")
    var count: Int?

    @Option(help: "ONNX only: the graph's input is input-scale · pixel + input-offset.")
    var inputScale: Double = 1.0 / 255

    @Option(help: "ONNX only: see --input-scale.")
    var inputOffset: Double = 0

    @Option(help: "ONNX only: the dataset name for the artifact's metadata (default: --verify's folder name).")
    var dataset: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        if let ramKiB, ramKiB < 8 { throw ValidationError("--ram must be at least 8 (KiB)") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if count != nil && verify == nil { throw ValidationError("--count needs --verify DATA_DIR") }
        if !(inputScale.isFinite && inputScale > 0) || !inputOffset.isFinite {
            throw ValidationError("--input-scale must be finite and > 0, --input-offset finite")
        }
    }

    func run() throws {
        if model.hasSuffix(".tern") { return try reencode() }
        if model.lowercased().hasSuffix(".onnx") {
            try runONNX()
            return
        }
        var (network, description) = try loadAndFold(model, name: name ?? defaultModelName(output))
        // The checkpoint's own integer-reference run comes first: on the full test set it also provides
        // `quality.integer_accuracy` when the trainer did not record it.
        let reference = try verify.map { try ReferenceRun(network: network, dataDirectory: $0, count: count) }
        if let reference, count == nil, description.integerAccuracy == nil {
            description.integerAccuracy = reference.accuracy
        }
        network.name = network.name.isEmpty ? defaultModelName(output) : network.name
        let options = CompileOptions(target: target, ramKiB: ramKiB, eliminateDeadNeurons: !keepDeadNeurons,
                                     description: description, goal: optimize)
        let artifact = try Compiler.compileWithReport(network: network, options: options)
        let verification = try reference.map { try verifyArtifact(artifact.bytes, against: $0) }
        try writeAtomically(artifact.bytes, to: output)
        let summary = CompileSummary(artifact, source: network, output: output, target: target,
                                     verification: verification)
        print(json ? try jsonString(summary) : summary.text)
    }

    /// `tern compile model.tern`: the same network, its sections encoded again for --optimize and --target.
    private func reencode() throws {
        let bytes = try readFile(model)
        let artifact = try Compiler.reencode(bytes, options: CompileOptions(target: target, ramKiB: ramKiB,
                                                                           goal: optimize))
        let reference = try verify.map { try ReferenceRun(network: artifact.network, dataDirectory: $0, count: count) }
        let verification = try reference.map { try verifyArtifact(artifact.bytes, against: $0) }
        try writeAtomically(artifact.bytes, to: output)
        let summary = CompileSummary(artifact, source: artifact.network, output: output, target: target,
                                     verification: verification)
        print(json ? try jsonString(summary) : summary.text)
    }
}

extension EncodingGoal: ExpressibleByArgument {}

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
    /// Σ n·H0 of the checkpoint's layers, and of the layers as stored (after dead-neuron elimination).
    var entropyBoundBytes: Double
    var storedEntropyBoundBytes: Double
    var weightsOverEntropy: Double
    var weightsOverStoredEntropy: Double
    var arenaStreamingBytes: Int
    var arenaResidentBytes: Int
    var largestWindowBits: Int
    var removedChannels: Int
    var layers: [Layer]
    var verification: VerificationSummary?
    /// ONNX input only: each layer's source nodes, and the agreement with the graph's own output.
    var onnxLayers: [String]?
    var onnxAgreement: ONNXAgreementSummary?

    init(_ a: CompiledArtifact, source: IntegerNetwork, output: String, target: CompileTarget,
         verification: VerificationSummary?) {
        self.output = output
        self.target = target.rawValue
        fileBytes = a.bytes.count
        weightBytes = a.weightBytes
        nonWeightBytes = a.nonWeightBytes
        entropyBoundBytes = SizeReport.entropyBytes(source)
        storedEntropyBoundBytes = SizeReport.entropyBytes(a.network)
        weightsOverEntropy = entropyBoundBytes > 0 ? Double(weightBytes) / entropyBoundBytes : 0
        weightsOverStoredEntropy = storedEntropyBoundBytes > 0 ? Double(weightBytes) / storedEntropyBoundBytes : 0
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
        lines.append(String(format: "weights %d bytes = %.3f × the checkpoint's zero-order entropy bound (%.1f bytes), "
                            + "%.3f × that of the layers as stored (%.1f bytes)", weightBytes, weightsOverEntropy,
                            entropyBoundBytes, weightsOverStoredEntropy, storedEntropyBoundBytes))
        lines.append(String(format: "everything else %d bytes (%.1f %% of the weights)", nonWeightBytes,
                            weightBytes > 0 ? 100 * Double(nonWeightBytes) / Double(weightBytes) : 0))
        lines.append("arena: streaming \(arenaStreamingBytes) bytes, resident \(arenaResidentBytes) bytes; "
            + (largestWindowBits == 0 ? "no zlib section" : "largest zlib window 2^\(largestWindowBits)"))
        if removedChannels > 0 { lines.append("dead-neuron elimination removed \(removedChannels) hidden channels") }
        if let v = verification { lines.append(v.text) }
        if let sources = onnxLayers {
            lines.append("")
            lines.append("ONNX nodes per layer:")
            for (i, s) in sources.enumerated() { lines.append("  \(i): \(s)") }
        }
        if let a = onnxAgreement { lines.append(a.text) }
        return lines.joined(separator: "\n")
    }
}

// MARK: - The pieces other modules provide

/// `Models/lfc-mnist-98/model.tern` → `lfc-mnist-98`; `lfc98.tern` → `lfc98`.
func defaultModelName(_ output: String) -> String {
    let url = URL(fileURLWithPath: output)
    let stem = url.deletingPathExtension().lastPathComponent
    return stem == "model" ? url.deletingLastPathComponent().lastPathComponent : stem
}

/// A checkpoint that cannot be compiled, as a sentence naming the file.
struct CheckpointProblem: Error, CustomStringConvertible {
    var description: String
}

/// Loads a checkpoint and folds it into the integer network (TernModel), with the provenance for metadata.
func loadAndFold(_ path: String, name: String? = nil) throws -> (IntegerNetwork, ArtifactDescription) {
    let checkpoint: Checkpoint
    do { checkpoint = try Checkpoint.load(path: path) } catch {
        throw CheckpointProblem(description: "cannot load checkpoint \(path): \(error)")
    }
    let network: IntegerNetwork
    do { network = try Folding.fold(checkpoint, name: name) } catch {
        throw CheckpointProblem(description: "cannot fold checkpoint \(path) into integers: \(error)")
    }
    let description = ArtifactDescription(
        seed: UInt64(exactly: checkpoint.seed), recipe: try? checkpoint.recipe.compactSerialized(),
        integerAccuracy: checkpoint.integerTestAccuracy, testImages: checkpoint.testImages)
    return (network, description)
}

/// The outcome of `--verify`.
struct VerificationSummary: Encodable {
    var images: Int
    var mismatchedPredictions: Int
    var mismatchedLogits: Int
    var accuracy: Double

    var text: String {
        String(format: "verified %d test images: the runtime's reference path on the artifact equals the integer "
            + "reference on the checkpoint in every prediction and logit; accuracy %.2f %%", images, 100 * accuracy)
    }
}

/// `--verify` found a difference, or could not run.
struct VerificationFailure: Error, CustomStringConvertible {
    var description: String
}

/// The checkpoint's folded network on the test images: the logits every other path must reproduce.
struct ReferenceRun {
    var data: Dataset
    var logits: [Int64]
    var classes: Int
    /// Fraction of images whose integer-reference prediction is the label.
    var accuracy: Double

    init(network: IntegerNetwork, dataDirectory: String, count: Int?) throws {
        data = try Dataset.load(directory: dataDirectory, split: .test, limit: count)
        guard data.imageSize == network.inputElements else {
            throw VerificationFailure(description: "\(dataDirectory) holds \(data.channels)×\(data.height)×\(data.width) "
                + "images; the model reads \(network.inputChannels)×\(network.inputHeight)×\(network.inputWidth)")
        }
        classes = network.classCount
        do { logits = try IntegerReference.logits(network: network, images: data.images, count: data.count) } catch {
            throw VerificationFailure(description: "the integer reference cannot run the checkpoint: \(error)")
        }
        let (l, c, labels) = (logits, classes, data.labels)
        let correct = (0..<data.count).count { i in IntegerReference.argmax(l[(i * c)..<((i + 1) * c)]) == Int(labels[i]) }
        accuracy = Double(correct) / Double(max(data.count, 1))
    }
}

/// Compares the checkpoint's integer-reference logits (`ReferenceRun`: the folded network before any compiler
/// pass) with (1) the integer reference on the network decoded back from the artifact and (2) the runtime's
/// reference path (`TernRuntime.Reference`) on the artifact's bytes. Any difference is an error.
func verifyArtifact(_ bytes: [UInt8], against reference: ReferenceRun) throws -> VerificationSummary {
    let data = reference.data
    let n = data.count
    let classes = reference.classes
    let expected = reference.logits
    // 1. The artifact decoded on the host (system zlib) and run by the integer reference: checks the compiler's
    //    passes and encodings on their own.
    let decoded: IntegerNetwork
    do { decoded = try ArtifactDecoder.decode(bytes).network } catch {
        throw VerificationFailure(description: "the artifact does not decode: \(error)")
    }
    let host: [Int64]
    do { host = try IntegerReference.logits(network: decoded, images: data.images, count: n) } catch {
        throw VerificationFailure(description: "the integer reference cannot run the artifact's network: \(error)")
    }
    if let i = (0..<n).first(where: { host[($0 * classes)..<(($0 + 1) * classes)] != expected[($0 * classes)..<(($0 + 1) * classes)] }) {
        throw VerificationFailure(description: "MISMATCH between the checkpoint and the compiled network on image \(i): "
            + "\(Array(expected[(i * classes)..<((i + 1) * classes)])) vs \(Array(host[(i * classes)..<((i + 1) * classes)]))")
    }
    // 2. The runtime's reference path on the artifact's bytes. It is slow on purpose: run it in chunks on every
    //    core, with a progress bar.
    let file = try TernFile(parsing: bytes)
    let chunk = 20
    let chunks = (n + chunk - 1) / chunk
    let results = ChunkResults(count: chunks, progress: ProgressBar(total: chunks, label: "verify"))
    bytes.withUnsafeBytes { artifact in
        data.images.withUnsafeBytes { images in
            let a = UncheckedSendableBuffer(artifact), im = UncheckedSendableBuffer(images)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let first = c * chunk, m = min(chunk, n - first)
                let slice = UnsafeRawBufferPointer(rebasing: im.value[(first * data.imageSize)..<((first + m) * data.imageSize)])
                let r: Result<[Int64], RuntimeError>
                do throws(RuntimeError) { r = .success(try Reference.logits(file: file, bytes: a.value, images: slice, count: m)) }
                catch { r = .failure(error) }
                results.set(c, r)
            }
        }
    }
    var actual: [Int64] = []
    actual.reserveCapacity(n * classes)
    for c in 0..<chunks {
        switch results.get(c) {
        case .success(let l): actual += l
        case .failure(let e): throw VerificationFailure(description: "the runtime's reference rejects the artifact: \(describe(e))")
        case nil: throw VerificationFailure(description: "verification chunk \(c) did not run")
        }
    }
    var mismatchedLogits = 0, mismatchedPredictions = 0, correct = 0
    var first: String?
    for i in 0..<n {
        let e = expected[(i * classes)..<((i + 1) * classes)], a = actual[(i * classes)..<((i + 1) * classes)]
        let pe = IntegerReference.argmax(e), pa = IntegerReference.argmax(a)
        if pe != pa { mismatchedPredictions += 1 }
        for (x, y) in zip(e, a) where x != y { mismatchedLogits += 1 }
        if first == nil, !e.elementsEqual(a) {
            first = "image \(i): integer reference logits \(Array(e)), runtime reference \(Array(a))"
        }
        if pa == Int(data.labels[i]) { correct += 1 }
    }
    if let first {
        throw VerificationFailure(description: "MISMATCH on \(mismatchedLogits) logits / \(mismatchedPredictions) "
            + "predictions of \(n) images; first: \(first)")
    }
    return VerificationSummary(images: n, mismatchedPredictions: 0, mismatchedLogits: 0,
                               accuracy: Double(correct) / Double(max(n, 1)))
}

/// Per-chunk results written from concurrent workers (under a lock, which also serializes the progress bar).
final class ChunkResults: @unchecked Sendable {
    private var slots: [Result<[Int64], RuntimeError>?]
    private var done = 0
    private let lock = NSLock()
    private let progress: ProgressBar
    init(count: Int, progress: ProgressBar) {
        slots = Array(repeating: nil, count: count)
        self.progress = progress
    }
    func set(_ i: Int, _ r: Result<[Int64], RuntimeError>) {
        lock.withLock {
            slots[i] = r
            done += 1
            progress.update(done)
        }
    }
    func get(_ i: Int) -> Result<[Int64], RuntimeError>? { lock.withLock { slots[i] } }
}

/// Lets a buffer the caller keeps alive cross into `concurrentPerform`; workers only read it.
struct UncheckedSendableBuffer: @unchecked Sendable {
    let value: UnsafeRawBufferPointer
    init(_ value: UnsafeRawBufferPointer) { self.value = value }
}
