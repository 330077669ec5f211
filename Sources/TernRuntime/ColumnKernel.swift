/// Column lists: per input element `e`, the rows its +1 weights feed (`rows[starts[e] ..< splits[e]]`) and those
/// its −1 weights feed (`rows[splits[e] ..< starts[e + 1]]`). Each image adds every nonzero input into the Int32
/// accumulators of the rows its column reaches, so zero inputs cost nothing: the kernel's cost is
/// (nonzero inputs) × (nonzero weights per column), both sparse. Dense layers over one input position only.
enum ColumnKernel {
    /// A dense layer over pixels (8-bit, HWC).
    static func runPixels(_ c: LayerContext, rowCount: Int, elements: Int, starts: UnsafePointer<UInt32>,
                          splits: UnsafePointer<UInt32>, rows: UnsafePointer<UInt16>,
                          accumulators: UnsafeMutablePointer<Int32>) {
        for n in 0..<c.count {
            let pixels = (c.input + n &* c.inputStride).assumingMemoryBound(to: UInt8.self)
            accumulators.update(repeating: 0, count: rowCount)
            for e in 0..<elements {
                let v = Int32(pixels[e])
                if v == 0 { continue }
                add(v, column: e, starts: starts, splits: splits, rows: rows, into: accumulators)
            }
            c.emitOnePosition(n, accumulators, rows: rowCount)
        }
    }

    /// A dense layer over 1- or 2-bit codes at one position: the set bits of (plane 0 | plane 1) are the
    /// nonzero inputs, each worth `bit0 + 2·bit1`.
    static func runCodes(_ c: LayerContext, rowCount: Int, starts: UnsafePointer<UInt32>,
                         splits: UnsafePointer<UInt32>, rows: UnsafePointer<UInt16>,
                         accumulators: UnsafeMutablePointer<Int32>) {
        let wpp = c.inputWordsPerPlane
        let twoPlanes = c.inputBits == 2
        for n in 0..<c.count {
            let words = (c.input + n &* c.inputStride).assumingMemoryBound(to: UInt64.self)
            accumulators.update(repeating: 0, count: rowCount)
            for w in 0..<wpp {
                let lo = words[w]
                let hi = twoPlanes ? words[w &+ wpp] : 0
                var live = lo | hi
                while live != 0 {
                    let b = UInt64(live.trailingZeroBitCount)
                    live &= live &- 1
                    let v = Int32(truncatingIfNeeded: ((lo >> b) & 1) | ((hi >> b) & 1) << 1)
                    add(v, column: w &<< 6 &+ Int(b), starts: starts, splits: splits, rows: rows, into: accumulators)
                }
            }
            c.emitOnePosition(n, accumulators, rows: rowCount)
        }
    }

    @inline(__always)
    static func add(_ v: Int32, column e: Int, starts: UnsafePointer<UInt32>, splits: UnsafePointer<UInt32>,
                    rows: UnsafePointer<UInt16>, into acc: UnsafeMutablePointer<Int32>) {
        // One loop with the sign chosen per weight: one loop exit (one likely mispredict) per column, not two.
        let s = Int(starts[e]), m = Int(splits[e]), t = Int(starts[e &+ 1])
        for k in s..<t { acc[Int(rows[k])] &+= k < m ? v : 0 &- v }
    }
}

extension LayerContext {
    /// The activations (or logits) of `rows` accumulators of batch entry `n` for a dense layer (one output
    /// position): the same codes `emit` writes row by row, without its data-dependent branches.
    @inline(__always)
    func emitOnePosition(_ n: Int, _ acc: UnsafePointer<Int32>, rows: Int) {
        var r = 0
        while r < rows {
            let end = min(rows, r &+ 64)
            emitGroup(n, acc, from: r, to: end)
            r = end
        }
    }

    /// Rows `from ..< to` (one 64-channel output word, `from` a multiple of 64) at output position (y, x) of batch
    /// entry `n`, reading `acc[k]` for row `k`: the word is assembled in registers and stored once per plane.
    @inline(__always)
    func emitGroup(_ n: Int, _ acc: UnsafePointer<Int32>, from r: Int, to end: Int, y: Int = 0, x: Int = 0) {
        guard let output else {
            for k in r..<end { emit(n, y, x, k, acc[k]) }
            return
        }
        let position = (y &+ outputBorder) &* outputPaddedWidth &+ (x &+ outputBorder)
        let word = output + (n &* outputStrideWords &+ position &* outputWordsPerPosition &+ (r >> 6))
        let perChannel = thresholdsPerChannel
        var lo: UInt64 = 0, hi: UInt64 = 0
        if perChannel == 1 {
            for k in r..<end { lo |= UInt64(acc[k] >= params[k] ? 1 : 0) << UInt64(k & 63) }
        } else if perChannel == 3 {
            // 2-bit codes, unrolled and branch-free: a generic loop's exit mispredicts once per channel.
            for k in r..<end {
                let t = params + k &* 3, a = acc[k]
                let code = UInt64(a >= t[0] ? 1 : 0) &+ UInt64(a >= t[1] ? 1 : 0) &+ UInt64(a >= t[2] ? 1 : 0)
                lo |= (code & 1) << UInt64(k & 63)
                hi |= (code >> 1) << UInt64(k & 63)
            }
        } else {
            for k in r..<end {
                let t = params + k &* perChannel
                var code: UInt64 = 0
                for j in 0..<perChannel { code &+= acc[k] >= t[j] ? 1 : 0 }
                lo |= (code & 1) << UInt64(k & 63)
                hi |= ((code >> 1) & 1) << UInt64(k & 63)
            }
        }
        word[0] = lo
        if outputBits == 2 { word[outputWordsPerPlane] = hi }
    }
}
