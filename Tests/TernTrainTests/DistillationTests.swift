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

    /// Trains `recipe` on the tiny data from scratch or from `start`, with `teacher` as its external teacher.
    static func run(_ recipe: Recipe, teacher: Network, from start: Trainer? = nil, epochs: Int = .max) -> Trainer {
        let trainer = start ?? Trainer(architecture: TrainingTests.tiny, recipe: recipe)
        trainer.useExternalTeacher(teacher)
        let train = TrainingTests.data(300, seed: 1), test = TrainingTests.data(200, seed: 2)
        var n = 0
        while !trainer.isFinished && n < epochs { trainer.runEpoch(train: train, test: test); n += 1 }
        return trainer
    }

    @Test func externalTeacherOfAnotherArchitectureTeachesAndResumes() throws {
        let dir = DatasetFixtures.temporaryDirectory("tern-external-teacher")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let teacherDir = dir + "/teacher", runDir = dir + "/run"
        var teacherRecipe = TrainingTests.recipe([2, 1, 1])
        teacherRecipe.sparsity = 0.5
        let teacherRun = TrainingTests.train(TrainingTests.tinyConv, teacherRecipe)
        try TrainingCheckpoint.save(teacherRun, dataset: "mnist", to: teacherDir)

        let (teacher, identity) = try ExternalTeacher.load(path: teacherDir, student: TrainingTests.tiny, dataset: "mnist")
        #expect(identity.architecture == "tinyconv" && identity.fingerprint.count == 16)
        #expect(identity.fingerprint == ExternalTeacher.fingerprint(teacherRun.network))
        // It predicts as its own run measured it.
        let test = TrainingTests.data(200, seed: 2)
        let x = teacher.inputs(test.images, imageSize: test.imageSize, indices: ArraySlice(0 ..< 50))
        #expect(teacher.forward(x, batch: 50, training: false) == teacherRun.network.forward(x, batch: 50, training: false))

        var recipe = Self.recipe()
        recipe.distillation?.teacher = identity
        let straight = Self.run(recipe, teacher: teacher)
        #expect(straight.teacher === teacher, "stage 2 replaced the external teacher")
        // The external teacher is the one that teaches: stage 1's teacher, or none, ends elsewhere.
        var plain = recipe; plain.distillation = nil
        for other in [Self.recipe(), plain] {
            #expect(TrainingTests.train(TrainingTests.tiny, other).network.weightLayers[0].weight.value
                    != straight.network.weightLayers[0].weight.value)
        }
        #expect(straight.progress.lastTestAccuracy >= 0.7, "accuracy \(straight.progress.lastTestAccuracy)")

        // Its weights are not part of the state; the resumed run is given it again and continues bit-identically.
        let first = Self.run(recipe, teacher: teacher, epochs: 3)
        try TrainingCheckpoint.save(first, dataset: "mnist", to: runDir)
        let state = try TrainingCheckpoint.readState(runDir + "/" + TrainingCheckpoint.stateFileName)
        #expect(!state.tensors.keys.contains { $0.hasPrefix("teacher.") })
        let resumed = Trainer(architecture: TrainingTests.tiny, recipe: recipe)
        resumed.useExternalTeacher(try ExternalTeacher.load(path: teacherDir, student: TrainingTests.tiny, dataset: "mnist").network)
        try TrainingCheckpoint.resume(resumed, from: runDir)
        _ = Self.run(recipe, teacher: resumed.teacher!, from: resumed)
        for (x, y) in zip(straight.network.weightLayers, resumed.network.weightLayers) {
            #expect(x.weight.value == y.weight.value && x.gamma.value == y.gamma.value && x.mask == y.mask)
        }
        // Another teacher is another recipe: resuming with it is refused.
        var other = recipe
        other.distillation?.teacher?.fingerprint = ExternalTeacher.fingerprint(first.network)
        #expect(throws: TrainingCheckpoint.ResumeError.self) {
            try TrainingCheckpoint.resume(Trainer(architecture: TrainingTests.tiny, recipe: other), from: runDir)
        }
    }

    @Test func externalTeacherMustMatchTheStudentsData() throws {
        let dir = DatasetFixtures.temporaryDirectory("tern-external-teacher-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TrainingCheckpoint.save(TrainingTests.train(TrainingTests.tiny, TrainingTests.recipe([1, 1, 0])),
                                    dataset: "mnist", to: dir)
        func failure(_ student: Architecture, _ dataset: String, path: String? = nil) -> String {
            do {
                _ = try ExternalTeacher.load(path: path ?? dir, student: student, dataset: dataset)
                return "loaded"
            } catch { return "\(error)" }
        }
        #expect(failure(TrainingTests.tiny, "mnist") == "loaded")
        #expect(failure(TrainingTests.tiny, "fashion-mnist").contains("trained on mnist, the student trains on fashion-mnist"))
        let wide = Architecture(name: "wide", input: .init(channels: 1, height: 28, width: 28),
                                layers: [.dense(out: 10, activation: nil)])
        #expect(failure(wide, "mnist").contains("the student reads 1×28×28"))
        let fewer = Architecture(name: "fewer", input: TrainingTests.tiny.input, layers: [.dense(out: 4, activation: nil)])
        #expect(failure(fewer, "mnist").contains("10 classes, the student 4"))
        #expect(failure(TrainingTests.tiny, "mnist", path: dir + "/missing").hasPrefix("teacher \(dir)/missing:"))
    }
}
