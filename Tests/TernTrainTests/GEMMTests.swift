import Testing
@testable import TernTrain

@Suite struct GEMMTests {
    private func random(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0 ..< n).map { _ in rng.nextUnitFloat() - 0.5 }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matchesReferenceForEveryTransposeAndOddSizes(transA: Bool, transB: Bool) {
        for (m, n, k) in [(1, 1, 1), (7, 19, 5), (13, 37, 300), (64, 33, 17)] {
            let a = random(m * k, seed: 1), b = random(k * n, seed: 2)
            let start = random(m * n, seed: 3)
            var c = start
            let lda = transA ? m : k, ldb = transB ? k : n
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                let opA = GEMM.Operand(ap.baseAddress!, ld: lda, transposed: transA)
                let opB = GEMM.Operand(bp.baseAddress!, ld: ldb, transposed: transB)
                GEMM.multiply(m: m, n: n, k: k, a: opA, b: opB, c: cp.baseAddress!, ldc: n, accumulate: true)
                let ref = GEMM.reference(m: m, n: n, k: k, a: opA, b: opB)
                for i in 0 ..< m * n {
                    #expect(abs(cp[i] - (ref[i] + start[i])) < 1e-4 * Float(k), "m\(m) n\(n) k\(k) at \(i)")
                }
            } } }
        }
    }

    @Test func resultDoesNotDependOnThreadCount() {
        let (m, n, k) = (70, 300, 129)
        let a = random(m * k, seed: 4), b = random(k * n, seed: 5)
        func run(_ threads: Int) -> [Float] {
            Parallel.overrideThreads = threads
            defer { Parallel.overrideThreads = nil }
            var c = [Float](repeating: 0, count: m * n)
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                GEMM.multiply(m: m, n: n, k: k, a: .init(ap.baseAddress!, ld: k), b: .init(bp.baseAddress!, ld: n),
                              c: cp.baseAddress!, ldc: n)
            } } }
            return c
        }
        let one = run(1)
        #expect(one == run(2))
        #expect(one == run(3))
    }
}
