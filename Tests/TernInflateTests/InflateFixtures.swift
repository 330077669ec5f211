// Inputs, a streaming driver and a bit writer shared by the TernInflate tests.
import TernFormat
import TernInflate
import TernTestSupport
import TernZlib

/// The kinds of data the inflater must handle: incompressible, text-like (many matches at many distances),
/// long runs (overlapping matches), and ternary token streams (what a .tern file compresses).
enum InputKind: CaseIterable, CustomStringConvertible {
    case random, text, runs, ternaryTokens, mixed

    var description: String {
        switch self {
        case .random: "random"
        case .text: "text"
        case .runs: "runs"
        case .ternaryTokens: "ternaryTokens"
        case .mixed: "mixed"
        }
    }

    /// `count` bytes of this kind; `seed` picks where in the kind's corpus they start.
    func bytes(count: Int, seed: UInt64) -> [UInt8] {
        if count > InputKind.corpusBytes { return generate(count: count, seed: seed) }
        let corpus = InputKind.corpora[InputKind.allCases.firstIndex(of: self)!]
        let start = Int(seed % UInt64(InputKind.corpusBytes - count + 1))
        return Array(corpus[start..<(start + count)])
    }

    private static let corpusBytes = 1 << 16
    /// One corpus per kind, generated once: debug-build generators are slow, slices of these are not.
    private static let corpora: [[UInt8]] = InputKind.allCases.map { $0.generate(count: corpusBytes, seed: 42) }

    private func generate(count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        switch self {
        case .random:
            var out = [UInt8](repeating: 0, count: count)
            out.withUnsafeMutableBytes { raw in
                for i in stride(from: 0, to: count, by: 8) {
                    var word = rng.next()
                    for j in i..<min(i + 8, count) {
                        raw[j] = UInt8(truncatingIfNeeded: word)
                        word >>= 8
                    }
                }
            }
            return out
        case .text:
            let words: [[UInt8]] = ["the", "ternary", "weight", "of", "a", "sparse", "network", "is", "zero", "most",
                                    "times", "and", "streams", "through", "window", "inflate", "decoder", "layer", "\n",
                                    "  "].map { Array($0.utf8) }
            var out: [UInt8] = []
            out.reserveCapacity(count + 16)
            while out.count < count {
                let r = rng.next()
                out += words[Int(r % UInt64(words.count))]
                out.append(r & (1 << 40) == 0 ? 32 : 44)
            }
            return Array(out.prefix(count))
        case .runs:
            var out: [UInt8] = []
            out.reserveCapacity(count + 600)
            while out.count < count {
                let r = rng.next()
                let period = Int(r % 6) + 1
                let pattern = (0..<period).map { UInt8(truncatingIfNeeded: r >> (8 + 8 * UInt64($0))) }
                let length = Int((r >> 56) % 200) * 3 + 1
                for i in 0..<length { out.append(pattern[i % period]) }
            }
            return Array(out.prefix(count))
        case .ternaryTokens:
            // Token streams at 90, 95 and 98 % sparsity, from the format's own encoder. The corpus uses the shared
            // `randomTernary`; multi-megabyte streams use a faster generator of the same distribution.
            var out: [UInt8] = []
            var s = seed
            while out.count < count {
                let sparsity = [0.9, 0.95, 0.98][Int(s % 3)]
                let weights = count <= InputKind.corpusBytes
                    ? randomTernary(count: 100_000, sparsity: sparsity, using: &rng)
                    : fastRandomTernary(count: 1_000_000, sparsity: sparsity, using: &rng)
                out += TernaryTokens.encode(weights)
                s += 1
            }
            return Array(out.prefix(count))
        case .mixed:
            let part = max(1, count / 4)
            var out = InputKind.text.generate(count: part, seed: seed) + InputKind.random.generate(count: part, seed: seed + 1)
            out += InputKind.runs.generate(count: part, seed: seed + 2)
            out += InputKind.ternaryTokens.generate(count: count - out.count, seed: seed + 3)
            return out
        }
    }
}

/// I.i.d. ternary weights with the given fraction of zeros, one generator call per weight (debug builds of
/// `randomTernary` are too slow for tensors of millions of weights).
func fastRandomTernary(count: Int, sparsity: Double, using rng: inout SeededGenerator) -> [Int8] {
    let zeroBelow = UInt64(sparsity * Double(1 << 52))
    var out = [Int8](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { w in
        for i in 0..<count {
            let r = rng.next()
            if r >> 12 >= zeroBelow { w[i] = r & 1 == 0 ? 1 : -1 }
        }
    }
    return out
}

/// How `streamInflate` slices its input.
enum Chunking {
    case whole
    case fixed(Int)
    case random(maximum: Int, seed: UInt64)
}

/// Decodes `stream` with `ZlibInflater`, feeding input in `chunking` pieces and pulling output through a buffer of
/// `outputChunk` bytes. Throws `trailingGarbage` for input left after the end and `truncatedInput` if it ends
/// early, like `zlibDecompress`, so the two can be compared on any input.
func streamInflate(
    _ stream: [UInt8], chunking: Chunking = .whole, outputChunk: Int = 4096, workspaceBytes: Int? = nil,
    maxOutputBytes: Int = 1 << 30
) throws(InflateError) -> [UInt8] {
    let workspace = UnsafeMutableRawBufferPointer.allocate(
        byteCount: workspaceBytes ?? ZlibInflater.workspaceBytes(windowBits: 15), alignment: 16)
    defer { workspace.deallocate() }
    let input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, stream.count))
    defer { input.deallocate() }
    _ = input.initialize(from: stream)
    let output = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, outputChunk))
    defer { output.deallocate() }
    let outputSlice = UnsafeMutableBufferPointer(rebasing: output[0..<outputChunk])

    var inflater = try ZlibInflater(workspace: workspace)
    var rng: SeededGenerator
    if case .random(_, let seed) = chunking { rng = SeededGenerator(seed: seed) } else { rng = SeededGenerator(seed: 0) }
    var decoded: [UInt8] = []
    var position = 0
    var available = 0  // bytes of stream offered so far beyond `position`
    while true {
        // Offer a new piece of input only when the decoder has used what it had.
        if available == 0 && position < stream.count {
            switch chunking {
            case .whole: available = stream.count - position
            case .fixed(let n): available = min(n, stream.count - position)
            case .random(let maximum, _): available = min(Int.random(in: 1...maximum, using: &rng), stream.count - position)
            }
        }
        let chunk = UnsafeBufferPointer(rebasing: input[position..<(position + available)])
        let progress = try inflater.inflate(chunk, into: outputSlice)
        decoded.append(contentsOf: outputSlice[0..<progress.produced])
        position += progress.consumed
        available -= progress.consumed
        if decoded.count > maxOutputBytes { throw .outputLimitExceeded(limit: maxOutputBytes) }
        if progress.finished {
            let left = stream.count - position
            if left > 0 { throw .trailingGarbage(bytes: left) }
            return decoded
        }
        if progress.consumed == 0 && progress.produced == 0 {
            // No progress with input on offer and room to write would be a hang; with no input left it is the end.
            precondition(available == 0 && position == stream.count, "ZlibInflater stalled")
            throw .truncatedInput
        }
    }
}

/// Writes a DEFLATE bit stream by hand: fields least-significant bit first, Huffman codes most-significant first.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var accumulator = 0
    private var count = 0

    mutating func write(_ value: Int, bits: Int) {
        for i in 0..<bits { writeBit((value >> i) & 1) }
    }

    mutating func writeCode(_ code: Int, length: Int) {
        for i in stride(from: length - 1, through: 0, by: -1) { writeBit((code >> i) & 1) }
    }

    mutating func alignToByte() {
        while count != 0 { writeBit(0) }
    }

    private mutating func writeBit(_ bit: Int) {
        accumulator |= bit << count
        count += 1
        if count == 8 {
            bytes.append(UInt8(accumulator))
            accumulator = 0
            count = 0
        }
    }

    /// The DEFLATE data wrapped as a zlib stream with the given window and the Adler-32 of `decoded`.
    func zlibStream(decoded: [UInt8] = [], windowBits: Int = 15) -> [UInt8] {
        var copy = self
        copy.alignToByte()
        let adler = zlibAdler32(decoded)
        return zlibHeader(windowBits: windowBits) + copy.bytes
            + [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
    }
}

/// A zlib header with the given fields and a correct FCHECK.
func zlibHeader(windowBits: Int = 15, method: Int = 8, presetDictionary: Bool = false) -> [UInt8] {
    let cmf = (windowBits - 8) << 4 | method
    var flg = presetDictionary ? 0x20 : 0
    flg += (31 - (cmf * 256 + flg) % 31) % 31
    return [UInt8(cmf), UInt8(flg)]
}

/// Fixed-Huffman code of a literal/length symbol (RFC 1951 §3.2.6), as (code, length).
func fixedLiteralCode(_ symbol: Int) -> (Int, Int) {
    switch symbol {
    case 0...143: (0x30 + symbol, 8)
    case 144...255: (0x190 + symbol - 144, 9)
    case 256...279: (symbol - 256, 7)
    default: (0xC0 + symbol - 280, 8)
    }
}
