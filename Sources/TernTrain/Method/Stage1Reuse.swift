import Foundation
import TernModel

// Starting a sparse-ternary run from another run's stage 1 (`tern train --stage1-from`). Stage 1 reads none of the
// settings only stages 2 + 3 use (sparsity, pruning, their epochs, the retraining rate, distillation), so runs that
// differ only in those train the same stage 1: continuing from the state another run saved at the end of its stage 1
// gives bit-for-bit the run that trains stage 1 itself, without paying for it again (a sparsity sweep shares one).

extension Recipe {
    /// The recipe with every field only stages 2 + 3 read set to a fixed value: two recipes have equal `stage1Part`s
    /// exactly when they train the same stage 1.
    public var stage1Part: Recipe {
        var r = self
        r.sparsity = 0
        r.epochs = [epochs.first ?? 0]
        r.retrainLearningRate = 0
        r.pruning = .perLayer
        r.lastLayerSparsityCap = 0
        r.pruningSteps = 0
        r.distillation = nil
        return r
    }

    /// A sparse-ternary recipe with stage-1 and stage-2 epochs: its stage 1 ends before anything is pruned (with no
    /// stage-2 epochs, the last stage-1 epoch prunes at once), so it can save and share that stage 1.
    public var hasSharableStage1: Bool { method == .sparseTernary && stages[0].epochs > 0 && stages[1].epochs > 0 }
}

extension Trainer {
    /// Whether the trainer has just finished a stage 1 it can share (`Recipe.hasSharableStage1`).
    public var isAtEndOfStage1: Bool {
        recipe.hasSharableStage1 && progress.epochsDone == recipe.stages[0].epochs
    }
}

extension TrainingCheckpoint {
    public enum Stage1Error: Error, CustomStringConvertible {
        /// Only a sparse-ternary recipe with stage-1 and stage-2 epochs has a stage 1 to share.
        case recipeHasNoStage1
        case noSnapshot(path: String)
        /// The keys of the recipe (model.json's `recipe`) whose values make the two stage 1s differ.
        case stage1Differs(path: String, keys: [String])

        public var description: String {
            switch self {
            case .recipeHasNoStage1:
                return "--stage1-from needs --recipe sparse-ternary with stage-1 and stage-2 epochs (--epochs a,b,c, a > 0, b > 0)"
            case .noSnapshot(let p):
                return "\(p): no stage-1 state (it is written when a sparse-ternary run with a stage 2 finishes stage 1)"
            case .stage1Differs(let p, let keys):
                return "\(p): that run's stage 1 was trained differently; recipe fields that differ: \(keys.joined(separator: ", "))"
            }
        }
    }

    /// Loads `directory/stage1-state.safetensors` into a fresh trainer whose recipe trains the same stage 1 (same
    /// architecture and dataset too); training then continues with stage 2.
    public static func startFromStage1(_ trainer: Trainer, of directory: String, dataset: String?) throws {
        guard trainer.recipe.hasSharableStage1 else { throw Stage1Error.recipeHasNoStage1 }
        let path = (directory as NSString).appendingPathComponent(stage1StateFileName)
        guard FileManager.default.fileExists(atPath: path) else { throw Stage1Error.noSnapshot(path: path) }
        let st = try readState(path)
        guard let savedText = st.metadata["recipe"],
              let saved = try? JSONDecoder().decode(Recipe.self, from: Data(savedText.utf8)) else {
            throw ResumeError.unreadable(path: path, problem: "no recipe record this version understands")
        }
        let keys = try differingKeys(saved.stage1Part, trainer.recipe.stage1Part)
        guard keys.isEmpty else { throw Stage1Error.stage1Differs(path: path, keys: keys) }
        try load(st, path: path, dataset: dataset, into: trainer)
        guard trainer.isAtEndOfStage1 else {
            throw ResumeError.unreadable(path: path, problem: "the state is not at the end of stage 1")
        }
    }

    /// Top-level keys whose JSON values differ between two recipes (a key only one of them has counts).
    static func differingKeys(_ a: Recipe, _ b: Recipe) throws -> [String] {
        func object(_ r: Recipe) throws -> [String: JSONValue] {
            guard case .object(let o) = try JSONValue.parse(bytes: Array(try jsonEncoder.encode(r))) else { return [:] }
            return o
        }
        let (x, y) = (try object(a), try object(b))
        return Set(x.keys).union(y.keys).filter { x[$0] != y[$0] }.sorted()
    }
}
