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

    /// Both micro-kernels perform the same multiply-adds in the same order, so they agree bit for bit (the wide one
    /// is only picked on AVX-512 hosts; on others it still runs, just slowly).
    @Test(arguments: [false, true])
    func bothKernelsGiveIdenticalBits(accumulate: Bool) {
        for (m, n, k) in [(1, 1, 1), (13, 37, 300), (70, 300, 129), (100, 64, 576)] {
            let a = random(m * k, seed: 6), b = random(k * n, seed: 7), start = random(m * n, seed: 8)
            func run<K: MicroKernel>(_ kernel: K.Type) -> [Float] {
                var c = start
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    GEMM.multiply(kernel, m: m, n: n, k: k, a: .init(ap.baseAddress!, ld: k), b: .init(bp.baseAddress!, ld: n),
                                  c: cp.baseAddress!, ldc: n, accumulate: accumulate)
                } } }
                return c
            }
            #expect(run(Kernel6x16.self) == run(Kernel8x32.self), "m\(m) n\(n) k\(k)")
        }
    }

    /// A gathered conv operand (im2col read while packing) gives the same bits as the stored im2col matrix, as A
    /// (forward) and as B (weight gradient), with and without padding.
    @Test(arguments: [0, 1])
    func gatheredIm2ColMatchesStoredColumns(padding: Int) {
        let (batch, c, h, w, k, out) = (3, 5, 9, 7, 3, 20)
        let x = random(batch * h * w * c, seed: 9)
        let columns = Im2Col.forward(x, batch: batch, channels: c, height: h, width: w, kernel: k, padding: padding,
                                     padValue: -1)
        let gather = Im2Col.Gather(x, batch: batch, channels: c, height: h, width: w, kernel: k, padding: padding,
                                   padValue: -1, reusing: nil)
        let fanIn = k * k * c, rows = columns.count / fanIn
        #expect(gather.rowOffsets.count == rows)
        let weights = random(out * fanIn, seed: 10), dz = random(rows * out, seed: 11)
        func forward(_ a: GEMM.Operand) -> [Float] {
            var z = [Float](repeating: 0, count: rows * out)
            weights.withUnsafeBufferPointer { wp in z.withUnsafeMutableBufferPointer { zp in
                GEMM.multiply(m: rows, n: out, k: fanIn, a: a, b: .init(wp.baseAddress!, ld: fanIn, transposed: true),
                              c: zp.baseAddress!, ldc: out)
            } }
            return z
        }
        func weightGradient(_ b: GEMM.Operand) -> [Float] {
            var g = [Float](repeating: 0, count: out * fanIn)
            dz.withUnsafeBufferPointer { dp in g.withUnsafeMutableBufferPointer { gp in
                GEMM.multiply(m: out, n: fanIn, k: rows, a: .init(dp.baseAddress!, ld: out, transposed: true), b: b,
                              c: gp.baseAddress!, ldc: fanIn)
            } }
            return g
        }
        let stored = columns.withUnsafeBufferPointer { cp in
            (forward(.init(cp.baseAddress!, ld: fanIn)), weightGradient(.init(cp.baseAddress!, ld: fanIn)))
        }
        let gathered = gather.withOperand { op in (forward(op), weightGradient(op)) }
        #expect(stored.0 == gathered.0)
        #expect(stored.1 == gathered.1)
    }
}
