// The DEFLATE/zlib state machine shared by the one-shot and streaming decoders.
//
// It can stop at any input byte and any output byte and resume later: everything in flight (the bit buffer, a
// partly decoded header, a match not yet copied) lives in this struct. Input is pulled one byte at a time while
// the decoder is near the end of its input; with at least 8 input bytes and 3 output bytes of room it switches to
// a fast loop that refills a 64-bit bit buffer with one unaligned load per symbol. A match longer than the room
// left is split: the fast loop copies what fits and leaves the rest to the `copy` state, so small output pieces
// (the runtime pulls 1 KiB at a time) stay on the fast path to their last bytes.

/// Why `InflateCore.run` returned.
enum RunStatus {
    case needInput
    case needOutput
    case finished
}

struct InflateCore {
    enum Mode: UInt8 {
        case header, blockHeader, storedHeader, stored, tableCounts, codeLengthCodes, codeLengths
        case codes, literal, lengthExtra, distanceCode, distanceExtra, copy, trailer, done
    }

    let tables: TableStorage
    /// The largest window the output side can hold; a header declaring more is rejected.
    let windowCapacity: Int

    private(set) var mode = Mode.header
    /// Input bits not yet used, least significant first. Bits above `bitCount` are zero outside the fast loop.
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    /// The window the header declares (2^windowBits bytes), 0 before the header.
    private(set) var windowSize = 0
    private var isFinalBlock = false
    private var fixedTablesBuilt = false
    private var literalCodes = 0, distanceCodes = 0, codeLengthCodes = 0
    private var index = 0
    /// Bytes of a stored block still to copy, or the length of a match in flight.
    private var remaining = 0
    private var distance = 0
    private var extraBits = 0
    private var pendingLiteral: UInt8 = 0
    /// Bytes produced so far (what a distance may reach back over, up to the window).
    private(set) var totalOut = 0
    private var checksum = Adler32()

    /// Whether the fast loop keeps its bits in a 32-bit word: on 32-bit cores a UInt64 shift is a library call
    /// (`__aeabi_llsr`), so they refill a 32-bit buffer up to three times per symbol instead. Tests turn it on
    /// on the host to check that path against the same streams.
    let narrowBitBuffer: Bool

    init(tables: TableStorage, windowCapacity: Int, narrowBitBuffer: Bool = UInt.bitWidth == 32) {
        self.tables = tables
        self.windowCapacity = windowCapacity
        self.narrowBitBuffer = narrowBitBuffer
    }

    // MARK: bit input

    @inline(__always)
    private mutating func need(_ n: Int, _ input: UnsafePointer<UInt8>?, _ position: inout Int, _ end: Int) -> Bool {
        while bitCount < n {
            guard position < end, let input else { return false }
            bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
            position += 1
            bitCount += 8
        }
        return true
    }

    @inline(__always)
    private mutating func drop(_ n: Int) {
        bitBuffer >>= UInt64(n)
        bitCount -= n
    }

    @inline(__always)
    private func peek(_ n: Int) -> Int { Int(truncatingIfNeeded: bitBuffer & ((1 << UInt64(n)) - 1)) }

    /// Decodes one symbol with the slow, byte-at-a-time input path. Returns nil if the input ran out first
    /// (nothing is consumed then).
    private mutating func decodeSymbol<Format: TableFormat>(
        table: UnsafePointer<Format.Value>, format: Format.Type, rootBits: Int, counts: UnsafePointer<UInt16>,
        symbols: UnsafePointer<UInt16>, tree: HuffmanTree, _ input: UnsafePointer<UInt8>?, _ position: inout Int,
        _ end: Int
    ) throws(InflateError) -> UInt32? {
        while true {
            let entry = Format.expand(table[Int(truncatingIfNeeded: bitBuffer) & ((1 << rootBits) - 1)])
            if Entry.op(entry) == Entry.long {
                let found = HuffmanTable.decodeLong(
                    bitBuffer, available: bitCount, prefix: Entry.value(entry), rootBits: rootBits,
                    counts: counts, symbols: symbols)
                if found > 0 { return Entry.forSymbol(found & 0xFFFF, of: tree, length: found >> 16) }
                if found < 0 || bitCount >= TableStorage.maxCodeLength { throw .invalidCode(tree) }
            } else if Entry.length(entry) <= bitCount {
                return entry
            }
            guard need(bitCount + 1, input, &position, end) else { return nil }
        }
    }

    // MARK: the state machine

    /// Decodes from `input[position...]` into `sink` until the input runs out, the sink is full, or the stream ends.
    mutating func run<Sink: OutputSink>(
        _ input: UnsafeBufferPointer<UInt8>, _ position: inout Int, _ sink: inout Sink
    ) throws(InflateError) -> RunStatus {
        let inBase = input.baseAddress
        let end = input.count
        let callStart = position
        var mark = sink.position
        defer { checksum.update(sink.base + mark, count: sink.position - mark) }
        while true {
            switch mode {
            case .header:
                guard need(16, inBase, &position, end) else { return .needInput }
                let cmf = UInt8(truncatingIfNeeded: bitBuffer), flg = UInt8(truncatingIfNeeded: bitBuffer >> 8)
                drop(16)
                guard (Int(cmf) << 8 | Int(flg)) % 31 == 0 else { throw .badHeader(.checkBits(cmf: cmf, flg: flg)) }
                guard cmf & 15 == 8 else { throw .badHeader(.compressionMethod(cmf & 15)) }
                guard cmf >> 4 <= 7 else { throw .badHeader(.windowSize(cinfo: cmf >> 4)) }
                guard flg & 0x20 == 0 else { throw .presetDictionaryUnsupported }
                windowSize = 1 << (Int(cmf >> 4) + 8)
                guard windowSize <= windowCapacity else {
                    throw .windowTooLarge(windowBytes: windowSize, available: windowCapacity)
                }
                mode = .blockHeader

            case .blockHeader:
                guard need(3, inBase, &position, end) else { return .needInput }
                isFinalBlock = bitBuffer & 1 == 1
                let type = (bitBuffer >> 1) & 3
                drop(3)
                switch type {
                case 0: mode = .storedHeader
                case 1:
                    try buildFixedTables()
                    mode = .codes
                case 2: mode = .tableCounts
                default: throw .invalidBlockType
                }

            case .storedHeader:
                drop(bitCount & 7)
                guard need(32, inBase, &position, end) else { return .needInput }
                let length = UInt16(truncatingIfNeeded: bitBuffer), complement = UInt16(truncatingIfNeeded: bitBuffer >> 16)
                drop(32)
                guard length == ~complement else { throw .storedLengthMismatch(length: length, complement: complement) }
                remaining = Int(length)
                mode = .stored

            case .stored:
                // Whole bytes still in the bit buffer come first, then straight copies from the input.
                while remaining > 0 && bitCount >= 8 {
                    guard sink.room > 0 else { return .needOutput }
                    sink.literal(UInt8(truncatingIfNeeded: bitBuffer))
                    drop(8)
                    remaining -= 1
                    totalOut &+= 1
                }
                if remaining > 0 {
                    let n = min(remaining, sink.room, end - position)
                    if n > 0, let inBase {
                        sink.copyBytes(from: inBase + position, count: n)
                        position += n
                        remaining -= n
                        totalOut &+= n
                    }
                    if remaining > 0 { return sink.room == 0 ? .needOutput : .needInput }
                }
                mode = isFinalBlock ? .trailer : .blockHeader

            case .tableCounts:
                guard need(14, inBase, &position, end) else { return .needInput }
                literalCodes = peek(5) + 257
                distanceCodes = (peek(10) >> 5) + 1
                codeLengthCodes = (peek(14) >> 10) + 4
                drop(14)
                guard literalCodes <= 286 else { throw .invalidCodeLengths(.tooManyLengthCodes(literalCodes)) }
                guard distanceCodes <= 30 else { throw .invalidCodeLengths(.tooManyDistanceCodes(distanceCodes)) }
                index = 0
                mode = .codeLengthCodes

            case .codeLengthCodes:
                let lengths = tables.lengths
                while index < codeLengthCodes {
                    guard need(3, inBase, &position, end) else { return .needInput }
                    lengths[InflateCore.codeLengthOrder(index)] = UInt8(peek(3))
                    drop(3)
                    index += 1
                }
                while index < 19 {
                    lengths[InflateCore.codeLengthOrder(index)] = 0
                    index += 1
                }
                fixedTablesBuilt = false
                try HuffmanTable.build(
                    lengths: lengths, count: 19, tree: .codeLengths, rootBits: TableStorage.codeLengthRootBits,
                    table: tables.distanceTable, counts: tables.distanceCounts, symbols: tables.distanceSymbols,
                    format: WideEntries.self)
                index = 0
                mode = .codeLengths

            case .codeLengths:
                let lengths = tables.lengths
                let total = literalCodes + distanceCodes
                let mask = (1 << TableStorage.codeLengthRootBits) - 1
                while index < total {
                    var entry = tables.distanceTable[Int(truncatingIfNeeded: bitBuffer) & mask]
                    while Entry.length(entry) > bitCount {
                        guard need(bitCount + 1, inBase, &position, end) else { return .needInput }
                        entry = tables.distanceTable[Int(truncatingIfNeeded: bitBuffer) & mask]
                    }
                    let codeLength = Entry.length(entry)
                    let symbol = Entry.value(entry)
                    if symbol < 16 {
                        drop(codeLength)
                        lengths[index] = UInt8(symbol)
                        index += 1
                        continue
                    }
                    let extra = symbol == 16 ? 2 : symbol == 17 ? 3 : 7
                    guard need(codeLength + extra, inBase, &position, end) else { return .needInput }
                    drop(codeLength)
                    let repeatBits = peek(extra)
                    drop(extra)
                    var value: UInt8 = 0
                    let count: Int
                    if symbol == 16 {
                        guard index > 0 else { throw .invalidCodeLengths(.repeatWithoutPrevious) }
                        value = lengths[index - 1]
                        count = 3 + repeatBits
                    } else {
                        count = (symbol == 17 ? 3 : 11) + repeatBits
                    }
                    guard index + count <= total else { throw .invalidCodeLengths(.repeatPastEnd) }
                    (lengths + index).update(repeating: value, count: count)
                    index += count
                }
                guard lengths[256] != 0 else { throw .invalidCodeLengths(.missingEndOfBlock) }
                try HuffmanTable.build(
                    lengths: lengths, count: literalCodes, tree: .literalLength, rootBits: TableStorage.literalRootBits,
                    table: tables.literalTable, counts: tables.literalCounts, symbols: tables.literalSymbols,
                    format: LiteralEntry.self)
                try HuffmanTable.build(
                    lengths: lengths + literalCodes, count: distanceCodes, tree: .distance,
                    rootBits: TableStorage.distanceRootBits,
                    table: tables.distanceTable, counts: tables.distanceCounts, symbols: tables.distanceSymbols,
                    format: WideEntries.self)
                mode = .codes

            case .codes:
                // (The narrow loop takes at most 32 buffered bits; the slow path never leaves more than 22 here.)
                let narrow = UInt.bitWidth == 32 || narrowBitBuffer
                if let inBase, end - position >= 12 && sink.room >= InflateCore.fastRoom(wide: !narrow)
                    && (!narrow || bitCount < 32) {
                    // On a 32-bit core the wide loop is never taken, and the constant lets the compiler drop it.
                    if narrow {
                        try fastCodes(inBase, &position, end, &sink, callStart: callStart, word: UInt32.self)
                    } else {
                        try fastCodes(inBase, &position, end, &sink, callStart: callStart, word: UInt64.self)
                    }
                    if mode != .codes { continue }
                }
                guard let entry = try decodeSymbol(
                    table: tables.literalTable, format: LiteralEntry.self, rootBits: TableStorage.literalRootBits,
                    counts: tables.literalCounts,
                    symbols: tables.literalSymbols, tree: .literalLength, inBase, &position, end)
                else { return .needInput }
                drop(Entry.length(entry))
                switch Entry.op(entry) {
                case Entry.literal:
                    pendingLiteral = UInt8(truncatingIfNeeded: Entry.value(entry))
                    mode = .literal
                case Entry.base:
                    remaining = Entry.value(entry)
                    extraBits = Entry.extra(entry)
                    mode = .lengthExtra
                case Entry.endOfBlock:
                    mode = isFinalBlock ? .trailer : .blockHeader
                case Entry.invalidSymbol:
                    throw .invalidSymbol(.literalLength, Entry.value(entry))
                default:
                    throw .invalidCode(.literalLength)
                }

            case .literal:
                guard sink.room > 0 else { return .needOutput }
                sink.literal(pendingLiteral)
                totalOut &+= 1
                mode = .codes

            case .lengthExtra:
                guard need(extraBits, inBase, &position, end) else { return .needInput }
                remaining += peek(extraBits)
                drop(extraBits)
                mode = .distanceCode

            case .distanceCode:
                guard let entry = try decodeSymbol(
                    table: tables.distanceTable, format: WideEntries.self, rootBits: TableStorage.distanceRootBits,
                    counts: tables.distanceCounts,
                    symbols: tables.distanceSymbols, tree: .distance, inBase, &position, end)
                else { return .needInput }
                drop(Entry.length(entry))
                switch Entry.op(entry) {
                case Entry.base:
                    distance = Entry.value(entry)
                    extraBits = Entry.extra(entry)
                    mode = .distanceExtra
                case Entry.invalidSymbol:
                    throw .invalidSymbol(.distance, Entry.value(entry))
                default:
                    throw .invalidCode(.distance)
                }

            case .distanceExtra:
                guard need(extraBits, inBase, &position, end) else { return .needInput }
                distance += peek(extraBits)
                drop(extraBits)
                let available = min(totalOut, windowSize)
                guard distance <= available else { throw .distanceTooFarBack(distance: distance, available: available) }
                mode = .copy

            case .copy:
                let n = min(remaining, sink.room)
                if n > 0 {
                    sink.copyMatch(distance: distance, length: n)
                    remaining -= n
                    totalOut &+= n
                }
                guard remaining == 0 else { return .needOutput }
                mode = .codes

            case .trailer:
                drop(bitCount & 7)
                guard need(32, inBase, &position, end) else { return .needInput }
                let b = UInt32(truncatingIfNeeded: bitBuffer)
                let expected = (b & 0xFF) << 24 | (b & 0xFF00) << 8 | (b >> 8) & 0xFF00 | b >> 24
                drop(32)
                checksum.update(sink.base + mark, count: sink.position - mark)
                mark = sink.position
                guard expected == checksum.value else {
                    throw .checksumMismatch(expected: expected, computed: checksum.value)
                }
                mode = .done

            case .done:
                return .finished
            }
        }
    }

    /// Bits left in the bit buffer once the stream has ended (whole bytes there were read past its end).
    var unusedBufferedBytes: Int { bitCount >> 3 }

    /// The order in which a dynamic block sends the code-length code lengths (RFC 1951 §3.2.7).
    @inline(__always)
    private static func codeLengthOrder(_ i: Int) -> Int {
        // 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
        switch i {
        case 0: 16
        case 1: 17
        case 2: 18
        case 3: 0
        default: (i & 1) == 0 ? 8 + (i - 4) / 2 : 7 - (i - 5) / 2
        }
    }

    private mutating func buildFixedTables() throws(InflateError) {
        guard !fixedTablesBuilt else { return }
        let lengths = tables.lengths
        (lengths + 0).update(repeating: 8, count: 144)
        (lengths + 144).update(repeating: 9, count: 112)
        (lengths + 256).update(repeating: 7, count: 24)
        (lengths + 280).update(repeating: 8, count: 8)
        try HuffmanTable.build(
            lengths: lengths, count: 288, tree: .literalLength, rootBits: TableStorage.literalRootBits,
            table: tables.literalTable, counts: tables.literalCounts, symbols: tables.literalSymbols,
                    format: LiteralEntry.self)
        (lengths + 288).update(repeating: 5, count: 32)
        try HuffmanTable.build(
            lengths: lengths + 288, count: 32, tree: .distance, rootBits: TableStorage.distanceRootBits,
            table: tables.distanceTable, counts: tables.distanceCounts, symbols: tables.distanceSymbols,
                    format: WideEntries.self)
        fixedTablesBuilt = true
    }

    // MARK: the fast loop

    /// Output room the fast loop needs at the top of each iteration: the literals of one refill (up to six from a
    /// 64-bit buffer, two from a 32-bit one).
    static func fastRoom(wide: Bool) -> Int { wide ? 6 : 2 }

    /// Decodes literal/length symbols while enough input (`margin`) and `fastRoom` output bytes of room remain.
    /// One refill of a 64-bit `Word` covers the longest symbol (15 + 5 + 15 + 13 = 48 bits) and three literals; a
    /// 32-bit one holds at least 24 bits after a refill, so it refills before each symbol, before a distance and
    /// before a distance's extra bits. Returns at the end of a block (mode changes), when a match does not fit the
    /// room left (mode `copy` finishes it), or when either margin runs out, giving back whole bytes it loaded but
    /// did not use.
    @inline(__always)
    private mutating func fastCodes<Sink: OutputSink, Word: FixedWidthInteger & UnsignedInteger>(
        _ input: UnsafePointer<UInt8>, _ position: inout Int, _ end: Int, _ sink: inout Sink, callStart: Int,
        word: Word.Type
    ) throws(InflateError) {
        let wide = Word.bitWidth == 64
        // Input bytes a loop iteration may touch: one 8-byte load, or three 4-byte refills of up to 3 bytes each.
        let margin = wide ? 8 : 12
        var bits = Word(truncatingIfNeeded: bitBuffer)
        var count = bitCount
        // The input as a pointer, and the last position an iteration may start at (the caller checked the margin).
        var ip = input + position
        let ipLast = input + (end &- margin)
        let literalTable = tables.literalTable
        let literalMask = (1 << TableStorage.literalRootBits) - 1
        // A local copy: the compiler keeps its position in a register instead of storing it per literal. Bytes
        // produced so far are `outBase + local.position`, so the hot loop keeps no separate counter.
        var local = sink
        let outBase = totalOut &- local.position
        defer { sink = local }

        @inline(__always) func refill() {
            bits |= Word(littleEndian: UnsafeRawPointer(ip).loadUnaligned(as: Word.self)) &<< Word(truncatingIfNeeded: count)
            ip += (Word.bitWidth &- 1 &- count) &>> 3
            count |= Word.bitWidth &- 8
        }
        @inline(__always) func drop(_ n: Int) {
            bits &>>= Word(truncatingIfNeeded: n)
            count &-= n
        }
        @inline(__always) func take(_ n: Int) -> Int {
            let v = Int(truncatingIfNeeded: bits & ((1 &<< Word(truncatingIfNeeded: n)) &- 1))
            drop(n)
            return v
        }

        let minimumRoom = InflateCore.fastRoom(wide: wide)
        while ip <= ipLast && local.room >= minimumRoom {
            refill()
            var entry = Int(literalTable[Int(truncatingIfNeeded: bits) & literalMask])
            if entry >= Int(LiteralEntry.special) {
                guard entry != Int(LiteralEntry.invalid) else { throw .invalidCode(.literalLength) }
                entry = try longLiteral(UInt64(bits), count, prefix: (entry &>> 4) & 0x7FF)
            }
            drop(entry & 15)
            if entry < Int(LiteralEntry.literalLimit) {
                local.literal(UInt8(truncatingIfNeeded: entry &>> 4))
                guard wide else {
                    // A 32-bit refill leaves 9 or more bits: a second literal decodes when its code fits in them
                    // (usually: token codes are 7–9 bits), saving a refill and the loop's checks.
                    entry = Int(literalTable[Int(truncatingIfNeeded: bits) & literalMask])
                    guard entry < Int(LiteralEntry.literalLimit) && entry & 15 <= count else { continue }
                    drop(entry & 15)
                    local.literal(UInt8(truncatingIfNeeded: entry &>> 4))
                    continue
                }
                // A 64-bit refill leaves at least 41 bits: more literals follow while their codes fit in what is
                // left (token codes are 7–9 bits: usually five a refill), at most `fastRoom` − 1 of them.
                var more = minimumRoom &- 1
                while more > 0 {
                    entry = Int(literalTable[Int(truncatingIfNeeded: bits) & literalMask])
                    guard entry < Int(LiteralEntry.literalLimit) && entry & 15 <= count else { break }
                    drop(entry & 15)
                    local.literal(UInt8(truncatingIfNeeded: entry &>> 4))
                    more &-= 1
                }
                continue
            }
            let symbol = entry &>> 4
            if symbol > 256 && symbol < 286 {
                let (base, extra) = LiteralEntry.length(symbol)
                let length = base &+ take(extra)
                if !wide { refill() }
                var d = tables.distanceTable[Int(truncatingIfNeeded: bits) & ((1 << TableStorage.distanceRootBits) - 1)]
                if Entry.op(d) == Entry.long {
                    d = try longDistance(UInt64(bits), count, prefix: Entry.value(d))
                }
                drop(Entry.length(d))
                guard Entry.op(d) == Entry.base else {
                    if Entry.op(d) == Entry.invalidSymbol { throw .invalidSymbol(.distance, Entry.value(d)) }
                    throw .invalidCode(.distance)
                }
                let n = Entry.extra(d)
                if !wide && count < n { refill() }
                let dist = Entry.value(d) &+ take(n)
                let out = outBase &+ local.position
                guard dist <= out && dist <= windowSize else {
                    throw .distanceTooFarBack(distance: dist, available: min(out, windowSize))
                }
                let room = local.room
                if length > room {
                    // Copy what fits; the `copy` state copies the rest once the caller has made room.
                    local.copyMatch(distance: dist, length: room)
                    remaining = length - room
                    distance = dist
                    mode = .copy
                    break
                }
                local.copyMatch(distance: dist, length: length)
                continue
            }
            if symbol == 256 {
                mode = isFinalBlock ? .trailer : .blockHeader
                break
            }
            throw .invalidSymbol(.literalLength, symbol)
        }
        // Give back whole bytes loaded ahead (only those this call took from its own input).
        var p = ip - input
        let unused = min(count >> 3, p - callStart)
        p -= unused
        count -= unused << 3
        bitBuffer = count == 64 ? UInt64(bits) : UInt64(bits) & ((1 << UInt64(count)) - 1)
        bitCount = count
        position = p
        totalOut = outBase &+ local.position
    }

    /// A literal/length code longer than the root table, as a `LiteralEntry` (`symbol << 4 | length`).
    @inline(never)
    private func longLiteral(_ bits: UInt64, _ count: Int, prefix: Int) throws(InflateError) -> Int {
        let found = HuffmanTable.decodeLong(
            bits, available: count, prefix: prefix, rootBits: TableStorage.literalRootBits,
            counts: tables.literalCounts, symbols: tables.literalSymbols)
        guard found > 0 else { throw .invalidCode(.literalLength) }
        return (found & 0xFFFF) << 4 | found >> 16
    }

    /// A distance code longer than the root table, as an `Entry`.
    @inline(never)
    private func longDistance(_ bits: UInt64, _ count: Int, prefix: Int) throws(InflateError) -> UInt32 {
        let found = HuffmanTable.decodeLong(
            bits, available: count, prefix: prefix, rootBits: TableStorage.distanceRootBits,
            counts: tables.distanceCounts, symbols: tables.distanceSymbols)
        guard found > 0 else { throw .invalidCode(.distance) }
        return Entry.forSymbol(found & 0xFFFF, of: .distance, length: found >> 16)
    }
}
