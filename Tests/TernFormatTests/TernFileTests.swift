import Testing
import TernFormat
import TernTestSupport

@Suite struct TernFileTests {
    let network = SyntheticNetwork.dense([20, 17, 9, 4], bits: 2, sparsity: 0.8, seed: 3)

    @Test func roundTripsTablesAndSections() throws {
        for layout in [SectionLayout.ternaryTokens, .ternaryPacked2] {
            let bytes = try network.fileBytes(weightLayout: layout)
            let file = try TernFile(parsing: bytes)
            #expect(file.layers.count == 3)
            #expect(file.sections.count == 6)
            #expect(file.metadata(Array("general.name".utf8)) == .string(Array("test network".utf8)))
            #expect(file.metadata(Array("missing".utf8)) == nil)
            try bytes.withUnsafeBytes { raw in
                for (i, layer) in network.layers.enumerated() {
                    let ws = Int(file.layers[i].weightSection)
                    let stored = Array(file.storedBytes(of: ws, in: raw))
                    try file.verifyDecoded(file.storedBytes(of: ws, in: raw), section: ws)
                    let decoded = layout == .ternaryTokens
                        ? try TernaryTokens.decode(stored, count: layer.weights.count)
                        : try TernaryPacked2.decode(stored, count: layer.weights.count)
                    #expect(decoded == layer.weights)
                    #expect(file.sections[ws].offset % 32 == 0)
                }
            }
        }
    }

    @Test func writerIsDeterministic() throws {
        #expect(try network.fileBytes() == network.fileBytes())
        let other = SyntheticNetwork.dense([20, 17, 9, 4], bits: 2, sparsity: 0.8, seed: 4)
        #expect(try network.fileBytes() != other.fileBytes())
    }

    @Test func metadataIsSortedAndTyped() throws {
        var w = TernWriter()
        w.setMetadata(Array("zeta.value".utf8), .float64(0.5))
        w.setMetadata(Array("alpha.count".utf8), .uint32(7))
        w.setMetadata(Array("alpha.count".utf8), .int64(-9))
        w.setMetadata(Array("flag".utf8), .bool(true))
        var n = network
        n.layers = Array(n.layers.suffix(1))
        n.layers[0].record.inputBits = 8
        let i = w.addLayer(n.layers[0].record)
        let tokens = TernaryTokens.encode(n.layers[0].weights)
        w.addSection(layer: i, kind: .weights, layout: .ternaryTokens, compression: .none, windowBits: 0,
                     elementCount: n.layers[0].weights.count, decoded: tokens, stored: tokens)
        let affine = [UInt8](repeating: 0, count: 4 * n.layers[0].params.count)
        w.addSection(layer: i, kind: .affine, layout: .int32, compression: .none, windowBits: 0,
                     elementCount: n.layers[0].params.count, decoded: affine, stored: affine)
        let file = try TernFile(parsing: try w.serialize())
        #expect(file.metadata.map(\.key) == [Array("alpha.count".utf8), Array("flag".utf8), Array("zeta.value".utf8)])
        #expect(file.metadata(Array("alpha.count".utf8)) == .int64(-9))
        #expect(file.metadata(Array("zeta.value".utf8)) == .float64(0.5))
    }

    @Test func everyTruncationIsATypedError() throws {
        let bytes = try network.fileBytes()
        for n in 0..<bytes.count {
            #expect(throws: FormatError.self) { try TernFile(parsing: Array(bytes[0..<n])) }
        }
    }

    @Test func everySingleByteFlipInTheTablesIsCaught() throws {
        let bytes = try network.fileBytes()
        let tablesEnd = 64 + Int(try TernFile(parsing: bytes).header.tablesBytes)
        for i in 0..<tablesEnd {
            var bad = bytes
            bad[i] ^= 0x10
            #expect(throws: FormatError.self, "flip at \(i)") { try TernFile(parsing: bad) }
        }
    }

    @Test func sectionCorruptionIsCaughtByTheCRC() throws {
        let bytes = try network.fileBytes()
        let file = try TernFile(parsing: bytes)
        var bad = bytes
        let s = file.sections[0]
        bad[Int(s.offset)] ^= 0x02
        let reparsed = try TernFile(parsing: bad)  // tables intact: parsing succeeds
        bad.withUnsafeBytes { raw in
            let stored = reparsed.storedBytes(of: 0, in: raw)
            let expected = FormatError.sectionChecksumMismatch(section: 0, stored: s.crc32, computed: CRC32.checksum(stored))
            #expect(throws: expected) { try reparsed.verifyDecoded(stored, section: 0) }
        }
    }

    @Test func specificHeaderProblemsAreNamed() throws {
        let bytes = try network.fileBytes()
        var bad = bytes
        bad[0] = 0x58
        #expect(throws: FormatError.badMagic) { try TernFile(parsing: bad) }
        bad = bytes
        bad[4] = 2
        #expect(throws: FormatError.unsupportedFormatVersion(2)) { try TernFile(parsing: bad) }
        bad = bytes
        bad[6] = 9
        #expect(throws: FormatError.unsupportedSchemeVersion(9)) { try TernFile(parsing: bad) }
        #expect(throws: FormatError.fileSizeMismatch(declared: UInt64(bytes.count), actual: UInt64(bytes.count + 1))) {
            try TernFile(parsing: bytes + [0])
        }
    }

    /// A writer that lies (correct CRC, inconsistent tables) is still rejected: build files with bad records.
    @Test func inconsistentTablesAreRejectedEvenWithAValidChecksum() throws {
        func build(_ edit: (inout [SyntheticLayer]) -> Void) throws -> [UInt8] {
            var n = network
            edit(&n.layers)
            return try n.fileBytes()
        }
        #expect(throws: FormatError.badLayer(index: 1, problem: .inputDoesNotChain)) {
            try build { $0[1].record.inChannels = 16; $0[1].weights = Array(repeating: 0, count: 16 * 9) }
        }
        #expect(throws: FormatError.badLayer(index: 0, problem: .badBits(input: 2, output: 2))) {
            try build { $0[0].record.inputBits = 2 }
        }
        #expect(throws: FormatError.badLayer(index: 1, problem: .finalLayer)) {
            try build { $0[1].record.outputBits = 0 }
        }
        #expect(throws: FormatError.self) {
            try build { $0[2].record.outHeight = 2 }
        }
    }

    @Test func absurdDeclaredSizesFailBeforeAllocating() throws {
        var bytes = try network.fileBytes()
        // layerCount = 0xFFFF_FFFF (CRC no longer matches, but limits are checked first).
        bytes[20] = 0xFF; bytes[21] = 0xFF; bytes[22] = 0xFF; bytes[23] = 0xFF
        #expect(throws: FormatError.limitExceeded(.layerCount, value: 0xFFFF_FFFF, limit: UInt64(Limits.layerCount))) {
            try TernFile(parsing: bytes)
        }
    }
}
