import CZlib
import Foundation
import TernFormat
import TernInflate
import TernTestSupport
import TernZlib

/// `TernBenchmarks inflate`: decode speed of TernInflate against system zlib on the same streams — ternary token
/// streams of a 2.9 M-weight layer and a mixed 1 MB file — one-shot, and streaming through a 16 KiB window.
/// The table in docs/BENCHMARKS.md (## Inflate) comes from this.
func runInflateBenchmark(arguments: [String]) throws {
    let json = arguments.contains("--json")
    struct Case { var name: String; var data: [UInt8]; var level: Int; var strategy: ZlibStrategy }
    var cases: [Case] = []
    for sparsity in [0.95, 0.98] {
        var rng = SeededGenerator(seed: 2017)
        let tokens = TernaryTokens.encode(randomTernary(count: 2_900_000, sparsity: sparsity, using: &rng))
        let pct = Int(sparsity * 100)
        cases.append(Case(name: "tokens \(pct) %, -9 Huffman-only", data: tokens, level: 9, strategy: .huffmanOnly))
        cases.append(Case(name: "tokens \(pct) %, -9 default", data: tokens, level: 9, strategy: .defaultStrategy))
    }
    let mixed = mixedFile(bytes: 1 << 20)
    cases.append(Case(name: "mixed 1 MB, -9 default", data: mixed, level: 9, strategy: .defaultStrategy))
    cases.append(Case(name: "mixed 1 MB, -1 default", data: mixed, level: 1, strategy: .defaultStrategy))

    var rows: [[String: Any]] = []
    if !json {
        print("decoded MB/s (10^6 bytes of output per second), best of repeated runs; ratio = TernInflate / zlib")
        print("| stream | decoded | compressed | zlib inflate | zlibDecompress | ratio | zlib (wb 14) | ZlibInflater 16 KiB window, 512 B chunks | ratio |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    }
    for c in cases {
        let stream = try deflate(c.data, level: c.level, windowBits: 15, strategy: c.strategy)
        let small = try deflate(c.data, level: c.level, windowBits: 14, strategy: c.strategy)
        guard try zlibDecompress(stream, maxOutputBytes: c.data.count) == c.data,
              try streamingDecode(small, windowBits: 14, chunk: 512) == c.data,
              rawZlibInflate(stream, capacity: c.data.count) == c.data
        else { throw BenchmarkFailure.mismatch(c.name) }
        let mb = Double(c.data.count) / 1e6
        let zlibOneShot = mb / bestSeconds { _ = rawZlibInflate(stream, capacity: c.data.count) }
        let ours = mb / bestSeconds { _ = try? zlibDecompress(stream, maxOutputBytes: c.data.count) }
        let zlibSmall = mb / bestSeconds { _ = rawZlibInflate(small, capacity: c.data.count) }
        let streaming = mb / bestSeconds { _ = try? streamingDecode(small, windowBits: 14, chunk: 512) }
        if json {
            rows.append(["stream": c.name, "decodedBytes": c.data.count, "compressedBytes": stream.count,
                         "zlibMBps": zlibOneShot, "zlibDecompressMBps": ours, "ratio": ours / zlibOneShot,
                         "zlibWindow14MBps": zlibSmall, "streamingMBps": streaming, "streamingRatio": streaming / zlibSmall])
        } else {
            print("| \(c.name) | \(c.data.count) | \(stream.count) | \(fixed(zlibOneShot, 0)) | \(fixed(ours, 0)) | "
                + "\(fixed(ours / zlibOneShot, 2)) | \(fixed(zlibSmall, 0)) | \(fixed(streaming, 0)) | \(fixed(streaming / zlibSmall, 2)) |")
        }
    }
    if json {
        let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

enum BenchmarkFailure: Error { case mismatch(String) }

/// Text-like words, random bytes and runs, a third each: what a generic 1 MB file mixes.
func mixedFile(bytes: Int) -> [UInt8] {
    var rng = SeededGenerator(seed: 1950)
    let words = ["ternary", "weights", "stream", "through", "a", "small", "window", "while", "the", "accumulators",
                 "consume", "them", "layer", "by", "layer", "\n"].map { Array($0.utf8) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes + 1024)
    while out.count < bytes / 3 {
        out += words[Int.random(in: 0..<words.count, using: &rng)]
        out.append(32)
    }
    while out.count < 2 * bytes / 3 { out.append(UInt8.random(in: 0...255, using: &rng)) }
    while out.count < bytes {
        let byte = UInt8.random(in: 0...255, using: &rng)
        out += [UInt8](repeating: byte, count: Int.random(in: 1...300, using: &rng))
    }
    return Array(out.prefix(bytes))
}

/// Seconds of the fastest of repeated runs (at least 5, and at least 0.5 s in total).
func bestSeconds(_ body: () -> Void) -> Double {
    var best = Double.infinity
    var total = 0.0
    var runs = 0
    while runs < 5 || total < 0.5 {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let t = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best = min(best, t)
        total += t
        runs += 1
    }
    return best
}

/// System zlib's inflate into a preallocated buffer of the known size: zlib at its fastest, no copies.
func rawZlibInflate(_ input: [UInt8], capacity: Int) -> [UInt8] {
    var stream = z_stream()
    guard inflateInit2_(&stream, 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
    defer { inflateEnd(&stream) }
    var input = input
    var code: Int32 = Z_OK
    let output = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            stream.next_out = out.baseAddress
            stream.avail_out = uInt(out.count)
            code = CZlib.inflate(&stream, Z_FINISH)
        }
        count = Int(stream.total_out)
    }
    return code == Z_STREAM_END ? output : []
}

/// TernInflate's streaming decoder with a workspace sized for `windowBits`, fed `chunk` bytes at a time and pulled
/// through a 4 KiB output buffer, the way the runtime streams a layer's weights.
func streamingDecode(_ stream: [UInt8], windowBits: Int, chunk: Int) throws -> [UInt8] {
    let workspace = UnsafeMutableRawBufferPointer.allocate(
        byteCount: ZlibInflater.workspaceBytes(windowBits: windowBits), alignment: 16)
    defer { workspace.deallocate() }
    var inflater = try ZlibInflater(workspace: workspace)
    var output = [UInt8](repeating: 0, count: 4096)
    var decoded: [UInt8] = []
    var position = 0
    try stream.withUnsafeBufferPointer { input in
        try output.withUnsafeMutableBufferPointer { out in
            while true {
                let end = min(position + chunk, input.count)
                let progress = try inflater.inflate(UnsafeBufferPointer(rebasing: input[position..<end]), into: out)
                position += progress.consumed
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: out[0..<progress.produced]))
                if progress.finished { return }
                if progress.consumed == 0 && progress.produced == 0 { throw InflateError.truncatedInput }
            }
        }
    }
    return decoded
}
