/// What a section holds.
public enum SectionKind: UInt8, Sendable {
    /// Ternary weights of one layer, in artifact order (dense `[out][in]`, conv `[out][kh][kw][in]`).
    case weights = 1
    /// Per-channel thresholds, `2^bits − 1` per channel, channel-major.
    case thresholds = 2
    /// Final layer fixed-point affine: `M[0..<out]` then `B[0..<out]`, Int32.
    case affine = 3
}

/// How a section's decoded bytes are laid out.
public enum SectionLayout: UInt8, Sendable {
    /// The ternary token stream (docs/FORMAT.md §6).
    case ternaryTokens = 1
    /// Four weights per byte, 2 bits each from the least significant end: 00 = 0, 01 = +1, 10 = −1.
    case ternaryPacked2 = 2
    /// Little-endian signed integers. For thresholds, the type's minimum means "always reached" and its maximum
    /// "never reached", whatever the width.
    case int8 = 3
    case int16 = 4
    case int32 = 5

    /// Bytes per element for the integer layouts.
    public var integerWidth: Int? {
        switch self {
        case .int8: 1
        case .int16: 2
        case .int32: 4
        case .ternaryTokens, .ternaryPacked2: nil
        }
    }
}

/// How a section's stored bytes encode its decoded bytes.
public enum SectionCompression: UInt8, Sendable {
    case none = 0
    /// A complete zlib stream (RFC 1950) whose window is at most `2^windowBits` bytes.
    case zlib = 1
}

/// One 48-byte entry of the section table. See docs/FORMAT.md §5.
public struct SectionRecord: Equatable, Sendable {
    public static let size = 48

    public var kind: SectionKind
    public var layout: SectionLayout
    public var compression: SectionCompression
    /// zlib sections: the inflate window the decoder must provide is `1 << windowBits` bytes (8…15). Else 0.
    public var windowBits: UInt8
    /// The layer this section belongs to.
    public var layer: UInt32
    /// Absolute file offset, a multiple of the header's alignment.
    public var offset: UInt64
    public var storedBytes: UInt64
    public var decodedBytes: UInt64
    /// Weights, thresholds or affine coefficients the decoded bytes describe.
    public var elementCount: UInt64
    /// CRC-32 of the decoded bytes.
    public var crc32: UInt32

    public init(
        kind: SectionKind, layout: SectionLayout, compression: SectionCompression, windowBits: UInt8, layer: UInt32,
        offset: UInt64 = 0, storedBytes: UInt64, decodedBytes: UInt64, elementCount: UInt64, crc32: UInt32
    ) {
        self.kind = kind
        self.layout = layout
        self.compression = compression
        self.windowBits = windowBits
        self.layer = layer
        self.offset = offset
        self.storedBytes = storedBytes
        self.decodedBytes = decodedBytes
        self.elementCount = elementCount
        self.crc32 = crc32
    }

    static func read(_ r: inout ByteReader, index: Int) throws(FormatError) -> SectionRecord {
        let k = try r.u8(), l = try r.u8(), c = try r.u8(), wb = try r.u8()
        guard let kind = SectionKind(rawValue: k) else { throw .badSection(index: index, problem: .unknownKind(k)) }
        guard let layout = SectionLayout(rawValue: l) else {
            throw .badSection(index: index, problem: .unknownLayout(l))
        }
        guard let compression = SectionCompression(rawValue: c) else {
            throw .badSection(index: index, problem: .unknownCompression(c))
        }
        let s = SectionRecord(
            kind: kind, layout: layout, compression: compression, windowBits: wb, layer: try r.u32(),
            offset: try r.u64(), storedBytes: try r.u64(), decodedBytes: try r.u64(), elementCount: try r.u64(),
            crc32: try r.u32())
        do { try r.zeros(4) } catch { throw .badSection(index: index, problem: .reservedNotZero) }
        return s
    }

    func write(_ w: inout ByteWriter) {
        w.u8(kind.rawValue); w.u8(layout.rawValue); w.u8(compression.rawValue); w.u8(windowBits)
        w.u32(layer); w.u64(offset); w.u64(storedBytes); w.u64(decodedBytes); w.u64(elementCount); w.u32(crc32)
        w.zeros(4)
    }
}
