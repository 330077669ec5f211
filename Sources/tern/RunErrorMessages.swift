import TernFormat
import TernRuntime

/// A sentence for each runtime error, so `tern run` names the problem instead of printing an enum.
func describe(_ e: RuntimeError) -> String {
    switch e {
    case .format(let f): "\(f)"
    case .unsupportedLayer(let i): "layer \(i) is not supported by this runtime (see docs/RUNTIME.md)"
    case .unsupportedSection(let i): "section \(i) has a kind/layout this runtime does not decode (see docs/RUNTIME.md)"
    case .badBatch(let b): "batch size \(b) is outside 1…\(Plan.maxBatch)"
    case .tooLarge(let bytes): "a buffer of \(bytes) bytes is beyond the runtime's limits"
    case .arenaTooSmall(let needed, let provided): "arena of \(provided) bytes is too small: the plan needs \(needed)"
    case .arenaMisaligned: "the arena is not 64-byte aligned"
    case .bufferTooShort(let needed, let provided): "buffer too short: needs \(needed) elements, got \(provided)"
    case .corruptSection(let i, let p): "section \(i) is corrupt: \(p)"
    case .residentModeNotBuilt: "this runtime was built streaming-only (-D TERN_STREAMING_ONLY); use --mode stream"
    case .declaredArenaTooSmall(let mode, let declared, let needed):
        "the header declares a \(mode == .streaming ? "streaming" : "resident") arena of \(declared) bytes, "
            + "the runtime needs \(needed): the file is corrupt or was not written by tern compile"
    }
}

extension SectionCorruption: CustomStringConvertible {
    public var description: String {
        switch self {
        case .inflate(let e): "its zlib stream does not decode: \(e)"
        case .trailingBytes(let n): "\(n) bytes follow the end of its zlib stream"
        case .tooMuchOutput(let limit): "it decodes to more than its declared \(limit) bytes"
        case .tooLittleOutput(let expected, let produced):
            "it decodes to \(produced) bytes, the section record declares \(expected)"
        case .checksum(let stored, let computed):
            "CRC-32 of the decoded bytes is 0x\(String(computed, radix: 16)), the record says 0x\(String(stored, radix: 16))"
        case .ternary(let p): "its ternary weights do not decode: \(p)"
        case .nonzeroCount(let expected, let actual):
            "the weights hold \(actual) nonzeros, the layer table declares \(expected)"
        }
    }
}
