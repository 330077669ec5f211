import ArgumentParser
import Foundation
import TernModel
import TernTrain

/// `tern bench-train`: how fast the trainer is on this machine.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-train",
        abstract: "Time the trainer: GEMM GFLOP/s, seconds per LFC epoch on MNIST, or ms per CNV step on CIFAR-10.",
        discussion: """
            Measures the trainer's GEMM on a 1024³ product (its own peak) with one thread and with all threads, then \
            trains a network for a number of steps and reports the time, in wall time and in CPU time (which other \
            users' load on a shared machine does not inflate).

            --arch lfc (default): LFC (784-1024-1024-1024-10, ternary weights, 1-bit activations) on MNIST; reports \
            seconds per 60,000-image epoch and the GEMM GFLOP/s the epoch achieves.

            --arch cnv: FINN's CNV (Models/architectures/cnv.json, ternary weights, 1-bit activations, TWN recipe) \
            on CIFAR-10; reports milliseconds per training step (median, min and max over the timed steps, after \
            --warmup untimed ones). tools/bench/train_peer.sh runs it beside PyTorch training the same shapes \
            (tools/bench/torch_train_peer.py) and prints the ratio.

            Build with `TERN_NATIVE=1 swift build -c release` for the numbers in docs/BENCHMARKS.md. TERN_THREADS \
            limits threads.

            Examples (DIR holds the dataset's files):
              tern bench-train --data DIR --steps 100 --json
              tern bench-train --arch cnv --data DIR --steps 20 --batch-size 100
            """
    )

    enum Arch: String, ExpressibleByArgument, CaseIterable { case lfc, cnv }

    @Option(help: "The network to time: lfc (MNIST) or cnv (CIFAR-10).")
    var arch: Arch = .lfc

    @Option(help: "Dataset directory: MNIST for lfc, CIFAR-10 (binary version) for cnv; plain or .gz files.")
    var data: String

    @Option(parsing: .unconditional, help: "Training steps to time (lfc: the epoch time is extrapolated to 60,000 images).")
    var steps = 100

    @Option(parsing: .unconditional, help: "Untimed steps before the timed ones (cnv only; the first step pays for page faults).")
    var warmup = 2

    @Option(parsing: .unconditional, help: "Batch size of the timed steps.")
    var batchSize = 100

    @Flag(help: "Skip the GEMM peak measurement (cnv only; saves a few seconds).")
    var skipGEMM = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    struct Report: Encodable {
        var threads: Int
        var gemmPeakGFLOPSOneThread: Double
        var gemmPeakGFLOPSAllThreads: Double
        var lfcSecondsPerEpoch: Double
        var lfcGFLOPS: Double
        var lfcFractionOfPeak: Double
        var gemmGFLOPSPerCPUSecond: Double
        var lfcCPUSecondsPerEpoch: Double
        var lfcGFLOPSPerCPUSecond: Double
        var batchSize: Int
    }

    struct ConvReport: Encodable {
        var arch: String
        var threads: Int
        var batchSize: Int
        var steps: Int
        var gemmPeakGFLOPSAllThreads: Double?
        /// Wall milliseconds per training step over the timed steps.
        var msPerStepMedian: Double
        var msPerStepMin: Double
        var msPerStepMax: Double
        /// Process CPU milliseconds per step (all threads), mean over the timed steps.
        var cpuMsPerStep: Double
        /// Multiply-add FLOPs of one step (forward and both backward GEMMs) over the median step time.
        var gflops: Double
        var secondsPer50kEpoch: Double
    }

    func run() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be at least 0 (got \(warmup))") }
        switch arch {
        case .lfc: try runLFC()
        case .cnv: try runCNV()
        }
    }

    private func runCNV() throws {
        let (wanted, overflow) = (steps + warmup).multipliedReportingOverflow(by: batchSize)
        guard !overflow else { throw ValidationError("--steps, --warmup and --batch-size ask for too many images") }
        let train = try Dataset.load(directory: data, kind: .cifar10, split: .train, limit: wanted)
        guard train.count >= wanted else {
            throw InputError("\(data) holds \(train.count) training images; \(steps + warmup) steps of \(batchSize) need \(wanted)")
        }
        let all: Double? = skipGEMM ? nil : TrainBenchmark.gemmGFLOPS(n: 1024)
        var recipe = Recipe(method: .twn, sparsity: 0, epochs: [1], seed: 1)
        recipe.batchSize = batchSize
        let trainer = Trainer(architecture: .cnv, recipe: recipe)
        let flopsPerImage = TrainBenchmark.trainingFLOPsPerImage(trainer.network)
        var stepTimes: [Double] = []
        var last = Date(), cpuAtWarm = TrainBenchmark.processCPUSeconds()
        trainer.runEpoch(train: train, test: train.prefix(0)) { tick in
            let now = Date()
            if tick.batch > warmup { stepTimes.append(now.timeIntervalSince(last)) }
            if tick.batch == warmup { cpuAtWarm = TrainBenchmark.processCPUSeconds() }
            last = now
        }
        let cpu = TrainBenchmark.processCPUSeconds() - cpuAtWarm
        let sorted = stepTimes.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let r = ConvReport(arch: arch.rawValue, threads: Parallel.threadCount, batchSize: batchSize, steps: sorted.count,
                           gemmPeakGFLOPSAllThreads: all, msPerStepMedian: median * 1000,
                           msPerStepMin: sorted.first! * 1000, msPerStepMax: sorted.last! * 1000,
                           cpuMsPerStep: cpu / Double(sorted.count) * 1000,
                           gflops: flopsPerImage * Double(batchSize) / median / 1e9,
                           secondsPer50kEpoch: median * 50000 / Double(batchSize))
        if json { print(try jsonString(r)); return }
        print("threads                       \(r.threads)")
        if let all { print("GEMM 1024³, all threads       \(String(format: "%.1f", all)) GFLOP/s  (the GEMM's own peak)") }
        print("CNV step (batch \(batchSize)), median".padding(toLength: 30, withPad: " ", startingAt: 0)
              + "\(String(format: "%.1f", r.msPerStepMedian)) ms  (min \(String(format: "%.1f", r.msPerStepMin)), max \(String(format: "%.1f", r.msPerStepMax)), \(r.steps) steps)")
        print("CNV step CPU time             \(String(format: "%.1f", r.cpuMsPerStep)) CPU-ms")
        print("CNV step GEMM throughput      \(String(format: "%.1f", r.gflops)) GFLOP/s")
        print("CNV epoch (50k images)        \(String(format: "%.0f", r.secondsPer50kEpoch)) s")
    }

    private func runLFC() throws {
        let (wanted, overflow) = steps.multipliedReportingOverflow(by: batchSize)
        let train = try Dataset.load(directory: data, kind: .mnist, split: .train, limit: overflow ? Int.max : wanted)
        guard train.count > 0 else { throw InputError("\(data): the training split holds no images") }
        let one = withThreads(1) { TrainBenchmark.gemmGFLOPS(n: 1024) }
        let all = TrainBenchmark.gemmGFLOPS(n: 1024)
        var recipe = Recipe(method: .twn, sparsity: 0, epochs: [1], seed: 1)
        recipe.batchSize = batchSize
        let cpuPeak = TrainBenchmark.gemmGFLOPSPerCPUSecond(n: 1024)
        let trainer = Trainer(architecture: .lfc, recipe: recipe)
        let flopsPerImage = TrainBenchmark.trainingFLOPsPerImage(trainer.network)
        let t0 = Date(), c0 = TrainBenchmark.processCPUSeconds()
        trainer.runEpoch(train: train, test: train.prefix(0))
        let seconds = Date().timeIntervalSince(t0), cpu = TrainBenchmark.processCPUSeconds() - c0
        let images = Double(trainer.batches(for: train.count) * trainer.batchSize(for: train.count))
        let perEpoch = seconds / images * 60000, cpuPerEpoch = cpu / images * 60000
        let gflops = flopsPerImage * 60000 / perEpoch / 1e9
        let r = Report(threads: Parallel.threadCount, gemmPeakGFLOPSOneThread: one, gemmPeakGFLOPSAllThreads: all,
                       lfcSecondsPerEpoch: perEpoch, lfcGFLOPS: gflops, lfcFractionOfPeak: gflops / all,
                       gemmGFLOPSPerCPUSecond: cpuPeak, lfcCPUSecondsPerEpoch: cpuPerEpoch,
                       lfcGFLOPSPerCPUSecond: flopsPerImage * 60000 / cpuPerEpoch / 1e9, batchSize: batchSize)
        if json { print(try jsonString(r)); return }
        print("threads                       \(r.threads)")
        print("GEMM 1024³, 1 thread          \(String(format: "%.1f", one)) GFLOP/s")
        print("GEMM 1024³, all threads       \(String(format: "%.1f", all)) GFLOP/s  (the GEMM's own peak)")
        print("LFC epoch (60k, batch \(batchSize))".padding(toLength: 30, withPad: " ", startingAt: 0) + "\(String(format: "%.1f", perEpoch)) s")
        print("LFC epoch GEMM throughput     \(String(format: "%.1f", gflops)) GFLOP/s = \(String(format: "%.0f", 100 * r.lfcFractionOfPeak)) % of peak")
        print("GEMM 1024³ per CPU-second     \(String(format: "%.1f", cpuPeak)) GFLOP/s  (one core's peak, load-independent)")
        print("LFC epoch CPU time            \(String(format: "%.1f", cpuPerEpoch)) CPU-s = \(String(format: "%.1f", r.lfcGFLOPSPerCPUSecond)) GFLOP per CPU-s (\(String(format: "%.0f", 100 * r.lfcGFLOPSPerCPUSecond / cpuPeak)) % of one core's peak)")
    }

    private func withThreads<T>(_ n: Int, _ body: () -> T) -> T {
        Parallel.overrideThreads = n
        defer { Parallel.overrideThreads = nil }
        return body()
    }
}
