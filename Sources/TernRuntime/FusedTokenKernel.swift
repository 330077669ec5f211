import TernFormat

// Streaming mode's dense kernel for token sections: each token becomes an addition the moment it leaves the
// inflater. No row list, no second pass over a row: the weight stream is read once per batch, and what it costs
// beyond inflating is a gap add, a row-boundary compare and one input fetch per nonzero per image.
//
// It applies where a weight's within-row index is its input offset (a dense layer over pixels or over a single
// position) and the batch fits the row-list slots, which hold the accumulators here. Other layers decode rows into
// lists (`RowDecoder`) and run `SparseKernel.row`; both paths are checked against `Reference`.

/// Reads input value `j` of batch entry `n`.
protocol InputFetch {
    func value(_ n: Int, _ j: Int) -> Int32
}

/// 8-bit pixels, one byte per input.
struct PixelFetch: InputFetch {
    let base: UnsafePointer<UInt8>
    let stride: Int
    @inline(__always) func value(_ n: Int, _ j: Int) -> Int32 { Int32(base[n &* stride &+ j]) }
}

// Code tensors are arrays of little-endian UInt64 words, so bit j is also bit j % w of the machine word j / w
// (w = UInt.bitWidth). Reading machine words keeps a 32-bit core off 64-bit shifts, which Cortex-M compiles into
// library calls (__aeabi_llsr) costing ~30 instructions per weight.
enum MachineWord {
    static let shift = UInt.bitWidth == 64 ? 6 : 5
    static let mask = UInt.bitWidth - 1
    /// Machine words per UInt64 word.
    static let perUInt64 = 8 / MemoryLayout<UInt>.size
}

/// 1-bit codes, bit `j` of the entry's words.
struct BitFetch: InputFetch {
    let base: UnsafePointer<UInt>
    /// Machine words per batch entry.
    let stride: Int
    init(_ words: UnsafePointer<UInt64>, strideUInt64: Int) {
        base = UnsafeRawPointer(words).assumingMemoryBound(to: UInt.self)
        stride = strideUInt64 &* MachineWord.perUInt64
    }
    @inline(__always) func value(_ n: Int, _ j: Int) -> Int32 {
        Int32(truncatingIfNeeded: (base[n &* stride &+ (j &>> MachineWord.shift)] &>> UInt(j & MachineWord.mask)) & 1)
    }
}

/// 2-bit codes: bit `j` of plane 0 plus twice bit `j` of plane 1, `planeWords` later.
struct TwoBitFetch: InputFetch {
    let base: UnsafePointer<UInt>
    let stride: Int
    let plane: Int
    init(_ words: UnsafePointer<UInt64>, strideUInt64: Int, planeUInt64: Int) {
        base = UnsafeRawPointer(words).assumingMemoryBound(to: UInt.self)
        stride = strideUInt64 &* MachineWord.perUInt64
        plane = planeUInt64 &* MachineWord.perUInt64
    }
    @inline(__always) func value(_ n: Int, _ j: Int) -> Int32 {
        let w = base + (n &* stride &+ (j &>> MachineWord.shift))
        let s = UInt(j & MachineWord.mask)
        return Int32(truncatingIfNeeded: ((w[0] &>> s) & 1) | ((w[plane] &>> s) & 1) &<< 1)
    }
}

enum FusedTokenKernel {
    /// Whether layer `l` at `batch` images can run fused: a dense layer whose weight index is its input offset,
    /// with a token section, and no more images than the row-list slots that hold the accumulators.
    static func applies(_ l: LayerPlan, layout: SectionLayout, batch: Int, slots: Int) -> Bool {
        layout == .ternaryTokens && l.record.kind == .dense && OffsetMap(l).identity && batch <= slots
    }

    /// Runs the whole layer from the section's token stream, writing each row's activations as soon as its last
    /// token has gone by. `accumulators` is the row-list area: `c.count` Int32s, or for one image of codes its
    /// inputs unpacked to bytes (the fan-in fits: the area has 4 bytes per input). Rejects a malformed stream as
    /// `RowDecoder` does.
    static func run(_ c: LayerContext, _ l: LayerPlan, reader: inout SectionReader,
                    accumulators: UnsafeMutablePointer<Int32>) throws(RuntimeError) {
        if c.count == 1 && c.inputBits != 8 {
            // One image: its codes are unpacked to one byte each first (fan-in steps, against one per nonzero
            // weight later), so every weight costs one byte load. The accumulators' slots hold the bytes.
            let bytes = UnsafeMutableRawPointer(accumulators).assumingMemoryBound(to: UInt8.self)
            unpack(c, fanIn: l.fanIn, into: bytes)
            try run(c, l, PixelFetch(base: UnsafePointer(bytes), stride: 0), &reader, accumulators)
            return
        }
        switch c.inputBits {
        case 8:
            let fetch = PixelFetch(base: c.input.assumingMemoryBound(to: UInt8.self), stride: c.inputStride)
            try run(c, l, fetch, &reader, accumulators)
        case 1:
            let fetch = BitFetch(c.input.assumingMemoryBound(to: UInt64.self), strideUInt64: c.inputStride / 8)
            try run(c, l, fetch, &reader, accumulators)
        default:
            let fetch = TwoBitFetch(c.input.assumingMemoryBound(to: UInt64.self), strideUInt64: c.inputStride / 8,
                                    planeUInt64: c.inputWordsPerPlane)
            try run(c, l, fetch, &reader, accumulators)
        }
    }

    /// Writes image 0's `fanIn` input codes (1 or 2 bits, one position) as bytes 0…3.
    private static func unpack(_ c: LayerContext, fanIn: Int, into bytes: UnsafeMutablePointer<UInt8>) {
        let words = UnsafeRawPointer(c.input).assumingMemoryBound(to: UInt.self)
        let plane = c.inputWordsPerPlane &* MachineWord.perUInt64
        let twoBits = c.inputBits == 2
        for j in 0..<fanIn {
            let w = words + (j &>> MachineWord.shift)
            let s = UInt(j & MachineWord.mask)
            var v = (w[0] &>> s) & 1
            if twoBits { v |= ((w[plane] &>> s) & 1) &<< 1 }
            bytes[j] = UInt8(truncatingIfNeeded: v)
        }
    }

    /// Adds one image's nonzeros until a token leaves the current row, is reserved, skips past the tensor, or the
    /// chunk ends; skips inside the tensor are taken here (at 98 % zeros about one token in twelve is a skip).
    /// Returns where it stopped, the position after the last token it took and the new sum.
    @inline(never)
    private static func scanRow<F: InputFetch>(
        _ bytes: UnsafePointer<UInt8>, from start: Int, to end: Int, position: Int, rowStart: Int, rowEnd: Int,
        total: Int, sum: Int32, _ fetch: F
    ) -> (Int, Int, Int32) {
        var t = start, position = position, sum = sum
        while t < end {
            let token = bytes[t]
            if token >= TernaryTokens.skipToken {
                let skipped = position &+ (TernaryTokens.maxGap &+ 1)
                if token != TernaryTokens.skipToken || skipped >= total { break }
                position = skipped
                t &+= 1
                continue
            }
            let index = position &+ Int(token &>> 1)
            if index >= rowEnd { break }
            let v = fetch.value(0, index &- rowStart)
            sum = token & 1 == 0 ? sum &+ v : sum &- v
            position = index &+ 1
            t &+= 1
        }
        return (t, position, sum)
    }

    @inline(__always)
    private static func run<F: InputFetch>(_ c: LayerContext, _ l: LayerPlan, _ fetch: F,
                                           _ reader: inout SectionReader,
                                           _ acc: UnsafeMutablePointer<Int32>) throws(RuntimeError) {
        let section = reader.index
        let fanIn = l.fanIn, rows = l.rows, total = rows &* fanIn, count = c.count
        var row = 0
        var rowStart = 0
        var rowEnd = fanIn
        var position = 0
        var consumed = 0
        var lastWasSkip = false
        // One image keeps its sum in a register: through `acc` every add would wait on the previous store.
        let single = count == 1
        var sum: Int32 = 0
        if !single { acc.update(repeating: 0, count: count) }
        /// Writes the current row's activations and moves to the next row.
        @inline(__always) func finishRow() {
            if single {
                c.emit(0, 0, 0, row, sum)
                sum = 0
            } else {
                for k in 0..<count { c.emit(k, 0, 0, row, acc[k]) }
                acc.update(repeating: 0, count: count)
            }
            row &+= 1
            rowStart = rowEnd
            rowEnd &+= fanIn
        }
        while let chunk = try reader.next() {
            guard let bytes = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { continue }
            let n = chunk.count
            var t = 0
            while t < n {
                if single {
                    // The common case in a tight loop of its own, so its state stays in registers.
                    (t, position, sum) = scanRow(bytes, from: t, to: n, position: position, rowStart: rowStart,
                                                 rowEnd: rowEnd, total: total, sum: sum, fetch)
                    if t == n { break }
                }
                let token = bytes[t]
                if token < TernaryTokens.skipToken {
                    let index = position &+ Int(token &>> 1)
                    if index >= rowEnd {
                        guard index < total else {
                            throw .corruptSection(index: section, problem: .ternary(.overrun(offset: consumed &+ t)))
                        }
                        repeat { finishRow() } while index >= rowEnd
                    }
                    // +1 for an even token, −1 for an odd one: (v ^ m) − m negates when m = −1.
                    let m = -Int32(token & 1)
                    let j = index &- rowStart
                    if single {
                        sum &+= (fetch.value(0, j) ^ m) &- m
                    } else {
                        for k in 0..<count { acc[k] &+= (fetch.value(k, j) ^ m) &- m }
                    }
                    position = index &+ 1
                } else if token == TernaryTokens.skipToken {
                    position &+= TernaryTokens.maxGap &+ 1
                    guard position < total else {
                        throw .corruptSection(index: section, problem: .ternary(.overrun(offset: consumed &+ t)))
                    }
                } else {
                    throw .corruptSection(index: section, problem: .ternary(.reservedToken(offset: consumed &+ t)))
                }
                t &+= 1
            }
            if n > 0 { lastWasSkip = bytes[n - 1] == TernaryTokens.skipToken }
            consumed &+= n
        }
        if lastWasSkip { throw .corruptSection(index: section, problem: .ternary(.trailingSkip)) }
        while row < rows { finishRow() }
    }
}
