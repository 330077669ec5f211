import Foundation
import TernCompiler
import TernFormat
import TernModel
import TernRuntime
@testable import TernONNX

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A committed Brevitas export and what qonnx's `execute_onnx` gave on the first sample images
/// (tools/torch/make_fixtures.py).
struct BrevitasFixture {
    var bytes: [UInt8]
    var labels: [Int]
    var qonnxLogits: [[Double]]
    var qonnxPredictions: [Int]

    init(_ name: String) throws {
        let directory = repositoryRoot.appendingPathComponent("Tests/TernONNXTests/Fixtures")
        bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(name).onnx")))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("\(name).json"))) as! [String: Any]
        labels = json["labels"] as! [Int]
        qonnxLogits = json["qonnx_logits"] as! [[Double]]
        qonnxPredictions = json["qonnx_predictions"] as! [Int]
    }

    /// The same images from Models/samples/mnist.
    func samples() throws -> Dataset {
        try Dataset.load(directory: repositoryRoot.appendingPathComponent("Models/samples/mnist").path, split: .test,
                         limit: labels.count)
    }
}

/// Compiles an imported network and runs the runtime's reference path on `images`.
func compileAndRun(_ network: IntegerNetwork, images: [UInt8], count: Int) throws -> (bytes: [UInt8], logits: [Int64]) {
    let bytes = try Compiler.compile(network: network)
    let file = try TernFile(parsing: bytes)
    let logits = try bytes.withUnsafeBytes { a in
        try images.withUnsafeBytes { im in try Reference.logits(file: file, bytes: a, images: im, count: count) }
    }
    return (bytes, logits)
}
