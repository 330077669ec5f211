import ArgumentParser
import Foundation
import TernModel
import TernTrain

/// `tern eval`: a checkpoint's float-simulated accuracy next to the integer reference's.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint: float-simulated vs integer-reference test accuracy.",
        discussion: """
            Rebuilds the trainer's quantized network from the checkpoint (float simulation, eval-mode batch norm) and \
            folds the checkpoint into integers exactly as `tern compile` does (TernModel.Folding), then runs both on \
            the test set. The integer reference's predictions are what the runtime and firmware must reproduce; the \
            two accuracies must agree within 0.1 point (a few images whose batch-norm output lands within float \
            rounding of a quantizer threshold may differ). --write stores integerTestAccuracy in model.json.

            Example (DIR: the dataset directory, see docs/DATASETS.md): tern eval runs/lfc-mnist-95 --data DIR --write
            """
    )

    @Argument(help: "Checkpoint directory (model.json + model.safetensors).")
    var checkpoint: String

    @Option(help: "Dataset directory; its test split is used.")
    var data: String

    @Option(parsing: .unconditional, help: "Use only the first N test images.")
    var limit: Int?

    @Flag(help: "Write integerTestAccuracy into model.json (atomically).")
    var write = false

    @Flag(help: "Explain every image on which the two disagree: the first block (layer or pool) whose activation codes differ, how many, and how close to a quantizer threshold the float simulation's batch-norm output lay there.")
    var differences = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    /// Why one image's two predictions differ.
    struct Difference: Encodable {
        var image: Int
        var label: Int
        var floatPrediction: Int
        var integerPrediction: Int
        /// Index into the network's blocks (weight layers and pools) of the first one whose codes differ; nil when
        /// every hidden code agrees and only the logits' order differs.
        var firstDifferingBlock: Int?
        var codesDiffering: Int
        /// Smallest |batch-norm output − threshold| over the differing units of that block.
        var closestThresholdDistance: Float?
        /// Float logit of the float prediction minus that of the integer prediction.
        var floatLogitMargin: Float
    }

    struct Report: Encodable {
        var checkpoint: String
        var dataset: String
        var images: Int
        var floatSimulatedAccuracy: Double?
        var integerAccuracy: Double
        var predictionsDiffering: Int?
        var withinTolerance: Bool
        var differences: [Difference]?
    }

    func run() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be positive (got \(limit))") }
        var cp: Checkpoint
        do { cp = try Checkpoint.load(path: checkpoint) } catch {
            throw InputError("cannot load checkpoint \(checkpoint): \(error)")
        }
        let kind = Dataset.Kind(rawValue: cp.dataset)
        let test = try Dataset.load(directory: data, kind: kind, split: .test, limit: limit)
        guard test.count > 0 else { throw InputError("\(data): the test split holds no images") }
        let network: IntegerNetwork
        do { network = try cp.folded() } catch {
            throw InputError("cannot fold checkpoint \(checkpoint) into integers: \(error)")
        }
        let integerPredictions = try IntegerReference.predictions(network: network, images: test.images, count: test.count)
        let integerAccuracy = Double(zip(integerPredictions, test.labels).count(where: { $0 == Int($1) })) / Double(test.count)
        var floatAccuracy: Double?
        var differing: Int?
        var explained: [Difference]?
        if let trainer = try? TrainingCheckpoint.restore(cp) {
            let p = trainer.predictions(on: test)
            floatAccuracy = Double(zip(p, test.labels).count(where: { $0 == Int($1) })) / Double(test.count)
            differing = zip(p, integerPredictions).count(where: { $0 != $1 })
            if differences {
                explained = try (0..<test.count).filter { p[$0] != integerPredictions[$0] }.map {
                    try explain(image: $0, test: test, network: network, trainer: trainer, float: p[$0],
                                integer: integerPredictions[$0])
                }
            }
        }
        let ok = floatAccuracy.map { abs($0 - integerAccuracy) <= 0.001 + 1e-12 } ?? true
        if write {
            cp.integerTestAccuracy = integerAccuracy
            cp.testImages = test.count
            try cp.write(to: checkpoint)
        }
        let r = Report(checkpoint: checkpoint, dataset: test.kind.rawValue, images: test.count,
                       floatSimulatedAccuracy: floatAccuracy, integerAccuracy: integerAccuracy,
                       predictionsDiffering: differing, withinTolerance: ok, differences: explained)
        if json {
            print(try jsonString(r))
        } else {
            print("\(checkpoint) on \(test.count) \(test.kind.rawValue) test images")
            if let f = floatAccuracy { print(String(format: "  float-simulated  %.2f %%", 100 * f)) }
            print(String(format: "  integer          %.2f %%", 100 * integerAccuracy))
            if let d = differing { print("  predictions that differ: \(d)\(ok ? "" : "  (MORE THAN 0.1 POINT APART)")") }
            for d in explained ?? [] {
                var line = "  image \(d.image) (label \(d.label)): float \(d.floatPrediction), integer \(d.integerPrediction); "
                if let b = d.firstDifferingBlock {
                    line += "first differing block \(b): \(d.codesDiffering) code(s)"
                    if let t = d.closestThresholdDistance { line += String(format: ", %.3g from a threshold", t) }
                } else {
                    line += "all hidden codes agree"
                }
                print(line + String(format: "; float logit margin %.3g", d.floatLogitMargin))
            }
        }
        if !ok { throw ExitCode(2) }
    }

    private func explain(image i: Int, test: Dataset, network: IntegerNetwork, trainer: Trainer, float: Int,
                         integer: Int) throws -> Difference {
        let size = test.imageSize
        let pixels = Array(test.images[(i * size)..<((i + 1) * size)])
        let integerTrace = try IntegerReference.trace(network: network, image: pixels)
        let net = trainer.network
        guard let floatTrace = net.trace(net.inputs(test.images, imageSize: size, indices: [i])) else {
            throw InputError("the float simulation of \(checkpoint) has no activation codes to compare")
        }
        var d = Difference(image: i, label: Int(test.labels[i]), floatPrediction: float, integerPrediction: integer,
                           firstDifferingBlock: nil, codesDiffering: 0, closestThresholdDistance: nil,
                           floatLogitMargin: floatTrace.logits[float] - floatTrace.logits[integer])
        for (b, (f, n)) in zip(floatTrace.blocks, integerTrace).enumerated().dropLast() {
            let units = (0..<min(f.codes.count, n.count)).filter { f.codes[$0] != n[$0] }
            guard !units.isEmpty else { continue }
            d.firstDifferingBlock = b
            d.codesDiffering = units.count
            d.closestThresholdDistance = f.thresholdDistance.isEmpty ? nil : units.map { f.thresholdDistance[$0] }.min()
            break
        }
        return d
    }
}
