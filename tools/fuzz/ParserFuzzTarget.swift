// libFuzzer target for the `.tern` reader with full verification, built by tools/fuzz/parser against
// Sources/TernFormat and Sources/TernInflate. Every input must end in a typed error or in a file whose every section
// decodes, matches its length and CRC-32, and whose weights decode to the declared nonzero count — never a crash,
// a hang or a sanitizer report. A file that parses must also satisfy, re-checked here independently of the parser,
// the rules FORMAT.md states: zero padding, per-section zlib windows, bounded work per image.

import TernFormat
import TernInflate

/// Kept small so that each input runs in milliseconds.
private let maxWork: UInt64 = 1 << 24

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let file: TernFile
    do throws(FormatError) { file = try TernFile(parsing: bytes, maxWorkPerImage: maxWork) } catch { return 0 }
    precondition(TernFile.workPerImage(file.layers) <= maxWork, "work bound not enforced")
    var end = 64 + Int(file.header.tablesBytes)
    for (i, s) in file.sections.enumerated() {
        for offset in end..<Int(s.offset) { precondition(bytes[offset] == 0, "nonzero padding accepted") }
        end = Int(s.offset + s.storedBytes)
        let stored = file.storedBytes(of: i, in: bytes)
        var decoded: [UInt8]
        if s.compression == .zlib {
            precondition(stored.count >= 2 && Int(stored[0] >> 4) + 8 <= Int(s.windowBits), "window rule not enforced")
            do throws(InflateError) {
                decoded = try zlibDecompress(Array(stored), maxOutputBytes: Int(s.decodedBytes))
            } catch { return 0 }
        } else {
            decoded = Array(stored)
        }
        let verified: Bool = decoded.withUnsafeBytes { raw in
            do throws(FormatError) { try file.verifyDecoded(raw, section: i); return true } catch { return false }
        }
        guard verified else { return 0 }
        if s.kind == .weights {
            let layer = file.layers[Int(s.layer)]
            do throws(FormatError) {
                let w = s.layout == .ternaryTokens
                    ? try TernaryTokens.decode(decoded, count: layer.weightCount)
                    : try TernaryPacked2.decode(decoded, count: layer.weightCount)
                precondition(w.count == layer.weightCount, "decoded weight count differs from the layer's")
            } catch { return 0 }
        }
    }
    precondition(end == Int(file.header.fileBytes), "bytes after the last section accepted")
    return 0
}
