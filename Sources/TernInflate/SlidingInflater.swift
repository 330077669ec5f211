// The pull decoder the runtime streams weights through: it decodes into its own buffer and lends out each piece.
//
// `ZlibInflater` writes into a caller's buffer and keeps a second copy of every byte in a ring window, so each byte
// is stored twice and every match copy wraps an index. Here the window and the output are one linear buffer:
// matches copy straight out of it (8 bytes at a time, as the one-shot decoder does), and when the free space runs
// low the last window's worth of bytes slides to the front. The memory is the same as ring + output piece.

/// A streaming zlib (RFC 1950) decoder that lends out its output: each `next` call returns a piece of decoded bytes
/// that lives inside the workspace and stays valid until the next call.
///
/// Workspace layout: `ZlibInflater.stateBytes` of Huffman tables, then one buffer that holds the window (the last
/// `2^windowBits` bytes, which matches may reach back into) followed by room for new output. With
/// `workspaceBytes(windowBits: w, pieceBytes: p)` every piece holds up to `p − slackBytes` bytes.
/// The struct holds only scalars and pointers into the workspace: use one copy at a time.
public struct SlidingInflater {
    /// Bytes past the end of a piece that match copies may scribble on (they move 8 bytes at a time).
    public static let slackBytes = LinearSink.slack

    /// The workspace for streams of up to `2^windowBits` window bytes, with pieces of up to `pieceBytes − slackBytes`.
    public static func workspaceBytes(windowBits: Int, pieceBytes: Int) -> Int {
        ZlibInflater.stateBytes + 1 << windowBits + pieceBytes
    }

    private var core: InflateCore
    private let buffer: UnsafeMutablePointer<UInt8>
    /// Usable bytes of `buffer` (its size less the slack).
    private let capacity: Int
    /// Decoded bytes in `buffer`: the retained window, then the last piece.
    private var position = 0
    private var failure: InflateError?

    /// Output room kept free beside the largest window accepted, so that no piece is tiny.
    static let minimumPieceBytes = 512

    /// Prepares to decode one zlib stream. `workspace` must start on a 4-byte boundary; the largest window it
    /// accepts is the largest power of two that leaves `minimumPieceBytes` for output after it (a stream declaring
    /// a larger one fails with `InflateError.windowTooLarge`).
    public init(workspace: UnsafeMutableRawBufferPointer) throws(InflateError) {
        try self.init(workspace: workspace, narrowBitBuffer: UInt.bitWidth == 32)
    }

    /// `narrowBitBuffer`: decode with the 32-bit cores' fast loop (tests run it on the host too).
    init(workspace: UnsafeMutableRawBufferPointer, narrowBitBuffer: Bool) throws(InflateError) {
        let minimum = ZlibInflater.stateBytes + 256 + SlidingInflater.minimumPieceBytes + SlidingInflater.slackBytes
        guard let base = workspace.baseAddress, workspace.count >= minimum else {
            throw .workspaceTooSmall(needed: minimum, available: workspace.count)
        }
        guard Int(bitPattern: base) & 3 == 0 else { throw .misalignedWorkspace }
        capacity = workspace.count - ZlibInflater.stateBytes - SlidingInflater.slackBytes
        var window = 256
        while window < 1 << 15 && window * 2 + SlidingInflater.minimumPieceBytes <= capacity { window *= 2 }
        core = InflateCore(tables: TableStorage(base: base), windowCapacity: window, narrowBitBuffer: narrowBitBuffer)
        buffer = (base + ZlibInflater.stateBytes).bindMemory(
            to: UInt8.self, capacity: capacity + SlidingInflater.slackBytes)
    }

    /// Output bytes produced so far.
    public var totalOut: Int { core.totalOut }

    /// True once the whole stream, trailer included, has been decoded and checked.
    public var isFinished: Bool { core.mode == .done }

    /// Decodes from `input` until the input is used up, `limit` bytes have been produced, the piece is full, or the
    /// stream ends. Returns the input bytes used and the piece (possibly empty) of new output. An input that ends
    /// before the stream does is not an error here: call again with the rest and more behind it.
    public mutating func next(
        _ input: UnsafeBufferPointer<UInt8>, limit: Int
    ) throws(InflateError) -> (consumed: Int, piece: UnsafeBufferPointer<UInt8>, finished: Bool) {
        if let failure { throw failure }
        let window = core.windowSize
        // Slide once less than half of the space after the window is free: at most one window of copying per
        // half-buffer of output.
        if capacity - position < (capacity - window) / 2 {
            let keep = min(window, position)
            UnsafeMutableRawPointer(buffer).copyMemory(from: buffer + (position - keep), byteCount: keep)
            position = keep
        }
        let start = position
        var sink = LinearSink(base: buffer, position: start, end: min(capacity, start + max(0, limit)))
        var consumed = 0
        do {
            let status = try core.run(input, &consumed, &sink)
            position = sink.position
            let piece = UnsafeBufferPointer(start: buffer + start, count: position - start)
            return (consumed, piece, status == .finished)
        } catch {
            failure = error
            throw error
        }
    }
}
