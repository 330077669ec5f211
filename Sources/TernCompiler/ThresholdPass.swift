import TernFormat
import TernModel

/// Thresholds in their smallest exact form.
///
/// 1. **Canonicalize** (bit-exact): a channel's accumulator always lies in `[−n₋·xmax, n₊·xmax]` (n₋, n₊: its −1 and
///    +1 weights; xmax: the largest input value, 255 for pixels, 2^k − 1 for k-bit codes; inputs are never negative
///    and padding contributes 0). A threshold at or below the minimum is always reached and becomes the "always"
///    sentinel `Int32.min`; one above the maximum is never reached and becomes `Int32.max`. What remains is small.
/// 2. **Narrow**: store the section as `int8`, `int16` or `int32`, the narrowest type whose open range
///    `(min, max)` holds every non-sentinel value. The sentinels map to the narrow type's own minimum and maximum,
///    which FORMAT.md §5 defines as "always" and "never" in every width.
enum ThresholdPass {
    /// Applies step 1 to every hidden layer. Returns the network and whether anything changed.
    static func canonicalize(_ network: IntegerNetwork) -> (IntegerNetwork, changed: Bool) {
        var net = network
        var changed = false
        for i in net.layers.indices where net.layers[i].record.thresholdsPerChannel > 0 {
            let r = net.layers[i].record
            let xmax = Int64(r.inputBits == 8 ? 255 : (1 << Int(r.inputBits)) - 1)
            let per = r.thresholdsPerChannel
            let fanIn = r.fanIn
            for c in 0..<Int(r.outChannels) {
                var plus: Int64 = 0, minus: Int64 = 0
                for w in net.layers[i].weights[(c * fanIn)..<((c + 1) * fanIn)] {
                    if w > 0 { plus += 1 } else if w < 0 { minus += 1 }
                }
                let lo = -minus * xmax, hi = plus * xmax
                for j in 0..<per {
                    let t = net.layers[i].thresholds[c * per + j]
                    guard t != Int32.min, t != Int32.max else { continue }
                    if Int64(t) <= lo {
                        net.layers[i].thresholds[c * per + j] = Int32.min
                        changed = true
                    } else if Int64(t) > hi {
                        net.layers[i].thresholds[c * per + j] = Int32.max
                        changed = true
                    }
                }
            }
        }
        return (net, changed)
    }

    /// The narrowest layout that holds `thresholds` exactly (sentinels excepted).
    static func narrowestLayout(_ thresholds: [Int32]) -> SectionLayout {
        var lo = Int64.max, hi = Int64.min
        for t in thresholds where t != Int32.min && t != Int32.max {
            lo = min(lo, Int64(t))
            hi = max(hi, Int64(t))
        }
        if lo == Int64.max { return .int8 }  // only sentinels
        if lo > Int64(Int8.min), hi < Int64(Int8.max) { return .int8 }
        if lo > Int64(Int16.min), hi < Int64(Int16.max) { return .int16 }
        return .int32
    }

    /// Little-endian bytes of `thresholds` in `layout`, with the sentinels mapped to the type's min/max.
    static func encode(_ thresholds: [Int32], as layout: SectionLayout) -> [UInt8] {
        var out: [UInt8] = []
        let width = layout.integerWidth ?? 4
        out.reserveCapacity(thresholds.count * width)
        for t in thresholds {
            let v: Int64
            switch t {
            case Int32.min: v = width == 1 ? Int64(Int8.min) : width == 2 ? Int64(Int16.min) : Int64(Int32.min)
            case Int32.max: v = width == 1 ? Int64(Int8.max) : width == 2 ? Int64(Int16.max) : Int64(Int32.max)
            default: v = Int64(t)
            }
            for b in 0..<width { out.append(UInt8(truncatingIfNeeded: v >> (8 * b))) }
        }
        return out
    }

    /// The inverse of `encode`: widens back to Int32 with the sentinels restored. Used by tests and `tern sizes`.
    static func decode(_ bytes: [UInt8], as layout: SectionLayout) -> [Int32] {
        let width = layout.integerWidth ?? 4
        var out: [Int32] = []
        out.reserveCapacity(bytes.count / width)
        var i = 0
        while i + width <= bytes.count {
            var u: UInt32 = 0
            for b in 0..<width { u |= UInt32(bytes[i + b]) << UInt32(8 * b) }
            let v: Int32
            switch width {
            case 1:
                let s = Int8(bitPattern: UInt8(u))
                v = s == Int8.min ? Int32.min : s == Int8.max ? Int32.max : Int32(s)
            case 2:
                let s = Int16(bitPattern: UInt16(u))
                v = s == Int16.min ? Int32.min : s == Int16.max ? Int32.max : Int32(s)
            default: v = Int32(bitPattern: u)
            }
            out.append(v)
            i += width
        }
        return out
    }
}
