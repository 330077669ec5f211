import ArgumentParser
import Foundation
import TernFormat
import TernInflate

/// `tern bench --peer inflate`: the time to inflate every zlib section of the artifact once (what streaming mode
/// pays per batch before any arithmetic), by TernInflate and, in the same run, by system zlib, libdeflate and ISA-L
/// (tools/bench/inflate_peer.py). Each number is the fastest pass on the thread's CPU clock.
struct InflateComparison: Codable {
    var sections: Int
    var decodedBytes: Int
    /// TernInflate as streaming mode runs it: `SlidingInflater`, 1 KiB pieces, the section's own window.
    var ternStreamingMicroseconds: Double
    /// TernInflate's one-shot `zlibDecompress`.
    var ternOneShotMicroseconds: Double
    /// Peer name → µs per pass (nil where its Python package is missing).
    var peers: [String: Double?]

    /// The issue-22 yardstick: stream batch 1 against libdeflate's inflate plus resident batch 1, same run.
    func streamGoalRatio(streamBatch1: Double?, residentBatch1: Double?) -> Double? {
        guard let s = streamBatch1, let r = residentBatch1, let d = peers["libdeflate"] ?? nil else { return nil }
        return s / (d + r)
    }

    func text(streamBatch1: Double?, residentBatch1: Double?) -> String {
        var out = "\ninflate, all \(sections) zlib sections once (\(decodedBytes) B decoded), µs per pass, 1 thread\n"
        out += "| decoder | µs | vs TernInflate streaming |\n|---|---:|---:|\n"
        out += "| TernInflate streaming (SlidingInflater, 1 KiB pieces) | \(f1(ternStreamingMicroseconds)) | 1.00× |\n"
        out += "| TernInflate one-shot (zlibDecompress) | \(f1(ternOneShotMicroseconds)) | "
            + "\(String(format: "%.2f", ternStreamingMicroseconds / ternOneShotMicroseconds))× |\n"
        for name in peers.keys.sorted() {
            guard let us = peers[name] ?? nil else { out += "| \(name) | not installed | |\n"; continue }
            out += "| \(name) | \(f1(us)) | \(String(format: "%.2f", ternStreamingMicroseconds / us))× |\n"
        }
        out += "(the last column is TernInflate's time over the peer's: below 1 means TernInflate is faster)\n"
        if let ratio = streamGoalRatio(streamBatch1: streamBatch1, residentBatch1: residentBatch1) {
            out += "stream batch 1 / (libdeflate inflate + resident batch 1) = \(String(format: "%.2f", ratio))×\n"
        }
        return out
    }
}

/// Times TernInflate on the artifact's zlib sections and runs tools/bench/inflate_peer.py on the same file.
func compareInflate(_ loaded: LoadedModel, model: String, seconds: Double) throws -> InflateComparison {
    let bytes = UnsafeRawBufferPointer(rebasing: loaded.bytes[0..<Int(loaded.file.header.fileBytes)])
    let zlibSections = loaded.file.sections.indices.filter { loaded.file.sections[$0].compression == .zlib }
    let streams = zlibSections.map { [UInt8](loaded.file.storedBytes(of: $0, in: bytes)) }
    let sizes = zlibSections.map { Int(loaded.file.sections[$0].decodedBytes) }
    let maxWindowBits = zlibSections.map { Int(loaded.file.sections[$0].windowBits) }.max() ?? 8
    let workspace = UnsafeMutableRawBufferPointer.allocate(
        byteCount: SlidingInflater.workspaceBytes(windowBits: maxWindowBits, pieceBytes: 1024), alignment: 64)
    defer { workspace.deallocate() }

    func streamingPass() throws {
        for (stream, size) in zip(streams, sizes) {
            var inflater = try SlidingInflater(workspace: workspace)
            var produced = 0
            try stream.withUnsafeBufferPointer { input in
                var consumed = 0
                while true {
                    let step = try inflater.next(UnsafeBufferPointer(rebasing: input[consumed...]), limit: 1024)
                    consumed += step.consumed
                    produced += step.piece.count
                    if step.finished { break }
                    guard step.consumed > 0 || !step.piece.isEmpty else { throw InflateError.truncatedInput }
                }
            }
            guard produced == size else { throw InputError("a section inflated to \(produced) bytes, not \(size)") }
        }
    }
    func oneShotPass() throws {
        for (stream, size) in zip(streams, sizes) { _ = try zlibDecompress(stream, maxOutputBytes: size) }
    }
    let streaming = try fastestPass(seconds: seconds, streamingPass)
    let oneShot = try fastestPass(seconds: seconds, oneShotPass)
    let peers = try runInflatePeerScript(model: model, seconds: seconds)
    return InflateComparison(sections: streams.count, decodedBytes: sizes.reduce(0, +),
                             ternStreamingMicroseconds: streaming, ternOneShotMicroseconds: oneShot, peers: peers)
}

/// Microseconds of the fastest of repeated calls (at least 5, and at least `seconds` of CPU time in total).
private func fastestPass(seconds: Double, _ body: () throws -> Void) throws -> Double {
    var best = Double.infinity, total = 0.0, runs = 0
    while runs < 5 || total < seconds {
        let t0 = threadCPUTime()
        try body()
        let dt = threadCPUTime() - t0
        best = min(best, dt)
        total += dt
        runs += 1
    }
    return best * 1e6
}

private func runInflatePeerScript(model: String, seconds: Double) throws -> [String: Double?] {
    let output = try runBenchScript("inflate_peer.py", arguments: [model, "--seconds", String(seconds)],
                                    install: "deflate isal")
    struct Output: Decodable { var peers: [String: Double?] }
    return try JSONDecoder().decode(Output.self, from: output).peers
}
