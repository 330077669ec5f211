import Foundation
import Testing
import TernModel
import TernTestSupport
@testable import TernTrain

/// `--stage1-from`: a run started from another run's stage-1 state is the run that trains stage 1 itself.
@Suite struct Stage1ReuseTests {
    static let trainSet = TrainingTests.data(300, seed: 1), testSet = TrainingTests.data(200, seed: 2)

    static func run(_ trainer: Trainer, savingTo dir: String? = nil) throws {
        while !trainer.isFinished {
            trainer.runEpoch(train: trainSet, test: testSet)
            if let dir { try TrainingCheckpoint.save(trainer, dataset: "mnist", to: dir) }
        }
    }

    @Test func branchEqualsTrainingStage1Again() throws {
        let dir = DatasetFixtures.temporaryDirectory("tern-stage1-source")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = TrainingTests.recipe([2, 1, 1])
        try Self.run(Trainer(architecture: TrainingTests.tiny, recipe: source), savingTo: dir)

        // Another sparsity, more retraining, distillation: all stage 2 + 3 settings.
        var other = TrainingTests.recipe([2, 1, 3])
        other.sparsity = 0.95
        other.retrainLearningRate = 3e-3
        other.distillation = Recipe.Distillation(weight: 0.5, temperature: 2)
        let straight = Trainer(architecture: TrainingTests.tiny, recipe: other)
        try Self.run(straight)
        let branched = Trainer(architecture: TrainingTests.tiny, recipe: other)
        try TrainingCheckpoint.startFromStage1(branched, of: dir, dataset: "mnist")
        #expect(branched.progress.epochsDone == 2 && branched.progress.stages.map(\.name) == ["stage1"])
        try Self.run(branched)
        for (x, y) in zip(straight.network.weightLayers, branched.network.weightLayers) {
            #expect(x.weight.value == y.weight.value && x.mask == y.mask && x.runningVar == y.runningVar)
            #expect(x.weight.moment2 == y.weight.moment2)
        }
        #expect(straight.progress.stages.map(\.testAccuracy) == branched.progress.stages.map(\.testAccuracy))
    }

    @Test func refusesADifferentStage1OrDataset() throws {
        let dir = DatasetFixtures.temporaryDirectory("tern-stage1-refuse")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = TrainingTests.recipe([1, 1, 1])
        try Self.run(Trainer(architecture: TrainingTests.tiny, recipe: source), savingTo: dir)

        var lr = source; lr.learningRate *= 2; lr.seed = 9
        do {
            try TrainingCheckpoint.startFromStage1(Trainer(architecture: TrainingTests.tiny, recipe: lr), of: dir, dataset: "mnist")
            Issue.record("accepted a different stage 1")
        } catch let e as TrainingCheckpoint.Stage1Error {
            #expect(e.description.contains("learningRate, seed"), "\(e)")
        }
        var longer = source; longer.epochs = [2, 1, 1]
        #expect(throws: TrainingCheckpoint.Stage1Error.self) {
            try TrainingCheckpoint.startFromStage1(Trainer(architecture: TrainingTests.tiny, recipe: longer), of: dir, dataset: "mnist")
        }
        #expect(throws: TrainingCheckpoint.ResumeError.self) {
            try TrainingCheckpoint.startFromStage1(Trainer(architecture: TrainingTests.tiny, recipe: source), of: dir,
                                                   dataset: "fashion-mnist")
        }
        // With no stage 2, stage 1's last epoch prunes: there is nothing to share.
        var oneShot = source; oneShot.epochs = [1, 0, 1]
        #expect(throws: TrainingCheckpoint.Stage1Error.self) {
            try TrainingCheckpoint.startFromStage1(Trainer(architecture: TrainingTests.tiny, recipe: oneShot), of: dir, dataset: "mnist")
        }
        let empty = DatasetFixtures.temporaryDirectory("tern-stage1-none")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        do {
            try TrainingCheckpoint.startFromStage1(Trainer(architecture: TrainingTests.tiny, recipe: source), of: empty, dataset: "mnist")
            Issue.record("started without a stage-1 state")
        } catch let e as TrainingCheckpoint.Stage1Error {
            #expect(e.description.contains(TrainingCheckpoint.stage1StateFileName), "\(e)")
        }
    }

    @Test func stage1StateIsTheStateAtTheEndOfStage1() throws {
        let dir = DatasetFixtures.temporaryDirectory("tern-stage1-file")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = TrainingTests.recipe([2, 1, 1])
        let trainer = Trainer(architecture: TrainingTests.tiny, recipe: recipe)
        let path = (dir as NSString).appendingPathComponent(TrainingCheckpoint.stage1StateFileName)
        trainer.runEpoch(train: Self.trainSet, test: Self.testSet)
        try TrainingCheckpoint.save(trainer, dataset: "mnist", to: dir)
        #expect(!FileManager.default.fileExists(atPath: path))
        trainer.runEpoch(train: Self.trainSet, test: Self.testSet)
        try TrainingCheckpoint.save(trainer, dataset: "mnist", to: dir)
        let atEnd = FileManager.default.contents(atPath: path)
        #expect(atEnd == FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(TrainingCheckpoint.stateFileName)))
        try Self.run(trainer, savingTo: dir)
        #expect(FileManager.default.contents(atPath: path) == atEnd)
    }
}
