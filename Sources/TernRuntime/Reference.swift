import TernFormat

/// The scalar reference: every operator written the obvious way on unpacked `Int32` values, HWC, with no layout
/// tricks. Slow on purpose; the optimized kernels and both engine modes are tested bit-exact against it.
/// It allocates (arrays), so it is for tests and tools, not for the inference path.
public enum Reference {
    /// Logits of `count` images (`count × classes`).
    public static func logits(file: TernFile, bytes: UnsafeRawBufferPointer, images: UnsafeRawBufferPointer,
                              count: Int) throws(RuntimeError) -> [Int64] {
        let first = file.layers[0]
        let inputElements = Int(first.inChannels) * Int(first.inHeight) * Int(first.inWidth)
        guard images.count >= count * inputElements else {
            throw .bufferTooShort(needed: count * inputElements, provided: images.count)
        }
        var weights: [[Int8]] = []
        var params: [[Int32]] = []
        for (i, l) in file.layers.enumerated() {
            if l.kind == .maxPool { weights.append([]); params.append([]); continue }
            weights.append(try Self.weights(file: file, bytes: bytes, layer: i))
            params.append(try Self.parameters(file: file, bytes: bytes, section: Int(l.paramSection)))
        }
        var result: [Int64] = []
        for n in 0..<count {
            var x = (0..<inputElements).map { Int32(images[n * inputElements + $0]) }
            for (i, l) in file.layers.enumerated() {
                switch l.kind {
                case .maxPool: x = maxPool(x, l)
                case .dense, .conv:
                    let acc = l.kind == .dense ? dense(x, weights[i], l) : conv(x, weights[i], l)
                    if l.isFinal {
                        let c = Int(l.outChannels)
                        for o in 0..<c { result.append(Int64(acc[o]) * Int64(params[i][o]) + Int64(params[i][c + o])) }
                    } else {
                        x = threshold(acc, params[i], l)
                    }
                }
            }
        }
        return result
    }

    /// Lowest index of the largest value of each row of `classes` logits.
    public static func argmax(_ logits: [Int64], classes: Int) -> [Int32] {
        stride(from: 0, to: logits.count, by: classes).map { start in
            var best = 0
            for c in 1..<classes where logits[start + c] > logits[start + best] { best = c }
            return Int32(best)
        }
    }

    /// Layer `layer`'s weights in artifact order.
    public static func weights(file: TernFile, bytes: UnsafeRawBufferPointer, layer: Int) throws(RuntimeError) -> [Int8] {
        let l = file.layers[layer]
        let index = Int(l.weightSection)
        let decoded = try decode(file: file, bytes: bytes, section: index)
        let w: [Int8]
        do throws(FormatError) {
            w = file.sections[index].layout == .ternaryTokens
                ? try TernaryTokens.decode(decoded, count: l.weightCount)
                : try TernaryPacked2.decode(decoded, count: l.weightCount)
        } catch {
            throw RowDecoder.corrupt(index, error)
        }
        let nonzeros = w.reduce(0) { $0 + ($1 == 0 ? 0 : 1) }
        guard nonzeros == Int(l.nonzeroWeights) else {
            throw .corruptSection(index: index, problem: .nonzeroCount(expected: Int(l.nonzeroWeights), actual: nonzeros))
        }
        return w
    }

    /// A thresholds or affine section widened to Int32 (thresholds' type min/max become Int32.min/max).
    public static func parameters(file: TernFile, bytes: UnsafeRawBufferPointer, section: Int) throws(RuntimeError) -> [Int32] {
        let s = file.sections[section]
        let decoded = try decode(file: file, bytes: bytes, section: section)
        let width = s.layout.integerWidth ?? 4
        var out: [Int32] = []
        for e in 0..<Int(s.elementCount) {
            var v: Int64 = 0
            for k in 0..<width { v |= Int64(decoded[e * width + k]) << Int64(8 * k) }
            let bits = Int64(8 * width)
            if v >= (1 << (bits - 1)) { v -= 1 << bits }  // two's complement
            if s.kind == .thresholds && width < 4 {
                if v == -(1 << (bits - 1)) { v = Int64(Int32.min) } else if v == (1 << (bits - 1)) - 1 { v = Int64(Int32.max) }
            }
            out.append(Int32(v))
        }
        return out
    }

    /// A section's decoded bytes, checked against its length and CRC-32.
    static func decode(file: TernFile, bytes: UnsafeRawBufferPointer, section: Int) throws(RuntimeError) -> [UInt8] {
        let s = file.sections[section]
        let memoryBytes = s.compression == .zlib ? InflateMemory.bytes(windowBits: Int(s.windowBits)) : 0
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(memoryBytes, 1), alignment: 64)
        defer { memory.deallocate() }
        var out: [UInt8] = []
        var reader = try SectionReader(file: file, bytes: bytes, index: section,
                                       inflateMemory: UnsafeMutableRawBufferPointer(rebasing: memory[0..<memoryBytes]))
        while let chunk = try reader.next() { out.append(contentsOf: chunk) }
        guard UInt64(out.count) == s.decodedBytes else {
            throw .corruptSection(index: section, problem: .tooLittleOutput(expected: s.decodedBytes, produced: UInt64(out.count)))
        }
        let crc = CRC32.checksum(out)
        guard crc == s.crc32 else { throw .corruptSection(index: section, problem: .checksum(stored: s.crc32, computed: crc)) }
        return out
    }

    static func dense(_ x: [Int32], _ w: [Int8], _ l: LayerRecord) -> [Int32] {
        let fanIn = l.fanIn
        return (0..<Int(l.outChannels)).map { o in
            var acc: Int32 = 0
            for j in 0..<fanIn { acc += Int32(w[o * fanIn + j]) * x[j] }
            return acc
        }
    }

    /// HWC conv, stride 1; out-of-image taps read 0.
    static func conv(_ x: [Int32], _ w: [Int8], _ l: LayerRecord) -> [Int32] {
        let c = Int(l.inChannels), h = Int(l.inHeight), wd = Int(l.inWidth)
        let k = Int(l.kernel), p = Int(l.padding), oc = Int(l.outChannels)
        let oh = Int(l.outHeight), ow = Int(l.outWidth)
        var out = [Int32](repeating: 0, count: oh * ow * oc)
        for y in 0..<oh {
            for xx in 0..<ow {
                for o in 0..<oc {
                    var acc: Int32 = 0
                    for kh in 0..<k {
                        for kw in 0..<k {
                            let iy = y + kh - p, ix = xx + kw - p
                            guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                            for ci in 0..<c {
                                acc += Int32(w[((o * k + kh) * k + kw) * c + ci]) * x[(iy * wd + ix) * c + ci]
                            }
                        }
                    }
                    out[(y * ow + xx) * oc + o] = acc
                }
            }
        }
        return out
    }

    /// `code = #{ j : acc ≥ T[c][j] }` per element; `acc` is HWC so the channel is the index modulo channels.
    static func threshold(_ acc: [Int32], _ t: [Int32], _ l: LayerRecord) -> [Int32] {
        let per = l.thresholdsPerChannel, channels = Int(l.outChannels)
        return acc.enumerated().map { i, a in
            let c = i % channels
            var code: Int32 = 0
            for j in 0..<per where a >= t[c * per + j] { code += 1 }
            return code
        }
    }

    static func maxPool(_ x: [Int32], _ l: LayerRecord) -> [Int32] {
        let c = Int(l.inChannels), w = Int(l.inWidth), oh = Int(l.outHeight), ow = Int(l.outWidth)
        var out: [Int32] = []
        for y in 0..<oh {
            for xx in 0..<ow {
                for ch in 0..<c {
                    var m = Int32.min
                    for dy in 0..<2 { for dx in 0..<2 { m = max(m, x[((2 * y + dy) * w + 2 * xx + dx) * c + ch]) } }
                    out.append(m)
                }
            }
        }
        return out
    }
}
