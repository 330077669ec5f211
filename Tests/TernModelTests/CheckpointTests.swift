import Foundation
import Testing
import TernModel
import TernTestSupport

/// A fresh empty directory under the system temporary directory, removed when the test process exits.
func temporaryDirectory(_ name: String = #function) throws -> String {
    _ = temporaryRootCleanup
    let url = temporaryRoot.appendingPathComponent("\(name.filter(\.isLetter))-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

let temporaryRoot = FileManager.default.temporaryDirectory
    .appendingPathComponent("tern-model-tests-\(ProcessInfo.processInfo.processIdentifier)")
/// Registers one `atexit` handler that deletes `temporaryRoot`.
let temporaryRootCleanup: Void = {
    atexit {
        try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory
            .appendingPathComponent("tern-model-tests-\(ProcessInfo.processInfo.processIdentifier)"))
    }
}()

@Suite struct CheckpointTests {
    static let fixture = FixtureCheckpoint.random(architecture: FixtureArchitecture.tinyConv, sparsity: 0.6, seed: 7)

    @Test func roundTripAndDeterminism() throws {
        var checkpoint = Self.fixture
        checkpoint.recipe = ["lr": 0.01, "schedule": ["cosine", 3], "l2": .double(5e-4), "nested": ["b": 1, "a": nil]]
        checkpoint.stages = [.init(name: "stage1", epochs: 3, testAccuracy: 0.5, seconds: 1.25, extra: ["loss": 0.75]),
                             .init(name: "stage2", epochs: 0)]
        checkpoint.integerTestAccuracy = 0.875
        let dir = try temporaryDirectory()
        try checkpoint.write(to: dir)
        let loaded = try Checkpoint.load(path: dir)
        #expect(loaded == checkpoint)
        #expect(try Checkpoint.load(path: dir + "/model.json") == checkpoint)
        let first = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.json"))
        let firstWeights = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors"))
        let dir2 = try temporaryDirectory()
        try loaded.write(to: dir2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir2 + "/model.json")) == first)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir2 + "/model.safetensors")) == firstWeights)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["model.json", "model.safetensors"])
    }

    @Test func jsonFollowsTheSpec() throws {
        let (text, _) = try Self.fixture.serializedFiles()
        let json = try JSONValue.parse(text).objectValue!
        #expect(json["format"] == "tern-checkpoint")
        #expect(json["version"] == 1)
        #expect(json["weights"] == "model.safetensors")
        #expect(json["batchNormEpsilon"] == .double(1e-5))
        #expect(json["architecture"] == FixtureArchitecture.tinyConv.json)
        #expect(json["sparsity"]?.objectValue?["layers"]?.arrayValue?.count == 5)
    }

    @Test func tensorNamesFollowTheSpec() throws {
        let (_, weights) = try Self.fixture.serializedFiles()
        let file = try Safetensors(bytes: weights)
        #expect(file.tensors["layers.0.weight"]?.shape == [3, 2, 3, 3])
        #expect(file.tensors["layers.0.ternary"]?.dtype == .i8)
        #expect(file.tensors["layers.0.mask"]?.dtype == .u8)
        #expect(file.tensors["layers.4.weight"]?.shape == [5, 4 * 3 * 3])
        #expect(file.tensors["layers.5.bn.var"]?.shape == [3])
        #expect(file.tensors.keys.allSatisfy { !$0.hasPrefix("layers.1.") }, "max-pool has no tensors")
    }

    @Test func failedWriteLeavesNothing() throws {
        let dir = try temporaryDirectory()
        var bad = Self.fixture
        bad.layers[0]!.alpha![1] = -1
        #expect(throws: CheckpointError.badValue(tensor: "layers.0.alpha", index: 1, problem: "-1.0 is not finite and > 0")) {
            try bad.write(to: dir)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        // An unwritable target: the directory path is an existing file.
        let blocker = dir + "/file"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data([1])))
        #expect(throws: CheckpointError.self) { try Self.fixture.write(to: blocker) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["file"])
        // Replacing an existing checkpoint keeps no temporary files.
        let good = try temporaryDirectory()
        try Self.fixture.write(to: good)
        try Self.fixture.write(to: good)
        #expect(try FileManager.default.contentsOfDirectory(atPath: good).sorted() == ["model.json", "model.safetensors"])
    }

    @Test func inconsistentCheckpointsAreNamed() throws {
        func rejects(_ edit: (inout Checkpoint) -> Void, _ expected: CheckpointError,
                     sourceLocation: SourceLocation = #_sourceLocation) {
            var c = Self.fixture
            edit(&c)
            #expect(throws: expected, sourceLocation: sourceLocation) { try c.validate() }
        }
        rejects({ $0.layers[2]!.ternary![3] = 2 }, .badValue(tensor: "layers.2.ternary", index: 3, problem: "2 is not in {-1, 0, 1}"))
        rejects({ $0.layers[0]!.batchNorm!.variance[2] = -1 },
                .badValue(tensor: "layers.0.bn.var", index: 2, problem: "-1.0 is negative (or zero with batchNormEpsilon 0)"))
        rejects({ $0.layers[3]!.weight![0] = .nan }, .badValue(tensor: "layers.3.weight", index: 0, problem: "not finite"))
        rejects({ $0.layers[3]!.batchNorm!.beta[0] = .infinity }, .badValue(tensor: "layers.3.bn.beta", index: 0, problem: "not finite"))
        rejects({ $0.layers[4]!.ternary!.removeLast() }, .wrongShape(tensor: "layers.4.ternary", expected: [5, 36], found: [179]))
        rejects({ $0.layers[5]!.alpha = [1, 2] }, .wrongShape(tensor: "layers.5.alpha", expected: [3], found: [2]))
        rejects({ $0.layers[5]!.alpha = nil }, .missingTensor(layer: 5, tensor: "layers.5.alpha"))
        rejects({ $0.layers[1] = .init(ternary: []) }, .tensorsOnMaxPool(layer: 1))
        rejects({ $0.layers[2] = nil }, .missingTensors(layer: 2))
        rejects({ $0.layers.removeLast() }, .layerCount(expected: 6, found: 5))
        rejects({ c in
            let i = c.layers[0]!.mask!.firstIndex(of: 0)!
            c.layers[0]!.ternary![i] = 1
        }, .badValue(tensor: "layers.0.ternary", index: Self.fixture.layers[0]!.mask!.firstIndex(of: 0)!,
                     problem: "nonzero where the mask is 0"))
        rejects({ $0.sparsity!.layers.removeLast() }, .badField(name: "sparsity.layers", problem: "4 values for 5 weight layers"))
        rejects({ $0.stages[0].testAccuracy = 1.5 }, .badField(name: "stages[0].testAccuracy", problem: "not in [0, 1]"))
        rejects({ $0.architecture.layers[0] = .conv(out: 3, kernel: 3, padding: 1, activation: nil) },
                .architecture(.missingActivation(layer: 0)))
        // Per-layer α and no batch norm are both valid.
        var ok = Self.fixture
        ok.layers[0]!.alpha = [0.5]
        ok.layers[0]!.batchNorm = nil
        try ok.validate()
    }

    /// Writes the fixture, lets `edit` damage the files, and expects `expected` from `load`.
    func loadRejects(_ edit: (_ json: inout [String: JSONValue], _ tensors: inout Safetensors) -> Void,
                     _ expected: CheckpointError, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (text, weights) = try Self.fixture.serializedFiles()
        var json = try JSONValue.parse(text).objectValue!
        var tensors = try Safetensors(bytes: weights)
        edit(&json, &tensors)
        let dir = try temporaryDirectory()
        try JSONValue.object(json).serialized().write(toFile: dir + "/model.json", atomically: true, encoding: .utf8)
        try Data(tensors.serialized()).write(to: URL(fileURLWithPath: dir + "/model.safetensors"))
        #expect(throws: expected, sourceLocation: sourceLocation) { try Checkpoint.load(path: dir) }
    }

    @Test func malformedFilesAreNamed() throws {
        try loadRejects({ j, _ in j["format"] = "other" }, .json(path: "format", problem: "expected \"tern-checkpoint\""))
        try loadRejects({ j, _ in j["version"] = 2 }, .json(path: "version", problem: "version 2 unsupported (this build reads 1)"))
        try loadRejects({ j, _ in j["seed"] = "x" }, .json(path: "seed", problem: "expected an integer"))
        try loadRejects({ j, _ in j["stages"] = [["name": "s"]] }, .json(path: "stages[0].epochs", problem: "missing"))
        try loadRejects({ j, _ in j["surprise"] = 1 }, .json(path: "surprise", problem: "unknown key"))
        try loadRejects({ j, _ in j["weights"] = "/etc/passwd" }, .json(path: "weights", problem: "must be a file name or path inside the checkpoint directory (relative, no \"..\"), got \"/etc/passwd\""))
        try loadRejects({ _, t in t.tensors["layers.9.weight"] = .init(float32: [1], shape: [1]) },
                        .unexpectedTensor(name: "layers.9.weight"))
        try loadRejects({ _, t in t.tensors["layers.0.ternary"]!.dtype = .u8 },
                        .wrongDType(tensor: "layers.0.ternary", expected: "I8", found: "U8"))
        try loadRejects({ _, t in t.tensors["layers.0.ternary"]!.shape = [3, 2, 9] },
                        .wrongShape(tensor: "layers.0.ternary", expected: [3, 2, 3, 3], found: [3, 2, 9]))
        try loadRejects({ _, t in t.tensors["layers.3.bn.mean"] = nil }, .missingTensor(layer: 3, tensor: "layers.3.bn.mean"))
        try loadRejects({ _, t in t.tensors["layers.2.ternary"]!.bytes[0] = 0x80 },
                        .badValue(tensor: "layers.2.ternary", index: 0, problem: "-128 is not in {-1, 0, 1}"))
        let dir = try temporaryDirectory()
        #expect(throws: CheckpointError.self) { try Checkpoint.load(path: dir) }
        #expect(throws: CheckpointError.io(path: dir + "/none", problem: "no such file or directory")) {
            try Checkpoint.load(path: dir + "/none")
        }
        try Self.fixture.write(to: dir)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/model.safetensors"))
        #expect(throws: CheckpointError.safetensors(.tooShort(bytes: 3))) { try Checkpoint.load(path: dir) }
    }

    @Test func fixtureIsDeterministicAndSparse() throws {
        let a = FixtureCheckpoint.random(architecture: .sfc, sparsity: 0.9, seed: 3)
        #expect(a == FixtureCheckpoint.random(architecture: .sfc, sparsity: 0.9, seed: 3))
        try a.validate()
        #expect(abs(a.sparsity!.total - 0.9) < 0.01)
        #expect(a != FixtureCheckpoint.random(architecture: .sfc, sparsity: 0.9, seed: 4))
    }
}
