// The streaming decoder gives the same bytes however its input is chunked and its output pulled.
import Testing
import TernInflate
import TernTestSupport
import TernZlib

@Suite struct StreamingTests {
    @Test(arguments: ZlibStrategy.allCases)
    func byteAtATimeInputAndOutput(strategy: ZlibStrategy) throws {
        for (k, kind) in InputKind.allCases.enumerated() {
            let input = kind.bytes(count: 5000, seed: UInt64(k))
            for level in [0, 1, 6, 9] {
                let stream = try deflate(input, level: level, windowBits: 10, strategy: strategy)
                #expect(try streamInflate(stream, chunking: .fixed(1), outputChunk: 1) == input)
                #expect(try streamInflate(stream, chunking: .fixed(1), outputChunk: 4096) == input)
                #expect(try streamInflate(stream, chunking: .whole, outputChunk: 1) == input)
            }
        }
    }

    @Test(arguments: [1, 7, 256, 4096])
    func randomChunksAndSmallOutputBuffers(outputChunk: Int) throws {
        for windowBits in 9...15 {
            let input = InputKind.mixed.bytes(count: 40_000, seed: UInt64(windowBits))
            let stream = try deflate(input, level: 9, windowBits: windowBits)
            let decoded = try streamInflate(
                stream, chunking: .random(maximum: 600, seed: UInt64(outputChunk * windowBits)),
                outputChunk: outputChunk, workspaceBytes: ZlibInflater.workspaceBytes(windowBits: windowBits))
            #expect(decoded == input, "windowBits \(windowBits), output chunk \(outputChunk)")
        }
    }

    @Test func workspaceSizes() throws {
        let state = ZlibInflater.stateBytes
        #expect(state <= 8192, "the fixed state should stay small next to a window")
        #expect(ZlibInflater.workspaceBytes(windowBits: 14) == state + 16384)
        let input = InputKind.text.bytes(count: 50_000, seed: 3)
        let stream = try deflate(input, level: 9, windowBits: 15)
        #expect(throws: InflateError.windowTooLarge(windowBytes: 32768, available: 16384)) {
            try streamInflate(stream, workspaceBytes: ZlibInflater.workspaceBytes(windowBits: 14))
        }
        // A workspace a little larger than needed still works (the window is the largest power of two that fits).
        #expect(try streamInflate(stream, workspaceBytes: ZlibInflater.workspaceBytes(windowBits: 15) + 1000) == input)
        #expect(throws: InflateError.workspaceTooSmall(needed: state + 256, available: state + 255)) {
            try streamInflate(stream, workspaceBytes: state + 255)
        }
    }

    @Test func misalignedWorkspaceIsRejected() {
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: 8000, alignment: 16)
        defer { raw.deallocate() }
        #expect(throws: InflateError.misalignedWorkspace) {
            _ = try ZlibInflater(workspace: UnsafeMutableRawBufferPointer(rebasing: raw[1...]))
        }
    }

    @Test func resetDecodesASecondStream() throws {
        let a = InputKind.text.bytes(count: 9000, seed: 1), b = InputKind.runs.bytes(count: 9000, seed: 2)
        let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: ZlibInflater.workspaceBytes(windowBits: 15), alignment: 8)
        defer { workspace.deallocate() }
        var inflater = try ZlibInflater(workspace: workspace)
        for input in [a, b] {
            inflater.reset()
            let stream = try deflate(input, level: 9)
            var out = [UInt8](repeating: 0, count: input.count)
            let progress = try stream.withUnsafeBufferPointer { inBuf in
                try out.withUnsafeMutableBufferPointer { try inflater.inflate(inBuf, into: $0) }
            }
            #expect(progress == InflateProgress(consumed: stream.count, produced: input.count, finished: true))
            #expect(inflater.isFinished && inflater.totalOut == input.count && inflater.windowBytes == 32768)
            #expect(out == input)
        }
    }

    @Test func errorsAreSticky() throws {
        var stream = try deflate(InputKind.text.bytes(count: 2000, seed: 4), level: 9)
        stream[stream.count - 1] ^= 1
        let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: ZlibInflater.workspaceBytes(windowBits: 15), alignment: 8)
        defer { workspace.deallocate() }
        var inflater = try ZlibInflater(workspace: workspace)
        var out = [UInt8](repeating: 0, count: 4000)
        for _ in 0..<2 {
            let result: Result<InflateProgress, InflateError> = stream.withUnsafeBufferPointer { inBuf in
                out.withUnsafeMutableBufferPointer { o in
                    do throws(InflateError) { return .success(try inflater.inflate(inBuf, into: o)) } catch { return .failure(error) }
                }
            }
            guard case .failure(.checksumMismatch) = result else {
                Issue.record("expected a checksum mismatch, got \(result)")
                return
            }
        }
    }
}
