import Foundation

/// Reading and writing the `model.json` + `model.safetensors` pair of docs/CHECKPOINT.md.
extension Checkpoint {
    public static let formatName = "tern-checkpoint"
    public static let formatVersion = 1
    public static let jsonFileName = "model.json"
    public static let weightsFileName = "model.safetensors"

    // MARK: Load

    /// Loads and validates a checkpoint. `path` is a `model.json` file or the directory that holds one.
    public static func load(path: String) throws(CheckpointError) -> Checkpoint {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .io(path: path, problem: "no such file or directory")
        }
        let jsonURL = isDirectory.boolValue
            ? URL(fileURLWithPath: path).appendingPathComponent(jsonFileName) : URL(fileURLWithPath: path)
        let jsonBytes = try readFile(jsonURL.path)
        let json: JSONValue
        do { json = try JSONValue.parse(bytes: jsonBytes) } catch { throw .json(path: jsonURL.path, problem: "\(error)") }
        let header = try CheckpointHeader(json: json)
        let weightsPath = try confinedWeightsPath(header.weights, directory: jsonURL.deletingLastPathComponent())
        let weightBytes = try readFile(weightsPath)
        let file: Safetensors
        do { file = try Safetensors(bytes: weightBytes) } catch { throw .safetensors(error) }
        let checkpoint = try Checkpoint(header: header, tensors: file)
        try checkpoint.validate()
        return checkpoint
    }

    /// The weights file `model.json` names, which must stay inside the checkpoint's directory: a relative path
    /// without `..` components whose real location (symbolic links resolved) is under the directory's real
    /// location. A checkpoint from elsewhere cannot make tern read `/etc/passwd` or a file next to it.
    static func confinedWeightsPath(_ name: String, directory: URL) throws(CheckpointError) -> String {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"), !components.contains(where: { $0 == ".." || $0.isEmpty }) else {
            throw .json(path: "weights", problem: "must be a file name or path inside the checkpoint directory "
                + "(relative, no \"..\"), got \"\(name)\"")
        }
        let path = directory.appendingPathComponent(name)
        let realDirectory = directory.resolvingSymlinksInPath().standardizedFileURL.path
        let realPath = path.resolvingSymlinksInPath().standardizedFileURL.path
        guard realPath.hasPrefix(realDirectory.hasSuffix("/") ? realDirectory : realDirectory + "/") else {
            throw .json(path: "weights", problem: "\"\(name)\" leads outside the checkpoint directory (to \(realPath))")
        }
        return path.path
    }

    private static func readFile(_ path: String) throws(CheckpointError) -> [UInt8] {
        do { return Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw .io(path: path, problem: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Rebuilds the tensors from a safetensors file, rejecting unknown names, wrong dtypes and wrong shapes.
    init(header: CheckpointHeader, tensors file: Safetensors) throws(CheckpointError) {
        let shapes: [LayerShape]
        do { shapes = try header.architecture.inferShapes() } catch { throw .architecture(error) }
        var remaining = file.tensors
        func take(_ layer: Int, _ field: String, _ dtype: Safetensors.DType,
                  _ allowed: [[Int]]) throws(CheckpointError) -> Safetensors.Tensor? {
            let name = Self.tensorName(layer, field)
            guard let t = remaining.removeValue(forKey: name) else { return nil }
            guard t.dtype == dtype else { throw .wrongDType(tensor: name, expected: dtype.rawValue, found: t.dtype.rawValue) }
            guard allowed.contains(t.shape) else { throw .wrongShape(tensor: name, expected: allowed[0], found: t.shape) }
            return t
        }
        var layers: [LayerTensors?] = []
        for (i, layer) in header.architecture.layers.enumerated() {
            guard layer.hasWeights else { layers.append(nil); continue }
            let w = shapes[i].weightShape
            let out = shapes[i].output.channels
            var t = LayerTensors()
            t.weight = try take(i, "weight", .f32, [w])?.float32Values
            t.ternary = try take(i, "ternary", .i8, [w])?.int8Values
            t.mask = try take(i, "mask", .u8, [w])?.uint8Values
            t.alpha = try take(i, "alpha", .f32, [[out], [1]])?.float32Values
            let bn = [try take(i, "bn.gamma", .f32, [[out]]), try take(i, "bn.beta", .f32, [[out]]),
                      try take(i, "bn.mean", .f32, [[out]]), try take(i, "bn.var", .f32, [[out]])]
            if bn.allSatisfy({ $0 != nil }) {
                t.batchNorm = BatchNorm(gamma: bn[0]!.float32Values!, beta: bn[1]!.float32Values!,
                                        mean: bn[2]!.float32Values!, variance: bn[3]!.float32Values!)
            } else if let missing = zip(["bn.gamma", "bn.beta", "bn.mean", "bn.var"], bn).first(where: { $0.1 == nil }),
                      bn.contains(where: { $0 != nil }) {
                throw .missingTensor(layer: i, tensor: Self.tensorName(i, missing.0))
            }
            if t.weight == nil, t.ternary == nil { throw .missingTensor(layer: i, tensor: Self.tensorName(i, "ternary")) }
            layers.append(t)
        }
        if let extra = remaining.keys.sorted().first { throw .unexpectedTensor(name: extra) }
        self.init(architecture: header.architecture, layers: layers, batchNormEpsilon: header.batchNormEpsilon,
                  dataset: header.dataset, seed: header.seed, recipe: header.recipe, stages: header.stages,
                  sparsity: header.sparsity, integerTestAccuracy: header.integerTestAccuracy,
                  testImages: header.testImages)
    }

    // MARK: Write

    /// Validates, then writes `model.safetensors` and `model.json` into `directory` (created if missing), each
    /// atomically. Same checkpoint → byte-identical files. The weights go first, so a `model.json` on disk never
    /// names weights that are not there yet.
    public func write(to directory: String) throws(CheckpointError) {
        try validate()
        let (jsonText, weights) = try serializedFiles()
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .io(path: directory, problem: "cannot create directory: \(error.localizedDescription)")
        }
        let dir = URL(fileURLWithPath: directory)
        do {
            try AtomicFile.write(weights, to: dir.appendingPathComponent(Self.weightsFileName).path)
            try AtomicFile.write(Array(jsonText.utf8), to: dir.appendingPathComponent(Self.jsonFileName).path)
        } catch { throw .io(path: error.path, problem: error.problem) }
    }

    /// The two files' contents: `model.json` text and `model.safetensors` bytes.
    public func serializedFiles() throws(CheckpointError) -> (json: String, weights: [UInt8]) {
        var tensors: [String: Safetensors.Tensor] = [:]
        let shapes: [LayerShape]
        do { shapes = try architecture.inferShapes() } catch { throw .architecture(error) }
        for (i, layer) in layers.enumerated() {
            guard let t = layer else { continue }
            let w = shapes[i].weightShape
            if let v = t.weight { tensors[Self.tensorName(i, "weight")] = .init(float32: v, shape: w) }
            if let v = t.ternary { tensors[Self.tensorName(i, "ternary")] = .init(int8: v, shape: w) }
            if let v = t.mask { tensors[Self.tensorName(i, "mask")] = .init(uint8: v, shape: w) }
            if let v = t.alpha { tensors[Self.tensorName(i, "alpha")] = .init(float32: v, shape: [v.count]) }
            if let bn = t.batchNorm {
                for (field, v) in [("bn.gamma", bn.gamma), ("bn.beta", bn.beta), ("bn.mean", bn.mean),
                                   ("bn.var", bn.variance)] {
                    tensors[Self.tensorName(i, field)] = .init(float32: v, shape: [v.count])
                }
            }
        }
        let weights: [UInt8]
        do { weights = try Safetensors(tensors: tensors).serialized() } catch { throw .safetensors(error) }
        let text: String
        do { text = try headerJSON.serialized() } catch { throw .json(path: "model.json", problem: "\(error)") }
        return (text, weights)
    }

    /// The `model.json` document.
    public var headerJSON: JSONValue {
        var o: [String: JSONValue] = [
            "format": .string(Self.formatName),
            "version": .int(Self.formatVersion),
            "weights": .string(Self.weightsFileName),
            "architecture": architecture.json,
            "batchNormEpsilon": .double(batchNormEpsilon),
            "dataset": .string(dataset),
            "seed": .int(seed),
            "recipe": recipe,
            "stages": .array(stages.map { s in
                var so = s.extra
                so["name"] = .string(s.name)
                so["epochs"] = .int(s.epochs)
                if let a = s.testAccuracy { so["testAccuracy"] = .double(a) }
                if let sec = s.seconds { so["seconds"] = .double(sec) }
                return .object(so)
            }),
        ]
        if let sparsity {
            o["sparsity"] = .object(["total": .double(sparsity.total),
                                     "layers": .array(sparsity.layers.map { .double($0) })])
        }
        if let integerTestAccuracy { o["integerTestAccuracy"] = .double(integerTestAccuracy) }
        if let testImages { o["testImages"] = .int(testImages) }
        return .object(o)
    }
}

/// The parsed `model.json`, before the tensors are attached.
struct CheckpointHeader: Sendable {
    var weights: String
    var architecture: Architecture
    var batchNormEpsilon: Double
    var dataset: String
    var seed: Int
    var recipe: JSONValue
    var stages: [Checkpoint.Stage]
    var sparsity: Checkpoint.Sparsity?
    var integerTestAccuracy: Double?
    var testImages: Int?

    init(json: JSONValue) throws(CheckpointError) {
        guard let o = json.objectValue else { throw .json(path: "", problem: "expected an object") }
        let known: Set<String> = ["format", "version", "weights", "architecture", "batchNormEpsilon", "dataset", "seed",
                                  "recipe", "stages", "sparsity", "integerTestAccuracy", "testImages"]
        if let extra = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw .json(path: extra, problem: "unknown key")
        }
        func member(_ key: String) throws(CheckpointError) -> JSONValue {
            guard let v = o[key] else { throw .json(path: key, problem: "missing") }
            return v
        }
        func string(_ v: JSONValue, _ path: String) throws(CheckpointError) -> String {
            guard let s = v.stringValue else { throw .json(path: path, problem: "expected a string") }
            return s
        }
        func int(_ v: JSONValue, _ path: String) throws(CheckpointError) -> Int {
            guard let i = v.intValue else { throw .json(path: path, problem: "expected an integer") }
            return i
        }
        func double(_ v: JSONValue, _ path: String) throws(CheckpointError) -> Double {
            guard let d = v.doubleValue else { throw .json(path: path, problem: "expected a number") }
            return d
        }
        guard try string(member("format"), "format") == Checkpoint.formatName else {
            throw .json(path: "format", problem: "expected \"\(Checkpoint.formatName)\"")
        }
        let version = try int(member("version"), "version")
        guard version == Checkpoint.formatVersion else {
            throw .json(path: "version", problem: "version \(version) unsupported (this build reads "
                        + "\(Checkpoint.formatVersion))")
        }
        weights = try string(member("weights"), "weights")
        let architectureJSON = try member("architecture")
        do { architecture = try Architecture(json: architectureJSON) } catch { throw .architecture(error) }
        batchNormEpsilon = try double(member("batchNormEpsilon"), "batchNormEpsilon")
        dataset = try string(member("dataset"), "dataset")
        seed = try int(member("seed"), "seed")
        recipe = o["recipe"] ?? .object([:])
        stages = []
        if let list = o["stages"] {
            guard let items = list.arrayValue else { throw .json(path: "stages", problem: "expected an array") }
            for (n, item) in items.enumerated() {
                let p = "stages[\(n)]"
                guard var so = item.objectValue else { throw .json(path: p, problem: "expected an object") }
                guard let nameValue = so.removeValue(forKey: "name") else { throw .json(path: p + ".name", problem: "missing") }
                guard let epochsValue = so.removeValue(forKey: "epochs") else {
                    throw .json(path: p + ".epochs", problem: "missing")
                }
                let accuracy = try so.removeValue(forKey: "testAccuracy").map { v throws(CheckpointError) in
                    try double(v, p + ".testAccuracy")
                }
                let seconds = try so.removeValue(forKey: "seconds").map { v throws(CheckpointError) in
                    try double(v, p + ".seconds")
                }
                stages.append(Checkpoint.Stage(name: try string(nameValue, p + ".name"),
                                               epochs: try int(epochsValue, p + ".epochs"),
                                               testAccuracy: accuracy, seconds: seconds, extra: so))
            }
        }
        if let s = o["sparsity"] {
            guard let so = s.objectValue, let total = so["total"]?.doubleValue, let layers = so["layers"]?.arrayValue,
                  so.count == 2 else {
                throw .json(path: "sparsity", problem: "expected {\"total\": number, \"layers\": [number]}")
            }
            var values: [Double] = []
            for (n, v) in layers.enumerated() { values.append(try double(v, "sparsity.layers[\(n)]")) }
            sparsity = Checkpoint.Sparsity(total: total, layers: values)
        }
        integerTestAccuracy = try o["integerTestAccuracy"].map { v throws(CheckpointError) in
            try double(v, "integerTestAccuracy")
        }
        if let v = o["testImages"] {
            guard let n = v.intValue else { throw .json(path: "testImages", problem: "expected an integer") }
            testImages = n
        }
    }
}
