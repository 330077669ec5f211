import TernFormat
import TernZlib

/// One way of storing a layer's weights, and what it costs.
public struct WeightEncoding: Equatable, Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case none
        case zlibDefault = "zlib-9"
        case zlibHuffmanOnly = "zlib-9-huffman"
        case zlibRLE = "zlib-9-rle"
        /// Huffman-only with a DEFLATE block boundary between groups of rows (`RowSegmentation`).
        case zlibHuffmanBlocks = "zlib-9-huffman-blocks"
    }
    public var layout: SectionLayout
    public var method: Method
    /// The window the stream declares (0 when uncompressed).
    public var windowBits: UInt8
    /// The bytes a reader gets after undoing the compression.
    public var decoded: [UInt8]
    /// The bytes in the file.
    public var stored: [UInt8]

    public var compression: SectionCompression { method == .none ? .none : .zlib }

    /// "tokens + zlib-9-huffman (w9)" — for reports.
    public var summary: String {
        let l: String
        switch layout {
        case .ternaryTokens: l = "tokens"
        case .ternaryPacked2: l = "packed2"
        case .int8: l = "int8"
        case .int16: l = "int16"
        case .int32: l = "int32"
        }
        return method == .none ? "\(l), uncompressed" : "\(l) + \(method.rawValue) (window 2^\(windowBits))"
    }
}

/// The per-layer cost model: try every layout × compression and keep the smallest stored size.
///
/// Candidates: the token stream and 2-bit packing, each uncompressed, with zlib -9 (default strategy, window up to
/// `maxWindowBits`), with zlib -9 Huffman-only and with zlib -9 RLE. Huffman-only and RLE streams refer back at most
/// 1 byte, so they declare the smallest window zlib writes (2^9 = 512 bytes) whatever the target: on sparse layers,
/// where Huffman-only wins, the runtime's inflate window costs 512 bytes instead of 32 KiB. The default strategy uses
/// the largest window the target's RAM allows. Ties go to the smaller window, then to the earlier candidate, so the
/// choice is deterministic.
enum WeightEncoder {
    static let smallestWindowBits = 9

    static func candidates(_ weights: [Int8], rowLength: Int, maxWindowBits: Int) throws(CompileError) -> [WeightEncoding] {
        var out: [WeightEncoding] = []
        for layout in [SectionLayout.ternaryTokens, .ternaryPacked2] {
            let decoded = layout == .ternaryTokens ? TernaryTokens.encode(weights) : TernaryPacked2.encode(weights)
            out += try compressions(of: decoded, layout: layout, maxWindowBits: maxWindowBits)
            guard layout == .ternaryTokens else { continue }
            let starts = RowSegmentation.rowTokenStarts(weights, rowLength: rowLength)
            let cuts = RowSegmentation.boundaries(tokens: decoded, rowStarts: starts)
            if !cuts.isEmpty, let stored = segmentedDeflate(decoded, boundaries: cuts, windowBits: Int32(smallestWindowBits),
                                                           strategy: ZlibStrategy.huffmanOnly.rawValue) {
                out.append(WeightEncoding(layout: layout, method: .zlibHuffmanBlocks, windowBits: UInt8(smallestWindowBits),
                                          decoded: decoded, stored: stored))
            }
        }
        return out
    }

    /// `decoded` uncompressed and under each zlib strategy. The default strategy runs at the largest window the
    /// target allows, at the smallest window covering the data (when that is smaller), and at 2^9 — a much smaller
    /// inflate window for a few bytes more is often the better trade, and ties go to the smaller window.
    static func compressions(
        of decoded: [UInt8], layout: SectionLayout, maxWindowBits: Int
    ) throws(CompileError) -> [WeightEncoding] {
        var out = [WeightEncoding(layout: layout, method: .none, windowBits: 0, decoded: decoded, stored: decoded)]
        var covering = smallestWindowBits
        while covering < maxWindowBits && (1 << covering) - 262 < decoded.count { covering += 1 }
        var runs: [(WeightEncoding.Method, ZlibStrategy, Int)] = [(.zlibDefault, .defaultStrategy, maxWindowBits)]
        if covering < maxWindowBits { runs.append((.zlibDefault, .defaultStrategy, covering)) }
        if smallestWindowBits < min(covering, maxWindowBits) {
            runs.append((.zlibDefault, .defaultStrategy, smallestWindowBits))
        }
        runs += [(.zlibHuffmanOnly, .huffmanOnly, smallestWindowBits), (.zlibRLE, .rle, smallestWindowBits)]
        for (method, strategy, window) in runs {
            let stored: [UInt8]
            do { stored = try deflate(decoded, level: 9, windowBits: window, memLevel: 9, strategy: strategy) }
            catch { throw .compression("\(error)") }
            out.append(WeightEncoding(layout: layout, method: method, windowBits: UInt8(window), decoded: decoded,
                                      stored: stored))
        }
        return out
    }

    /// The cheapest candidate for `goal` (see the type's comment for the tie-break).
    static func best(_ weights: [Int8], rowLength: Int, maxWindowBits: Int,
                     goal: EncodingGoal = .size) throws(CompileError) -> WeightEncoding {
        choose(try candidates(weights, rowLength: rowLength, maxWindowBits: maxWindowBits), for: goal)
    }

    /// `size`: the smallest. `speed`: the smallest uncompressed. `balanced`: the smallest compressed one if it
    /// takes at most `EncodingGoal.balancedRatio` of the smallest uncompressed one's bytes, else that one.
    static func choose(_ all: [WeightEncoding], for goal: EncodingGoal) -> WeightEncoding {
        let smallest = cheapest(all)
        guard goal != .size else { return smallest }
        let raw = cheapest(all.filter { $0.method == .none })
        if goal == .speed || smallest.method == .none { return raw }
        return Double(smallest.stored.count) <= EncodingGoal.balancedRatio * Double(raw.stored.count) ? smallest : raw
    }

    /// Smallest stored size; ties to the smaller window, then to the earlier candidate.
    static func cheapest(_ all: [WeightEncoding]) -> WeightEncoding {
        var best = all[0]
        for c in all.dropFirst() {
            if c.stored.count < best.stored.count
                || (c.stored.count == best.stored.count && c.windowBits < best.windowBits) {
                best = c
            }
        }
        return best
    }
}
