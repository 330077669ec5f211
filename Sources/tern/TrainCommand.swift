import ArgumentParser
import Foundation
import TernModel
import TernTrain

/// `tern train`: the three-stage sparse ternary method (or a baseline), writing a checkpoint after every epoch.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a sparse ternary network (or a float / binary / TWN baseline) and write a checkpoint.",
        discussion: """
            Recipes (docs/METHOD.md):
              sparse-ternary  stage 1: ternary training with cross-entropy + L2 + the quantization-threshold \
            regularizer; stage 2: quantization pruning (the weights stage 1 quantizes to zero become permanent \
            zeros), then gradual magnitude pruning up to --sparsity; stage 3: retraining of the survivors as ternary with a fixed mask. --epochs a,b,c.
              float | binary | twn  baselines with the same code and data (float: float weights, ReLU; binary: BNN; \
            twn: dense ternary, Δ = 0.7·mean|W|); they train sum(--epochs) epochs.

            After every epoch OUTDIR holds model.json + model.safetensors (docs/CHECKPOINT.md) and \
            train-state.safetensors; --resume continues a killed run bit-identically. Same seed, same machine → \
            same weights, whatever the thread count. A sparse-ternary run also keeps the state it had at the end of \
            stage 1 (stage1-state.safetensors): --stage1-from starts other runs (another sparsity, longer \
            retraining) from there.

            A quick run: --train-limit 500 --test-limit 1000 --epochs 1,1,1. A --train-limit below --batch-size \
            trains with a batch of all the limited images (the batch size is clamped to the data; one step per epoch).

            Example (DIR holds the four MNIST IDX files, see docs/DATASETS.md):
              tern train --arch lfc --data DIR --recipe sparse-ternary --sparsity 0.95 \\
                --epochs 10,4,10 --seed 1 -o runs/lfc-mnist-95
            """
    )

    @Option(help: "Architecture: a built-in name (lfc, sfc, cnv, cnv28) or an architecture .json file.")
    var arch = "lfc"

    @Option(parsing: .unconditional, help: "Activation bits of every hidden layer for a built-in architecture: 1 (sign) or 2 (uniform).")
    var activationBits = 1

    @Option(help: "Dataset directory (IDX or CIFAR-10 binary files, plain or .gz).")
    var data: String

    @Option(help: "mnist, fashion-mnist or cifar10 (default: detected from the directory).")
    var dataset: String?

    @Option(help: "sparse-ternary, float, binary or twn.")
    var recipe = "sparse-ternary"

    @Option(parsing: .unconditional, help: "Target fraction of zero weights over all layers (sparse-ternary).")
    var sparsity = 0.95

    @Option(help: "Epochs per stage, e.g. 10,4,10 (baselines train the sum).")
    var epochs = "10,4,10"

    @Option(parsing: .unconditional, help: "Random seed (weights init and shuffling).")
    var seed: UInt64 = 1

    @Option(name: [.short, .customLong("output")], help: "Output checkpoint directory.")
    var output: String

    @Flag(help: "Continue the run saved in the output directory.")
    var resume = false

    @Option(help: ArgumentHelp("Skip stage 1: start stage 2 from the stage-1 state another sparse-ternary run saved in DIR.",
                               discussion: "That run's recipe must train the same stage 1 (same architecture, data, seed, stage-1 epochs and settings); sparsity, pruning, stage-2/3 epochs, --retrain-lr and --distill may differ. The result is bit-identical to training stage 1 again. With --resume, the output directory's own state wins.",
                               valueName: "dir"))
    var stage1From: String?

    @Flag(help: "Print a JSON summary on stdout at the end.")
    var json = false

    @Flag(help: "Ablation: turn the quantization-threshold regularizer off.")
    var noThresholdReg = false

    @Option(parsing: .unconditional, help: "Decoupled L2 strength λ2 (stage 1 and baselines).")
    var lambdaL2: Float?

    @Option(parsing: .unconditional, help: "Quantization-threshold regularizer strength λq (stage 1).")
    var lambdaQ: Float?

    @Option(parsing: .unconditional, help: "Peak learning rate of stage 1 / baselines.")
    var lr: Float?

    @Option(parsing: .unconditional, help: "Peak learning rate of stages 2 + 3.")
    var retrainLr: Float?

    @Option(parsing: .unconditional, help: "Batch size (clamped to the number of training images).")
    var batchSize = 100

    @Option(help: "How the zeros are shared among layers: per-layer (one sparsity), global (one ranking) or erk (small layers denser; docs/METHOD.md).")
    var pruning = "per-layer"

    @Option(help: "adam or sgd (momentum 0.9).")
    var optimizer = "adam"

    @Option(help: "cosine, one-cycle or constant.")
    var schedule = "cosine"

    @Option(parsing: .unconditional, help: "Use only the first N training images (quick runs).")
    var trainLimit: Int?

    @Option(parsing: .unconditional, help: "Use only the first N test images.")
    var testLimit: Int?

    @Option(help: "Training-image augmentation: none, shift (±2 pixels) or crop-flip (CIFAR-10: pad 4, crop, mirror).")
    var augment: String = "none"

    @Option(help: ArgumentHelp("Knowledge distillation in stages 2 + 3 (sparse-ternary): the teacher term's share β of the loss, in (0, 1].",
                               discussion: "The teacher is the network stage 1 ended with, or --teacher's; docs/METHOD.md."))
    var distill: Float?

    @Option(name: .customLong("teacher"), help: ArgumentHelp(
        "With --distill: a finished checkpoint directory (any architecture, same dataset and image size) to distill from instead of stage 1's network.",
        discussion: "Its identity (architecture, fingerprint of its weights) goes into the recipe; --resume needs the same --teacher again.",
        valueName: "dir"))
    var teacherDirectory: String?

    @Option(parsing: .unconditional, help: "Softmax temperature T of the --distill teacher term.")
    var distillTemperature: Float = 4

    @Flag(help: "No progress bar.")
    var quiet = false

    struct Summary: Encodable {
        var output: String
        var architecture: String
        var dataset: String
        var recipe: Recipe
        var epochs: Int
        var seconds: Double
        var testAccuracy: Double
        var sparsity: Double
        var layerSparsity: [Double]
        var stages: [StageRecord]
        var integerTestAccuracy: Double?
        /// Test images the accuracies were measured on.
        var testImages: Int
    }

    func makeRecipe() throws -> Recipe {
        guard let method = Recipe.Method(rawValue: recipe) else {
            throw ValidationError("unknown recipe \(recipe); use sparse-ternary, float, binary or twn")
        }
        let e = epochs.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !e.isEmpty, e.allSatisfy({ $0 != nil && $0! >= 0 }) else {
            throw ValidationError("--epochs must be comma-separated non-negative integers, e.g. 10,4,10")
        }
        guard (0 ..< 1).contains(sparsity) else { throw ValidationError("--sparsity must be in [0, 1)") }
        var r = Recipe(method: method, sparsity: method == .sparseTernary ? sparsity : 0, epochs: e.map { $0! }, seed: seed)
        if method == .sparseTernary && e.count != 3 { throw ValidationError("sparse-ternary needs --epochs a,b,c") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        r.batchSize = batchSize
        if let lambdaL2 { r.lambdaL2 = lambdaL2 }
        if let lambdaQ { r.lambdaQ = lambdaQ }
        if let lr { r.learningRate = lr }
        if let retrainLr { r.retrainLearningRate = retrainLr }
        r.thresholdRegularizer = !noThresholdReg
        guard let p = Recipe.Pruning(rawValue: pruning) else { throw ValidationError("--pruning: per-layer, global or erk") }
        r.pruning = p
        guard let o = Optimizer.Kind(rawValue: optimizer) else { throw ValidationError("--optimizer: adam or sgd") }
        r.optimizer = Optimizer(kind: o)
        guard let s = Schedule(rawValue: schedule) else { throw ValidationError("--schedule: cosine, one-cycle or constant") }
        r.schedule = s
        guard let a = Augmentation(rawValue: augment) else {
            throw ValidationError("--augment: none, shift or crop-flip")
        }
        r.augmentation = a == .none ? nil : a
        if let trainLimit {
            guard trainLimit > 0 else { throw ValidationError("--train-limit must be positive (got \(trainLimit))") }
            r.trainLimit = trainLimit
        }
        if let testLimit, testLimit < 1 {
            throw ValidationError("--test-limit must be positive (got \(testLimit))")
        }
        if let distill {
            guard method == .sparseTernary else { throw ValidationError("--distill needs --recipe sparse-ternary") }
            guard distill > 0 && distill <= 1 else { throw ValidationError("--distill must be in (0, 1]") }
            guard distillTemperature > 0 && distillTemperature.isFinite else {
                throw ValidationError("--distill-temperature must be positive")
            }
            r.distillation = Recipe.Distillation(weight: distill, temperature: distillTemperature)
        } else if teacherDirectory != nil {
            throw ValidationError("--teacher needs --distill")
        }
        guard r.totalEpochs > 0 else { throw ValidationError("--epochs adds up to zero") }
        return r
    }

    func run() throws {
        var recipe = try makeRecipe()
        let architecture = try loadArchitecture(arch, activationBits: activationBits)
        let kind = try dataset.map { name -> Dataset.Kind in
            guard let k = Dataset.Kind(rawValue: name) else {
                throw ValidationError("unknown dataset \(name); use mnist, fashion-mnist or cifar10")
            }
            return k
        }
        try checkOutputDirectory(output)
        let train = try Dataset.load(directory: data, kind: kind, split: .train, limit: trainLimit)
        let test = try Dataset.load(directory: data, kind: train.kind, split: .test, limit: testLimit)
        guard train.count > 0, test.count > 0 else {
            throw InputError("\(data): the \(train.count == 0 ? "training" : "test") split has no images")
        }
        guard train.channels == architecture.input.channels, train.height == architecture.input.height,
              train.width == architecture.input.width else {
            throw InputError("\(architecture.name) reads \(architecture.input.channels)×\(architecture.input.height)×\(architecture.input.width) images; \(train.kind.rawValue) has \(train.channels)×\(train.height)×\(train.width)")
        }
        var externalTeacher: Network?
        if let teacherDirectory {
            let (network, identity) = try ExternalTeacher.load(path: teacherDirectory, student: architecture,
                                                               dataset: train.kind.rawValue)
            recipe.distillation?.teacher = identity
            externalTeacher = network
        }
        let trainer = Trainer(architecture: architecture, recipe: recipe)
        if let externalTeacher { trainer.useExternalTeacher(externalTeacher) }
        if resume {
            try TrainingCheckpoint.resume(trainer, from: output, dataset: train.kind.rawValue)
        } else if let stage1From {
            try TrainingCheckpoint.startFromStage1(trainer, of: stage1From, dataset: train.kind.rawValue)
        }
        let bar = ProgressBar(enabled: !quiet)
        let total = Double(recipe.totalEpochs)
        let startEpoch = trainer.progress.epochsDone
        let started = Date()
        while !trainer.isFinished {
            let e = trainer.progress.epochsDone
            trainer.runEpoch(train: train, test: test) { t in
                let frac = (Double(t.epoch - startEpoch) + Double(t.batch) / Double(t.batches)) / (total - Double(startEpoch))
                bar.draw(prefix: "\(t.stage) epoch \(t.epoch + 1)/\(t.totalEpochs)",
                         fraction: frac, stepFraction: Double(t.batch) / Double(t.batches),
                         suffix: String(format: "loss %.4f acc %.2f%% lr %.2e", t.loss, 100 * t.accuracy, t.learningRate))
            }
            try TrainingCheckpoint.save(trainer, dataset: train.kind.rawValue, testImages: test.count, to: output)
            let sp = trainer.network.sparsity.total
            if !quiet {
                bar.finishLine()
                FileHandle.standardError.write(Data(String(format: "epoch %d/%d: loss %.4f  test %.2f%%  sparsity %.2f%%  (%.0f s so far)\n",
                    e + 1, recipe.totalEpochs, trainer.progress.lastTrainLoss, 100 * trainer.progress.lastTestAccuracy,
                    100 * sp, Date().timeIntervalSince(started)).utf8))
            }
        }
        // The integer reference on the full test split, recorded in model.json (not for the float baseline).
        var integerAccuracy: Double?
        if recipe.method != .float {
            let cp = TrainingCheckpoint.checkpoint(trainer, dataset: train.kind.rawValue)
            let network = try cp.folded()
            integerAccuracy = try IntegerReference.accuracy(network: network, images: test.images, labels: test.labels)
            try TrainingCheckpoint.checkpoint(trainer, dataset: train.kind.rawValue, integerTestAccuracy: integerAccuracy,
                                              testImages: test.count)
                .write(to: output)
        }
        let sp = trainer.network.sparsity
        let summary = Summary(output: output, architecture: architecture.name, dataset: train.kind.rawValue, recipe: recipe,
                              epochs: recipe.totalEpochs, seconds: trainer.progress.stages.reduce(0) { $0 + $1.seconds },
                              testAccuracy: trainer.progress.lastTestAccuracy, sparsity: sp.total, layerSparsity: sp.layers,
                              stages: trainer.progress.stages, integerTestAccuracy: integerAccuracy,
                              testImages: test.count)
        if json {
            print(try jsonString(summary))
        } else {
            print(String(format: "%@: test accuracy (%d images) %.2f%% float-simulated, %@ integer, sparsity %.2f%%, %.0f s",
                         output, test.count, 100 * summary.testAccuracy,
                         integerAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "n/a",
                         100 * summary.sparsity, summary.seconds))
        }
    }
}

/// A built-in architecture name or an architecture JSON file.
func loadArchitecture(_ nameOrPath: String, activationBits: Int) throws -> Architecture {
    if Architecture.builtinNames.contains(nameOrPath) {
        return try Architecture.builtin(named: nameOrPath, activationBits: activationBits)
    }
    guard FileManager.default.fileExists(atPath: nameOrPath) else {
        throw ValidationError("\(nameOrPath) is neither a built-in architecture (\(Architecture.builtinNames.joined(separator: ", "))) nor a file")
    }
    return try Architecture.load(path: nameOrPath)
}
