import Foundation
import Testing
import TernModel
import TernTestSupport
@testable import TernTrain

/// Knowledge distillation in stages 2 + 3: the teacher is stage 1's final network, frozen, and survives a resume.
@Suite struct DistillationTests {
    static func recipe() -> Recipe {
        var r = TrainingTests.recipe([2, 1, 2])
        r.distillation = Recipe.Distillation(weight: 0.5, temperature: 2)
        return r
    }

    @Test func teacherIsStageOnesNetworkAndStaysFrozen() {
        let recipe = Self.recipe()
        let afterStage1 = TrainingTests.train(TrainingTests.tiny, recipe, epochs: 2)
        #expect(afterStage1.teacher == nil)
        let done = TrainingTests.train(TrainingTests.tiny, recipe)
        let test = TrainingTests.data(200, seed: 2)
        guard let teacher = done.teacher else { Issue.record("no teacher after stage 2"); return }
        for (t, s) in zip(teacher.weightLayers, afterStage1.network.weightLayers) {
            #expect(t.weight.value == s.weight.value && t.runningVar == s.runningVar && t.mask == nil)
        }
        // The student moved on from it; the teacher's predictions are those stage 1 was measured with.
        #expect(done.network.weightLayers[0].weight.value != teacher.weightLayers[0].weight.value)
        let x = teacher.inputs(test.images, imageSize: test.imageSize, indices: ArraySlice(0 ..< 50))
        #expect(teacher.forward(x, batch: 50, training: false)
                == afterStage1.network.forward(x, batch: 50, training: false))
        // Distilling changes the run: same seed without a teacher ends elsewhere.
        var plain = recipe; plain.distillation = nil
        let undistilled = TrainingTests.train(TrainingTests.tiny, plain)
        #expect(undistilled.network.weightLayers[0].weight.value != done.network.weightLayers[0].weight.value)
        #expect(done.progress.lastTestAccuracy >= 0.7, "accuracy \(done.progress.lastTestAccuracy)")
    }

    @Test func resumeRestoresTheTeacher() throws {
        let dir = DatasetFixtures.temporaryDirectory("tern-distill-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recipe = Self.recipe()
        let straight = TrainingTests.train(TrainingTests.tiny, recipe)
        let first = TrainingTests.train(TrainingTests.tiny, recipe, epochs: 3)
        try TrainingCheckpoint.save(first, dataset: "mnist", to: dir)
        let resumed = Trainer(architecture: TrainingTests.tiny, recipe: recipe)
        try TrainingCheckpoint.resume(resumed, from: dir)
        #expect(resumed.teacher != nil)
        let train = TrainingTests.data(300, seed: 1), test = TrainingTests.data(200, seed: 2)
        while !resumed.isFinished { resumed.runEpoch(train: train, test: test) }
        for (x, y) in zip(straight.network.weightLayers, resumed.network.weightLayers) {
            #expect(x.weight.value == y.weight.value && x.gamma.value == y.gamma.value && x.mask == y.mask)
        }

        // A state that lost its teacher cannot continue a distilled run: the error names the missing tensor.
        first.teacher = nil
        try TrainingCheckpoint.save(first, dataset: "mnist", to: dir)
        do {
            try TrainingCheckpoint.resume(Trainer(architecture: TrainingTests.tiny, recipe: recipe), from: dir)
            Issue.record("resumed without a teacher")
        } catch let e as TrainingCheckpoint.ResumeError {
            #expect(e.description.contains("teacher.0.weight"), "\(e)")
        }
    }
}
