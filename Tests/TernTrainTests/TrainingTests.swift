import Foundation
import Testing
import TernModel
import TernTestSupport
@testable import TernTrain

/// End-to-end behaviour of the trainer on the generated synthetic-digits fixture (TernTestSupport).
@Suite struct TrainingTests {
    /// 144-32-10 on 12×12 synthetic digits with 1-bit activations: small enough for debug builds.
    static let side = 12
    static let tiny = Architecture(name: "tiny", input: .init(channels: 1, height: side, width: side),
                                   layers: [.dense(out: 32, activation: .sign), .dense(out: 10, activation: nil)])
    static let tinyConv = Architecture(name: "tinyconv", input: .init(channels: 1, height: side, width: side),
                                       layers: [.conv(out: 4, kernel: 3, padding: 1, activation: .uniform2),
                                                .maxPool(size: 2), .dense(out: 10, activation: nil)])

    static func data(_ n: Int, seed: UInt64) -> Dataset {
        let (images, labels) = DatasetFixtures.syntheticDigits(count: n, side: side, seed: seed)
        return Dataset(kind: .mnist, split: .train, images: images, labels: labels, channels: 1, height: side, width: side,
                       classes: 10)
    }

    static func recipe(_ epochs: [Int] = [3, 1, 3]) -> Recipe {
        var r = Recipe(method: .sparseTernary, sparsity: 0.9, epochs: epochs, seed: 3)
        r.batchSize = 10
        r.pruningSteps = 4
        return r
    }

    static func train(_ arch: Architecture, _ recipe: Recipe, epochs: Int? = nil) -> Trainer {
        let trainer = Trainer(architecture: arch, recipe: recipe)
        let train = data(300, seed: 1), test = data(200, seed: 2)
        var n = 0
        while !trainer.isFinished && n < (epochs ?? .max) { trainer.runEpoch(train: train, test: test); n += 1 }
        return trainer
    }

    @Test func threeStagesReachAccuracyAndExactSparsity() {
        let t = Self.train(Self.tiny, Self.recipe())
        #expect(t.progress.stages.map(\.name) == ["stage1", "stage2", "stage3"])
        // Stage 1's recorded accuracy is that of the ternary, unpruned network it ended with.
        let afterStage1 = Self.train(Self.tiny, Self.recipe(), epochs: 3)
        #expect(afterStage1.network.weightLayers.allSatisfy { $0.quantization == .ternary && $0.mask == nil })
        #expect(afterStage1.progress.stages.first?.testAccuracy == afterStage1.accuracy(on: Self.data(200, seed: 2)))
        #expect(t.progress.lastTestAccuracy >= 0.8, "accuracy \(t.progress.lastTestAccuracy)")
        let sp = t.network.sparsity
        #expect(abs(sp.total - 0.9) < 1e-3, "sparsity \(sp.total)")
        // The last layer is capped at 80 %, the first carries the rest.
        #expect(abs(sp.layers[1] - 0.8) < 1e-3)
    }

    @Test func sameSeedGivesBitIdenticalWeights() {
        let a = Self.train(Self.tinyConv, Self.recipe([1, 1, 1]))
        let b = Self.train(Self.tinyConv, Self.recipe([1, 1, 1]))
        for (x, y) in zip(a.network.weightLayers, b.network.weightLayers) {
            #expect(x.weight.value == y.weight.value)
            #expect(x.runningVar == y.runningVar)
            #expect(x.mask == y.mask)
        }
        var other = Self.recipe([1, 1, 1]); other.seed = 4
        let c = Self.train(Self.tinyConv, other)
        #expect(a.network.weightLayers[0].weight.value != c.network.weightLayers[0].weight.value)
    }

    /// The conv path (gathered im2col, reused layer buffers, padded and unpadded convs) resumes bit-identically too
    /// and gives the same weights for any thread count.
    @Test func convNetworkResumesAndIgnoresThreadCount() throws {
        let arch = Architecture(name: "tinyconv2", input: .init(channels: 1, height: Self.side, width: Self.side),
                                layers: [.conv(out: 4, kernel: 3, padding: 1, activation: .uniform2),
                                         .conv(out: 6, kernel: 3, padding: 0, activation: .sign),
                                         .maxPool(size: 2), .dense(out: 10, activation: nil)])
        let dir = DatasetFixtures.temporaryDirectory("tern-resume-conv")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var recipe = Self.recipe([1, 1, 1])
        recipe.augmentation = .shift
        let straight = Self.train(arch, recipe)
        let first = Self.train(arch, recipe, epochs: 2)
        try TrainingCheckpoint.save(first, dataset: "mnist", to: dir)
        let resumed = Trainer(architecture: arch, recipe: recipe)
        try TrainingCheckpoint.resume(resumed, from: dir)
        let train = Self.data(300, seed: 1), test = Self.data(200, seed: 2)
        while !resumed.isFinished { resumed.runEpoch(train: train, test: test) }
        Parallel.overrideThreads = 3
        let threaded = Self.train(arch, recipe)
        Parallel.overrideThreads = 1
        let single = Self.train(arch, recipe)
        Parallel.overrideThreads = nil
        for other in [resumed, threaded, single] {
            for (x, y) in zip(straight.network.weightLayers, other.network.weightLayers) {
                #expect(x.weight.value == y.weight.value)
                #expect(x.beta.value == y.beta.value)
                #expect(x.runningVar == y.runningVar)
            }
        }
    }

    @Test func resumeContinuesBitIdentically() throws {
        let dir = DatasetFixtures.temporaryDirectory("tern-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // With augmentation, so its per-epoch generator and its place in the saved recipe are covered too.
        var recipe = Self.recipe()
        recipe.augmentation = .shift
        let straight = Self.train(Self.tiny, recipe)
        // Stop after the stage-2 epoch (mask present, moments non-zero), save, resume in a fresh trainer.
        let first = Self.train(Self.tiny, recipe, epochs: 4)
        try TrainingCheckpoint.save(first, dataset: "mnist", to: dir)
        let resumed = Trainer(architecture: Self.tiny, recipe: recipe)
        try TrainingCheckpoint.resume(resumed, from: dir)
        #expect(resumed.progress == first.progress)
        let train = Self.data(300, seed: 1), test = Self.data(200, seed: 2)
        while !resumed.isFinished { resumed.runEpoch(train: train, test: test) }
        for (x, y) in zip(straight.network.weightLayers, resumed.network.weightLayers) {
            #expect(x.weight.value == y.weight.value)
            #expect(x.gamma.value == y.gamma.value)
            #expect(x.runningMean == y.runningMean)
        }
        #expect(straight.progress == resumed.progress || straight.progress.stages.map(\.testAccuracy) == resumed.progress.stages.map(\.testAccuracy))

        // The written checkpoint is what TernModel reads back, in checkpoint order and with the mask.
        let cp = try Checkpoint.load(path: dir)
        #expect(cp.dataset == "mnist" && cp.stages.count == 2 && cp.sparsity != nil)
        #expect(cp.layers[0]?.mask != nil && cp.layers[0]?.ternary?.count == 144 * 32)
        var other = recipe; other.augmentation = nil
        let wrong = Trainer(architecture: Self.tiny, recipe: other)
        #expect(throws: TrainingCheckpoint.ResumeError.self) { try TrainingCheckpoint.resume(wrong, from: dir) }
    }

    @Test func checkpointPermutesConvAndFlattenOrder() throws {
        let t = Self.train(Self.tinyConv, Self.recipe([1, 0, 0]))
        let cp = TrainingCheckpoint.checkpoint(t, dataset: "mnist")
        try cp.validate()
        let conv = t.network.weightLayers[0], dense = t.network.weightLayers[1]
        // Conv: internal OHWI [o][ky][kx][c] (c = 0 only) == OIHW [o][c][ky][kx].
        #expect(cp.layers[0]?.weight?[2 * 9 + 1 * 3 + 2] == conv.weight.value[2 * 9 + (1 * 3 + 2) * 1])
        // Dense after conv+pool (4×6×6): checkpoint index c·36 + y·6 + x ↔ internal (y·6 + x)·4 + c.
        let fan = 4 * 6 * 6
        #expect(cp.layers[2]?.weight?[3 * fan + 2 * 36 + 5 * 6 + 4] == dense.weight.value[3 * fan + (5 * 6 + 4) * 4 + 2])
    }

    @Test func baselinesTrain() {
        for method in [Recipe.Method.float, .binary, .twn] {
            var r = Recipe(method: method, sparsity: 0, epochs: [4], seed: 1)
            r.batchSize = 10
            let t = Self.train(Self.tiny, r)
            #expect(t.progress.lastTestAccuracy > 0.8, "\(method): \(t.progress.lastTestAccuracy)")
        }
    }

    @Test func perLayerTargetsAddUpToTheTotal() {
        let counts = [784 * 1024, 1024 * 1024, 1024 * 1024, 10240]
        let t = Pruner.perLayerTargets(counts: counts, target: 0.95, lastCap: 0.8)
        let total = zip(t, counts).reduce(0.0) { $0 + $1.0 * Double($1.1) } / Double(counts.reduce(0, +))
        #expect(abs(total - 0.95) < 1e-12 && t[3] == 0.8)
        #expect(Pruner.gradualTarget(final: 0.9, progress: 1) == 0.9 && Pruner.gradualTarget(final: 0.9, progress: 0) == 0)
    }

    @Test func erkTargetsKeepSmallLayersDenseAndAddUpToTheTotal() {
        // cnv28's weight layers: six 3×3 convs, then 256-512-512-10.
        let convs = [(1, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256)]
        let counts = convs.map { $0.0 * $0.1 * 9 } + [256 * 512, 512 * 512, 512 * 10]
        let scores = convs.map { Double($0.0 + $0.1 + 6) / Double($0.0 * $0.1 * 9) }
            + [Double(256 + 512) / Double(256 * 512), Double(512 + 512) / Double(512 * 512), 0]
        // Stage 1's dead zone already pruned 40 % of every layer.
        let pruned = counts.map { Int(0.4 * Double($0)) }
        let t = Pruner.erkTargets(counts: counts, scores: scores, alreadyPruned: pruned, target: 0.9, lastCap: 0.8)
        let total = zip(t, counts).reduce(0.0) { $0 + $1.0 * Double($1.1) } / Double(counts.reduce(0, +))
        #expect(abs(total - 0.9) < 1e-9, "total \(total)")
        #expect(abs(t[0] - Double(pruned[0]) / Double(counts[0])) < 1e-12, "first conv stays at its dead zone: \(t[0])")
        #expect(t[8] == 0.8)
        // Along the conv stack the layers grow and so does their sparsity.
        for i in 1 ..< 5 { #expect(t[i] < t[i + 1], "\(t)") }
        // Nothing to reallocate (every layer already sparser than its share): each keeps what it has, the small
        // first conv included.
        let full = counts.map { Int(0.95 * Double($0)) }
        let kept = Pruner.erkTargets(counts: counts, scores: scores, alreadyPruned: full, target: 0.9, lastCap: 0.8)
        for i in 0 ..< 8 { #expect(abs(kept[i] - Double(full[i]) / Double(counts[i])) < 1e-12, "\(kept)") }
        // Rounding at the end of stage 2 can leave the big layer exactly at its share and the first conv just under
        // it: the first conv must not be pruned to the per-layer sparsity then.
        let atShare = Pruner.erkTargets(counts: [36, 4608, 320], scores: [11.0 / 36, 176.0 / 4608, 0],
                                        alreadyPruned: [11, 4201, 256], target: 0.9, lastCap: 0.8)
        #expect(atShare[0] == 11.0 / 36 && atShare[1] == 4201.0 / 4608, "\(atShare)")
    }

    @Test func erkPruningReachesTheTarget() {
        // Two hidden weight layers of very different size (ERK with one hidden layer is per-layer pruning).
        let arch = Architecture(name: "tinyconv-fc", input: .init(channels: 1, height: Self.side, width: Self.side),
                                layers: [.conv(out: 4, kernel: 3, padding: 1, activation: .uniform2), .maxPool(size: 2),
                                         .dense(out: 32, activation: .sign), .dense(out: 10, activation: nil)])
        var recipe = Self.recipe([1, 1, 1])
        recipe.pruning = .erk
        // Without the threshold regularizer stage 1 leaves ≈ 40 % zeros (with it, this tiny net's dead zone is
        // already past 90 % and there is nothing to allocate).
        recipe.thresholdRegularizer = false
        let t = Self.train(arch, recipe)
        let sp = t.network.sparsity
        #expect(abs(sp.total - 0.9) < 2e-3, "sparsity \(sp)")
        // The 36-weight conv keeps what stage 1 left (per-layer pruning would take it to 90 % too); the
        // 4608-weight dense layer carries the zeros, the last layer its 80 % cap.
        #expect(sp.layers[0] < 0.7 && sp.layers[1] > 0.9 && abs(sp.layers[2] - 0.8) < 1e-3, "\(sp.layers)")
        var perLayer = recipe
        perLayer.pruning = .perLayer
        #expect(Self.train(arch, perLayer).network.sparsity.layers[0] > 0.85)
    }
}
