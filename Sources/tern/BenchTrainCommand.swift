import ArgumentParser
import Foundation
import TernModel
import TernTrain

/// `tern bench-train`: how fast the trainer is on this machine.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-train",
        abstract: "Time the trainer: GEMM GFLOP/s and seconds per LFC epoch on MNIST.",
        discussion: """
            Measures the trainer's GEMM on a 1024³ product (its own peak) with one thread and with all threads, then \
            trains LFC (784-1024-1024-1024-10, ternary weights, 1-bit activations) for a number of steps on MNIST \
            and reports seconds per 60,000-image epoch and the GEMM GFLOP/s the epoch achieves, in wall time and in \
            CPU time (which other users' load on a shared machine does not inflate). Build with \
            `TERN_NATIVE=1 swift build -c release` for the numbers in docs/BENCHMARKS.md. TERN_THREADS limits threads.

            Example (DIR holds the MNIST IDX files): tern bench-train --data DIR --steps 100 --json
            """
    )

    @Option(help: "MNIST directory (IDX files, plain or .gz).")
    var data: String

    @Option(parsing: .unconditional, help: "Training steps to time; the epoch time is extrapolated to 60,000 images.")
    var steps = 100

    @Option(parsing: .unconditional, help: "Batch size of the timed LFC steps.")
    var batchSize = 100

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

    func run() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
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
