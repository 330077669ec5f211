import ArgumentParser
import Foundation
import TernFormat
import TernRuntime

/// `tern bench`: images per second of the runtime, per mode and batch size, optionally against ONNX Runtime.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure images/s of a .tern artifact per mode and batch size (optionally against ONNX Runtime).",
        discussion: """
            Each configuration runs batches of random dataset-like images (two thirds zero pixels) for --seconds \
            and reports images/s (from the median batch time) and per-batch latency percentiles, timed with the \
            thread's CPU clock by default so other jobs on a shared machine disturb the numbers less. By default \
            every configuration runs on 1 thread and on all cores (--threads 1,0; each thread has its own engine and \
            arena; images/s adds the threads up — use --clock wall on an otherwise idle machine for throughput). \
            --peer ort also runs tools/bench/ort_peer.py (ONNX Runtime, 1 thread, the same dense network as float32 \
            and as the int8 model quantize_dynamic makes of it) in the same run and prints the speed ratios; \
            --peer inflate times inflating the artifact's zlib sections with TernInflate, system zlib, libdeflate \
            and ISA-L (tools/bench/inflate_peer.py). Build with `TERN_NATIVE=1 swift build -c release` to use the \
            host's popcount and vector instructions.

            Example: tern bench Models/lfc-mnist-98/model.tern --batch 1,64 --peer ort,inflate
            """
    )

    @Argument(help: "The .tern file.")
    var model: String

    @Option(parsing: .unconditional, help: "Comma-separated batch sizes.")
    var batch = "1,64"

    @Option(help: "Comma-separated modes: stream, resident.")
    var mode = "stream,resident"

    @Option(help: "Time on this dataset's test images (default: random dataset-like images).")
    var data: String?

    @Option(parsing: .unconditional, help: "Seconds per configuration.")
    var seconds = 1.0

    @Option(parsing: .unconditional, help: "Comma-separated thread counts, each thread with its own engine and arena (0 = all cores).")
    var threads = "1,0"

    @Option(help: "Clock for per-batch times: cpu (this thread's CPU time; robust on a shared machine) or wall.")
    var clock = "cpu"

    @Option(help: """
        Also time peers in the same run, comma-separated: ort (ONNX Runtime via tools/bench/ort_peer.py), \
        inflate (inflating the artifact's sections: TernInflate against system zlib, libdeflate and ISA-L via \
        tools/bench/inflate_peer.py).
        """)
    var peer: String?

    @Option(help: "Resident kernels: auto (the cost model), or sparse, dense, columns or sliced wherever they apply.")
    var kernels = "auto"

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        guard seconds > 0, seconds.isFinite else {
            throw ValidationError("--seconds must be a positive number of seconds (got \(seconds))")
        }
        let peers = try peer.map { try parseList($0, name: "--peer") } ?? []
        for p in peers where p != "ort" && p != "inflate" {
            throw ValidationError("unknown peer \(p) (use ort, inflate or ort,inflate)")
        }
        let loaded = try LoadedModel(path: model)
        if peers.contains("inflate") && !loaded.file.sections.contains(where: { $0.compression == .zlib }) {
            throw ValidationError("--peer inflate: \(model) has no zlib section, so there is nothing to inflate")
        }
        let batches = try parseList(batch, name: "--batch").map { (s: String) throws -> Int in
            guard let b = Int(s), b >= 1, b <= Plan.maxBatch else { throw ValidationError("bad batch size \(s)") }
            return b
        }
        let modes = try parseList(mode, name: "--mode").map { (s: String) throws -> ExecutionMode in
            switch s {
            case "stream", "streaming": return .streaming
            case "resident": return .resident
            default: throw ValidationError("unknown mode \(s) (use stream or resident)")
            }
        }
        guard clock == "cpu" || clock == "wall" else { throw ValidationError("--clock is cpu or wall") }
        let threadCounts = try parseList(threads, name: "--threads").map { (s: String) throws -> Int in
            guard let t = Int(s), t >= 0 else { throw ValidationError("bad thread count \(s)") }
            return t == 0 ? ProcessInfo.processInfo.activeProcessorCount : t
        }.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        var images: [UInt8]? = nil
        if let data {
            let plan = try Plan(file: loaded.file)
            let set = try loadTestImages(loaded, directory: data, count: max(batches.max()!, 64), plan: plan,
                                         allowMismatch: true)
            images = set.images
        }
        var rows: [BenchRow] = []
        for t in threadCounts {
            for m in modes {
                for b in batches {
                    let row = try measure(loaded, mode: m, batch: b, threads: t, seconds: seconds, cpuClock: clock == "cpu",
                                          images: images, policy: LoadedModel.policy(kernels))
                    rows.append(row)
                    if !json {
                        FileHandle.standardError.write(Data(
                            "  \(row.mode) batch \(b), \(t) thread(s): \(Int(row.imagesPerSecond)) images/s\n".utf8))
                    }
                }
            }
        }
        var peerRows: [BenchRow] = []
        var inflate: InflateComparison? = nil
        if peers.contains("ort") {
            peerRows = try runORTPeer(model: model, batches: batches, seconds: seconds, clock: clock, data: data)
        }
        if peers.contains("inflate") { inflate = try compareInflate(loaded, model: model, seconds: seconds) }
        func batch1(_ mode: String) -> Double? {
            rows.first { $0.mode == mode && $0.batch == 1 && $0.threads == 1 }?.microsecondsPerImage
        }
        let report = BenchReport(model: model, clock: clock, results: rows, peer: peerRows,
                                 ratios: ratios(rows, peerRows), inflate: inflate,
                                 streamGoalRatio: inflate?.streamGoalRatio(streamBatch1: batch1("stream"),
                                                                           residentBatch1: batch1("resident")))
        if json { print(try jsonString(report)) } else {
            print(report.text())
            if let inflate { print(inflate.text(streamBatch1: batch1("stream"), residentBatch1: batch1("resident"))) }
        }
    }
}

struct BenchRow: Codable {
    var engine: String
    var mode: String
    var batch: Int
    var threads: Int
    var imagesPerSecond: Double
    var microsecondsPerImage: Double
    /// Per-batch latency percentiles, microseconds.
    var p50: Double
    var p90: Double
    var p99: Double
    var arenaBytes: Int
}

struct BenchRatio: Codable {
    var mode: String
    var batch: Int
    /// The peer's mode: ORT `float32` or `int8`.
    var peerMode: String
    var ternOverPeer: Double
}

struct BenchReport: Codable {
    var model: String
    var clock: String
    var results: [BenchRow]
    var peer: [BenchRow]
    var ratios: [BenchRatio]
    /// `--peer inflate`: section inflate times, TernInflate and peers.
    var inflate: InflateComparison?
    /// Stream batch 1 over (libdeflate's inflate + resident batch 1), when all three were measured.
    var streamGoalRatio: Double?

    func text() -> String {
        var out = "\(model): one engine and arena per thread; per-batch times on the \(clock) clock\n\n"
        out += "| engine | mode | threads | batch | images/s | µs/image | p50 µs/batch | p90 | p99 | arena B |\n"
        out += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in results + peer {
            out += "| \(r.engine) | \(r.mode) | \(r.threads) | \(r.batch) | \(Int(r.imagesPerSecond)) | \(f1(r.microsecondsPerImage)) "
            out += "| \(f1(r.p50)) | \(f1(r.p90)) | \(f1(r.p99)) | \(r.arenaBytes == 0 ? "-" : String(r.arenaBytes)) |\n"
        }
        if !ratios.isEmpty {
            out += "\n| tern mode (1 thread) | batch | ORT model | tern / ORT images/s (1 thread) |\n|---|---:|---|---:|\n"
            for r in ratios { out += "| \(r.mode) | \(r.batch) | \(r.peerMode) | \(f1(r.ternOverPeer))× |\n" }
        }
        return out
    }
}

func f1(_ x: Double) -> String { String(format: "%.1f", x) }

func parseList(_ s: String, name: String) throws -> [String] {
    let items = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !items.isEmpty else { throw ValidationError("\(name) is empty") }
    return items
}

func ratios(_ tern: [BenchRow], _ peer: [BenchRow]) -> [BenchRatio] {
    var out: [BenchRatio] = []
    for t in tern where t.threads == 1 {
        for p in peer where p.batch == t.batch {
            out.append(BenchRatio(mode: t.mode, batch: t.batch, peerMode: p.mode,
                                  ternOverPeer: t.imagesPerSecond / p.imagesPerSecond))
        }
    }
    return out
}

/// Times `batch`-image calls for `seconds` on `threads` engines at once.
func measure(_ loaded: LoadedModel, mode: ExecutionMode, batch: Int, threads: Int, seconds: Double,
             cpuClock: Bool, images given: [UInt8]? = nil, policy: KernelPolicy = .costModel) throws -> BenchRow {
    let engines = try (0..<threads).map { _ in try loaded.engine(mode: mode, batch: batch, policy: policy) }
    let plan = engines[0].plan
    let images = given ?? benchImages(count: max(batch, 64), elements: plan.inputElements)
    let pool = images.count / plan.inputElements
    let latencies = UnsafeMutableBufferPointer<[Double]>.allocate(capacity: threads)
    latencies.initialize(repeating: [])
    defer { latencies.deallocate() }
    let failures = UnsafeMutableBufferPointer<RuntimeError?>.allocate(capacity: threads)
    failures.initialize(repeating: nil)
    defer { failures.deallocate() }
    let start = now()
    let box = UncheckedBox((engines, images, latencies, failures))
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        let (engines, images, latencies, failures) = box.value
        let engine = engines[t]
        var predictions = [Int32](repeating: 0, count: batch)
        var times: [Double] = []
        let perImage = engine.plan.inputElements
        images.withUnsafeBytes { img in
            predictions.withUnsafeMutableBufferPointer { p in
                var offset = 0
                let begin = now()
                var calls = 0
                while calls < 3 || now() - begin < seconds {
                    if offset + batch > pool { offset = 0 }
                    let slice = UnsafeRawBufferPointer(rebasing: img[(offset * perImage)..<((offset + batch) * perImage)])
                    let t0 = cpuClock ? threadCPUTime() : now()
                    do throws(RuntimeError) { try engine.classify(images: slice, count: batch, predictions: p) } catch {
                        failures[t] = error
                        return
                    }
                    times.append((cpuClock ? threadCPUTime() : now()) - t0)
                    offset += batch
                    calls += 1
                }
            }
        }
        latencies[t] = times
    }
    let elapsed = now() - start
    if let failure = failures.compactMap({ $0 }).first { throw CLIRuntimeError(path: loaded.path, error: failure) }
    let all = latencies.flatMap { $0 }.sorted()
    func pct(_ q: Double) -> Double { all.isEmpty ? 0 : all[min(all.count - 1, Int(Double(all.count) * q))] * 1e6 }
    // Throughput from the median batch time (means are dominated by other jobs' interference on a shared
    // machine), times the number of engines running at once.
    let rate = Double(batch) / max(pct(0.5) / 1e6, 1e-12) * Double(threads)
    _ = elapsed
    return BenchRow(engine: "tern", mode: mode == .streaming ? "stream" : "resident", batch: batch, threads: threads,
                    imagesPerSecond: rate, microsecondsPerImage: 1e6 / rate * Double(threads), p50: pct(0.5),
                    p90: pct(0.9), p99: pct(0.99), arenaBytes: plan.arenaBytes(mode))
}

/// CPU seconds consumed by the calling thread.
func threadCPUTime() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Dataset-like random images: about two thirds zero pixels, the rest uniform (deterministic).
func benchImages(count: Int, elements: Int) -> [UInt8] {
    var state: UInt64 = 0x2017
    return (0..<(count * elements)).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let r = state >> 33
        return r % 3 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : 0
    }
}

/// Runs tools/bench/ort_peer.py on the same artifact and parses its JSON rows.
func runORTPeer(model: String, batches: [Int], seconds: Double, clock: String, data: String?) throws -> [BenchRow] {
    let output = try runBenchScript("ort_peer.py", arguments: [
        model, "--int8", "--batch", batches.map(String.init).joined(separator: ","), "--seconds", String(seconds),
        "--clock", clock, "--json",
    ] + (data.map { ["--data", $0] } ?? []), install: "onnx onnxruntime numpy")
    return try JSONDecoder().decode([BenchRow].self, from: output)
}

/// Runs `tools/bench/NAME` with python3 (from the checkout this binary was built in, or the current directory's)
/// and returns what it printed; a failure names the pip packages it needs.
func runBenchScript(_ name: String, arguments: [String], install: String) throws -> Data {
    let relative = "tools/bench/" + name
    let built = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(relative).path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", FileManager.default.fileExists(atPath: relative) ? relative : built] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw InputError("\(relative) failed (exit \(process.terminationStatus)); "
            + "install its dependencies with: pip install \(install)")
    }
    return output
}

/// Carries non-Sendable values into `concurrentPerform`, whose iterations touch disjoint parts of them.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
