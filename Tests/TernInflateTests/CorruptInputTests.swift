// Every corrupt stream ends in a typed error — never a crash, a hang or wrong bytes.
import Testing
import TernInflate
import TernTestSupport
import TernZlib

/// The one-shot result as a value, so outcomes can be compared.
private func outcome(_ stream: [UInt8], limit: Int = 1 << 24) -> Result<[UInt8], InflateError> {
    do throws(InflateError) { return .success(try zlibDecompress(stream, maxOutputBytes: limit)) } catch { return .failure(error) }
}

/// The streaming result (one byte in, seven bytes out at a time) as a value.
private func streamedOutcome(_ stream: [UInt8]) -> Result<[UInt8], InflateError> {
    do throws(InflateError) {
        return .success(try streamInflate(stream, chunking: .fixed(1), outputChunk: 7))
    } catch { return .failure(error) }
}

@Suite struct CorruptInputTests {
    static let original = InputKind.mixed.bytes(count: 2000, seed: 11)

    @Test(arguments: [ZlibStrategy.defaultStrategy, .fixed, .huffmanOnly])
    func everyTruncationIsReported(strategy: ZlibStrategy) throws {
        for level in [0, 9] {
            let stream = try deflate(Self.original, level: level, strategy: strategy)
            for cut in 0..<stream.count {
                let prefix = Array(stream[0..<cut])
                #expect(outcome(prefix) == .failure(.truncatedInput), "cut at \(cut) of \(stream.count)")
                if cut % 97 == 0 { #expect(streamedOutcome(prefix) == .failure(.truncatedInput)) }
            }
        }
    }

    @Test(arguments: ZlibStrategy.allCases)
    func randomBitFlipsGiveAnErrorOrTheOriginal(strategy: ZlibStrategy) throws {
        var rng = SeededGenerator(seed: UInt64(strategy.rawValue))
        for level in [1, 6, 9] {
            let stream = try deflate(Self.original, level: level, windowBits: 10, strategy: strategy)
            for trial in 0..<150 {
                var corrupt = stream
                for _ in 0...(trial % 3) {
                    let bit = Int.random(in: 0..<(corrupt.count * 8), using: &rng)
                    corrupt[bit >> 3] ^= UInt8(1 << (bit & 7))
                }
                let result = outcome(corrupt)
                if case .success(let bytes) = result { #expect(bytes == Self.original) }
                // The streaming decoder reaches the same verdict from one byte at a time.
                if trial % 5 == 0 { #expect(streamedOutcome(corrupt) == result) }
            }
        }
    }

    @Test func randomGarbageNeverCrashes() {
        var rng = SeededGenerator(seed: 77)
        for n in 0..<400 {
            var bytes = (0..<(n % 64 + 2)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes[0] = 0x78
            bytes[1] = 0x01  // a valid header, so the noise reaches the block decoder
            if case .success(let out) = outcome(bytes) { #expect(out.count <= 1 << 24) }
        }
    }

    @Test func badChecksum() throws {
        var stream = try deflate(Self.original, level: 9)
        stream[stream.count - 2] ^= 0x10
        let last4 = stream.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(outcome(stream) == .failure(.checksumMismatch(expected: last4, computed: zlibAdler32(Self.original))))
    }

    @Test func badHeaders() throws {
        var body = BitWriter()
        body.write(1, bits: 1)  // final fixed block with only an end-of-block
        body.write(1, bits: 2)
        body.writeCode(0, length: 7)
        let valid = body.zlibStream()
        #expect(outcome(valid) == .success([]))

        let wrongMethod = zlibHeader(method: 7) + valid.dropFirst(2)
        #expect(outcome(Array(wrongMethod)) == .failure(.badHeader(.compressionMethod(7))))
        let hugeWindow = zlibHeader(windowBits: 16) + valid.dropFirst(2)
        #expect(outcome(Array(hugeWindow)) == .failure(.badHeader(.windowSize(cinfo: 8))))
        var badCheck = valid
        badCheck[1] ^= 1
        #expect(outcome(badCheck) == .failure(.badHeader(.checkBits(cmf: badCheck[0], flg: badCheck[1]))))
        let dictionary = zlibHeader(presetDictionary: true) + [0, 0, 0, 1] + valid.dropFirst(2)
        #expect(outcome(Array(dictionary)) == .failure(.presetDictionaryUnsupported))
    }

    @Test func outputLimitAndTrailingGarbage() throws {
        let stream = try deflate(Self.original, level: 9)
        let n = Self.original.count
        #expect(outcome(stream, limit: n) == .success(Self.original))
        #expect(outcome(stream, limit: n - 1) == .failure(.outputLimitExceeded(limit: n - 1)))
        #expect(outcome(stream, limit: 0) == .failure(.outputLimitExceeded(limit: 0)))
        #expect(outcome(stream + [0, 1, 2]) == .failure(.trailingGarbage(bytes: 3)))
        #expect(streamedOutcome(stream + [9]) == .failure(.trailingGarbage(bytes: 1)))
    }

    @Test func invalidBlockTypeAndStoredLength() {
        var reserved = BitWriter()
        reserved.write(1, bits: 1)
        reserved.write(3, bits: 2)
        #expect(outcome(reserved.zlibStream()) == .failure(.invalidBlockType))

        var stored = BitWriter()
        stored.write(1, bits: 1)
        stored.write(0, bits: 2)
        stored.alignToByte()
        stored.write(5, bits: 16)
        stored.write(0xFFFA ^ 1, bits: 16)
        #expect(outcome(stored.zlibStream()) == .failure(.storedLengthMismatch(length: 5, complement: 0xFFFA ^ 1)))
    }

    @Test func distancesBeyondTheOutputOrTheWindow() {
        // Fixed block: literal 'a', then a match of length 3 at distance 2 — one byte exists.
        var early = BitWriter()
        early.write(1, bits: 1)
        early.write(1, bits: 2)
        early.writeCode(fixedLiteralCode(97).0, length: 8)
        early.writeCode(fixedLiteralCode(257).0, length: 7)
        early.writeCode(1, length: 5)  // distance code 1 = distance 2
        early.writeCode(0, length: 7)
        #expect(outcome(early.zlibStream(decoded: [97, 97, 97, 97])) == .failure(.distanceTooFarBack(distance: 2, available: 1)))

        // windowBits 9: 600 literals, then a match 513 back — inside the output, outside the declared window.
        var far = BitWriter()
        far.write(1, bits: 1)
        far.write(1, bits: 2)
        for i in 0..<600 { far.writeCode(fixedLiteralCode(i % 100).0, length: 8) }
        far.writeCode(fixedLiteralCode(257).0, length: 7)
        far.writeCode(18, length: 5)  // distance code 18: 513 + 8 extra bits
        far.write(0, bits: 8)
        far.writeCode(0, length: 7)
        let stream = far.zlibStream(windowBits: 9)
        #expect(outcome(stream) == .failure(.distanceTooFarBack(distance: 513, available: 512)))
        #expect(streamedOutcome(stream) == .failure(.distanceTooFarBack(distance: 513, available: 512)))
    }

    @Test func symbolsTheFixedCodeMustNotUse() {
        var length286 = BitWriter()
        length286.write(1, bits: 1)
        length286.write(1, bits: 2)
        length286.writeCode(fixedLiteralCode(286).0, length: 8)
        #expect(outcome(length286.zlibStream()) == .failure(.invalidSymbol(.literalLength, 286)))

        var distance30 = BitWriter()
        distance30.write(1, bits: 1)
        distance30.write(1, bits: 2)
        distance30.writeCode(fixedLiteralCode(65).0, length: 8)
        distance30.writeCode(fixedLiteralCode(257).0, length: 7)
        distance30.writeCode(30, length: 5)
        #expect(outcome(distance30.zlibStream()) == .failure(.invalidSymbol(.distance, 30)))
    }

    @Test func windowLargerThanTheStreamingWorkspace() throws {
        let stream = try deflate(Self.original, level: 9, windowBits: 15)
        #expect(throws: InflateError.windowTooLarge(windowBytes: 32768, available: 1024)) {
            try streamInflate(stream, workspaceBytes: ZlibInflater.workspaceBytes(windowBits: 10))
        }
    }
}
