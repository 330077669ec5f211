import Dispatch
import Foundation

/// How many threads the trainer's kernels use: `TERN_THREADS` when set, else every active core.
/// Results never depend on this number: every output element is reduced by one thread in a fixed order.
public enum Parallel {
    /// Benchmarks set this to time a fixed thread count; nil uses `defaultThreadCount`.
    nonisolated(unsafe) public static var overrideThreads: Int?

    public static var threadCount: Int { overrideThreads ?? defaultThreadCount }

    public static let defaultThreadCount: Int = {
        if let s = ProcessInfo.processInfo.environment["TERN_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Elements per chunk of `chunkedSum`: fixed, so reductions never depend on the thread count.
    public static let reductionChunk = 1 << 15

    /// Σ over fixed chunks of `0 ..< count`: `body(range)` returns one chunk's (sum, count); the partials are added
    /// in chunk order. Same arguments → same bits, whatever `threadCount` is.
    public static func chunkedSum(count: Int, _ body: (Range<Int>) -> (Double, Int)) -> (sum: Double, count: Int) {
        let chunks = (count + reductionChunk - 1) / reductionChunk
        if chunks == 0 { return (0, 0) }
        var partials = [(Double, Int)](repeating: (0, 0), count: chunks)
        partials.withUnsafeMutableBufferPointer { out in
            // Each chunk writes only its own slot.
            nonisolated(unsafe) let out = out
            forEachSlice(count: chunks) { r in
                for c in r { out[c] = body(c * reductionChunk ..< min(count, (c + 1) * reductionChunk)) }
            }
        }
        var sum = 0.0, n = 0
        for (s, k) in partials { sum += s; n += k }
        return (sum, n)
    }

    /// Runs `body(part, range)` for `parts` contiguous slices of `0 ..< count`, each a multiple of `granule`
    /// (except the last), concurrently. Slice boundaries depend only on the arguments.
    public static func forEachSlice(count: Int, granule: Int = 1, parts: Int = threadCount,
                                    _ body: (Range<Int>) -> Void) {
        let units = (count + granule - 1) / granule
        let p = max(1, min(parts, units))
        if p == 1 { body(0 ..< count); return }
        // The slices are disjoint by construction; the closure only writes its own slice.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: p) { t in
            let lo = units * t / p * granule
            let hi = min(count, units * (t + 1) / p * granule)
            if lo < hi { body(lo ..< hi) }
        }
    }
}
