// The pull decoder gives the same bytes as the one-shot one, whatever the input chunking and the piece limit, and
// refuses what the others refuse.
import Testing
@testable import TernInflate
import TernTestSupport
import TernZlib

/// Decodes `stream` with `SlidingInflater`, feeding at most `inputChunk` bytes per call and asking for `limit`.
/// `narrow`: the 32-bit cores' fast loop (nil: this machine's).
func slidingInflate(_ stream: [UInt8], workspaceBytes: Int, inputChunk: Int = .max, limit: Int = 1024,
                    narrow: Bool? = nil) throws -> [UInt8] {
    let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: workspaceBytes, alignment: 16)
    defer { workspace.deallocate() }
    var inflater = try narrow.map { try SlidingInflater(workspace: workspace, narrowBitBuffer: $0) }
        ?? SlidingInflater(workspace: workspace)
    var out: [UInt8] = []
    var consumed = 0
    try stream.withUnsafeBufferPointer { input in
        while true {
            let end = consumed + min(input.count - consumed, inputChunk)
            let step = try inflater.next(UnsafeBufferPointer(rebasing: input[consumed..<end]), limit: limit)
            consumed += step.consumed
            out += step.piece
            if step.finished { return }
            if step.consumed == 0 && step.piece.isEmpty && end == input.count { throw InflateError.truncatedInput }
        }
    }
    return out
}

@Suite struct SlidingInflaterTests {
    @Test(arguments: [9, 12, 15])
    func matchesTheInputForEveryChunkingAndLimit(windowBits: Int) throws {
        for (k, kind) in InputKind.allCases.enumerated() {
            let input = kind.bytes(count: 30_000, seed: UInt64(k + windowBits))
            for strategy in ZlibStrategy.allCases {
                let stream = try deflate(input, level: 9, windowBits: windowBits, strategy: strategy)
                let bytes = SlidingInflater.workspaceBytes(windowBits: windowBits, pieceBytes: 1024)
                #expect(try slidingInflate(stream, workspaceBytes: bytes) == input)
                // Tiny pieces split most matches between calls (the `copy` state finishes them).
                #expect(try slidingInflate(stream, workspaceBytes: bytes, limit: 1) == input)
                #expect(try slidingInflate(stream, workspaceBytes: bytes, limit: 5) == input)
                #expect(try slidingInflate(stream, workspaceBytes: bytes, inputChunk: 1, limit: 300) == input)
                #expect(try slidingInflate(stream, workspaceBytes: bytes, inputChunk: 7, limit: 1 << 20) == input)
                // The 32-bit cores' fast loop, on the same streams.
                #expect(try slidingInflate(stream, workspaceBytes: bytes, narrow: true) == input)
                #expect(try slidingInflate(stream, workspaceBytes: bytes, inputChunk: 13, limit: 7, narrow: true) == input)
            }
        }
    }

    /// What the runtime streams: token bytes in a 512-byte window, long enough to slide many times.
    @Test func ternaryTokenStreams() throws {
        let tokens = InputKind.ternaryTokens.bytes(count: 200_000, seed: 5)
        let stream = try deflate(tokens, level: 9, windowBits: 9)
        let bytes = SlidingInflater.workspaceBytes(windowBits: 9, pieceBytes: 1024)
        #expect(try slidingInflate(stream, workspaceBytes: bytes) == tokens)
        #expect(try slidingInflate(stream, workspaceBytes: bytes, limit: 3) == tokens)
        #expect(try slidingInflate(stream, workspaceBytes: bytes, narrow: true) == tokens)
    }

    @Test func refusesAWindowLargerThanItsBuffer() throws {
        let input = InputKind.text.bytes(count: 50_000, seed: 3)
        let stream = try deflate(input, level: 9, windowBits: 15)
        #expect(throws: InflateError.windowTooLarge(windowBytes: 32768, available: 16384)) {
            try slidingInflate(stream, workspaceBytes: SlidingInflater.workspaceBytes(windowBits: 14, pieceBytes: 1024))
        }
        #expect(throws: InflateError.workspaceTooSmall(needed: ZlibInflater.stateBytes + 776,
                                                      available: ZlibInflater.stateBytes + 775)) {
            try slidingInflate(stream, workspaceBytes: ZlibInflater.stateBytes + 775)
        }
    }

    /// Every corrupt stream the one-shot decoder refuses, the pull decoder refuses with the same error.
    @Test func corruptStreamsFailAsTheOneShotDecoderFails() throws {
        var rng = SeededGenerator(seed: 99)
        let input = InputKind.mixed.bytes(count: 6000, seed: 1)
        let stream = try deflate(input, level: 6, windowBits: 10)
        let bytes = SlidingInflater.workspaceBytes(windowBits: 15, pieceBytes: 1024)
        var refused = 0
        for _ in 0..<300 {
            var bad = stream
            let at = Int.random(in: 0..<bad.count, using: &rng)
            bad[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            let oneShot: Result<[UInt8], InflateError> = Result { () throws(InflateError) in
                try zlibDecompress(bad, maxOutputBytes: 1 << 20)
            }
            let pulled: Result<[UInt8], InflateError> = Result { () throws(InflateError) in
                do { return try slidingInflate(bad, workspaceBytes: bytes) } catch let e as InflateError { throw e }
                catch { throw .truncatedInput }
            }
            let narrow: Result<[UInt8], InflateError> = Result { () throws(InflateError) in
                do { return try slidingInflate(bad, workspaceBytes: bytes, narrow: true) }
                catch let e as InflateError { throw e } catch { throw .truncatedInput }
            }
            #expect(narrow == pulled, "the 32-bit fast loop differs at byte \(at)")
            switch (oneShot, pulled) {
            case (.success(let a), .success(let b)): #expect(a == b)
            case (.failure(let a), .failure(let b)):
                refused += 1
                // The one-shot decoder also sees bytes after the end; the pull decoder leaves those to its caller.
                if case .trailingGarbage = a { continue }
                #expect(a == b)
            case (.failure(.trailingGarbage), .success): continue
            default: Issue.record("decoders disagree at byte \(at): \(oneShot) vs \(pulled)")
            }
        }
        #expect(refused > 100)
    }
}
