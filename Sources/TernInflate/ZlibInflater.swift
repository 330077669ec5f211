// The streaming decoder: caller-owned memory, any input chunking, output pulled in pieces of any size.

/// How far one `ZlibInflater.inflate` call got.
public struct InflateProgress: Equatable, Sendable {
    /// Input bytes used; pass the rest (`input[consumed...]`) again, with more behind it, on the next call.
    public var consumed: Int
    /// Output bytes written to the front of the output buffer.
    public var produced: Int
    /// The stream ended and its Adler-32 matched: no more output will come.
    public var finished: Bool

    public init(consumed: Int, produced: Int, finished: Bool) {
        self.consumed = consumed
        self.produced = produced
        self.finished = finished
    }
}

/// A streaming zlib (RFC 1950) / DEFLATE (RFC 1951) decoder that never allocates.
///
/// Memory is one caller-provided workspace: `stateBytes` (4,224 B) of Huffman tables, then the window, which must be
/// at least the 2^windowBits bytes the stream's header declares (256 B for windowBits 8 … 32 KiB for 15).
/// `workspaceBytes(windowBits:)` gives the total; a `.tern` section records its windowBits so the runtime can size
/// the workspace from its arena before it reads a byte. The struct itself holds only scalars and pointers into the
/// workspace: copies share that memory, so use one copy at a time.
///
/// Feed input in chunks of any size (one byte works) and pull output in pieces of any size:
/// ```swift
/// var inflater = try ZlibInflater(workspace: arenaSlice)   // ZlibInflater.workspaceBytes(windowBits: w) bytes
/// var finished = false
/// while !finished {
///     let p = try inflater.inflate(chunk, into: piece)   // e.g. 512 B of flash in, 256 B of weights out
///     consume(piece[0..<p.produced]); chunk = next input starting p.consumed bytes further on
///     finished = p.finished            // no input left and not finished: the stream is truncated
/// }
/// ```
/// Each call returns when it has used all of its input, filled its output, or reached the end of the stream.
/// After an error every later call throws the same error.
public struct ZlibInflater {
    /// Bytes of Huffman-table state at the front of the workspace.
    public static let stateBytes = TableStorage.byteCount

    /// The workspace a stream with this `windowBits` (8…15) needs: `stateBytes + 2^windowBits`.
    public static func workspaceBytes(windowBits: Int) -> Int { stateBytes + 1 << windowBits }

    private var core: InflateCore
    private let window: UnsafeMutablePointer<UInt8>
    private let windowMask: Int
    private var windowPosition = 0
    private var failure: InflateError?

    /// Prepares to decode one zlib stream in `workspace`, which must start on a 4-byte boundary and hold at least
    /// `workspaceBytes(windowBits: 8)`. The window is the largest power of two that fits after the tables; a stream
    /// declaring a larger one fails with `InflateError.windowTooLarge`.
    public init(workspace: UnsafeMutableRawBufferPointer) throws(InflateError) {
        let minimum = ZlibInflater.workspaceBytes(windowBits: 8)
        guard let base = workspace.baseAddress, workspace.count >= minimum else {
            throw .workspaceTooSmall(needed: minimum, available: workspace.count)
        }
        guard Int(bitPattern: base) & 3 == 0 else { throw .misalignedWorkspace }
        var size = 256
        while size < 1 << 15 && ZlibInflater.stateBytes + size * 2 <= workspace.count { size *= 2 }
        core = InflateCore(tables: TableStorage(base: base), windowCapacity: size)
        window = (base + ZlibInflater.stateBytes).bindMemory(to: UInt8.self, capacity: size)
        windowMask = size - 1
    }

    /// The window the header declares, in bytes (0 until the header has been read).
    public var windowBytes: Int { core.windowSize }

    /// Output bytes produced so far.
    public var totalOut: Int { core.totalOut }

    /// True once the whole stream, trailer included, has been decoded and checked.
    public var isFinished: Bool { core.mode == .done }

    /// Starts over with a new stream in the same workspace.
    public mutating func reset() {
        core = InflateCore(tables: core.tables, windowCapacity: core.windowCapacity)
        windowPosition = 0
        failure = nil
    }

    /// Consumes input from `input` and writes decoded bytes to the front of `output`, until the input is used up,
    /// the output is full, or the stream ends. An input that ends before the stream does is not an error here —
    /// call again with more — so when the caller has no more input and `finished` is false, the stream is truncated.
    public mutating func inflate(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>
    ) throws(InflateError) -> InflateProgress {
        if let failure { throw failure }
        // An empty output buffer may have no address; nothing is written through it then (its room is 0).
        let outBase = output.baseAddress ?? window
        var sink = WindowSink(
            base: outBase, position: 0, end: output.count, window: window, mask: windowMask,
            windowPosition: windowPosition)
        var position = 0
        do {
            let status = try core.run(input, &position, &sink)
            windowPosition = sink.windowPosition
            return InflateProgress(consumed: position, produced: sink.position, finished: status == .finished)
        } catch {
            failure = error
            throw error
        }
    }
}
