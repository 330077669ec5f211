import Foundation
import TernModel

/// Accuracy and time of one finished stage (model.json's `stages`).
public struct StageRecord: Codable, Equatable, Sendable {
    public var name: String
    public var epochs: Int
    public var testAccuracy: Double
    public var seconds: Double
}

/// Progress of a run, saved with every checkpoint so `--resume` continues where it stopped.
public struct TrainingProgress: Codable, Equatable, Sendable {
    /// Epochs completed over all stages.
    public var epochsDone: Int = 0
    /// Optimizer steps taken (Adam's bias correction counts from the first step of the run).
    public var steps: Int = 0
    /// Seconds spent in the current stage before this process (resumed runs add to it).
    public var stageSeconds: Double = 0
    public var stages: [StageRecord] = []
    public var lastTestAccuracy: Double = 0
    public var lastTrainLoss: Double = 0
}

/// What the trainer reports while an epoch runs (for the progress bar).
public struct EpochTick: Sendable {
    public var stage: String
    public var epoch: Int, totalEpochs: Int
    public var batch: Int, batches: Int
    public var loss: Double, accuracy: Double
    public var learningRate: Float
}

/// The three-stage method (and the baselines) on one network: epoch by epoch, deterministic in the recipe's seed.
public final class Trainer {
    public let network: Network
    public let recipe: Recipe
    public var progress = TrainingProgress()
    /// The frozen teacher of stages 2 + 3 when the recipe distills: stage 1's final network (nil until stage 2), or
    /// the external teacher given to `useExternalTeacher` when the recipe names one.
    public internal(set) var teacher: Network?

    public init(architecture: Architecture, recipe: Recipe) {
        self.recipe = recipe
        network = Network(architecture: architecture, seed: recipe.seed,
                          activationOverride: recipe.method == .float ? .relu : nil)
        applyQuantization()
    }

    public var isFinished: Bool { progress.epochsDone >= recipe.totalEpochs }

    /// The stage epoch `e` (0-based over the run) belongs to, its index in `recipe.stages`, and the epoch within it.
    public func stage(ofEpoch e: Int) -> (index: Int, name: String, epochInStage: Int, epochs: Int) {
        var start = 0
        for (i, s) in recipe.stages.enumerated() {
            if e < start + s.epochs { return (i, s.name, e - start, s.epochs) }
            start += s.epochs
        }
        let last = recipe.stages.count - 1
        return (last, recipe.stages[last].name, 0, recipe.stages[last].epochs)
    }

    /// Sets every layer's weight quantizer for the current epoch's stage.
    public func applyQuantization() {
        switch recipe.method {
        case .float: network.setQuantization(.float)
        case .binary: network.setQuantization(.binary)
        case .twn: network.setQuantization(.ternary, thresholdFactor: recipe.thresholdFactor)
        case .sparseTernary:
            // Once stage 2 has pruned stage 1's dead zone, the mask is the whole quantizer; until then (all of
            // stage 1, including the accuracy measured at its end) the TWN threshold is.
            let pruned = network.weightLayers.allSatisfy { $0.mask != nil }
            network.setQuantization(pruned ? .masked : .ternary, thresholdFactor: recipe.thresholdFactor)
        }
    }

    /// Whether the recipe distills from another run's network rather than from stage 1's.
    var hasExternalTeacher: Bool { recipe.distillation?.teacher != nil }

    /// Sets the teacher of a recipe that names an external one (`ExternalTeacher.load` checks that it is that one).
    public func useExternalTeacher(_ network: Network) {
        precondition(hasExternalTeacher, "the recipe distills from stage 1's network")
        teacher = network
    }

    /// Whether the run has passed the point where stage 1's network becomes the teacher (a resumed run must find it in
    /// its state).
    var teacherIsDue: Bool {
        guard recipe.method == .sparseTernary, recipe.distillation != nil, !hasExternalTeacher else { return false }
        let s1 = recipe.stages[0].epochs
        return progress.epochsDone > s1 || (progress.epochsDone == s1 && recipe.stages[1].epochs == 0 && s1 > 0)
    }

    /// A network holding layer i's parameters and batch-norm statistics `weights(i)`, quantized as stage 1 quantizes.
    func makeTeacher(weights: (Int) -> (weight: [Float], gamma: [Float], beta: [Float], mean: [Float], variance: [Float])) -> Network {
        let t = Network(architecture: network.architecture, seed: recipe.seed)
        for (i, l) in t.weightLayers.enumerated() {
            let w = weights(i)
            l.weight.value = w.weight; l.gamma.value = w.gamma; l.beta.value = w.beta
            l.runningMean = w.mean; l.runningVar = w.variance
        }
        t.setQuantization(.ternary, thresholdFactor: recipe.thresholdFactor)
        return t
    }

    /// Freezes the current network as the teacher, before stage 2 prunes anything.
    private func takeTeacherIfDistilling() {
        guard recipe.distillation != nil, !hasExternalTeacher, teacher == nil else { return }
        let layers = network.weightLayers
        teacher = makeTeacher { i in
            let l = layers[i]
            return (l.weight.value, l.gamma.value, l.beta.value, l.runningMean, l.runningVar)
        }
    }

    /// The batch size a training set of `n` images is trained with: the recipe's, clamped to `n` so that a quick run
    /// on fewer images than one batch (`--train-limit 50` with batch 100) trains on all of them in one step per epoch.
    public func batchSize(for n: Int) -> Int { max(1, min(recipe.batchSize, n)) }

    /// Steps per epoch for a training set of `n` images (the last partial batch is dropped).
    public func batches(for n: Int) -> Int { max(1, n / batchSize(for: n)) }

    /// Trains one epoch, then measures test accuracy. Returns the mean training loss.
    @discardableResult
    public func runEpoch(train: Dataset, test: Dataset, tick: ((EpochTick) -> Void)? = nil) -> Double {
        precondition(!isFinished)
        precondition(!hasExternalTeacher || teacher != nil, "the recipe's external teacher was not given")
        let epoch = progress.epochsDone
        let st = stage(ofEpoch: epoch)
        let started = Date()
        applyQuantization()
        precondition(train.count > 0, "an epoch needs at least one training image")
        let batchSize = batchSize(for: train.count)
        let batches = batches(for: train.count)
        var rng = SplitMix64(seed: recipe.seed &+ 0x5EED &* UInt64(epoch + 1))
        let order = rng.permutation(train.count)
        var lossSum = 0.0, correct = 0, seen = 0
        let isSparse = recipe.method == .sparseTernary
        let augmentation = recipe.augmentation ?? .none
        var augmentationRng = SplitMix64(seed: (recipe.seed ^ 0xA06) &+ 0x9E37 &* UInt64(epoch + 1))
        // Quantization pruning: the weights stage 1's quantizer sets to zero become permanent zeros, so the network
        // stage 2 starts from is exactly the one stage 1 ended with.
        if isSparse && st.index == 1 && st.epochInStage == 0 {
            takeTeacherIfDistilling()
            Pruner.pruneDeadZone(network.weightLayers, thresholdFactor: recipe.thresholdFactor)
            applyQuantization()
        }
        for b in 0 ..< batches {
            // Learning rate: stage 1 (or baselines) one schedule; stages 2 + 3 one cosine.
            let lr: Float
            if isSparse && st.index > 0 {
                let s1 = recipe.stages[0].epochs
                let retrainSteps = (recipe.stages[1].epochs + recipe.stages[2].epochs) * batches
                lr = recipe.schedule.rate(base: recipe.retrainLearningRate,
                                          step: (epoch - s1) * batches + b, total: retrainSteps)
            } else {
                lr = recipe.schedule.rate(base: recipe.learningRate, step: st.epochInStage * batches + b,
                                          total: st.epochs * batches)
            }
            if isSparse && st.index == 1 {
                let interval = max(1, st.epochs * batches / max(recipe.pruningSteps, 1))
                let stepInStage = st.epochInStage * batches + b
                if stepInStage % interval == 0 {
                    let t = Double(stepInStage / interval + 1) * Double(interval) / Double(st.epochs * batches)
                    Pruner.prune(network.weightLayers, target: Pruner.gradualTarget(final: recipe.sparsity, progress: t),
                                 recipe: recipe)
                }
            }
            let idx = order[b * batchSize ..< (b + 1) * batchSize]
            let (pixels, rows) = augmentation == .none
                ? (train.images, idx)
                : (augmentation.batch(of: train, indices: idx, rng: &augmentationRng), ArraySlice(0 ..< idx.count))
            let x = network.inputs(pixels, imageSize: train.imageSize, indices: rows)
            let labels = ArraySlice(idx.map { train.labels[$0] })
            network.zeroGradients()
            let logits = network.forward(x, batch: idx.count, training: true)
            let (loss, grad, ok): (Double, [Float], Int)
            if isSparse && st.index > 0, let d = recipe.distillation, let teacher {
                // An external teacher may scale its input pixels differently; it sees the same (augmented) images.
                let sameInput = teacher.inputScale == network.inputScale && teacher.inputOffset == network.inputOffset
                let t = teacher.forward(sameInput ? x : teacher.inputs(pixels, imageSize: train.imageSize, indices: rows),
                                        batch: idx.count, training: false)
                (loss, grad, ok) = DistillationLoss.evaluate(logits: logits, teacherLogits: t, labels: labels,
                                                             classes: network.classes, weight: d.weight,
                                                             temperature: d.temperature)
            } else {
                (loss, grad, ok) = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, classes: network.classes)
            }
            network.backward(grad)
            progress.steps += 1
            let stage1Regularized = !isSparse || st.index == 0
            for l in network.weightLayers {
                let deadZone: Float? = (isSparse && st.index == 0 && recipe.thresholdRegularizer)
                    ? l.lastDeadZone : nil
                recipe.optimizer.update(l.weight, lr: lr, step: progress.steps,
                                        l2: stage1Regularized ? recipe.lambdaL2 : 0,
                                        thresholdPenalty: recipe.lambdaQ, deadZone: deadZone, mask: l.mask)
                recipe.optimizer.update(l.gamma, lr: lr, step: progress.steps, l2: 0, thresholdPenalty: 0, deadZone: nil)
                recipe.optimizer.update(l.beta, lr: lr, step: progress.steps, l2: 0, thresholdPenalty: 0, deadZone: nil)
            }
            lossSum += loss; correct += ok; seen += idx.count
            tick?(EpochTick(stage: st.name, epoch: epoch, totalEpochs: recipe.totalEpochs, batch: b + 1,
                            batches: batches, loss: lossSum / Double(b + 1),
                            accuracy: Double(correct) / Double(seen), learningRate: lr))
        }
        // Stage 2 ends exactly at the target (the schedule's last update reaches it; this makes it certain).
        if isSparse && st.index == 1 && st.epochInStage == st.epochs - 1 {
            Pruner.prune(network.weightLayers, target: recipe.sparsity, recipe: recipe)
        }
        // One-shot pruning when stage 2 has no epochs.
        if isSparse && st.index == 0 && st.epochInStage == st.epochs - 1 && recipe.stages[1].epochs == 0 {
            takeTeacherIfDistilling()
            Pruner.pruneDeadZone(network.weightLayers, thresholdFactor: recipe.thresholdFactor)
            Pruner.prune(network.weightLayers, target: recipe.sparsity, recipe: recipe)
        }
        progress.epochsDone += 1
        applyQuantization()
        let acc = accuracy(on: test)
        progress.lastTestAccuracy = acc
        progress.lastTrainLoss = lossSum / Double(batches)
        progress.stageSeconds += Date().timeIntervalSince(started)
        if st.epochInStage == st.epochs - 1 {
            progress.stages.append(StageRecord(name: st.name, epochs: st.epochs, testAccuracy: acc,
                                               seconds: (progress.stageSeconds * 10).rounded() / 10))
            progress.stageSeconds = 0
        }
        return progress.lastTrainLoss
    }

    /// Float-simulated accuracy of the quantized network (eval-mode batch norm) on `data`.
    public func accuracy(on data: Dataset) -> Double {
        let preds = predictions(on: data)
        var ok = 0
        for i in 0 ..< data.count where preds[i] == Int(data.labels[i]) { ok += 1 }
        return Double(ok) / Double(max(data.count, 1))
    }

    /// Argmax (lowest index on ties) of the float-simulated logits for every image.
    public func predictions(on data: Dataset) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(data.count)
        let chunk = 500
        var start = 0
        while start < data.count {
            let end = min(data.count, start + chunk)
            let idx = ArraySlice(Array(start ..< end))
            let logits = network.forward(network.inputs(data.images, imageSize: data.imageSize, indices: idx),
                                         batch: idx.count, training: false)
            let k = network.classes
            for r in 0 ..< idx.count {
                var best = 0
                for c in 1 ..< k where logits[r * k + c] > logits[r * k + best] { best = c }
                out.append(best)
            }
            start = end
        }
        return out
    }
}
