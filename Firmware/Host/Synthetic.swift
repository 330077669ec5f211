import Foundation
import TernFormat
import TernRuntime

/// Writes a synthetic dense network the way the compiler writes a trained one: sections compressed with the given
/// zlib window and the runtime's exact arena sizes (batch 1) in the header.
func writeSynthetic(to path: String, sizes: [Int], sparsity: Double, seed: UInt64, windowBits: Int?) throws {
    let network = SyntheticNetwork.dense(sizes, bits: 1, sparsity: sparsity, seed: seed)
    let unstamped = try network.fileBytes(encoding: SyntheticEncoding(zlibWindowBits: windowBits))
    let plan = try Plan(file: try TernFile(parsing: unstamped))
    let bytes = try stampArena(unstamped, streaming: plan.arenaBytes(.streaming),
                               resident: plan.arenaBytes(.resident))
    try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    print("firmware-host: wrote \(path): \(bytes.count) bytes, layers \(sizes.map(String.init).joined(separator: "-")), "
        + "sparsity \(sparsity), window bits \(windowBits ?? 0), streaming arena \(plan.arenaBytes(.streaming)) B")
}

/// Rewrites the header's arena fields (bytes 40 and 44) and the tables' CRC-32 (byte 60), then re-parses.
func stampArena(_ file: [UInt8], streaming: Int, resident: Int) throws -> [UInt8] {
    var b = file
    func put32(_ v: UInt32, at offset: Int) {
        for k in 0..<4 { b[offset + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
    }
    put32(UInt32(streaming), at: 40)
    put32(UInt32(resident), at: 44)
    let tablesBytes = (0..<4).reduce(0) { $0 | Int(b[28 + $1]) << (8 * $1) }
    var crc = CRC32()
    crc.update(Array(b[0..<(FileHeader.size - 4)]))
    crc.update(Array(b[FileHeader.size..<(FileHeader.size + tablesBytes)]))
    put32(crc.value, at: FileHeader.size - 4)
    _ = try TernFile(parsing: b)
    return b
}
