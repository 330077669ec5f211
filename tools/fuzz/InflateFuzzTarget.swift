// libFuzzer target for TernInflate, compiled together with Sources/TernInflate/*.swift by tools/fuzz/inflate.
// Every input must end in a typed error or in output — never a crash, a hang or a sanitizer report — and the
// streaming decoder (odd chunk sizes, a tiny output buffer)
// must reach the same verdict and the same bytes as the one-shot decoder.

private let limit = 1 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func inflateFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let oneShot: Result<[UInt8], InflateError>
    do throws(InflateError) { oneShot = .success(try zlibDecompress(input, maxOutputBytes: limit)) } catch {
        oneShot = .failure(error)
    }
    let streamed = streamed(input, chunk: 1 + Int(size % 13), outputChunk: 1 + Int(size % 300))
    switch (oneShot, streamed) {
    case (.success(let a), .success(let b)): precondition(a == b, "one-shot and streaming bytes differ")
    case (.failure(let a), .failure(let b)): precondition(a == b || a == .outputLimitExceeded(limit: limit), "verdicts differ")
    case (.failure(let a), .success): precondition(a == .outputLimitExceeded(limit: limit), "only one-shot failed")
    case (.success, .failure): preconditionFailure("only streaming failed")
    }
    return 0
}

private func streamed(_ input: [UInt8], chunk: Int, outputChunk: Int) -> Result<[UInt8], InflateError> {
    let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: ZlibInflater.workspaceBytes(windowBits: 15), alignment: 16)
    defer { workspace.deallocate() }
    let output = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: outputChunk)
    defer { output.deallocate() }
    var decoded: [UInt8] = []
    do throws(InflateError) {
        var inflater = try ZlibInflater(workspace: workspace)
        var position = 0
        try input.withUnsafeBufferPointer { (all: UnsafeBufferPointer<UInt8>) throws(InflateError) in
            while true {
                let end = min(position + chunk, all.count)
                let progress = try inflater.inflate(UnsafeBufferPointer(rebasing: all[position..<end]), into: output)
                position += progress.consumed
                decoded.append(contentsOf: output[0..<progress.produced])
                if decoded.count > limit { throw InflateError.outputLimitExceeded(limit: limit) }
                if progress.finished {
                    if position < all.count { throw InflateError.trailingGarbage(bytes: all.count - position) }
                    return
                }
                if progress.consumed == 0 && progress.produced == 0 {
                    precondition(position == all.count, "streaming decoder stalled")
                    throw InflateError.truncatedInput
                }
            }
        }
    } catch {
        return .failure(error)
    }
    return .success(decoded)
}
