import Foundation
import TernModel
import Testing
@testable import TernONNX

/// The committed Brevitas LFC and CNV exports compile, and the artifact agrees with the graph's recorded output.
@Suite struct BrevitasRoundTripTests {
    @Test(arguments: ["lfc", "cnv"])
    func evaluatorReproducesQONNXExecution(name: String) throws {
        let fixture = try BrevitasFixture(name)
        let data = try fixture.samples()
        let evaluator = try Evaluator(try ONNXGraph(bytes: fixture.bytes))
        for i in 0..<data.count {
            let input = Agreement.graphInput(data.images, image: i, shape: evaluator.graph.inputShape, scale: 1.0 / 255, offset: 0)
            let out = try evaluator.run(input).outputs[0].data
            for (mine, theirs) in zip(out, fixture.qonnxLogits[i]) {
                #expect(abs(Double(mine) - theirs) <= 1e-4 * max(1, abs(theirs)), "image \(i): \(mine) vs \(theirs)")
            }
        }
    }

    @Test(arguments: ["lfc", "cnv"])
    func compiledArtifactAgreesWithRecordedOutputs(name: String) throws {
        let fixture = try BrevitasFixture(name)
        let data = try fixture.samples()
        #expect(data.labels.map { Int($0) } == fixture.labels)
        let imported = try ONNXImporter.importGraph(try ONNXGraph(bytes: fixture.bytes))
        let (_, logits) = try compileAndRun(imported.network, images: data.images, count: data.count)
        // The runtime's integers equal the folded network's integer reference, bit for bit.
        #expect(try IntegerReference.logits(network: imported.network, images: data.images, count: data.count) == logits)
        let classes = 10
        let fraction = Int(imported.network.layers.last!.record.logitFractionBits)
        let unit = Double(sign: .plus, exponent: -fraction, significand: 1)
        for i in 0..<data.count {
            let row = logits[(i * classes)..<((i + 1) * classes)]
            #expect(IntegerReference.argmax(row) == fixture.qonnxPredictions[i], "image \(i)")
            for (a, g) in zip(row, fixture.qonnxLogits[i]) {
                // The fixed-point affine rounds A and B to 2^-F; the accumulators themselves are exact.
                #expect(abs(Double(a) * unit - g) <= 1e-3 * max(1, abs(g)), "image \(i): \(Double(a) * unit) vs \(g)")
            }
        }
    }

    @Test func lfcLayersComeFromTheExpectedNodes() throws {
        let imported = try ONNXImporter.importGraph(try ONNXGraph(bytes: try BrevitasFixture("lfc").bytes))
        #expect(imported.network.layers.map(\.record.kind) == [.dense, .dense, .dense, .dense])
        #expect(imported.network.layers.map(\.record.outputBits) == [2, 1, 2, 0])
        #expect(imported.layerSources[1].contains("BipolarQuant"))
    }

    @Test func cnvLayersComeFromTheExpectedNodes() throws {
        let imported = try ONNXImporter.importGraph(try ONNXGraph(bytes: try BrevitasFixture("cnv").bytes))
        #expect(imported.network.layers.map(\.record.kind) == [.conv, .maxPool, .conv, .maxPool, .dense, .dense])
        #expect(imported.network.layers.map(\.record.padding) == [1, 0, 0, 0, 0, 0])
    }
}
