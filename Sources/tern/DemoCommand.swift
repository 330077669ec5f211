import ArgumentParser
import Foundation
import TernFormat
import TernModel
import TernRuntime

/// `tern demo`: every committed model on its committed sample images, in both runtime modes.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run every Models/*/model.tern on its sample images: accuracy, sizes, arena, per-layer profile.",
        discussion: """
            For each model, reads its dataset from the artifact's general.dataset metadata, loads \
            Models/samples/<dataset>/ (a few hundred test images), classifies them in streaming and resident mode \
            (which must agree bit for bit) and compares the accuracy with the model card's number (the trainer's \
            integer reference on the full test set, stored as quality.integer_accuracy). A sample smaller than the \
            full test set is only reported; a full test set that disagrees, or modes that disagree, fail the command.

            Example: tern demo            (from the repository root)
            """
    )

    @Option(help: "Directory holding <model>/model.tern and samples/<dataset>/.")
    var models = "Models"

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let root = URL(fileURLWithPath: models)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: models)) ?? []).sorted()
        let paths = names.map { root.appendingPathComponent($0).appendingPathComponent("model.tern").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        guard !paths.isEmpty else {
            throw InputError("no \(models)/*/model.tern found: run from the repository root, or compile one "
                + "(tern compile; see README.md)")
        }
        var reports: [DemoModel] = []
        for path in paths { reports.append(try demo(path)) }
        if json { print(try jsonString(reports)) } else {
            for r in reports { print(r.text()) }
        }
        let failures = reports.filter { !$0.passed }
        if !failures.isEmpty {
            throw InputError("\(failures.count) model(s) failed: " + failures.map(\.name).joined(separator: ", "))
        }
    }

    func demo(_ path: String) throws -> DemoModel {
        let loaded = try LoadedModel(path: path)
        let name = loaded.string("general.name") ?? URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
        guard let dataset = loaded.string("general.dataset") else {
            throw InputError("\(path): no general.dataset metadata, so no sample to run it on")
        }
        let sampleDir = URL(fileURLWithPath: models).appendingPathComponent("samples").appendingPathComponent(dataset).path
        let resident = try loaded.engine(mode: .resident, batch: 64)
        let streaming = try loaded.engine(mode: .streaming, batch: 64)
        let plan = resident.plan
        let single = try Plan(file: loaded.file)  // the batch-1 arenas, as the header declares them
        let set = try loadTestImages(loaded, directory: sampleDir, count: nil, plan: plan)
        var t = now()
        let r = try classifyAll(resident, images: set.images, count: set.count, path: path)
        let residentSeconds = now() - t
        t = now()
        let s = try classifyAll(streaming, images: set.images, count: set.count, path: path)
        let streamingSeconds = now() - t
        let correct = zip(r.predictions, set.labels).filter { Int($0) == Int($1) }.count
        let accuracy = Double(correct) / Double(max(set.count, 1))
        let expected = loaded.double("quality.integer_accuracy")
        let fullTestSet = set.count == (dataset == "cifar10" ? 10_000 : 10_000)
        let modesAgree = r.logits == s.logits
        var matches: Bool? = nil
        if let expected, fullTestSet { matches = abs(expected - accuracy) < 0.5 / Double(set.count) }
        let weights = plan.layers.reduce(0) { $0 + ($1.record.kind == .maxPool ? 0 : $1.record.weightCount) }
        let nonzeros = plan.layers.reduce(0) { $0 + $1.nonzeros }
        var counts = [Int](repeating: 0, count: plan.classCount)
        for p in r.predictions { counts[Int(p)] += 1 }
        return DemoModel(
            name: name, path: path, dataset: dataset, samples: set.count, correct: correct, accuracy: accuracy,
            expectedAccuracy: expected, fullTestSet: fullTestSet, matchesModelCard: matches, modesAgree: modesAgree,
            logitsChecksum: logitsChecksum(r.logits), predictionsPerClass: counts,
            fileBytes: Int(loaded.file.header.fileBytes), float32Bytes: weights * 4, packed2Bytes: (weights + 3) / 4,
            weights: weights, nonzeros: nonzeros,
            streamingArenaBytes: single.arenaBytes(.streaming), residentArenaBytes: single.arenaBytes(.resident),
            residentMicrosecondsPerImage: residentSeconds * 1e6 / Double(max(set.count, 1)),
            streamingMicrosecondsPerImage: streamingSeconds * 1e6 / Double(max(set.count, 1)),
            layers: layerProfiles(loaded, plan: plan))
    }
}

struct DemoModel: Codable {
    var name: String
    var path: String
    var dataset: String
    var samples: Int
    var correct: Int
    var accuracy: Double
    var expectedAccuracy: Double?
    var fullTestSet: Bool
    /// nil when the sample is smaller than the test set (then the numbers are only reported).
    var matchesModelCard: Bool?
    var modesAgree: Bool
    var logitsChecksum: String
    var predictionsPerClass: [Int]
    var fileBytes: Int
    var float32Bytes: Int
    var packed2Bytes: Int
    var weights: Int
    var nonzeros: Int
    var streamingArenaBytes: Int
    var residentArenaBytes: Int
    var residentMicrosecondsPerImage: Double
    var streamingMicrosecondsPerImage: Double
    var layers: [LayerProfile]

    var passed: Bool { modesAgree && matchesModelCard != false }

    func text() -> String {
        func pct(_ x: Double) -> String { String(format: "%.2f %%", x * 100) }
        var out = "== \(name) (\(dataset), \(path))\n"
        out += "accuracy on \(samples) sample images: \(pct(accuracy)) (\(correct)/\(samples))"
        if let expectedAccuracy {
            out += "; model card (full test set): \(pct(expectedAccuracy))"
            if let matchesModelCard { out += matchesModelCard ? " — reproduced exactly" : " — MISMATCH" }
            else { out += " (sample only: reported, not compared)" }
        }
        out += "\nstreaming and resident modes: " + (modesAgree ? "identical logits" : "DIFFERENT LOGITS (bug)")
        out += " (checksum \(logitsChecksum))\n"
        out += "predictions per class: \(predictionsPerClass.map(String.init).joined(separator: " "))\n"
        out += "size: .tern \(fileBytes) B vs float32 \(float32Bytes) B (\(String(format: "%.1f", Double(float32Bytes) / Double(max(fileBytes, 1))))× smaller)"
        out += " vs 2-bit packed \(packed2Bytes) B; \(nonzeros) of \(weights) weights nonzero "
        out += "(\(String(format: "%.2f", 100 * (1 - Double(nonzeros) / Double(max(weights, 1))))) % sparse)\n"
        out += "arena (batch 1): streaming \(streamingArenaBytes) B, resident \(residentArenaBytes) B; "
        out += "time: resident \(String(format: "%.1f", residentMicrosecondsPerImage)) µs/image, "
        out += "streaming \(String(format: "%.1f", streamingMicrosecondsPerImage)) µs/image (batch 64, 1 thread)\n"
        out += profileTable(layers)
        return out
    }
}
