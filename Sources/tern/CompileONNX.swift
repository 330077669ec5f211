import Foundation
import TernCompiler
import TernFormat
import TernModel
import TernONNX
import TernRuntime

extension CompileCommand {
    /// `tern compile model.onnx`: import (TernONNX) → the same compiler passes as a checkpoint → optional checks
    /// against the integer reference and against the graph's own float output.
    func runONNX() throws {
        let graph: ONNXGraph
        do { graph = try ONNXGraph(contentsOf: model) } catch { throw CheckpointProblem(description: "\(model): \(error)") }
        let datasetName = dataset ?? verify.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""
        let options = ONNXImportOptions(inputScale: inputScale, inputOffset: inputOffset,
                                        name: name ?? defaultModelName(output), dataset: datasetName)
        let imported: ONNXImport
        do { imported = try ONNXImporter.importGraph(graph, options: options) } catch {
            throw CheckpointProblem(description: "cannot import \(model): \(error)")
        }
        let network = imported.network
        let recipe = "{\"source\":\"onnx\",\"producer\":\(jsonQuoted(graph.producerName)),\"input_scale\":\(inputScale),"
            + "\"input_offset\":\(inputOffset)}"
        let reference = try verify.map { try ReferenceRun(network: network, dataDirectory: $0, count: count) }
        let compileOptions = CompileOptions(target: target, ramKiB: ramKiB, eliminateDeadNeurons: !keepDeadNeurons,
                                            description: ArtifactDescription(recipe: recipe,
                                                                             integerAccuracy: count == nil ? reference?.accuracy : nil),
                                            goal: optimize)
        let artifact = try Compiler.compileWithReport(network: network, options: compileOptions)
        var agreement: ONNXAgreementSummary?
        var verification: VerificationSummary?
        if let reference {
            verification = try verifyArtifact(artifact.bytes, against: reference)
            agreement = try graphAgreement(graph, reference: reference,
                                           fractionBits: Int(network.layers.last!.record.logitFractionBits))
        }
        try writeAtomically(artifact.bytes, to: output)
        var summary = CompileSummary(artifact, source: network, output: output, target: target, verification: verification)
        summary.onnxLayers = imported.layerSources
        summary.onnxAgreement = agreement
        print(json ? try jsonString(summary) : summary.text)
        if let agreement, agreement.unexplained > 0 {
            throw VerificationFailure(description: "\(agreement.unexplained) predictions differ from the ONNX graph's "
                + "without a threshold or logit tie to explain them")
        }
    }

    /// The graph's float output on the reference images, in parallel chunks, against the checked integer logits.
    func graphAgreement(_ graph: ONNXGraph, reference: ReferenceRun, fractionBits: Int) throws -> ONNXAgreementSummary {
        let evaluator = try Evaluator(graph)
        let data = reference.data
        let chunk = 250
        let chunks = (data.count + chunk - 1) / chunk
        let results = AgreementChunks(count: chunks)
        let (scale, offset, classes) = (inputScale, inputOffset, reference.classes)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let first = c * chunk, m = min(chunk, data.count - first)
            let images = Array(data.images[(first * data.imageSize)..<((first + m) * data.imageSize)])
            let labels = Array(data.labels[first..<(first + m)])
            let logits = Array(reference.logits[(first * classes)..<((first + m) * classes)])
            do throws(ONNXError) {
                var a = try Agreement.measure(evaluator: evaluator, images: images, labels: labels, count: m,
                                              artifactLogits: logits, fractionBits: fractionBits,
                                              inputScale: scale, inputOffset: offset)
                for i in a.differences.indices { a.differences[i].image += first }
                results.set(c, .success(a))
            } catch { results.set(c, .failure(error)) }
        }
        var summary = ONNXAgreementSummary(images: data.count, agreeing: 0, differences: [], maxLogitError: 0,
                                           graphAccuracy: 0, artifactAccuracy: 0)
        for c in 0..<chunks {
            switch results.get(c) {
            case .success(let a)?:
                summary.agreeing += a.agreeing
                summary.differences += a.differences
                summary.maxLogitError = max(summary.maxLogitError, a.maxLogitError)
                summary.graphAccuracy += a.graphAccuracy * Double(a.images)
                summary.artifactAccuracy += a.artifactAccuracy * Double(a.images)
            case .failure(let e)?: throw VerificationFailure(description: "the ONNX evaluator failed: \(e)")
            case nil: throw VerificationFailure(description: "agreement chunk \(c) did not run")
            }
        }
        summary.graphAccuracy /= Double(max(data.count, 1))
        summary.artifactAccuracy /= Double(max(data.count, 1))
        return summary
    }
}

/// What `--verify` found comparing the artifact with the ONNX graph's own float output.
struct ONNXAgreementSummary: Encodable {
    var images: Int
    var agreeing: Int
    var differences: [Agreement.Difference]
    var maxLogitError: Double
    var graphAccuracy: Double
    var artifactAccuracy: Double
    var unexplained: Int { differences.count { $0.explanation == nil } }

    var text: String {
        var lines = [String(format: "ONNX graph (float, in-tree evaluator) vs artifact: %d of %d predictions agree "
            + "(%.4f %%); accuracy graph %.2f %%, artifact %.2f %%; largest logit difference %.3g",
            agreeing, images, 100 * Double(agreeing) / Double(max(images, 1)), 100 * graphAccuracy,
            100 * artifactAccuracy, maxLogitError)]
        for d in differences.prefix(20) {
            lines.append("  image \(d.image): graph predicts \(d.graphPrediction), artifact \(d.artifactPrediction): "
                + (d.explanation ?? "UNEXPLAINED (no threshold or logit tie within \(Agreement.tieTolerance))"))
        }
        if differences.count > 20 { lines.append("  … \(differences.count - 20) more (see --json)") }
        return lines.joined(separator: "\n")
    }
}

/// Per-chunk results from concurrent workers.
final class AgreementChunks: @unchecked Sendable {
    private var slots: [Result<Agreement, ONNXError>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<Agreement, ONNXError>) { lock.withLock { slots[i] = r } }
    func get(_ i: Int) -> Result<Agreement, ONNXError>? { lock.withLock { slots[i] } }
}

private func jsonQuoted(_ s: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [s])) ?? Data("[\"\"]".utf8)
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
}
