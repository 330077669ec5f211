// The one-shot decoder: the whole stream in, the whole output out. The output buffer is its own window, so
// matches copy straight out of it (no ring, no second copy of every byte).

/// Decodes a complete zlib (RFC 1950) stream, checking its Adler-32, and rejects bytes after its end.
/// Fails with `InflateError.outputLimitExceeded` instead of producing more than `maxOutputBytes`.
public func zlibDecompress(_ input: [UInt8], maxOutputBytes: Int) throws(InflateError) -> [UInt8] {
    let limit = max(0, maxOutputBytes)
    let tables = UnsafeMutableRawPointer.allocate(byteCount: TableStorage.byteCount, alignment: 8)
    defer { tables.deallocate() }
    var core = InflateCore(tables: TableStorage(base: tables), windowCapacity: 1 << 15)

    // Start with a guess (exact when the caller passes the decoded size and it is under 4× the input), then double.
    var capacity = min(limit, max(1 << 16, input.count > Int.max / 8 ? Int.max / 2 : input.count * 4))
    var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + LinearSink.slack)
    defer { buffer.deallocate() }
    var produced = 0
    var position = 0

    let failure: InflateError? = input.withUnsafeBufferPointer { inBuf in
        while true {
            var sink = LinearSink(base: buffer, position: produced, end: capacity)
            let status: RunStatus
            do throws(InflateError) {
                status = try core.run(inBuf, &position, &sink)
            } catch {
                return error
            }
            produced = sink.position
            switch status {
            case .finished:
                let trailing = inBuf.count - position + core.unusedBufferedBytes
                return trailing == 0 ? nil : .trailingGarbage(bytes: trailing)
            case .needInput:
                return .truncatedInput
            case .needOutput:
                guard capacity < limit else { return .outputLimitExceeded(limit: limit) }
                let grown = capacity > limit / 2 ? limit : capacity * 2
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown + LinearSink.slack)
                bigger.update(from: buffer, count: produced)
                buffer.deallocate()
                buffer = bigger
                capacity = grown
            }
        }
    }
    if let failure { throw failure }
    return [UInt8](unsafeUninitializedCapacity: produced) { out, count in
        if produced > 0 { out.baseAddress!.update(from: buffer, count: produced) }
        count = produced
    }
}
