import Testing
import TernFormat
import TernInflate
import TernZlib
import TernRuntime
import TernTestSupport

/// Hostile or damaged artifacts end in a typed error before any unbounded allocation or long loop.
@Suite struct RobustnessTests {
    static let net = SyntheticNetwork.dense([40, 30, 20, 5], bits: 1, sparsity: 0.8, seed: 7)

    /// Writes `layers` like `SyntheticNetwork.fileBytes`, replacing the decoded weight bytes of the layers in
    /// `tokens` (the writer computes a matching CRC, so only the runtime's own checks can catch the problem).
    /// `zlibStored` replaces a layer's weight section by a zlib section with these stored bytes (its decoded
    /// bytes, length and CRC still being the true tokens').
    func file(_ layers: [SyntheticLayer], tokens: [Int: [UInt8]] = [:], zlibStored: [Int: [UInt8]] = [:]) throws -> [UInt8] {
        var w = TernWriter()
        for (i, l) in layers.enumerated() {
            w.addLayer(l.record)
            guard l.record.kind != .maxPool else { continue }
            let t = tokens[i] ?? TernaryTokens.encode(l.weights)
            if let stored = zlibStored[i] {
                w.addSection(layer: i, kind: .weights, layout: .ternaryTokens, compression: .zlib, windowBits: 15,
                             elementCount: l.weights.count, decoded: t, stored: stored)
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

    func engineError(_ bytes: [UInt8], mode: ExecutionMode) -> RuntimeError? {
        do {
            _ = try engineLogits(bytes, images: [UInt8](repeating: 1, count: 40), count: 1, mode: mode, batch: 1)
            return nil
        } catch let e as RuntimeError { return e } catch { return nil }
    }

    @Test func truncatedFile() throws {
        let bytes = try Self.net.fileBytes()
        for cut in [10, 64, bytes.count / 2, bytes.count - 1] {
            #expect(throws: FormatError.self) { try TernFile(parsing: Array(bytes[0..<cut])) }
        }
        // A parsed file handed to the engine with fewer bytes than it declares.
        let parsed = try TernFile(parsing: bytes)
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
        defer { arena.deallocate() }
        let short = Array(bytes.dropLast(7))
        #expect(throws: RuntimeError.format(.fileSizeMismatch(declared: UInt64(bytes.count), actual: UInt64(short.count)))) {
            try short.withUnsafeBytes { _ = try Engine(file: parsed, bytes: $0, arena: arena, mode: .streaming) }
        }
    }

    @Test(arguments: [ExecutionMode.streaming, .resident])
    func badSectionCRC(mode: ExecutionMode) throws {
        var bytes = try Self.net.fileBytes()
        let parsed = try TernFile(parsing: bytes)
        let s = parsed.sections[0]
        bytes[Int(s.offset) + 1] ^= 0x04  // flips a sign in layer 0's tokens
        guard case .corruptSection(0, .checksum)? = engineError(bytes, mode: mode) else {
            Issue.record("expected a checksum error, got \(String(describing: engineError(bytes, mode: mode)))")
            return
        }
    }

    @Test(arguments: [ExecutionMode.streaming, .resident])
    func lyingNonzeroCount(mode: ExecutionMode) throws {
        var layers = Self.net.layers
        let actual = Int(layers[1].record.nonzeroWeights)
        layers[1].record.nonzeroWeights -= 3
        #expect(engineError(try file(layers), mode: mode)
                == .corruptSection(index: 2, problem: .nonzeroCount(expected: actual - 3, actual: actual)))
    }

    @Test(arguments: [ExecutionMode.streaming, .resident])
    func tokensRunningPastTheTensor(mode: ExecutionMode) throws {
        var layers = Self.net.layers
        // 0xFD skips 126 zeros, then a weight: the 5th token lands at 634, beyond 20 × 30 weights.
        let tokens = [UInt8](repeating: 0xFD, count: 12)
        layers[1].record.nonzeroWeights = 9
        #expect(engineError(try file(layers, tokens: [1: tokens]), mode: mode)
                == .corruptSection(index: 2, problem: .ternary(.overrun(offset: 4))))
        // A reserved token and a trailing skip are caught too.
        #expect(engineError(try file(layers, tokens: [1: [0x00, 0xFF]]), mode: mode)
                == .corruptSection(index: 2, problem: .ternary(.reservedToken(offset: 1))))
        layers[1].record.nonzeroWeights = 1
        #expect(engineError(try file(layers, tokens: [1: [0x00, 0xFE]]), mode: mode)
                == .corruptSection(index: 2, problem: .ternary(.trailingSkip)))
    }

    @Test(arguments: [ExecutionMode.streaming, .resident])
    func zlibBombStopsAtTheDeclaredLength(mode: ExecutionMode) throws {
        let tokens = TernaryTokens.encode(Self.net.layers[1].weights)
        // 64 MiB of output from a few KiB of input, declared as the layer's few hundred token bytes.
        let bomb = try deflate(tokens + [UInt8](repeating: 0xFD, count: 64 << 20), level: 9)
        #expect(bomb.count < 1 << 20)
        #expect(engineError(try file(Self.net.layers, zlibStored: [1: bomb]), mode: mode)
                == .corruptSection(index: 2, problem: .tooMuchOutput(limit: UInt64(tokens.count))))
    }

    @Test(arguments: [ExecutionMode.streaming, .resident])
    func zlibLengthLiesAndTruncation(mode: ExecutionMode) throws {
        let tokens = TernaryTokens.encode(Self.net.layers[1].weights)
        // The stream holds fewer bytes than the section declares.
        let short = try deflate(Array(tokens.dropLast(5)), level: 9)
        #expect(engineError(try file(Self.net.layers, zlibStored: [1: short]), mode: mode)
                == .corruptSection(index: 2, problem: .tooLittleOutput(expected: UInt64(tokens.count),
                                                                      produced: UInt64(tokens.count - 5))))
        // The stream is cut off.
        let cut = Array(try deflate(tokens, level: 9).dropLast(9))
        #expect(engineError(try file(Self.net.layers, zlibStored: [1: cut]), mode: mode)
                == .corruptSection(index: 2, problem: .inflate(.truncatedInput)))
        // Garbage instead of a zlib stream: no zlib header, refused when the file is parsed (FORMAT.md §5).
        let garbage = [UInt8](repeating: 0x55, count: 40)
        #expect(throws: FormatError.badSection(index: 2, problem: .badZlibHeader)) {
            try file(Self.net.layers, zlibStored: [1: garbage])
        }
        // Garbage behind a valid header (CINFO 7, FLG check bits right) reaches the inflater.
        let body = [0x78, 0xDA] + garbage
        guard case .corruptSection(2, .inflate)? = engineError(try file(Self.net.layers, zlibStored: [1: body]), mode: mode) else {
            Issue.record("expected an inflate error")
            return
        }
    }

    @Test func inconsistentShapes() throws {
        var bytes = try Self.net.fileBytes()
        // Layer 1's inChannels (offset 8 in its record) no longer matches layer 0's 30 outputs.
        let metadataEnd = try TernFile(parsing: bytes).metadata.reduce(64) { $0 + 2 + $1.key.count + metadataSize($1.value) }
        bytes[metadataEnd + 64 + 8] = 31
        bytes = restampTablesCRC(bytes)
        #expect(throws: FormatError.badLayer(index: 1, problem: .inputDoesNotChain)) { try TernFile(parsing: bytes) }
    }

    @Test func absurdSizesAreRefusedBeforeAllocating() throws {
        // 1024×1024 pixels → 64 channels → three pools → 2 classes: fine at batch 1, 32 GB of activations at 4096.
        let net = SyntheticNetwork.stack(input: (1, 1024, 1024), [
            .conv(channels: 64, kernel: 1, padding: 0, bits: 1), .pool, .pool, .pool, .classes(2),
        ], sparsity: 1.0, seed: 1)
        let parsed = try TernFile(parsing: try net.fileBytes())
        #expect(try Plan(file: parsed, batch: 1).arenaBytes(.streaming) > 8 << 20)
        #expect(throws: RuntimeError.self) { try Plan(file: parsed, batch: 4096) }
        do { _ = try Plan(file: parsed, batch: 4096) } catch {
            guard case .tooLarge = error else { Issue.record("expected tooLarge, got \(error)"); return }
        }
        #expect(throws: RuntimeError.badBatch(0)) { try Plan(file: parsed, batch: 0) }
        #expect(throws: RuntimeError.badBatch(Plan.maxBatch + 1)) { try Plan(file: parsed, batch: Plan.maxBatch + 1) }
    }

    @Test(arguments: [ExecutionMode.streaming, .resident])
    func arenaTooSmallOrMisaligned(mode: ExecutionMode) throws {
        let bytes = try Self.net.fileBytes()
        let parsed = try TernFile(parsing: bytes)
        let needed = try Plan(file: parsed, batch: 2).arenaBytes(mode)
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: needed + 64, alignment: 64)
        defer { arena.deallocate() }
        try bytes.withUnsafeBytes { b in
            #expect(throws: RuntimeError.arenaTooSmall(needed: needed, provided: needed - 1)) {
                try Engine(file: parsed, bytes: b, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<(needed - 1)]),
                           mode: mode, batch: 2)
            }
            #expect(throws: RuntimeError.arenaMisaligned) {
                try Engine(file: parsed, bytes: b, arena: UnsafeMutableRawBufferPointer(rebasing: arena[8..<(needed + 8)]),
                           mode: mode, batch: 2)
            }
            let engine = try Engine(file: parsed, bytes: b, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<needed]),
                                    mode: mode, batch: 2)
            var p = [Int32](repeating: 0, count: 1)
            _ = p.withUnsafeMutableBufferPointer { p in
                #expect(throws: RuntimeError.bufferTooShort(needed: 80, provided: 79)) {
                    try [UInt8](repeating: 0, count: 79).withUnsafeBytes {
                        try engine.classify(images: $0, count: 2, predictions: p)
                    }
                }
            }
        }
    }
}

func metadataSize(_ v: MetadataValue) -> Int {
    switch v {
    case .uint32, .int32, .float32: 4
    case .uint64, .int64, .float64: 8
    case .bool: 1
    case .string(let s): 4 + s.count
    }
}

/// Recomputes the header/tables CRC-32 after a test edits the tables on purpose.
func restampTablesCRC(_ file: [UInt8]) -> [UInt8] {
    var b = file
    let tablesBytes = Int(b[28]) | Int(b[29]) << 8 | Int(b[30]) << 16 | Int(b[31]) << 24
    var crc = CRC32()
    crc.update(Array(b[0..<60]))
    crc.update(Array(b[64..<(64 + tablesBytes)]))
    for k in 0..<4 { b[60 + k] = UInt8(truncatingIfNeeded: crc.value >> UInt32(8 * k)) }
    return b
}
