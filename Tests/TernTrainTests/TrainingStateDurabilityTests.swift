import Foundation
import Testing
import TernModel
import TernTestSupport
@testable import TernTrain

/// Issue 23: train-state and stage1-state stay consistent when a save is interrupted, and a missing stage1-state
/// is rebuilt on resume; a batch larger than the data is clamped instead of trapping.
@Suite struct TrainingStateDurabilityTests {
    static let trainSet = TrainingTests.data(300, seed: 1), testSet = TrainingTests.data(200, seed: 2)

    /// Stage 1 has 2 epochs: after the second the trainer is at the end of stage 1.
    func trainerAtEndOfStage1(savingTo dir: String) throws -> Trainer {
        let trainer = Trainer(architecture: TrainingTests.tiny, recipe: TrainingTests.recipe([2, 1, 1]))
        trainer.runEpoch(train: Self.trainSet, test: Self.testSet)
        try TrainingCheckpoint.save(trainer, dataset: "mnist", to: dir)
        trainer.runEpoch(train: Self.trainSet, test: Self.testSet)
        #expect(trainer.isAtEndOfStage1)
        return trainer
    }

    func progress(_ path: String) throws -> Int {
        let st = try TrainingCheckpoint.readState(path)
        let p = try JSONDecoder().decode(TrainingProgress.self, from: Data(st.metadata["progress"]!.utf8))
        return p.epochsDone
    }

    /// The save at the end of stage 1 fails between the two files (stage1-state cannot be written): train-state
    /// must not already say stage 1 is over, or --resume would finish the run without a stage1-state.
    @Test func anInterruptedSaveNeverLeavesTrainStatePastStage1WithoutStage1State() throws {
        let dir = DatasetFixtures.temporaryDirectory("tern-durability")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trainer = try trainerAtEndOfStage1(savingTo: dir)
        let stage1 = (dir as NSString).appendingPathComponent(TrainingCheckpoint.stage1StateFileName)
        let state = (dir as NSString).appendingPathComponent(TrainingCheckpoint.stateFileName)
        // A non-empty directory where stage1-state goes: its rename fails.
        try FileManager.default.createDirectory(atPath: stage1, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: stage1 + "/blocker", contents: Data([1]))
        #expect(throws: (any Error).self) { try TrainingCheckpoint.save(trainer, dataset: "mnist", to: dir) }
        #expect(try progress(state) == 1, "train-state moved past stage 1 without its stage1-state")
        // The retry after the problem is gone (what --resume does) writes both.
        try FileManager.default.removeItem(atPath: stage1)
        try TrainingCheckpoint.save(trainer, dataset: "mnist", to: dir)
        #expect(try progress(state) == 2)
        #expect(FileManager.default.contents(atPath: stage1) == FileManager.default.contents(atPath: state))
    }

    /// A run killed by an older tern between the two files: resuming rebuilds the missing stage1-state.
    @Test func resumeRebuildsAMissingStage1State() throws {
        let dir = DatasetFixtures.temporaryDirectory("tern-durability")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let trainer = try trainerAtEndOfStage1(savingTo: dir)
        try TrainingCheckpoint.save(trainer, dataset: "mnist", to: dir)
        let stage1 = (dir as NSString).appendingPathComponent(TrainingCheckpoint.stage1StateFileName)
        let written = FileManager.default.contents(atPath: stage1)
        #expect(written != nil)
        try FileManager.default.removeItem(atPath: stage1)
        let resumed = Trainer(architecture: TrainingTests.tiny, recipe: TrainingTests.recipe([2, 1, 1]))
        try TrainingCheckpoint.resume(resumed, from: dir, dataset: "mnist")
        #expect(FileManager.default.contents(atPath: stage1) == written)
    }

    /// A training set smaller than one batch trains with the batch clamped to it (this trapped: Trainer.swift:163).
    @Test func aBatchLargerThanTheDataIsClampedToIt() throws {
        var recipe = TrainingTests.recipe([1, 0, 0])
        recipe.batchSize = 1000
        let trainer = Trainer(architecture: TrainingTests.tiny, recipe: recipe)
        #expect(trainer.batchSize(for: 300) == 300 && trainer.batches(for: 300) == 1)
        #expect(trainer.batchSize(for: 5000) == 1000 && trainer.batches(for: 5000) == 5)
        let loss = trainer.runEpoch(train: Self.trainSet.prefix(50), test: Self.testSet.prefix(20))
        #expect(loss.isFinite)
    }
}
