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

            Example: tern eval /work/runs/lfc-mnist-95 --data ../shared/datasets/mnist --write
            """
    )

    @Argument(help: "Checkpoint directory (model.json + model.safetensors).")
    var checkpoint: String

    @Option(help: "Dataset directory; its test split is used.")
    var data: String

    @Option(help: "Use only the first N test images.")
    var limit: Int?

    @Flag(help: "Write integerTestAccuracy into model.json (atomically).")
    var write = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    struct Report: Encodable {
        var checkpoint: String
        var dataset: String
        var images: Int
        var floatSimulatedAccuracy: Double?
        var integerAccuracy: Double
        var predictionsDiffering: Int?
        var withinTolerance: Bool
    }

    func run() throws {
        var cp = try Checkpoint.load(path: checkpoint)
        let kind = Dataset.Kind(rawValue: cp.dataset)
        let test = try Dataset.load(directory: data, kind: kind, split: .test, limit: limit)
        let network = try cp.folded()
        let integerPredictions = try IntegerReference.predictions(network: network, images: test.images, count: test.count)
        let integerAccuracy = Double(zip(integerPredictions, test.labels).count(where: { $0 == Int($1) })) / Double(test.count)
        var floatAccuracy: Double?
        var differing: Int?
        if let trainer = try? TrainingCheckpoint.restore(cp) {
            let p = trainer.predictions(on: test)
            floatAccuracy = Double(zip(p, test.labels).count(where: { $0 == Int($1) })) / Double(test.count)
            differing = zip(p, integerPredictions).count(where: { $0 != $1 })
        }
        let ok = floatAccuracy.map { abs($0 - integerAccuracy) <= 0.001 + 1e-12 } ?? true
        if write {
            cp.integerTestAccuracy = integerAccuracy
            try cp.write(to: checkpoint)
        }
        let r = Report(checkpoint: checkpoint, dataset: test.kind.rawValue, images: test.count,
                       floatSimulatedAccuracy: floatAccuracy, integerAccuracy: integerAccuracy,
                       predictionsDiffering: differing, withinTolerance: ok)
        if json {
            print(try jsonString(r))
        } else {
            print("\(checkpoint) on \(test.count) \(test.kind.rawValue) test images")
            if let f = floatAccuracy { print(String(format: "  float-simulated  %.2f %%", 100 * f)) }
            print(String(format: "  integer          %.2f %%", 100 * integerAccuracy))
            if let d = differing { print("  predictions that differ: \(d)\(ok ? "" : "  (MORE THAN 0.1 POINT APART)")") }
        }
        if !ok { throw ExitCode(2) }
    }
}
