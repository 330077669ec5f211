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
            trains LFC (784-1024-1024-1024-10, ternary weights, 1-bit activations, batch 100) for a number of steps \
            on MNIST and reports seconds per 60,000-image epoch and the GEMM GFLOP/s the epoch achieves. Build with \
            `TERN_NATIVE=1 swift build -c release` for the numbers in docs/BENCHMARKS.md. TERN_THREADS limits threads.

            Example: tern bench-train --data ../shared/datasets/mnist --steps 100 --json
            """
    )

    @Option(help: "MNIST directory (IDX files, plain or .gz).")
    var data: String

    @Option(help: "Training steps to time (batch 100); the epoch time is extrapolated to 600 steps.")
    var steps = 100

    @Flag(help: "Print the report as JSON.")
    var json = false

    struct Report: Encodable {
        var threads: Int
        var gemmPeakGFLOPSOneThread: Double
        var gemmPeakGFLOPSAllThreads: Double
        var lfcSecondsPerEpoch: Double
        var lfcGFLOPS: Double
        var lfcFractionOfPeak: Double
    }

    func run() throws {
        let train = try Dataset.load(directory: data, kind: .mnist, split: .train, limit: steps * 100)
        let one = withThreads(1) { TrainBenchmark.gemmGFLOPS(n: 1024) }
        let all = TrainBenchmark.gemmGFLOPS(n: 1024)
        var recipe = Recipe(method: .twn, sparsity: 0, epochs: [1], seed: 1)
        recipe.batchSize = 100
        let trainer = Trainer(architecture: .lfc, recipe: recipe)
        let flopsPerImage = TrainBenchmark.trainingFLOPsPerImage(trainer.network)
        let t0 = Date()
        trainer.runEpoch(train: train, test: train.prefix(0))
        let seconds = Date().timeIntervalSince(t0)
        let perEpoch = seconds / Double(min(steps, train.count / 100)) * 600
        let gflops = flopsPerImage * 60000 / perEpoch / 1e9
        let r = Report(threads: Parallel.threadCount, gemmPeakGFLOPSOneThread: one, gemmPeakGFLOPSAllThreads: all,
                       lfcSecondsPerEpoch: perEpoch, lfcGFLOPS: gflops, lfcFractionOfPeak: gflops / all)
        if json { print(try jsonString(r)); return }
        print("threads                       \(r.threads)")
        print("GEMM 1024³, 1 thread          \(String(format: "%.1f", one)) GFLOP/s")
        print("GEMM 1024³, all threads       \(String(format: "%.1f", all)) GFLOP/s  (the GEMM's own peak)")
        print("LFC epoch (60k, batch 100)    \(String(format: "%.1f", perEpoch)) s")
        print("LFC epoch GEMM throughput     \(String(format: "%.1f", gflops)) GFLOP/s = \(String(format: "%.0f", 100 * r.lfcFractionOfPeak)) % of peak")
    }

    private func withThreads<T>(_ n: Int, _ body: () -> T) -> T {
        Parallel.overrideThreads = n
        defer { Parallel.overrideThreads = nil }
        return body()
    }
}
