import Foundation
import Testing
@testable import TernModel

/// Directory of the committed architecture files, found from this source file's location.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

@Suite struct ArchitectureTests {
    @Test func cnvShapesFollowFinn() throws {
        let shapes = try Architecture.cnv.inferShapes()
        #expect(shapes.map(\.output.height) == [30, 28, 14, 12, 10, 5, 3, 1, 1, 1, 1])
        #expect(shapes[7].output == FeatureShape(channels: 256, height: 1, width: 1))
        #expect(shapes[8].fanIn == 256)
        #expect(shapes[0].weightShape == [64, 3, 3, 3])
        #expect(shapes[3].weightShape == [128, 64, 3, 3])
        #expect(shapes[0].inputBits == 8)
        #expect(shapes[3].inputBits == 1)
    }

    @Test func cnv28EndsAtOneByOne() throws {
        let shapes = try Architecture.cnv28.inferShapes()
        #expect(shapes.map(\.output.height) == [28, 28, 14, 12, 10, 5, 3, 1, 1, 1, 1])
        #expect(shapes[0].fanIn == 9)
    }

    @Test func lfcFanIns() throws {
        let shapes = try Architecture.lfc.withActivationBits([2, 1, 2]).inferShapes()
        #expect(shapes.map(\.fanIn) == [784, 1024, 1024, 1024])
        #expect(shapes.map(\.inputBits) == [8, 2, 1, 2])
        #expect(shapes[3].weightShape == [10, 1024])
    }

    @Test func builtinsMatchCommittedFiles() throws {
        for name in Architecture.builtinNames {
            let path = repositoryRoot.appendingPathComponent("Models/architectures/\(name).json").path
            let committed = try String(contentsOfFile: path, encoding: .utf8)
            #expect(try Architecture.builtin(named: name).serialized() == committed, "\(name).json is stale")
            #expect(try Architecture.load(path: path) == Architecture.builtin(named: name))
        }
    }

    @Test func jsonRoundTrip() throws {
        let a = try Architecture.cnv.withActivationBits([1, 2, 1, 2, 1, 2, 1, 2])
        let text = try a.serialized()
        #expect(try Architecture(json: JSONValue.parse(text)) == a)
        #expect(try Architecture(json: JSONValue.parse(text)).serialized() == text)
    }

    @Test func quantizersMatchDataflowTable() {
        #expect(Architecture.Activation.sign.thresholds == [0])
        #expect(Architecture.Activation.sign.scale == 2 && Architecture.Activation.sign.offset == -1)
        #expect(Architecture.Activation.uniform2.thresholds == [1.0 / 6, 0.5, 5.0 / 6])
        #expect(Architecture.Activation.uniform2.scale == 1.0 / 3 && Architecture.Activation.uniform2.offset == 0)
    }

    @Test func errorsNameTheLayer() throws {
        let input = Architecture.Input(channels: 1, height: 5, width: 5)
        func check(_ layers: [Architecture.Layer], _ expected: ArchitectureError) {
            #expect(throws: expected) { try Architecture(name: "t", input: input, layers: layers).inferShapes() }
        }
        check([], .noWeightLayers)
        check([.dense(out: 4, activation: .sign)], .lastLayerHasActivation(layer: 0))
        check([.dense(out: 4, activation: nil), .dense(out: 2, activation: nil)], .missingActivation(layer: 0))
        check([.conv(out: 2, kernel: 7, padding: 0, activation: .sign), .dense(out: 2, activation: nil)],
              .shapeMismatch(layer: 0, problem: "7×7 kernel with padding 0 does not fit the 1×5×5 input"))
        check([.conv(out: 2, kernel: 3, padding: 0, activation: .sign), .maxPool(size: 2),
               .dense(out: 2, activation: nil)],
              .shapeMismatch(layer: 1, problem: "2×2 max-pool needs even height and width, input is 2×3×3"))
        check([.conv(out: 2, kernel: 2, padding: 0, activation: .sign), .dense(out: 2, activation: nil)],
              .badLayer(layer: 0, kind: "conv", problem: "kernel 2 must be odd, 1...15"))
        check([.conv(out: 2, kernel: 3, padding: 2, activation: .sign), .dense(out: 2, activation: nil)],
              .badLayer(layer: 0, kind: "conv", problem: "padding 2 must be 0 or 1"))
        check([.dense(out: 2, activation: nil), .maxPool(size: 2)], .layerAfterLastWeightLayer(layer: 1))
        check([.dense(out: 3, activation: .init(bits: 2, thresholds: [0, 1], scale: 1, offset: 0)),
               .dense(out: 2, activation: nil)],
              .badActivation(layer: 0, problem: "2 bits need 3 thresholds, found 2"))
        check([.dense(out: 3, activation: .init(bits: 2, thresholds: [0, 1, 1], scale: 1, offset: 0)),
               .dense(out: 2, activation: nil)],
              .badActivation(layer: 0, problem: "thresholds must be finite and strictly ascending"))
        #expect(throws: ArchitectureError.self) { try Architecture.builtin(named: "lfc", activationBits: 3) }
        #expect(throws: ArchitectureError.unknownBuiltin(name: "vgg", known: Architecture.builtinNames)) {
            try Architecture.builtin(named: "vgg")
        }
    }

    @Test func malformedJSONNamesThePath() throws {
        var json = Architecture.lfc.json.objectValue!
        var layers = json["layers"]!.arrayValue!
        layers[1] = .object(["kind": "dense", "out": .double(3.5)])
        json["layers"] = .array(layers)
        #expect(throws: ArchitectureError.json(path: "architecture.layers[1].out", problem: "expected an integer")) {
            try Architecture(json: .object(json))
        }
        layers[1] = .object(["kind": "pool", "size": 2])
        json["layers"] = .array(layers)
        #expect(throws: ArchitectureError.json(path: "architecture.layers[1].kind",
                                               problem: "unknown layer kind 'pool' (dense, conv, maxpool)")) {
            try Architecture(json: .object(json))
        }
        json["extra"] = .bool(true)
        #expect(throws: ArchitectureError.json(path: "architecture.extra", problem: "unknown key")) {
            try Architecture(json: .object(json))
        }
    }
}
