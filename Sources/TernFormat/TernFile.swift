/// A parsed and validated `.tern` file: its header and tables. Section payloads stay where they are (a mapped file,
/// an array, or flash) and are reached through `storedBytes(of:in:)`, so nothing is copied or inflated here.
///
/// Parsing checks everything that can be checked without decoding a section: magic, versions, limits, the tables'
/// CRC-32, metadata order, the layer chain's shapes and the section table's bounds and consistency.
/// Decoding a section and comparing its CRC-32 is the consumer's step (`verifyDecoded`).
public struct TernFile: Sendable {
    public let header: FileHeader
    /// Sorted by key, unique.
    public let metadata: [MetadataEntry]
    public let layers: [LayerRecord]
    public let sections: [SectionRecord]

    /// Parses a file from bytes the caller keeps alive (no copy of section data is made).
    ///
    /// `maxWorkPerImage` bounds the additions one image may need (`workPerImage`); the default is
    /// `Limits.workPerImage`, a caller with another time budget passes its own.
    public init(parsing file: UnsafeRawBufferPointer,
                maxWorkPerImage: UInt64 = Limits.workPerImage) throws(FormatError) {
        var r = ByteReader(file)
        let h = try FileHeader.read(&r)
        guard h.alignment >= 8, h.alignment <= 4096, h.alignment & (h.alignment - 1) == 0 else {
            throw .badAlignment(h.alignment)
        }
        try check(.metadataCount, UInt64(h.metadataCount), Limits.metadataCount)
        try check(.layerCount, UInt64(h.layerCount), Limits.layerCount)
        try check(.sectionCount, UInt64(h.sectionCount), Limits.sectionCount)
        try check(.tablesBytes, UInt64(h.tablesBytes), Limits.tablesBytes)
        try check(.arenaBytes, UInt64(h.arenaStreamingBytes), Limits.arenaBytes)
        try check(.arenaBytes, UInt64(h.arenaResidentBytes), Limits.arenaBytes)
        guard h.fileBytes <= Limits.fileBytes else {
            throw .limitExceeded(.fileBytes, value: h.fileBytes, limit: Limits.fileBytes)
        }
        guard h.fileBytes == UInt64(file.count) else {
            throw .fileSizeMismatch(declared: h.fileBytes, actual: UInt64(file.count))
        }
        let tablesEnd = FileHeader.size + Int(h.tablesBytes)
        try r.require(Int(h.tablesBytes))
        var crc = CRC32()
        crc.update(UnsafeRawBufferPointer(rebasing: file[0..<(FileHeader.size - 4)]))
        crc.update(UnsafeRawBufferPointer(rebasing: file[FileHeader.size..<tablesEnd]))
        guard crc.value == h.tablesCRC32 else {
            throw .tablesChecksumMismatch(stored: h.tablesCRC32, computed: crc.value)
        }
        // From here on the tables are what the writer wrote; the checks below catch a writer that lies.
        let tables = UnsafeRawBufferPointer(rebasing: file[0..<tablesEnd])
        var t = ByteReader(tables, at: FileHeader.size)

        var metadata: [MetadataEntry] = []
        metadata.reserveCapacity(Int(h.metadataCount))
        for i in 0..<Int(h.metadataCount) {
            let e = try MetadataEntry.read(&t, index: i)
            if let previous = metadata.last, !lexicographicallyPrecedes(previous.key, e.key) {
                throw .metadataKeysNotSorted(index: i)
            }
            metadata.append(e)
        }
        var layers: [LayerRecord] = []
        layers.reserveCapacity(Int(h.layerCount))
        for i in 0..<Int(h.layerCount) { layers.append(try LayerRecord.read(&t, index: i)) }
        var sections: [SectionRecord] = []
        sections.reserveCapacity(Int(h.sectionCount))
        for i in 0..<Int(h.sectionCount) { sections.append(try SectionRecord.read(&t, index: i)) }
        guard t.remaining == 0 else { throw .reservedNotZero(offset: t.offset) }

        try Self.validateLayers(layers, sections: sections)
        try Self.validateSections(sections, layers: layers, alignment: h.alignment, tablesEnd: tablesEnd,
                                  fileBytes: h.fileBytes)
        let work = Self.workPerImage(layers)
        guard work <= maxWorkPerImage else {
            throw .limitExceeded(.workPerImage, value: work, limit: maxWorkPerImage)
        }
        // The bytes between the tables and the sections: padding must be zero, and each zlib stream's header must
        // fit the window its record declares.
        var previousEnd = UInt64(tablesEnd)
        for (i, s) in sections.enumerated() {
            for offset in previousEnd..<s.offset where file[Int(offset)] != 0 {
                throw .badSection(index: i, problem: .nonzeroPadding(offset: offset))
            }
            previousEnd = s.offset + s.storedBytes
            if s.compression == .zlib {
                try Self.checkZlibHeader(UnsafeRawBufferPointer(rebasing: file[Int(s.offset)..<Int(previousEnd)]),
                                         of: s, index: i)
            }
        }
        self.header = h
        self.metadata = metadata
        self.layers = layers
        self.sections = sections
    }

    /// Parses a file held in an array.
    public init(parsing file: [UInt8], maxWorkPerImage: UInt64 = Limits.workPerImage) throws(FormatError) {
        let parsed: Result<TernFile, FormatError> = file.withUnsafeBytes { raw in
            do throws(FormatError) {
                return .success(try TernFile(parsing: raw, maxWorkPerImage: maxWorkPerImage))
            } catch { return .failure(error) }
        }
        self = try parsed.get()
    }

    /// The value stored under `key`, if any.
    public func metadata(_ key: [UInt8]) -> MetadataValue? {
        for e in metadata where e.key == key { return e.value }
        return nil
    }

    /// The stored (possibly compressed) bytes of section `index`, as a view into `file`.
    public func storedBytes(of index: Int, in file: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let s = sections[index]
        return UnsafeRawBufferPointer(rebasing: file[Int(s.offset)..<Int(s.offset + s.storedBytes)])
    }

    /// Checks decoded bytes of section `index` against the stored length and CRC-32.
    public func verifyDecoded(_ decoded: UnsafeRawBufferPointer, section index: Int) throws(FormatError) {
        let s = sections[index]
        guard UInt64(decoded.count) == s.decodedBytes else {
            throw .badSection(index: index, problem: .decodedBytes(expected: s.decodedBytes,
                                                                   declared: UInt64(decoded.count)))
        }
        let c = CRC32.checksum(decoded)
        guard c == s.crc32 else { throw .sectionChecksumMismatch(section: index, stored: s.crc32, computed: c) }
    }

    /// The rule of docs/FORMAT.md §5 for one zlib section, in the one place every reader goes through (parsing
    /// calls it for every zlib section; a reader that streams sections from elsewhere calls it on each stored
    /// stream): the stream starts with a zlib header (method 8, valid check bits, no preset dictionary) whose
    /// window, `1 << (CINFO + 8)` bytes, is at most the record's `1 << windowBits`. So a decoder may size its
    /// window per section from the record alone.
    public static func checkZlibHeader(_ stored: UnsafeRawBufferPointer, of record: SectionRecord,
                                       index: Int) throws(FormatError) {
        guard stored.count >= 2 else { throw .badSection(index: index, problem: .badZlibHeader) }
        let cmf = stored[0], flg = stored[1]
        guard cmf & 0x0F == 8, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0, flg & 0x20 == 0 else {
            throw .badSection(index: index, problem: .badZlibHeader)
        }
        let needed = Int(cmf >> 4) + 8
        guard needed <= Int(record.windowBits) else {
            throw .badSection(index: index, problem: .streamWindow(needed: 1 << needed, declared: 1 << Int(record.windowBits)))
        }
    }

    /// Additions one image needs, counted densely so that a file cannot understate it: for a weight layer every
    /// weight (zero or not) at every output position, for a max-pool one per input element. Saturates at
    /// `UInt64.max`.
    public static func workPerImage(_ layers: [LayerRecord]) -> UInt64 {
        var total: UInt64 = 0
        for l in layers {
            let positions = l.kind == .conv ? UInt64(l.outHeight) * UInt64(l.outWidth) : 1
            let (layerWork, o1) = l.kind == .maxPool
                ? (UInt64(l.inputElements), false)
                : UInt64(l.weightCount).multipliedReportingOverflow(by: positions)
            let (sum, o2) = total.addingReportingOverflow(layerWork)
            if o1 || o2 { return UInt64.max }
            total = sum
        }
        return total
    }

    // MARK: - Validation

    static func validateSections(
        _ sections: [SectionRecord], layers: [LayerRecord], alignment: UInt32, tablesEnd: Int, fileBytes: UInt64
    ) throws(FormatError) {
        var previousEnd = UInt64(tablesEnd)
        for (i, s) in sections.enumerated() {
            func fail(_ p: SectionProblem) -> FormatError { .badSection(index: i, problem: p) }
            guard s.offset % UInt64(alignment) == 0 else { throw fail(.misaligned(offset: s.offset)) }
            guard s.storedBytes <= UInt64(Limits.sectionBytes) else {
                throw .limitExceeded(.sectionBytes, value: s.storedBytes, limit: UInt64(Limits.sectionBytes))
            }
            guard s.decodedBytes <= UInt64(Limits.sectionBytes) else {
                throw .limitExceeded(.sectionBytes, value: s.decodedBytes, limit: UInt64(Limits.sectionBytes))
            }
            guard s.elementCount <= UInt64(Limits.elements) else {
                throw .limitExceeded(.elements, value: s.elementCount, limit: UInt64(Limits.elements))
            }
            guard s.offset >= previousEnd else { throw fail(.overlaps) }
            guard s.offset <= fileBytes, s.storedBytes <= fileBytes - s.offset else { throw fail(.outOfBounds) }
            previousEnd = s.offset + s.storedBytes
            switch s.compression {
            case .none:
                guard s.windowBits == 0 else { throw fail(.badWindowBits(s.windowBits)) }
                guard s.storedBytes == s.decodedBytes else { throw fail(.storedBytes) }
            case .zlib:
                guard s.windowBits >= 8, s.windowBits <= 15 else { throw fail(.badWindowBits(s.windowBits)) }
            }
            guard Int(s.layer) < layers.count else { throw fail(.wrongLayer) }
            let layer = layers[Int(s.layer)]
            // The section must be the one its layer points at, with the element count the layer implies.
            let expectedElements: UInt64
            switch s.kind {
            case .weights:
                guard layer.weightSection == UInt32(i) else { throw fail(.wrongLayer) }
                guard s.layout == .ternaryTokens || s.layout == .ternaryPacked2 else {
                    throw fail(.unknownLayout(s.layout.rawValue))
                }
                expectedElements = UInt64(layer.weightCount)
            case .thresholds:
                guard layer.paramSection == UInt32(i), !layer.isFinal else { throw fail(.wrongLayer) }
                guard s.layout.integerWidth != nil else { throw fail(.unknownLayout(s.layout.rawValue)) }
                expectedElements = UInt64(layer.outChannels) * UInt64(layer.thresholdsPerChannel)
            case .affine:
                guard layer.paramSection == UInt32(i), layer.isFinal else { throw fail(.wrongLayer) }
                guard s.layout == .int32 else { throw fail(.unknownLayout(s.layout.rawValue)) }
                expectedElements = UInt64(layer.outChannels) * 2
            }
            guard s.elementCount == expectedElements else {
                throw fail(.elementCount(expected: expectedElements, declared: s.elementCount))
            }
            let decodedOK: Bool
            switch s.layout {
            case .ternaryTokens: decodedOK = s.decodedBytes <= s.elementCount
            case .ternaryPacked2: decodedOK = s.decodedBytes == (s.elementCount + 3) / 4
            case .int8, .int16, .int32: decodedOK = s.decodedBytes == s.elementCount * UInt64(s.layout.integerWidth!)
            }
            guard decodedOK else {
                throw fail(.decodedBytes(expected: s.elementCount, declared: s.decodedBytes))
            }
        }
        guard previousEnd == fileBytes else { throw .fileSizeMismatch(declared: fileBytes, actual: previousEnd) }
    }

    static func validateLayers(_ layers: [LayerRecord], sections: [SectionRecord]) throws(FormatError) {
        guard !layers.isEmpty else { throw .badLayer(index: 0, problem: .finalLayer) }
        for (i, l) in layers.enumerated() {
            func fail(_ p: LayerProblem) -> FormatError { .badLayer(index: i, problem: p) }
            try check(.channels, UInt64(l.inChannels), Limits.channels)
            try check(.channels, UInt64(l.outChannels), Limits.channels)
            for d in [l.inHeight, l.inWidth, l.outHeight, l.outWidth] { try check(.spatial, UInt64(d), Limits.spatial) }
            guard l.inChannels > 0, l.inHeight > 0, l.inWidth > 0, l.outChannels > 0, l.outHeight > 0,
                  l.outWidth > 0 else { throw fail(.outputShape) }
            try check(.fanIn, UInt64(l.fanIn), Limits.fanIn)
            try check(.elements, UInt64(l.weightCount), Limits.elements)

            let isLast = i == layers.count - 1
            guard l.isFinal == isLast else { throw fail(.finalLayer) }
            if i == 0 {
                guard l.inputBits == 8 else { throw fail(.badBits(input: l.inputBits, output: l.outputBits)) }
            } else {
                let p = layers[i - 1]
                guard l.inputBits == p.outputBits else { throw fail(.badBits(input: l.inputBits, output: l.outputBits)) }
                guard l.inChannels == p.outChannels, l.inHeight == p.outHeight, l.inWidth == p.outWidth else {
                    throw fail(.inputDoesNotChain)
                }
            }
            let validHidden = l.outputBits == 1 || l.outputBits == 2
            switch l.kind {
            case .dense:
                guard l.kernel == 0, l.padding == 0, l.stride == 0 else {
                    throw fail(.badKernel(kernel: UInt16(l.kernel), padding: l.padding, stride: l.stride))
                }
                guard validHidden || (isLast && l.outputBits == 0) else {
                    throw fail(.badBits(input: l.inputBits, output: l.outputBits))
                }
                guard l.outHeight == 1, l.outWidth == 1 else { throw fail(.outputShape) }
            case .conv:
                guard l.kernel % 2 == 1, Int(l.kernel) <= Limits.kernel, l.padding <= 1, l.stride == 1 else {
                    throw fail(.badKernel(kernel: UInt16(l.kernel), padding: l.padding, stride: l.stride))
                }
                guard validHidden else { throw fail(.badBits(input: l.inputBits, output: l.outputBits)) }
                let k = Int64(l.kernel), p = Int64(l.padding)
                guard Int64(l.outHeight) == Int64(l.inHeight) + 2 * p - k + 1,
                      Int64(l.outWidth) == Int64(l.inWidth) + 2 * p - k + 1 else { throw fail(.outputShape) }
            case .maxPool:
                guard l.kernel == 2, l.stride == 2, l.padding == 0 else {
                    throw fail(.badKernel(kernel: UInt16(l.kernel), padding: l.padding, stride: l.stride))
                }
                guard l.inputBits == 1 || l.inputBits == 2, l.outputBits == l.inputBits else {
                    throw fail(.badBits(input: l.inputBits, output: l.outputBits))
                }
                guard l.outChannels == l.inChannels, l.outHeight == l.inHeight / 2, l.outWidth == l.inWidth / 2 else {
                    throw fail(.outputShape)
                }
            }
            guard l.logitFractionBits == 0 || l.isFinal, l.logitFractionBits <= 31 else {
                throw fail(.logitFractionBits(l.logitFractionBits))
            }
            if l.kind == .maxPool {
                guard l.weightSection == LayerRecord.noSection else { throw fail(.unexpectedSection(role: .weights)) }
                guard l.paramSection == LayerRecord.noSection else { throw fail(.unexpectedSection(role: .thresholds)) }
                guard l.nonzeroWeights == 0 else { throw fail(.nonzeroCount) }
            } else {
                guard Int(l.weightSection) < sections.count, sections[Int(l.weightSection)].kind == .weights,
                      sections[Int(l.weightSection)].layer == UInt32(i) else {
                    throw fail(.missingSection(role: .weights))
                }
                let role: SectionKind = l.isFinal ? .affine : .thresholds
                guard Int(l.paramSection) < sections.count, sections[Int(l.paramSection)].kind == role,
                      sections[Int(l.paramSection)].layer == UInt32(i) else {
                    throw fail(.missingSection(role: role))
                }
                guard Int(l.nonzeroWeights) <= l.weightCount else { throw fail(.nonzeroCount) }
            }
        }
    }
}

func check(_ kind: LimitKind, _ value: UInt64, _ limit: Int) throws(FormatError) {
    guard value <= UInt64(limit) else { throw .limitExceeded(kind, value: value, limit: UInt64(limit)) }
}
