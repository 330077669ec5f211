// Canonical Huffman decoding tables (RFC 1951 §3.2.2), held in fixed-size arrays inside the caller's workspace.
//
// Each tree gets a one-level lookup table indexed by the next `rootBits` input bits (bit-reversed codes, as DEFLATE
// sends them least-significant bit first). Codes up to `rootBits` long decode with one load; the rare longer codes
// (only in the tail of skewed distributions) are marked `long` and decoded canonically from per-length counts and a
// symbol list, the way puff/tinf decode every code. This keeps the tables small and fixed with no subtable sizing.

/// One table entry, packed into 32 bits: `value << 16 | extra << 8 | op << 4 | codeLength`.
enum Entry {
    /// A literal byte (literal/length tree) or a code-length symbol (code-length tree): `value` is the symbol.
    static let literal: UInt32 = 0
    /// A length or distance: `value` is the base, `extra` the number of extra bits to add to it.
    static let base: UInt32 = 1
    /// End of block.
    static let endOfBlock: UInt32 = 2
    /// No code of an incomplete tree matches these bits.
    static let invalidCode: UInt32 = 3
    /// A code longer than the table's root bits starts with these bits: decode it canonically.
    static let long: UInt32 = 4
    /// A symbol that must not occur (literal/length 286–287, distance 30–31): `value` is the symbol.
    static let invalidSymbol: UInt32 = 5

    @inline(__always) static func make(length: Int, op: UInt32, extra: Int = 0, value: Int = 0) -> UInt32 {
        UInt32(truncatingIfNeeded: value) << 16 | UInt32(truncatingIfNeeded: extra) << 8 | op << 4
            | UInt32(truncatingIfNeeded: length)
    }
    @inline(__always) static func length(_ e: UInt32) -> Int { Int(e & 15) }
    @inline(__always) static func op(_ e: UInt32) -> UInt32 { (e >> 4) & 15 }
    @inline(__always) static func extra(_ e: UInt32) -> Int { Int((e >> 8) & 31) }
    @inline(__always) static func value(_ e: UInt32) -> Int { Int(e >> 16) }

    /// The entry for `symbol` of `tree`, coded with `length` bits.
    static func forSymbol(_ symbol: Int, of tree: HuffmanTree, length: Int) -> UInt32 {
        switch tree {
        case .codeLengths:
            return make(length: length, op: literal, value: symbol)
        case .literalLength:
            if symbol < 256 { return make(length: length, op: literal, value: symbol) }
            if symbol == 256 { return make(length: length, op: endOfBlock) }
            if symbol == 285 { return make(length: length, op: base, value: 258) }
            if symbol > 285 { return make(length: length, op: invalidSymbol, value: symbol) }
            // Lengths 3…10 have no extra bits, then every four codes the extra bits grow by one (RFC 1951 §3.2.5).
            let i = symbol - 257
            if i < 8 { return make(length: length, op: base, value: i + 3) }
            let extra = (i >> 2) - 1
            return make(length: length, op: base, extra: extra, value: ((4 + (i & 3)) << extra) + 3)
        case .distance:
            if symbol >= 30 { return make(length: length, op: invalidSymbol, value: symbol) }
            if symbol < 4 { return make(length: length, op: base, value: symbol + 1) }
            let extra = (symbol >> 1) - 1
            return make(length: length, op: base, extra: extra, value: ((2 + (symbol & 1)) << extra) + 1)
        }
    }
}

/// How a lookup table stores its entries: what `HuffmanTable.build` writes for a code, a long-code prefix and bits
/// that match no code.
protocol TableFormat {
    associatedtype Value: FixedWidthInteger
    static func code(_ symbol: Int, of tree: HuffmanTree, length: Int) -> Value
    static func long(prefix: Int) -> Value
    static var invalid: Value { get }
    /// The entry as a 32-bit `Entry`, for the state machine's slow path.
    static func expand(_ value: Value) -> UInt32
}

/// 32-bit `Entry` values: the distance and code-length tables.
enum WideEntries: TableFormat {
    static func code(_ symbol: Int, of tree: HuffmanTree, length: Int) -> UInt32 {
        Entry.forSymbol(symbol, of: tree, length: length)
    }
    static func long(prefix: Int) -> UInt32 { Entry.make(length: 0, op: Entry.long, value: prefix) }
    static var invalid: UInt32 { Entry.make(length: 1, op: Entry.invalidCode) }
    @inline(__always) static func expand(_ value: UInt32) -> UInt32 { value }
}

/// The literal/length table's 16-bit entries: `symbol << 4 | codeLength`. A literal is any entry below 0x1000
/// (symbol < 256), one compare in the hot loop. Entries from 0x8000 up have code length 0 and are special:
/// `0xFFF0` matches no code, anything else starts a code longer than the root, whose first root bits are
/// `(e >> 4) & 0x7FF`. Lengths' base and extra bits follow from the symbol (`LiteralEntry.length`).
enum LiteralEntry: TableFormat {
    static let literalLimit: UInt16 = 0x1000
    static let special: UInt16 = 0x8000
    static let invalid: UInt16 = 0xFFF0

    static func code(_ symbol: Int, of tree: HuffmanTree, length: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: symbol << 4 | length)
    }
    static func long(prefix: Int) -> UInt16 { special | UInt16(truncatingIfNeeded: prefix << 4) }

    /// Base length and extra bits of length symbol 257…285 (RFC 1951 §3.2.5): lengths 3…10 have no extra bits,
    /// then every four codes the extra bits grow by one; 285 is 258.
    @inline(__always) static func length(_ symbol: Int) -> (base: Int, extra: Int) {
        if symbol == 285 { return (258, 0) }
        let i = symbol &- 257
        if i < 8 { return (i &+ 3, 0) }
        let extra = (i &>> 2) &- 1
        return (((4 &+ (i & 3)) &<< extra) &+ 3, extra)
    }

    /// The 32-bit `Entry` the state machine's slow path works with.
    static func expand(_ e: UInt16) -> UInt32 {
        if e == invalid { return WideEntries.invalid }
        if e >= special { return WideEntries.long(prefix: Int((e >> 4) & 0x7FF)) }
        return Entry.forSymbol(Int(e >> 4), of: .literalLength, length: Int(e & 15))
    }
}

/// Where the tables live inside the workspace, and how big they are.
struct TableStorage {
    static let literalRootBits = 10
    static let distanceRootBits = 8
    /// Code-length codes are at most 7 bits long; their table borrows the distance table's space.
    static let codeLengthRootBits = 7
    static let maxCodeLength = 15

    // Byte offsets inside the workspace (4-byte aligned).
    private static let literalTableOffset = 0
    private static let distanceTableOffset = literalTableOffset + 2 << literalRootBits
    private static let literalCountsOffset = distanceTableOffset + 4 << distanceRootBits
    private static let distanceCountsOffset = literalCountsOffset + 2 * 48
    private static let literalSymbolsOffset = distanceCountsOffset + 2 * 48
    private static let distanceSymbolsOffset = literalSymbolsOffset + 2 * 288
    private static let lengthsOffset = distanceSymbolsOffset + 2 * 32
    /// Total bytes of table state: 4,224. The literal/length table has 16-bit entries (`LiteralEntry`), so its
    /// 10-bit root costs what a 9-bit root of 32-bit entries did; on token streams codes of 10 bits are common, and
    /// decoding them canonically made streaming mode ≈ 16 % slower.
    static let byteCount = lengthsOffset + 320

    let literalTable: UnsafeMutablePointer<UInt16>
    let distanceTable: UnsafeMutablePointer<UInt32>
    /// Per code length: the number of codes, then (at +16) the first canonical code, then (at +32) the index of
    /// its first symbol in the symbol list — what the decoder of long codes needs.
    let literalCounts: UnsafeMutablePointer<UInt16>
    let distanceCounts: UnsafeMutablePointer<UInt16>
    let literalSymbols: UnsafeMutablePointer<UInt16>
    let distanceSymbols: UnsafeMutablePointer<UInt16>
    /// Code lengths as a dynamic block header transmits them (286 + 30 at most; the 19 code-length lengths first).
    let lengths: UnsafeMutablePointer<UInt8>

    /// `base` must be 4-byte aligned and hold `byteCount` bytes.
    init(base: UnsafeMutableRawPointer) {
        literalTable = (base + TableStorage.literalTableOffset).bindMemory(to: UInt16.self, capacity: 1 << TableStorage.literalRootBits)
        distanceTable = (base + TableStorage.distanceTableOffset).bindMemory(to: UInt32.self, capacity: 1 << TableStorage.distanceRootBits)
        literalCounts = (base + TableStorage.literalCountsOffset).bindMemory(to: UInt16.self, capacity: 48)
        distanceCounts = (base + TableStorage.distanceCountsOffset).bindMemory(to: UInt16.self, capacity: 48)
        literalSymbols = (base + TableStorage.literalSymbolsOffset).bindMemory(to: UInt16.self, capacity: 288)
        distanceSymbols = (base + TableStorage.distanceSymbolsOffset).bindMemory(to: UInt16.self, capacity: 32)
        lengths = (base + TableStorage.lengthsOffset).bindMemory(to: UInt8.self, capacity: 320)
    }
}

/// Builds and reads one tree's lookup table.
enum HuffmanTable {
    /// Fills `table` (2^rootBits entries), `counts` (48) and `symbols` (≥ `count`) from `count` code lengths.
    /// Rejects over-subscribed trees and incomplete ones, except — as zlib does — a literal/length or distance tree
    /// that is a single one-bit code or (distance only) has no codes at all.
    static func build<Format: TableFormat>(
        lengths: UnsafePointer<UInt8>, count: Int, tree: HuffmanTree, rootBits: Int,
        table: UnsafeMutablePointer<Format.Value>, counts: UnsafeMutablePointer<UInt16>,
        symbols: UnsafeMutablePointer<UInt16>, format: Format.Type
    ) throws(InflateError) {
        let maxLength = TableStorage.maxCodeLength
        for l in 0...maxLength { counts[l] = 0 }
        for s in 0..<count { counts[Int(lengths[s])] &+= 1 }
        counts[0] = 0
        var left = 1
        var longest = 0
        for l in 1...maxLength {
            left <<= 1
            left -= Int(counts[l])
            if left < 0 { throw .overSubscribedTree(tree) }
            if counts[l] != 0 { longest = l }
        }
        if left > 0 {
            let allowed = tree != .codeLengths && longest <= 1
            if !allowed { throw .incompleteTree(tree) }
        }
        // Symbols sorted by code length, then by value: the canonical order codes are assigned in.
        var offsets: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16,
                      UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &offsets) { raw in
            let offs = raw.bindMemory(to: UInt16.self)
            offs[1] = 0
            for l in 1..<maxLength { offs[l + 1] = offs[l] &+ counts[l] }
            for s in 0..<count where lengths[s] != 0 {
                let l = Int(lengths[s])
                symbols[Int(offs[l])] = UInt16(s)
                offs[l] &+= 1
            }
        }
        let size = 1 << rootBits
        // A complete tree writes every root entry below (a code or a long code's prefix); only an incomplete one
        // leaves entries that must say "no code".
        if left > 0 { table.update(repeating: Format.invalid, count: size) }
        var code = 0
        var index = 0
        // `code` bit-reversed over its `l` bits (DEFLATE sends codes most significant bit first into an LSB-first
        // stream), kept up to date as `code` counts up; a longer length appends a 0 bit, which leaves it unchanged.
        var reversed = 0
        for l in 1...maxLength {
            counts[16 + l] = UInt16(truncatingIfNeeded: code)
            counts[32 + l] = UInt16(truncatingIfNeeded: index)
            for _ in 0..<Int(counts[l]) {
                let symbol = Int(symbols[index])
                index += 1
                defer {
                    // code += 1, bit-reversed: clear the trailing ones from the top down, then set the next bit.
                    var bit = 1 &<< (l &- 1)
                    while reversed & bit != 0 {
                        reversed ^= bit
                        bit &>>= 1
                    }
                    reversed |= bit
                }
                if l <= rootBits {
                    let entry = Format.code(symbol, of: tree, length: l)
                    var i = reversed
                    while i < size {
                        table[i] = entry
                        i += 1 << l
                    }
                } else {
                    // The entry keeps the code's first `rootBits` bits (most significant first) for `decodeLong`.
                    table[reversed & (size - 1)] = Format.long(prefix: code >> (l - rootBits))
                }
                code += 1
            }
            code <<= 1
        }
    }

    /// Decodes a code longer than the root table canonically: `prefix` is its first `rootBits` bits (from the
    /// `long` entry), the following bits come from `bits`, of which `available` are valid.
    /// Returns `symbol | length << 16`, 0 if more bits are needed, or −1 if no code matches.
    @inline(__always)
    static func decodeLong(
        _ bits: UInt64, available: Int, prefix: Int, rootBits: Int,
        counts: UnsafePointer<UInt16>, symbols: UnsafePointer<UInt16>
    ) -> Int {
        var code = prefix
        var l = rootBits + 1
        while l <= TableStorage.maxCodeLength {
            if l > available { return 0 }
            code = code << 1 | Int(truncatingIfNeeded: (bits >> UInt64(l - 1)) & 1)
            let offset = code - Int(counts[16 + l])
            if offset >= 0 && offset < Int(counts[l]) { return Int(symbols[Int(counts[32 + l]) + offset]) | l << 16 }
            l += 1
        }
        return -1
    }
}
