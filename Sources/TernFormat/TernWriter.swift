/// Builds a `.tern` file. A small state machine: add metadata, layers and sections in any order, then `plan()` for
/// a dry run (where every section will land) or `serialize()` for the bytes.
///
/// Deterministic: metadata is sorted by key, sections are laid out in the order they were added, padding is zero.
/// `serialize()` parses its own output with `TernFile` before returning it, so the writer can never produce a file
/// the reader rejects.
public struct TernWriter: Sendable {
    public var alignment: UInt32
    public var arenaStreamingBytes: UInt32 = 0
    public var arenaResidentBytes: UInt32 = 0
    public private(set) var metadata: [MetadataEntry] = []
    public private(set) var layers: [LayerRecord] = []
    private var sections: [SectionRecord] = []
    private var payloads: [[UInt8]] = []

    public init(alignment: UInt32 = 32) {
        self.alignment = alignment
    }

    /// Sets (or replaces) a metadata entry.
    public mutating func setMetadata(_ key: [UInt8], _ value: MetadataValue) {
        if let i = metadata.firstIndex(where: { $0.key == key }) {
            metadata[i].value = value
        } else {
            metadata.append(MetadataEntry(key: key, value: value))
            metadata.sort { lexicographicallyPrecedes($0.key, $1.key) }
        }
    }

    /// Appends a layer; returns its index. Its section references are filled in by `addSection`.
    @discardableResult
    public mutating func addLayer(_ layer: LayerRecord) -> Int {
        var l = layer
        l.weightSection = LayerRecord.noSection
        l.paramSection = LayerRecord.noSection
        layers.append(l)
        return layers.count - 1
    }

    /// Appends a section for `layer` and points the layer at it. `decoded` is what a reader gets after undoing
    /// `compression`; `stored` is what goes into the file (pass the same bytes when uncompressed).
    @discardableResult
    public mutating func addSection(
        layer: Int, kind: SectionKind, layout: SectionLayout, compression: SectionCompression, windowBits: UInt8,
        elementCount: Int, decoded: [UInt8], stored: [UInt8]
    ) -> Int {
        let index = sections.count
        sections.append(SectionRecord(
            kind: kind, layout: layout, compression: compression, windowBits: windowBits, layer: UInt32(layer),
            storedBytes: UInt64(stored.count), decodedBytes: UInt64(decoded.count),
            elementCount: UInt64(elementCount), crc32: CRC32.checksum(decoded)))
        payloads.append(stored)
        if kind == .weights { layers[layer].weightSection = UInt32(index) } else { layers[layer].paramSection = UInt32(index) }
        return index
    }

    /// Where everything would go, without building the file.
    public func plan() -> [SectionRecord] { layout().sections }

    /// Bytes of header + tables (before the first section's alignment padding).
    public var tablesEnd: Int { FileHeader.size + tables(sections).count }

    /// The complete file, validated by parsing it back.
    public func serialize() throws(FormatError) -> [UInt8] {
        let (placed, fileBytes) = layout()
        let tableBytes = tables(placed)
        var header = FileHeader(
            alignment: alignment, metadataCount: UInt32(metadata.count), layerCount: UInt32(layers.count),
            sectionCount: UInt32(placed.count), tablesBytes: UInt32(tableBytes.count), fileBytes: fileBytes,
            arenaStreamingBytes: arenaStreamingBytes, arenaResidentBytes: arenaResidentBytes)
        var w = ByteWriter()
        header.write(&w)
        w.append(tableBytes)
        var crc = CRC32()
        w.bytes.withUnsafeBytes { all in
            crc.update(UnsafeRawBufferPointer(rebasing: all[0..<(FileHeader.size - 4)]))
            crc.update(UnsafeRawBufferPointer(rebasing: all[FileHeader.size...]))
        }
        header.tablesCRC32 = crc.value
        w.set32(crc.value, at: FileHeader.size - 4)
        for (s, payload) in zip(placed, payloads) {
            w.zeros(Int(s.offset) - w.bytes.count)
            w.append(payload)
        }
        let bytes = w.bytes
        _ = try TernFile(parsing: bytes)
        return bytes
    }

    private func tables(_ placed: [SectionRecord]) -> [UInt8] {
        var w = ByteWriter()
        for e in metadata { e.write(&w) }
        for l in layers { l.write(&w) }
        for s in placed { s.write(&w) }
        return w.bytes
    }

    private func layout() -> (sections: [SectionRecord], fileBytes: UInt64) {
        let a = UInt64(alignment)
        var cursor = UInt64(tablesEnd)
        var placed = sections
        for i in placed.indices {
            cursor = (cursor + a - 1) / a * a
            placed[i].offset = cursor
            cursor += placed[i].storedBytes
        }
        return (placed, cursor)
    }
}
