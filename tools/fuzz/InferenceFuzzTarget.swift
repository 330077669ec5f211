// libFuzzer target for one streaming inference, built by tools/fuzz/inference against Sources/TernFormat,
// Sources/TernInflate and Sources/TernRuntime. For every input that parses, the streaming engine, the resident
// engine and the scalar `Reference` classify the same two images: either all refuse the file with a typed error, or
// the engines' logits equal the reference's bit for bit. Never a crash, a hang or a sanitizer report.
// Checksums are repaired before parsing (the tables' CRC-32 and every section's decoded CRC-32), so mutations reach
// the kernels instead of stopping at a checksum; tools/fuzz/parser covers the checksums themselves.

import TernFormat
import TernInflate
import TernRuntime

/// Small bounds keep each input fast: the reference is slow on purpose.
private let maxWork: UInt64 = 1 << 20
private let maxArena = 8 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func inferenceFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The runtime reads the file in place: give it an aligned copy, as `tern run` does.
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 64)
    defer { bytes.deallocate() }
    bytes.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size))
    repairChecksums(UnsafeMutableRawBufferPointer(rebasing: bytes[0..<size]))
    let view = UnsafeRawBufferPointer(rebasing: bytes[0..<size])
    let file: TernFile
    do throws(FormatError) { file = try TernFile(parsing: view, maxWorkPerImage: maxWork) } catch { return 0 }
    let plan: Plan
    do throws(RuntimeError) { plan = try Plan(file: file, batch: 2) } catch { return 0 }
    guard plan.arenaBytes(.streaming) <= maxArena, plan.arenaBytes(.resident) <= maxArena else { return 0 }
    let count = 2
    let images = (0..<(count * plan.inputElements)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ size) }
    let reference: [Int64]? = images.withUnsafeBytes { raw in
        do throws(RuntimeError) { return try Reference.logits(file: file, bytes: view, images: raw, count: count) }
        catch { return nil }
    }
    let streaming = run(file, view, plan, .streaming, images, count)
    let resident = run(file, view, plan, .resident, images, count)
    if let reference {
        if let streaming { precondition(streaming == reference, "streaming logits differ from Reference") }
        if let resident { precondition(resident == reference, "resident logits differ from Reference") }
    }
    if let streaming, let resident { precondition(streaming == resident, "streaming and resident logits differ") }
    return 0
}

private func run(_ file: TernFile, _ bytes: UnsafeRawBufferPointer, _ plan: Plan, _ mode: ExecutionMode,
                 _ images: [UInt8], _ count: Int) -> [Int64]? {
    let arenaBytes = plan.arenaBytes(mode)
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(arenaBytes, 64), alignment: 64)
    defer { arena.deallocate() }
    arena.initializeMemory(as: UInt8.self, repeating: 0xA5)  // garbage in the arena must not matter
    let predictions = UnsafeMutableBufferPointer<Int32>.allocate(capacity: count)
    defer { predictions.deallocate() }
    let logits = UnsafeMutableBufferPointer<Int64>.allocate(capacity: count * plan.classCount)
    defer { logits.deallocate() }
    let ok: Bool = images.withUnsafeBytes { raw in
        do throws(RuntimeError) {
            let engine = try Engine(file: file, bytes: bytes,
                                    arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<arenaBytes]),
                                    mode: mode, batch: plan.batch)
            try engine.classify(images: raw, count: count, predictions: predictions, logits: logits)
            return true
        } catch { return false }
    }
    return ok ? Array(logits) : nil
}

private func put32(_ b: UnsafeMutableRawBufferPointer, _ offset: Int, _ v: UInt32) {
    for k in 0..<4 { b[offset + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
}

private func get32(_ b: UnsafeMutableRawBufferPointer, _ offset: Int) -> Int {
    (0..<4).reduce(0) { $0 | Int(b[offset + $1]) << (8 * $1) }
}

/// Rewrites the header's tables CRC-32 and, when the tables then parse, each section's CRC-32 of its decoded bytes.
private func repairChecksums(_ b: UnsafeMutableRawBufferPointer) {
    guard b.count >= 64 else { return }
    let tablesBytes = get32(b, 28)
    guard tablesBytes <= b.count - 64 else { return }
    func stampTables() {
        var crc = CRC32()
        crc.update(UnsafeRawBufferPointer(rebasing: b[0..<60]))
        crc.update(UnsafeRawBufferPointer(rebasing: b[64..<(64 + tablesBytes)]))
        put32(b, 60, crc.value)
    }
    stampTables()
    let file: TernFile
    do throws(FormatError) { file = try TernFile(parsing: UnsafeRawBufferPointer(b), maxWorkPerImage: maxWork) }
    catch { return }
    let recordsStart = 64 + tablesBytes - SectionRecord.size * file.sections.count
    for (i, s) in file.sections.enumerated() {
        let stored = file.storedBytes(of: i, in: UnsafeRawBufferPointer(b))
        var crc: UInt32
        if s.compression == .zlib {
            do throws(InflateError) {
                crc = CRC32.checksum(try zlibDecompress(Array(stored), maxOutputBytes: Int(s.decodedBytes)))
            } catch { continue }
        } else {
            crc = CRC32.checksum(stored)
        }
        put32(b, recordsStart + SectionRecord.size * i + 40, crc)
    }
    stampTables()
}
