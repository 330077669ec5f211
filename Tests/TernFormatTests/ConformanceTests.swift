import Testing
import TernFormat
import TernTestSupport

/// The FORMAT.md rules issue 23 found unenforced: per-section zlib windows, zero padding, UTF-8 metadata, an
/// accurate logitFractionBits error, the magic before the length, and the work per image.
@Suite struct ConformanceTests {
    let network = SyntheticNetwork.dense([20, 17, 9, 4], bits: 2, sparsity: 0.8, seed: 3)

    /// A zlib stream of stored blocks whose header declares a `1 << (cinfo + 8)`-byte window.
    static func storedZlib(_ data: [UInt8], cinfo: UInt8) -> [UInt8] {
        let cmf = cinfo << 4 | 8
        let flg = UInt8((31 - (Int(cmf) * 256) % 31) % 31)
        let n = UInt16(data.count)
        var out: [UInt8] = [cmf, flg, 1, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)] + data
        var a: UInt32 = 1, b: UInt32 = 0
        for x in data { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
        let adler = b << 16 | a
        out += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
        return out
    }

    /// The network's file with layer `zlibLayer`'s weights stored as a zlib stream declaring `cinfo`, in a section
    /// whose record says `windowBits`.
    func file(zlibLayer: Int, cinfo: UInt8, windowBits: UInt8) throws(FormatError) -> [UInt8] {
        var w = TernWriter()
        for (i, l) in network.layers.enumerated() {
            w.addLayer(l.record)
            let t = TernaryTokens.encode(l.weights)
            if i == zlibLayer {
                w.addSection(layer: i, kind: .weights, layout: .ternaryTokens, compression: .zlib,
                             windowBits: windowBits, elementCount: l.weights.count, decoded: t,
                             stored: Self.storedZlib(t, cinfo: cinfo))
            } else {
                w.addSection(layer: i, kind: .weights, layout: .ternaryTokens, compression: .none, windowBits: 0,
                             elementCount: l.weights.count, decoded: t, stored: t)
            }
            var p: [UInt8] = []
            for v in l.params { for s in 0..<4 { p.append(UInt8(truncatingIfNeeded: v >> Int32(8 * s))) } }
            w.addSection(layer: i, kind: l.record.isFinal ? .affine : .thresholds, layout: .int32, compression: .none,
                         windowBits: 0, elementCount: l.params.count, decoded: p, stored: p)
        }
        return try w.serialize()
    }

    @Test func everyZlibSectionsStreamMustFitItsOwnWindow() throws {
        // Section 2 (layer 1's weights) declares a 512-byte window; its stream asks for 32 KiB.
        #expect(throws: FormatError.badSection(index: 2, problem: .streamWindow(needed: 32768, declared: 512))) {
            try file(zlibLayer: 1, cinfo: 7, windowBits: 9)
        }
        // Smaller or equal windows are fine.
        _ = try file(zlibLayer: 1, cinfo: 1, windowBits: 9)
        _ = try file(zlibLayer: 1, cinfo: 7, windowBits: 15)
        // The rule as a function readers that stream sections from elsewhere call.
        let record = SectionRecord(kind: .weights, layout: .ternaryTokens, compression: .zlib, windowBits: 10,
                                   layer: 0, storedBytes: 2, decodedBytes: 0, elementCount: 0, crc32: 0)
        let ok = Self.storedZlib([], cinfo: 2), tooBig = Self.storedZlib([], cinfo: 3)
        try ok.withUnsafeBytes { try TernFile.checkZlibHeader($0, of: record, index: 5) }
        #expect(throws: FormatError.badSection(index: 5, problem: .streamWindow(needed: 2048, declared: 1024))) {
            try tooBig.withUnsafeBytes { try TernFile.checkZlibHeader($0, of: record, index: 5) }
        }
        let dictionary: [UInt8] = [0x78, 0xBB]  // FDICT set, check bits valid
        #expect(throws: FormatError.badSection(index: 5, problem: .badZlibHeader)) {
            try dictionary.withUnsafeBytes { try TernFile.checkZlibHeader($0, of: record, index: 5) }
        }
    }

    @Test func everyPaddingByteIsChecked() throws {
        let bytes = try network.fileBytes()
        let file = try TernFile(parsing: bytes)
        var end = 64 + Int(file.header.tablesBytes)
        var flips = 0
        for (i, s) in file.sections.enumerated() {
            for offset in end..<Int(s.offset) {
                var bad = bytes
                bad[offset] ^= 0x01
                #expect(throws: FormatError.badSection(index: i, problem: .nonzeroPadding(offset: UInt64(offset)))) {
                    try TernFile(parsing: bad)
                }
                flips += 1
            }
            end = Int(s.offset + s.storedBytes)
        }
        #expect(flips > 20)
    }

    @Test func metadataStringsMustBeUTF8() throws {
        func build(_ value: [UInt8]) throws(FormatError) -> [UInt8] {
            var w = TernWriter()
            w.setMetadata(Array("general.name".utf8), .string(value))
            for (i, l) in network.layers.enumerated() {
                w.addLayer(l.record)
                let t = TernaryTokens.encode(l.weights)
                w.addSection(layer: i, kind: .weights, layout: .ternaryTokens, compression: .none, windowBits: 0,
                             elementCount: l.weights.count, decoded: t, stored: t)
                var p: [UInt8] = []
                for v in l.params { for s in 0..<4 { p.append(UInt8(truncatingIfNeeded: v >> Int32(8 * s))) } }
                w.addSection(layer: i, kind: l.record.isFinal ? .affine : .thresholds, layout: .int32,
                             compression: .none, windowBits: 0, elementCount: l.params.count, decoded: p, stored: p)
            }
            return try w.serialize()
        }
        _ = try build(Array("lfc-mnist-98 ü € 𝄞".utf8))
        for bad: [UInt8] in [[0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
                             [0x80], [0xFF]] {
            #expect(throws: FormatError.badMetadataValue(index: 0), "\(bad)") { try build(bad) }
        }
    }

    @Test func logitFractionBitsHaveTheirOwnError() throws {
        var n = network
        n.layers[2].record.logitFractionBits = 32
        #expect(throws: FormatError.badLayer(index: 2, problem: .logitFractionBits(32))) { try n.fileBytes() }
        n = network
        n.layers[0].record.logitFractionBits = 3
        #expect(throws: FormatError.badLayer(index: 0, problem: .logitFractionBits(3))) { try n.fileBytes() }
        n = network
        n.layers[2].record.logitFractionBits = 31
        _ = try n.fileBytes()
    }

    @Test func aShortFileWithTheWrongMagicIsNotATernFile() throws {
        #expect(throws: FormatError.badMagic) { try TernFile(parsing: Array("nineteen bytes here".utf8)) }
        #expect(throws: FormatError.badMagic) { try TernFile(parsing: [UInt8]()) }
        #expect(throws: FormatError.badMagic) { try TernFile(parsing: [0x54, 0x45, 0x52]) }
        // The right magic and too few bytes: truncated.
        #expect(throws: FormatError.truncated(offset: 0, needed: 64, available: 7)) {
            try TernFile(parsing: [0x54, 0x45, 0x52, 0x4E, 1, 0, 1])
        }
    }

    @Test func workPerImageIsBoundedAndTheCallerMayChooseTheBound() throws {
        let bytes = try network.fileBytes()
        let work = TernFile.workPerImage(try TernFile(parsing: bytes).layers)
        #expect(work == 20 * 17 + 17 * 9 + 9 * 4)
        _ = try TernFile(parsing: bytes, maxWorkPerImage: work)
        #expect(throws: FormatError.limitExceeded(.workPerImage, value: work, limit: work - 1)) {
            try TernFile(parsing: bytes, maxWorkPerImage: work - 1)
        }
    }

    /// Issue 23's hostile file: a few KB, two 15×15 convolutions of 120 channels over a 4096² image, ≈ 10¹² additions
    /// per image. Refused at parse time with the default bound.
    @Test func aTinyFileCannotAskForHoursOfWork() throws {
        var w = TernWriter()
        var records: [LayerRecord] = [
            LayerRecord(kind: .conv, inputBits: 8, outputBits: 1, padding: 1, kernel: 15, stride: 1, inChannels: 1,
                        inHeight: 4096, inWidth: 4096, outChannels: 120, outHeight: 4084, outWidth: 4084),
            LayerRecord(kind: .conv, inputBits: 1, outputBits: 1, padding: 0, kernel: 15, stride: 1,
                        inChannels: 120, inHeight: 4084, inWidth: 4084, outChannels: 120, outHeight: 4070,
                        outWidth: 4070),
        ]
        var side: UInt32 = 4070
        for _ in 0..<4 {
            records.append(LayerRecord(kind: .maxPool, inputBits: 1, outputBits: 1, kernel: 2, stride: 2,
                                       inChannels: 120, inHeight: side, inWidth: side, outChannels: 120,
                                       outHeight: side / 2, outWidth: side / 2))
            side /= 2
        }
        records.append(LayerRecord(kind: .dense, inputBits: 1, outputBits: 0, inChannels: 120, inHeight: side,
                                   inWidth: side, outChannels: 10, outHeight: 1, outWidth: 1))
        for (i, r) in records.enumerated() {
            w.addLayer(r)
            guard r.kind != .maxPool else { continue }
            w.addSection(layer: i, kind: .weights, layout: .ternaryTokens, compression: .none, windowBits: 0,
                         elementCount: r.weightCount, decoded: [], stored: [])
            let params = [UInt8](repeating: 0, count: (r.isFinal ? 2 : 1) * Int(r.outChannels) * 4)
            w.addSection(layer: i, kind: r.isFinal ? .affine : .thresholds, layout: .int32, compression: .none,
                         windowBits: 0, elementCount: params.count / 4, decoded: params, stored: params)
        }
        let work = TernFile.workPerImage(records)
        #expect(work > 1_000_000_000_000)
        #expect(throws: FormatError.limitExceeded(.workPerImage, value: work, limit: Limits.workPerImage)) {
            try w.serialize()
        }
    }
}
