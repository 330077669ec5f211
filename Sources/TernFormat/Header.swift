/// The fixed 64-byte header at offset 0 of every `.tern` file. See docs/FORMAT.md §2.
public struct FileHeader: Equatable, Sendable {
    public static let size = 64
    public static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x54, 0x45, 0x52, 0x4E)  // "TERN"
    /// Container layout version; bumped only for structural change.
    public static let currentFormatVersion: UInt16 = 1
    /// Integer dataflow semantics version (docs/DATAFLOW.md); independent of the container.
    public static let currentSchemeVersion: UInt16 = 1

    public var formatVersion: UInt16
    public var schemeVersion: UInt16
    /// Every section starts at a multiple of this (a power of two, 8…4096).
    public var alignment: UInt32
    public var metadataCount: UInt32
    public var layerCount: UInt32
    public var sectionCount: UInt32
    /// Bytes of metadata + layer table + section table, which follow the header directly.
    public var tablesBytes: UInt32
    /// Total file length.
    public var fileBytes: UInt64
    /// Exact arena the runtime needs to execute in streaming mode (weights inflated through a window).
    public var arenaStreamingBytes: UInt32
    /// Exact arena the runtime needs in resident mode, including the weights decoded into their kernel layouts.
    public var arenaResidentBytes: UInt32
    /// CRC-32 of header bytes 0..<60 followed by the tables.
    public var tablesCRC32: UInt32

    public init(
        alignment: UInt32, metadataCount: UInt32, layerCount: UInt32, sectionCount: UInt32, tablesBytes: UInt32,
        fileBytes: UInt64, arenaStreamingBytes: UInt32, arenaResidentBytes: UInt32, tablesCRC32: UInt32 = 0
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.schemeVersion = Self.currentSchemeVersion
        self.alignment = alignment
        self.metadataCount = metadataCount
        self.layerCount = layerCount
        self.sectionCount = sectionCount
        self.tablesBytes = tablesBytes
        self.fileBytes = fileBytes
        self.arenaStreamingBytes = arenaStreamingBytes
        self.arenaResidentBytes = arenaResidentBytes
        self.tablesCRC32 = tablesCRC32
    }

    static func read(_ r: inout ByteReader) throws(FormatError) -> FileHeader {
        // The magic first: a text file or an empty one is "not a .tern file", not a truncated one.
        let magicBytes = [magic.0, magic.1, magic.2, magic.3]
        for i in 0..<4 where i >= r.remaining || r.bytes[r.offset + i] != magicBytes[i] {
            throw .badMagic
        }
        try r.require(size)
        let m = (try r.u8(), try r.u8(), try r.u8(), try r.u8())
        guard m == magic else { throw .badMagic }
        let formatVersion = try r.u16()
        guard formatVersion == currentFormatVersion else { throw .unsupportedFormatVersion(formatVersion) }
        let schemeVersion = try r.u16()
        guard schemeVersion == currentSchemeVersion else { throw .unsupportedSchemeVersion(schemeVersion) }
        try r.zeros(4)  // flags: none defined in version 1
        var h = FileHeader(
            alignment: try r.u32(), metadataCount: try r.u32(), layerCount: try r.u32(), sectionCount: try r.u32(),
            tablesBytes: try r.u32(), fileBytes: try r.u64(), arenaStreamingBytes: try r.u32(),
            arenaResidentBytes: try r.u32())
        try r.zeros(12)
        h.tablesCRC32 = try r.u32()
        h.formatVersion = formatVersion
        h.schemeVersion = schemeVersion
        return h
    }

    func write(_ w: inout ByteWriter) {
        w.u8(Self.magic.0); w.u8(Self.magic.1); w.u8(Self.magic.2); w.u8(Self.magic.3)
        w.u16(formatVersion); w.u16(schemeVersion)
        w.u32(0)
        w.u32(alignment); w.u32(metadataCount); w.u32(layerCount); w.u32(sectionCount); w.u32(tablesBytes)
        w.u64(fileBytes); w.u32(arenaStreamingBytes); w.u32(arenaResidentBytes)
        w.zeros(12)
        w.u32(tablesCRC32)
    }
}
