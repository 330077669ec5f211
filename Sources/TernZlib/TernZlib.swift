// TernZlib — a thin Swift wrapper over system zlib for the host tool chain, benchmarks and tests.
// The runtime never links it: TernInflate is its dependency-free counterpart.
import CZlib

/// zlib's deflate strategies (`Z_DEFAULT_STRATEGY` …), named as zlib's manual names them.
public enum ZlibStrategy: Int32, CaseIterable, Sendable {
    case defaultStrategy = 0
    case filtered = 1
    case huffmanOnly = 2
    case rle = 3
    case fixed = 4
}

/// A zlib call that did not return what it should, with zlib's own return code.
public enum ZlibError: Error, Equatable, Sendable {
    case invalidParameter(String)
    case deflateFailed(code: Int32)
    case inflateFailed(code: Int32)
    case outputLimitExceeded(limit: Int)
}

/// Compresses `input` into a zlib (RFC 1950) stream with system zlib.
/// - Parameters:
///   - level: 0 (stored) … 9 (best).
///   - windowBits: 9 … 15: the window the stream declares, and so the window a decoder must keep.
///   - memLevel: 1 … 9, zlib's internal state size.
public func deflate(
    _ input: [UInt8], level: Int = 9, windowBits: Int = 15, memLevel: Int = 9,
    strategy: ZlibStrategy = .defaultStrategy
) throws(ZlibError) -> [UInt8] {
    guard (0...9).contains(level) else { throw .invalidParameter("level \(level) is not in 0...9") }
    guard (9...15).contains(windowBits) else { throw .invalidParameter("windowBits \(windowBits) is not in 9...15") }
    guard (1...9).contains(memLevel) else { throw .invalidParameter("memLevel \(memLevel) is not in 1...9") }
    var stream = z_stream()
    var code = deflateInit2_(&stream, Int32(level), Z_DEFLATED, Int32(windowBits), Int32(memLevel),
                             strategy.rawValue, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard code == Z_OK else { throw .deflateFailed(code: code) }
    defer { deflateEnd(&stream) }
    // zlib 1.2.13's deflateBound undercounts level-0 output of inputs under 8 bytes when windowBits ≠ 15 or
    // memLevel ≠ 8 (a stored block's 5-byte header); a little slack costs nothing.
    let bound = Int(deflateBound(&stream, uLong(input.count))) + 16
    var output = [UInt8](repeating: 0, count: bound)
    var input = input
    code = input.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = uInt(outBuf.count)
            return CZlib.deflate(&stream, Z_FINISH)
        }
    }
    guard code == Z_STREAM_END else { throw .deflateFailed(code: code) }
    output.removeLast(bound - Int(stream.total_out))
    return output
}

/// Decompresses a complete zlib stream with system zlib; fails if it would produce more than `maxOutputBytes`.
public func inflate(_ input: [UInt8], maxOutputBytes: Int) throws(ZlibError) -> [UInt8] {
    try inflate(input, maxOutputBytes: maxOutputBytes, windowBits: 15)
}

private func inflate(_ input: [UInt8], maxOutputBytes: Int, windowBits: Int32) throws(ZlibError) -> [UInt8] {
    var stream = z_stream()
    var code = inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard code == Z_OK else { throw .inflateFailed(code: code) }
    defer { inflateEnd(&stream) }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var input = input
    code = Z_OK
    input.withUnsafeMutableBufferPointer { inBuf in
        stream.next_in = inBuf.baseAddress
        stream.avail_in = uInt(inBuf.count)
        while code == Z_OK {
            let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                code = CZlib.inflate(&stream, Z_NO_FLUSH)
                return outBuf.count - Int(stream.avail_out)
            }
            output.append(contentsOf: chunk[0..<produced])
            if output.count > maxOutputBytes { return }
            if code == Z_BUF_ERROR && stream.avail_in == 0 { return }
        }
    }
    if output.count > maxOutputBytes { throw .outputLimitExceeded(limit: maxOutputBytes) }
    guard code == Z_STREAM_END else { throw .inflateFailed(code: code == Z_OK ? Z_BUF_ERROR : code) }
    return output
}

/// Adler-32 as zlib computes it, for cross-checks.
public func zlibAdler32(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBufferPointer { UInt32(adler32(1, $0.baseAddress, uInt($0.count))) }
}

/// Decompresses a gzip (RFC 1952) member — or a zlib stream: zlib detects which — with system zlib,
/// failing if it would produce more than `maxOutputBytes`. For `.gz` dataset files.
public func gunzip(_ input: [UInt8], maxOutputBytes: Int) throws(ZlibError) -> [UInt8] {
    try inflate(input, maxOutputBytes: maxOutputBytes, windowBits: 15 + 32)
}

extension ZlibError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidParameter(let p): "invalid zlib parameter: \(p)"
        case .deflateFailed(let code): "zlib deflate failed (zlib code \(code))"
        case .inflateFailed(let code):
            switch code {
            case -3: "the zlib data is corrupt (bad stream, wrong checksum or truncated)"
            case -5: "the zlib data is truncated"
            case -4: "zlib ran out of memory"
            default: "zlib inflate failed (zlib code \(code))"
            }
        case .outputLimitExceeded(let limit): "decompresses to more than \(limit) bytes"
        }
    }
}
