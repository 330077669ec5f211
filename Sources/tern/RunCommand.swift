import ArgumentParser
import Foundation
import TernFormat
import TernModel
import TernRuntime

/// `tern run`: classify a dataset's test images (or one PGM image) with the integer runtime.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Classify test images with a .tern artifact (integer-only runtime) and report accuracy.",
        discussion: """
            Loads the test split from --data (MNIST / Fashion-MNIST IDX or CIFAR-10 binary, plain or .gz; the \
            artifact's general.dataset metadata says which), runs it through the runtime in the chosen mode, and \
            prints accuracy, a predictions summary, a checksum of all logits (equal across modes and batch sizes \
            by construction), the arena the mode needs and a per-layer profile.

            Examples:
              tern run Models/lfc-mnist-98/model.tern --data Models/samples/mnist
              tern run model.tern --data DIR --mode stream --batch 64 --json
              tern run model.tern --image digit.pgm
            """
    )

    @Argument(help: "The .tern file.")
    var model: String

    @Option(help: "Dataset directory (test split is used).")
    var data: String?

    @Option(help: "Classify one 8-bit PGM image instead of a dataset.")
    var image: String?

    @Option(parsing: .unconditional, help: "Use only the first N test images.")
    var count: Int?

    @Option(help: "stream (weights inflated per batch through the declared window) or resident (decoded at load).")
    var mode = "resident"

    @Option(parsing: .unconditional, help: "Images per pass over the weights.")
    var batch = 64

    @Option(help: "Resident kernels: auto (the cost model), or sparse, dense, columns or sliced wherever they apply.")
    var kernels = "auto"

    @Flag(help: "Run even when --data recognizably holds another dataset than the one the artifact was trained on (general.dataset).")
    var allowDatasetMismatch = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let loaded = try LoadedModel(path: model)
        let executionMode: ExecutionMode = switch mode {
        case "stream", "streaming": .streaming
        case "resident": .resident
        default: throw ValidationError("--mode is stream or resident")
        }
        guard batch >= 1, batch <= Plan.maxBatch else { throw ValidationError("--batch must be in 1…\(Plan.maxBatch) (got \(batch))") }
        let engine = try loaded.engine(mode: executionMode, batch: batch, policy: LoadedModel.policy(kernels))
        let plan = engine.plan
        if let image {
            let pgm = try readPGM(image)
            guard pgm.pixels.count == plan.inputElements else {
                throw ValidationError("\(image): \(pgm.width)×\(pgm.height) pixels, the model expects \(plan.inputElements)")
            }
            let (predictions, logits) = try classifyAll(engine, images: pgm.pixels, count: 1, path: model)
            let report = SingleImageReport(model: model, image: image, prediction: Int(predictions[0]), logits: logits)
            if json { print(try jsonString(report)) } else {
                print("\(image): class \(predictions[0])  (logits \(logits.map(String.init).joined(separator: " ")))")
            }
            return
        }
        guard let data else { throw ValidationError("give --data DIR (a dataset directory) or --image FILE") }
        if let count, count < 1 { throw ValidationError("--count must be positive") }
        let set = try loadTestImages(loaded, directory: data, count: count, plan: plan,
                                     allowMismatch: allowDatasetMismatch)
        let progress = ProgressBar(total: set.count, label: "classifying", enabled: !json && isatty(2) != 0)
        // Without a terminal (a log file, CI) the bar is off: a line every few seconds says the run is alive.
        let heartbeat = isatty(2) == 0 && !json ? ProgressLines(total: set.count, label: "classifying") : nil
        let layerSeconds = UnsafeMutableBufferPointer<Double>.allocate(capacity: plan.layers.count)
        layerSeconds.initialize(repeating: 0)
        defer { layerSeconds.deallocate() }
        let start = now()
        let (predictions, logits) = try classifyAll(engine, images: set.images, count: set.count, path: model, progress: progress,
                                                    layerSeconds: layerSeconds, heartbeat: heartbeat)
        let seconds = now() - start
        var layers = layerProfiles(loaded, plan: plan, engine: engine)
        for i in layers.indices { layers[i].microsecondsPerImage = layerSeconds[i] * 1e6 / Double(max(set.count, 1)) }
        if executionMode == .streaming {
            // The same number of passes over each layer's sections as the run made, reading only.
            let passes = (set.count + batch - 1) / batch
            for i in layers.indices {
                let t0 = now()
                do throws(RuntimeError) {
                    for _ in 0..<passes { try engine.drainSections(layer: i) }
                } catch { throw CLIRuntimeError(path: model, error: error) }
                layers[i].inflateMicrosecondsPerImage = (now() - t0) * 1e6 / Double(max(set.count, 1))
            }
        }
        var correct = 0
        var perClass = [Int](repeating: 0, count: plan.classCount)
        for (p, label) in zip(predictions, set.labels) {
            if Int(p) == Int(label) { correct += 1 }
            perClass[Int(p)] += 1
        }
        let report = RunReport(
            model: model, data: data, mode: executionMode == .streaming ? "stream" : "resident", batch: batch,
            images: set.count, correct: correct, accuracy: Double(correct) / Double(max(set.count, 1)),
            expectedAccuracy: loaded.double("quality.integer_accuracy"),
            expectedAccuracyImages: loaded.uint("quality.test_images"), predictionsPerClass: perClass,
            firstPredictions: predictions.prefix(20).map(Int.init), logitsChecksum: logitsChecksum(logits),
            arenaBytes: plan.arenaBytes(executionMode), declaredArenaBytes: Int(executionMode == .streaming
                ? loaded.file.header.arenaStreamingBytes : loaded.file.header.arenaResidentBytes),
            seconds: seconds, microsecondsPerImage: seconds * 1e6 / Double(max(set.count, 1)),
            layers: layers)
        if json { print(try jsonString(report)) } else { print(report.text()) }
    }
}

struct SingleImageReport: Codable {
    var model: String
    var image: String
    var prediction: Int
    var logits: [Int64]
}

struct RunReport: Codable {
    var model: String
    var data: String
    var mode: String
    var batch: Int
    var images: Int
    var correct: Int
    var accuracy: Double
    /// `quality.integer_accuracy` from the artifact (the trainer's integer reference on its test images).
    var expectedAccuracy: Double?
    /// `quality.test_images`: how many test images that accuracy was measured on (nil: not recorded).
    var expectedAccuracyImages: Int?
    var predictionsPerClass: [Int]
    var firstPredictions: [Int]
    var logitsChecksum: String
    var arenaBytes: Int
    var declaredArenaBytes: Int
    var seconds: Double
    var microsecondsPerImage: Double
    var layers: [LayerProfile]

    func text() -> String {
        var out = "\(model) on \(data): \(images) test images, mode \(mode), batch \(batch)\n"
        out += "accuracy \(String(format: "%.2f", accuracy * 100)) % (\(correct)/\(images))"
        if let expectedAccuracy {
            let on = expectedAccuracyImages.map { "on \($0) test images" } ?? "test-image count not recorded"
            out += ", model card (integer reference, \(on)): \(String(format: "%.2f", expectedAccuracy * 100)) %"
        }
        out += "\npredictions per class: \(predictionsPerClass.map(String.init).joined(separator: " "))\n"
        out += "first predictions: \(firstPredictions.map(String.init).joined(separator: " "))\n"
        out += "logits checksum: \(logitsChecksum)\n"
        out += "arena: \(arenaBytes) B"
        if declaredArenaBytes > 0 && declaredArenaBytes != arenaBytes && batch == 1 {
            out += " (the header declares \(declaredArenaBytes) B)"
        }
        out += "\ntime: \(String(format: "%.3f", seconds)) s, \(String(format: "%.1f", microsecondsPerImage)) µs/image (1 thread)\n\n"
        out += profileTable(layers)
        return out
    }
}
