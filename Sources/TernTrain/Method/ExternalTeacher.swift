import Foundation
import TernModel

// Distilling from another run's finished network (`tern train --distill β --teacher DIR`): a stronger network of
// another architecture (cnv28 for an LFC student) can teach stages 2 + 3 more than the student's own stage 1 does.
// The teacher is frozen and evaluated as its own run measured it (eval-mode batch norm, its final quantization).

public enum ExternalTeacher {
    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String, problem: String)
        case datasetMismatch(path: String, teacher: String, student: String)
        case inputMismatch(path: String, teacher: String, student: String)
        case classMismatch(path: String, teacher: Int, student: Int)

        public var description: String {
            switch self {
            case .unreadable(let p, let why): return "teacher \(p): \(why)"
            case .datasetMismatch(let p, let t, let s): return "teacher \(p) was trained on \(t), the student trains on \(s)"
            case .inputMismatch(let p, let t, let s): return "teacher \(p) reads \(t) images, the student reads \(s)"
            case .classMismatch(let p, let t, let s): return "teacher \(p) has \(t) classes, the student \(s)"
            }
        }
    }

    /// The finished network saved in checkpoint directory `path`, and what identifies it, checked against the
    /// student's architecture and dataset.
    public static func load(path: String, student: Architecture, dataset: String) throws -> (network: Network, identity: Recipe.Distillation.Teacher) {
        let trainer: Trainer
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.load(path: path)
            trainer = try TrainingCheckpoint.restore(checkpoint)
        } catch {
            throw LoadError.unreadable(path: path, problem: "\(error)")
        }
        guard checkpoint.dataset == dataset else {
            throw LoadError.datasetMismatch(path: path, teacher: checkpoint.dataset, student: dataset)
        }
        // Shape inference gives both networks' input and logit shapes without building the student.
        let teacherShapes: [LayerShape], studentShapes: [LayerShape]
        do {
            teacherShapes = try checkpoint.architecture.inferShapes()
            studentShapes = try student.inferShapes()
        } catch {
            throw LoadError.unreadable(path: path, problem: "\(error)")
        }
        guard let t = teacherShapes.first, let s = studentShapes.first, let tOut = teacherShapes.last,
              let sOut = studentShapes.last else { throw LoadError.unreadable(path: path, problem: "no layers") }
        guard t.input == s.input else {
            throw LoadError.inputMismatch(path: path, teacher: t.input.description, student: s.input.description)
        }
        guard tOut.output.elements == sOut.output.elements else {
            throw LoadError.classMismatch(path: path, teacher: tOut.output.elements, student: sOut.output.elements)
        }
        let identity = Recipe.Distillation.Teacher(architecture: checkpoint.architecture.name,
                                                   fingerprint: fingerprint(trainer.network))
        return (trainer.network, identity)
    }

    /// FNV-1a 64 over every value the teacher's forward pass reads (latent weights, masks, batch-norm parameters and
    /// statistics, in layer order), as 16 hex digits: the same network gives the same print wherever its files lie.
    public static func fingerprint(_ network: Network) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        func mix(_ values: [Float]) {
            for v in values { var b = v.bitPattern; for _ in 0 ..< 4 { mix(UInt8(b & 0xff)); b >>= 8 } }
        }
        for l in network.weightLayers {
            mix(l.weight.value); mix(l.gamma.value); mix(l.beta.value); mix(l.runningMean); mix(l.runningVar)
            mix(l.mask == nil ? 0 : 1)
            for m in l.mask ?? [] { mix(m) }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
