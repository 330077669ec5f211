/// The bit-sliced batch kernel: 64 images share every instruction. A sliced tensor holds, for each group of 64
/// images, element `e`'s plane `b` as one word (`group[e · planes + b]`, bit `n` = image `n` of the group). A row's
/// nonzeros are added into bit-sliced counters (word `l` holds bit `l` of 64 counts), the difference of the +1 and
/// −1 counts is formed bit-sliced, and each threshold is compared bit-sliced, so the output codes come out already
/// sliced for the next layer. Per nonzero and plane this costs a few word operations for 64 images, against a
/// gather per image in the row kernel.
enum SlicedKernel {
    /// Levels needed to count up to `count · maxValue` without overflow.
    @inline(__always) static func levels(_ count: Int, maxValue: Int) -> Int {
        let m = count &* maxValue
        return m == 0 ? 1 : Int.bitWidth &- m.leadingZeroBitCount
    }

    /// Adds the `count` elements listed in `list` (each `planes` words at `input[e · planes]`, plane `b` weighted
    /// `2^b`) into the `levels`-word counter, which it zeroes first.
    ///
    /// Harley–Seal: words are first combined eight at a time with carry-save adders (ones, twos, fours kept
    /// bit-sliced), so only one word in eight ripples through the counter. With 64 lanes a ripple almost always runs
    /// through every level, so this is several times fewer operations than adding each word on its own.
    @inline(__always)
    static func accumulate(_ input: UnsafePointer<UInt64>, planes: Int, list: UnsafePointer<UInt32>, count: Int,
                           into counter: UnsafeMutablePointer<UInt64>, levels: Int) {
        counter.update(repeating: 0, count: levels)
        for b in 0..<planes {
            @inline(__always) func word(_ t: Int) -> UInt64 { input[Int(list[t]) &* planes &+ b] }
            var ones: UInt64 = 0, twos: UInt64 = 0, fours: UInt64 = 0
            var t = 0
            while t &+ 8 <= count {
                var twosA: UInt64 = 0, twosB: UInt64 = 0, foursA: UInt64 = 0, foursB: UInt64 = 0, eights: UInt64 = 0
                csa(&ones, &twosA, word(t), word(t &+ 1))
                csa(&ones, &twosB, word(t &+ 2), word(t &+ 3))
                csa(&twos, &foursA, twosA, twosB)
                csa(&ones, &twosA, word(t &+ 4), word(t &+ 5))
                csa(&ones, &twosB, word(t &+ 6), word(t &+ 7))
                csa(&twos, &foursB, twosA, twosB)
                csa(&fours, &eights, foursA, foursB)
                ripple(counter, eights, from: b &+ 3)
                t &+= 8
            }
            while t < count {
                ripple(counter, word(t), from: b)
                t &+= 1
            }
            ripple(counter, ones, from: b)
            ripple(counter, twos, from: b &+ 1)
            ripple(counter, fours, from: b &+ 2)
        }
    }

    /// Carry-save adder: `sum` (in/out) + a + b = new `sum` + 2 · `carry`, lane-wise.
    @inline(__always)
    static func csa(_ sum: inout UInt64, _ carry: inout UInt64, _ a: UInt64, _ b: UInt64) {
        let u = sum ^ a
        carry = (sum & a) | (u & b)
        sum = u ^ b
    }

    /// Adds `x` (one bit per lane) at `level` into the bit-sliced counter.
    @inline(__always)
    static func ripple(_ counter: UnsafeMutablePointer<UInt64>, _ x: UInt64, from level: Int) {
        var carry = x
        var l = level
        while carry != 0 {
            let next = counter[l] & carry
            counter[l] ^= carry
            carry = next
            l &+= 1
        }
    }

    /// `d = p − n` in `levels + 1` bits, two's complement, lane-wise.
    @inline(__always)
    static func subtract(_ p: UnsafePointer<UInt64>, _ n: UnsafePointer<UInt64>, levels: Int,
                         into d: UnsafeMutablePointer<UInt64>) {
        var borrow: UInt64 = 0
        for l in 0...levels {
            let a = l < levels ? p[l] : 0
            let b = l < levels ? n[l] : 0
            d[l] = a ^ b ^ borrow
            borrow = (~a & b) | (~(a ^ b) & borrow)
        }
    }

    /// Lanes whose `d` (`levels + 1` bits, two's complement, |d| < 2^levels) is at least `threshold`.
    @inline(__always)
    static func atLeast(_ d: UnsafePointer<UInt64>, levels: Int, threshold: Int32) -> UInt64 {
        let t = Int64(threshold)
        let limit = Int64(1) << Int64(levels)
        if t <= -limit { return ~0 }
        if t >= limit { return 0 }
        // d − t ∈ (−2^(levels+1), 2^(levels+1)): levels + 2 bits hold it; its sign bit says d < t.
        let minusT = UInt64(bitPattern: -t)
        var carry: UInt64 = 0
        var sum: UInt64 = 0
        for l in 0...(levels &+ 1) {
            let a = d[min(l, levels)]
            let c: UInt64 = (minusT >> UInt64(l)) & 1 != 0 ? ~0 : 0
            sum = a ^ c ^ carry
            carry = (a & c) | (carry & (a ^ c))
        }
        return ~sum
    }

    /// Lane `n` of `d` as an integer.
    @inline(__always)
    static func lane(_ d: UnsafePointer<UInt64>, levels: Int, _ n: Int) -> Int64 {
        var v: Int64 = 0
        for l in 0...levels { v |= Int64((d[l] >> UInt64(n)) & 1) << Int64(l) }
        if (d[levels] >> UInt64(n)) & 1 != 0 { v -= Int64(1) << Int64(levels &+ 1) }
        return v
    }

    /// One row over every group: writes the row's output code planes (hidden) or logits (final).
    static func row(_ c: SlicedContext, _ row: Int, plus: UnsafePointer<UInt32>, plusCount: Int,
                    minus: UnsafePointer<UInt32>, minusCount: Int) {
        let levels = SlicedKernel.levels(max(plusCount, minusCount), maxValue: (1 << c.inputPlanes) &- 1)
        let p = c.counters, n = c.counters + 40, d = c.counters + 80
        let groups = (c.count &+ 63) >> 6
        for g in 0..<groups {
            let input = UnsafePointer(c.input + g &* c.inputWordsPerGroup)
            accumulate(input, planes: c.inputPlanes, list: plus, count: plusCount, into: p, levels: levels)
            accumulate(input, planes: c.inputPlanes, list: minus, count: minusCount, into: n, levels: levels)
            subtract(p, n, levels: levels, into: d)
            if let output = c.output {
                let t = c.params + row &* c.thresholdsPerChannel
                let out = output + (g &* c.outputWordsPerGroup &+ row &* c.outputPlanes)
                if c.thresholdsPerChannel == 1 {
                    out[0] = atLeast(d, levels: levels, threshold: t[0])
                } else {
                    let g0 = atLeast(d, levels: levels, threshold: t[0])
                    let g1 = atLeast(d, levels: levels, threshold: t[1])
                    let g2 = atLeast(d, levels: levels, threshold: t[2])
                    out[0] = g0 ^ g1 ^ g2
                    out[1] = (g0 & g1) | (g0 & g2) | (g1 & g2)
                }
            } else if let logits = c.logits {
                let lanes = min(64, c.count &- g &* 64)
                let m = Int64(c.params[row]), b = Int64(c.params[c.classes &+ row])
                for k in 0..<lanes {
                    logits[(g &* 64 &+ k) &* c.classes &+ row] = lane(d, levels: levels, k) &* m &+ b
                }
            }
        }
    }

    /// Transposes `count` bit-packed code tensors (`layout`, one every `strideWords`) into sliced planes, element
    /// order HWC (the dense layer's fan-in order).
    static func sliceCodes(_ input: UnsafePointer<UInt64>, strideWords: Int, layout: TensorLayout, count: Int,
                           into out: UnsafeMutablePointer<UInt64>) {
        let elements = layout.channels &* layout.height &* layout.width
        let planes = layout.bits
        let groups = (count &+ 63) >> 6
        out.update(repeating: 0, count: groups &* elements &* planes)
        for n in 0..<count {
            let group = out + (n >> 6) &* elements &* planes
            let bit = UInt64(1) << UInt64(n & 63)
            let tensor = input + n &* strideWords
            var e = 0
            for y in 0..<layout.height {
                for x in 0..<layout.width {
                    let position = tensor + ((y &+ layout.border) &* layout.paddedWidth &+ x &+ layout.border)
                        &* layout.wordsPerPosition
                    // Visit set bits only (activations are sparse-ish and padding bits are zero).
                    for b in 0..<planes {
                        for w in 0..<layout.wordsPerPlane {
                            var bits = position[b &* layout.wordsPerPlane &+ w]
                            while bits != 0 {
                                let ch = w &* 64 &+ bits.trailingZeroBitCount
                                group[(e &+ ch) &* planes &+ b] |= bit
                                bits &= bits &- 1
                            }
                        }
                    }
                    e &+= layout.channels
                }
            }
        }
    }
}

/// What a sliced layer reads and writes for one call.
struct SlicedContext {
    let count: Int
    let input: UnsafePointer<UInt64>
    let inputPlanes: Int
    let inputWordsPerGroup: Int
    let output: UnsafeMutablePointer<UInt64>?
    let outputPlanes: Int
    let outputWordsPerGroup: Int
    let params: UnsafePointer<Int32>
    let thresholdsPerChannel: Int
    let logits: UnsafeMutablePointer<Int64>?
    let classes: Int
    let counters: UnsafeMutablePointer<UInt64>
}
