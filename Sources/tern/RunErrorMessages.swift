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
    }
}
