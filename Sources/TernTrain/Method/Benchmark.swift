import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TernModel

/// Timing helpers behind `tern bench-train`.
public enum TrainBenchmark {
    /// CPU seconds this process has used (all threads). On a shared machine CPU time, unlike wall time, does not
    /// grow with other users' load, so the benchmark reports both.
    public static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// GFLOP/s per CPU-second of the single-threaded GEMM on an n×n×n product (best of `repeats`): the kernel's
    /// own peak on one core, independent of other load.
    public static func gemmGFLOPSPerCPUSecond(n: Int, repeats: Int = 5) -> Double {
        var rng = SplitMix64(seed: 1)
        let a = (0 ..< n * n).map { _ in rng.nextUnitFloat() - 0.5 }
        let b = (0 ..< n * n).map { _ in rng.nextUnitFloat() - 0.5 }
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        Parallel.overrideThreads = 1
        defer { Parallel.overrideThreads = nil }
        for _ in 0 ..< repeats {
            let t0 = processCPUSeconds()
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                GEMM.multiply(m: n, n: n, k: n, a: .init(ap.baseAddress!, ld: n), b: .init(bp.baseAddress!, ld: n),
                              c: cp.baseAddress!, ldc: n)
            } } }
            best = min(best, processCPUSeconds() - t0)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// GFLOP/s of `GEMM.multiply` on an n×n×n product (best of `repeats`), with the current thread count.
    public static func gemmGFLOPS(n: Int, repeats: Int = 5) -> Double {
        var rng = SplitMix64(seed: 1)
        let a = (0 ..< n * n).map { _ in rng.nextUnitFloat() - 0.5 }
        let b = (0 ..< n * n).map { _ in rng.nextUnitFloat() - 0.5 }
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        for _ in 0 ..< repeats {
            let t0 = Date()
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                GEMM.multiply(m: n, n: n, k: n, a: .init(ap.baseAddress!, ld: n), b: .init(bp.baseAddress!, ld: n),
                              c: cp.baseAddress!, ldc: n)
            } } }
            best = min(best, Date().timeIntervalSince(t0))
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// Multiply-add FLOPs of one training step per image (forward + both backward GEMMs; the first layer has no
    /// input gradient).
    public static func trainingFLOPsPerImage(_ network: Network) -> Double {
        var flops = 0.0
        for (i, l) in network.weightLayers.enumerated() {
            let macs = Double(l.fanIn * l.outputs * l.outHeight * l.outWidth)
            flops += 2 * macs * (i == 0 ? 2 : 3)
        }
        return flops
    }
}
