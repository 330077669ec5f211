/// Bounds-checked little-endian reading from a borrowed buffer. Every read reports truncation as a typed error
/// carrying the offset, so a malformed file can never read past its end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func require(_ count: Int) throws(FormatError) {
        if count < 0 || count > remaining {
            throw .truncated(offset: offset, needed: count, available: max(0, remaining))
        }
    }

    mutating func u8() throws(FormatError) -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(FormatError) -> UInt16 {
        try require(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    mutating func u32() throws(FormatError) -> UInt32 {
        try require(4)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    mutating func u64() throws(FormatError) -> UInt64 {
        let lo = UInt64(try u32())
        let hi = UInt64(try u32())
        return lo | hi << 32
    }

    mutating func bytes(_ count: Int) throws(FormatError) -> [UInt8] {
        try require(count)
        defer { offset += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
    }

    /// Reads `count` bytes that must all be zero (reserved space).
    mutating func zeros(_ count: Int) throws(FormatError) {
        try require(count)
        for i in 0..<count where bytes[offset + i] != 0 {
            throw .reservedNotZero(offset: offset + i)
        }
        offset += count
    }
}

/// Little-endian appending to a growing byte array (writer side).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { for i in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt16(i)))) } }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func append(_ v: [UInt8]) { bytes.append(contentsOf: v) }
    mutating func zeros(_ count: Int) { bytes.append(contentsOf: repeatElement(0, count: count)) }

    mutating func set32(_ v: UInt32, at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
    }
}
