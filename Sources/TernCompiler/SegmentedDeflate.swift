import CZlib

/// zlib (RFC 1950) compression that ends a DEFLATE block at chosen input offsets (`Z_BLOCK`), so each segment gets
/// its own Huffman table. With the Huffman-only strategy nothing refers across segments, so a segment boundary costs
/// only the next block's header; in exchange each table fits its segment's statistics. This is how the compiler
/// models per-row density (rows sorted by density, then coded in groups) without changing the token format.
func segmentedDeflate(
    _ input: [UInt8], boundaries: [Int], level: Int32 = 9, windowBits: Int32, strategy: Int32
) -> [UInt8]? {
    var stream = z_stream()
    guard deflateInit2_(&stream, level, Z_DEFLATED, windowBits, 9, strategy, ZLIB_VERSION,
                        Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(input.count))) + 16 * (boundaries.count + 1)
    var output = [UInt8](repeating: 0, count: bound)
    var ends = boundaries.filter { $0 > 0 && $0 < input.count }
    ends.append(input.count)
    var ok = true
    input.withUnsafeBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            stream.next_out = outBuf.baseAddress
            stream.avail_out = uInt(outBuf.count)
            var start = 0
            for (i, end) in ends.enumerated() {
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress.map { $0 + start })
                stream.avail_in = uInt(end - start)
                let flush = i == ends.count - 1 ? Z_FINISH : Z_BLOCK
                let code = deflate(&stream, flush)
                guard stream.avail_in == 0, code == (flush == Z_FINISH ? Z_STREAM_END : Z_OK) else { ok = false; return }
                start = end
            }
        }
    }
    guard ok else { return nil }
    output.removeLast(bound - Int(stream.total_out))
    return output
}
