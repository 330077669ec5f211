import Foundation
import TernModel

/// Writing a trainer's state as a docs/CHECKPOINT.md checkpoint, plus `train-state.safetensors` (optimizer moments
/// and progress) so `--resume` continues bit-identically. Both go through TernModel's atomic writers.
public enum TrainingCheckpoint {
    public static let stateFileName = "train-state.safetensors"
    /// The training state as stage 1 left it (sparse-ternary runs with a stage 2): what `--stage1-from` starts from.
    public static let stage1StateFileName = "stage1-state.safetensors"

    public enum ResumeError: Error, CustomStringConvertible {
        case missing(path: String)
        case unreadable(path: String, problem: String)
        case recipeMismatch(saved: String, requested: String)
        case architectureMismatch(name: String)
        case wrongTensor(name: String)
        case datasetMismatch(saved: String, requested: String)

        public var description: String {
            switch self {
            case .missing(let p): return "\(p): no training state to resume (run without --resume first)"
            case .unreadable(let p, let problem): return "\(p): \(problem)"
            case .recipeMismatch(let saved, let requested):
                return "the saved run used a different recipe; saved: \(saved)\nrequested: \(requested)"
            case .architectureMismatch(let n): return "the saved run trained a different architecture than \(n)"
            case .wrongTensor(let n): return "training state tensor \(n) is missing or has the wrong size"
            case .datasetMismatch(let saved, let requested):
                return "the saved run trained on \(saved), this one on \(requested)"
            }
        }
    }

    // MARK: Order conversion (internal HWC/OHWI ↔ checkpoint CHW/OIHW)

    /// `perm[c]` = internal index of checkpoint element c, for one layer's weight tensor.
    static func checkpointToInternal(_ layer: WeightLayer, inputShape: FeatureShape) -> [Int]? {
        switch layer.geometry {
        case .dense(let n):
            let (c, h, w) = (inputShape.channels, inputShape.height, inputShape.width)
            if h * w == 1 { return nil }
            var perm = [Int](repeating: 0, count: layer.outputs * n)
            for o in 0 ..< layer.outputs { for ch in 0 ..< c { for y in 0 ..< h { for x in 0 ..< w {
                perm[o * n + (ch * h + y) * w + x] = o * n + (y * w + x) * c + ch
            } } } }
            return perm
        case .conv(let c, _, _, let k, _):
            let n = layer.fanIn
            var perm = [Int](repeating: 0, count: layer.outputs * n)
            for o in 0 ..< layer.outputs { for ch in 0 ..< c { for y in 0 ..< k { for x in 0 ..< k {
                perm[o * n + (ch * k + y) * k + x] = o * n + (y * k + x) * c + ch
            } } } }
            return perm
        }
    }

    static func toCheckpointOrder<T>(_ v: [T], _ perm: [Int]?) -> [T] { perm.map { p in p.map { v[$0] } } ?? v }

    static func toInternalOrder<T>(_ v: [T], _ perm: [Int]?) -> [T] {
        guard let perm else { return v }
        var out = v
        for (c, i) in perm.enumerated() { out[i] = v[c] }
        return out
    }

    /// Input shapes of the architecture's weight layers, in order.
    static func weightInputShapes(_ a: Architecture) -> [FeatureShape] {
        guard let shapes = try? a.inferShapes() else { return [] }
        return a.weightLayerIndices.map { shapes[$0].input }
    }

    // MARK: Checkpoint

    /// The checkpoint of the trainer's current network.
    /// `testImages`: how many test images the recorded accuracies were measured on.
    public static func checkpoint(_ trainer: Trainer, dataset: String, integerTestAccuracy: Double? = nil,
                                  testImages: Int? = nil) -> Checkpoint {
        let net = trainer.network
        let arch = net.architecture
        let inputs = weightInputShapes(arch)
        var layers: [Checkpoint.LayerTensors?] = arch.layers.map { _ in nil }
        for (n, (layerIndex, l)) in zip(arch.weightLayerIndices, net.weightLayers).enumerated() {
            let perm = checkpointToInternal(l, inputShape: inputs[n])
            let q = l.currentQuantized()
            let isFloat = trainer.recipe.method == .float
            layers[layerIndex] = Checkpoint.LayerTensors(
                weight: toCheckpointOrder(l.weight.value, perm),
                ternary: isFloat ? nil : toCheckpointOrder(q.ternary, perm),
                mask: l.mask.map { toCheckpointOrder($0, perm) },
                alpha: isFloat ? nil : [q.alpha],
                batchNorm: .init(gamma: l.gamma.value, beta: l.beta.value, mean: l.runningMean, variance: l.runningVar))
        }
        var recipeJSON: JSONValue = .object([:])
        if let data = try? jsonEncoder.encode(trainer.recipe), let v = try? JSONValue.parse(bytes: Array(data)) {
            recipeJSON = v
        }
        let stages = trainer.progress.stages.map {
            Checkpoint.Stage(name: $0.name, epochs: $0.epochs, testAccuracy: $0.testAccuracy, seconds: $0.seconds)
        }
        var cp = Checkpoint(architecture: arch, layers: layers, batchNormEpsilon: Double(WeightLayer.epsilon),
                            dataset: dataset, seed: Int(truncatingIfNeeded: trainer.recipe.seed), recipe: recipeJSON,
                            stages: stages, integerTestAccuracy: integerTestAccuracy, testImages: testImages)
        cp.sparsity = cp.measuredSparsity()
        return cp
    }

    static var jsonEncoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }

    // MARK: Training state

    /// Writes `train-state.safetensors` (first) and the checkpoint into `directory`, each atomically; at the end of
    /// stage 1 the state also goes to `stage1-state.safetensors` (before train-state), which later epochs leave alone.
    public static func save(_ trainer: Trainer, dataset: String, testImages: Int? = nil, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var tensors: [String: Safetensors.Tensor] = [:]
        for (i, l) in trainer.network.weightLayers.enumerated() {
            for (name, p) in [("weight", l.weight), ("gamma", l.gamma), ("beta", l.beta)] {
                tensors["\(i).\(name)"] = .init(float32: p.value, shape: [p.count])
                tensors["\(i).\(name).m1"] = .init(float32: p.moment1, shape: [p.count])
                tensors["\(i).\(name).m2"] = .init(float32: p.moment2, shape: [p.count])
            }
            tensors["\(i).runningMean"] = .init(float32: l.runningMean, shape: [l.outputs])
            tensors["\(i).runningVar"] = .init(float32: l.runningVar, shape: [l.outputs])
            if let m = l.mask { tensors["\(i).mask"] = .init(uint8: m, shape: [m.count]) }
        }
        // An external teacher is not part of the state: --resume is given it again (the recipe holds its fingerprint).
        for (i, l) in (trainer.hasExternalTeacher ? [] : trainer.teacher?.weightLayers ?? []).enumerated() {
            for (name, v) in [("weight", l.weight.value), ("gamma", l.gamma.value), ("beta", l.beta.value),
                              ("runningMean", l.runningMean), ("runningVar", l.runningVar)] {
                tensors["teacher.\(i).\(name)"] = .init(float32: v, shape: [v.count])
            }
        }
        let metadata = [
            "progress": String(decoding: try jsonEncoder.encode(trainer.progress), as: UTF8.self),
            "recipe": String(decoding: try jsonEncoder.encode(trainer.recipe), as: UTF8.self),
            "architecture": try trainer.network.architecture.json.compactSerialized(),
            "dataset": dataset,
        ]
        let bytes = try Safetensors(tensors: tensors, metadata: metadata).serialized()
        // stage1-state before train-state: a kill between the two leaves train-state one epoch behind (the epoch is
        // trained again on --resume, bit-identically, and rewrites stage1-state), never a train-state past stage 1
        // without its stage1-state.
        if trainer.isAtEndOfStage1 {
            try AtomicFile.write(bytes, to: (directory as NSString).appendingPathComponent(stage1StateFileName))
        }
        try AtomicFile.write(bytes, to: (directory as NSString).appendingPathComponent(stateFileName))
        try checkpoint(trainer, dataset: dataset, testImages: testImages).write(to: directory)
    }

    /// Restores a trainer from `directory/train-state.safetensors`; the recipe, architecture and dataset must match.
    public static func resume(_ trainer: Trainer, from directory: String, dataset: String? = nil) throws {
        let path = (directory as NSString).appendingPathComponent(stateFileName)
        let st = try readState(path)
        let requested = String(decoding: try jsonEncoder.encode(trainer.recipe), as: UTF8.self)
        guard let saved = st.metadata["recipe"], saved == requested else {
            throw ResumeError.recipeMismatch(saved: st.metadata["recipe"] ?? "none", requested: requested)
        }
        try load(st, path: path, dataset: dataset, into: trainer)
        // A run killed by an older tern between train-state and stage1-state: the state is still stage 1's, so the
        // missing half is the same bytes.
        let stage1Path = (directory as NSString).appendingPathComponent(stage1StateFileName)
        if trainer.isAtEndOfStage1 && !FileManager.default.fileExists(atPath: stage1Path) {
            let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
            try AtomicFile.write(bytes, to: stage1Path)
        }
    }

    static func readState(_ path: String) throws -> Safetensors {
        guard let data = FileManager.default.contents(atPath: path) else { throw ResumeError.missing(path: path) }
        do { return try Safetensors(bytes: [UInt8](data)) } catch {
            throw ResumeError.unreadable(path: path, problem: "\(error)")
        }
    }

    /// Puts a saved state (recipe already checked) into `trainer`: parameters, moments, masks, progress, teacher.
    /// States written before the dataset was recorded pass the dataset check.
    static func load(_ st: Safetensors, path: String, dataset: String?, into trainer: Trainer) throws {
        if let dataset, let saved = st.metadata["dataset"], saved != dataset {
            throw ResumeError.datasetMismatch(saved: saved, requested: dataset)
        }
        guard st.metadata["architecture"] == (try trainer.network.architecture.json.compactSerialized()) else {
            throw ResumeError.architectureMismatch(name: trainer.network.architecture.name)
        }
        guard let progressText = st.metadata["progress"],
              let progress = try? JSONDecoder().decode(TrainingProgress.self, from: Data(progressText.utf8)) else {
            throw ResumeError.unreadable(path: path, problem: "no progress record")
        }
        func floats(_ name: String, _ count: Int) throws -> [Float] {
            guard let v = st.tensors[name]?.float32Values, v.count == count else { throw ResumeError.wrongTensor(name: name) }
            return v
        }
        for (i, l) in trainer.network.weightLayers.enumerated() {
            for (name, p) in [("weight", l.weight), ("gamma", l.gamma), ("beta", l.beta)] {
                p.value = try floats("\(i).\(name)", p.count)
                p.moment1 = try floats("\(i).\(name).m1", p.count)
                p.moment2 = try floats("\(i).\(name).m2", p.count)
            }
            l.runningMean = try floats("\(i).runningMean", l.outputs)
            l.runningVar = try floats("\(i).runningVar", l.outputs)
            if let t = st.tensors["\(i).mask"] {
                guard let m = t.uint8Values, m.count == l.weight.count else { throw ResumeError.wrongTensor(name: "\(i).mask") }
                l.mask = m
            } else {
                l.mask = nil
            }
        }
        trainer.progress = progress
        if !trainer.hasExternalTeacher { trainer.teacher = nil }
        if trainer.teacherIsDue {
            let layers = trainer.network.weightLayers
            var saved: [(weight: [Float], gamma: [Float], beta: [Float], mean: [Float], variance: [Float])] = []
            for (i, l) in layers.enumerated() {
                saved.append((try floats("teacher.\(i).weight", l.weight.count), try floats("teacher.\(i).gamma", l.outputs),
                              try floats("teacher.\(i).beta", l.outputs), try floats("teacher.\(i).runningMean", l.outputs),
                              try floats("teacher.\(i).runningVar", l.outputs)))
            }
            trainer.teacher = trainer.makeTeacher { saved[$0] }
        }
        trainer.applyQuantization()
    }
}

extension TrainingCheckpoint {
    public enum RestoreError: Error, CustomStringConvertible {
        case noRecipe
        case missingWeights(layer: Int)

        public var description: String {
            switch self {
            case .noRecipe: return "model.json has no trainer recipe this version understands"
            case .missingWeights(let l): return "layer \(l) has no latent weights (layers.\(l).weight)"
            }
        }
    }

    /// A finished trainer rebuilt from a checkpoint written by `save`: latent weights (back to internal order),
    /// masks, batch norm and the recipe's final quantization, so its float-simulated forward pass is the one the
    /// run measured.
    public static func restore(_ checkpoint: Checkpoint) throws -> Trainer {
        let recipeText = try checkpoint.recipe.compactSerialized()
        guard let recipe = try? JSONDecoder().decode(Recipe.self, from: Data(recipeText.utf8)) else { throw RestoreError.noRecipe }
        let trainer = Trainer(architecture: checkpoint.architecture, recipe: recipe)
        let inputs = weightInputShapes(checkpoint.architecture)
        for (n, (layerIndex, l)) in zip(checkpoint.architecture.weightLayerIndices, trainer.network.weightLayers).enumerated() {
            guard let t = checkpoint.layers[layerIndex], let w = t.weight else { throw RestoreError.missingWeights(layer: layerIndex) }
            let perm = checkpointToInternal(l, inputShape: inputs[n])
            l.weight.value = toInternalOrder(w, perm)
            l.mask = t.mask.map { toInternalOrder($0, perm) }
            if let bn = t.batchNorm {
                l.gamma.value = bn.gamma; l.beta.value = bn.beta
                l.runningMean = bn.mean; l.runningVar = bn.variance
            }
        }
        trainer.progress.epochsDone = recipe.totalEpochs
        trainer.applyQuantization()
        return trainer
    }
}
