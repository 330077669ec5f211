import Foundation
import TernFormat
import TernRuntime
import TernTestSupport

/// `TernBenchmarks synthetic-lfc OUT [--sparsity S] [--bits 1|2] [--zlib WINDOWBITS] [--dataset NAME]`: writes a random LFC-shaped
/// artifact (784-1024-1024-1024-10) with the exact arena sizes from the runtime's `Plan` in its header, for
/// `tern bench` and the ORT peer until trained models exist.
func writeSyntheticLFC(arguments: [String]) throws {
    guard let out = arguments.first else { throw BenchmarkArgumentError("synthetic-lfc needs an output path") }
    func value(_ flag: String) -> String? {
        arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
    }
    let sparsity = Double(value("--sparsity") ?? "0.95") ?? 0.95
    let bits = UInt8(value("--bits") ?? "1") ?? 1
    let window = value("--zlib").flatMap { Int($0) }
    let net = SyntheticNetwork.dense([784, 1024, 1024, 1024, 10], bits: bits, sparsity: sparsity, seed: 2017)
    let metadata = [("general.dataset", value("--dataset") ?? "mnist"), ("general.name", "synthetic-lfc")]
    var bytes = try net.fileBytes(encoding: SyntheticEncoding(zlibWindowBits: window, metadata: metadata))
    // Stamp the planned arena sizes (batch 1) into the header, as the compiler does.
    let plan = try Plan(file: try TernFile(parsing: bytes))
    bytes = try stampArena(bytes, streaming: plan.arenaBytes(.streaming), resident: plan.arenaBytes(.resident))
    try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
    print("wrote \(out): \(bytes.count) bytes, arena streaming \(plan.arenaBytes(.streaming)) B, "
        + "resident \(plan.arenaBytes(.resident)) B")
}

/// Rewrites the header's arena fields and the tables' CRC-32.
func stampArena(_ file: [UInt8], streaming: Int, resident: Int) throws -> [UInt8] {
    var b = file
    func put32(_ v: UInt32, _ at: Int) { for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) } }
    put32(UInt32(streaming), 40)
    put32(UInt32(resident), 44)
    let tablesBytes = Int(b[28]) | Int(b[29]) << 8 | Int(b[30]) << 16 | Int(b[31]) << 24
    var crc = CRC32()
    crc.update(Array(b[0..<60]))
    crc.update(Array(b[64..<(64 + tablesBytes)]))
    put32(crc.value, 60)
    _ = try TernFile(parsing: b)
    return b
}

struct BenchmarkArgumentError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
