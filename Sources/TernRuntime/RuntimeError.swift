import TernFormat
import TernInflate

/// Everything the runtime can refuse, with enough payload to name the problem. The only error type it throws.
public enum RuntimeError: Error, Equatable, Sendable {
    /// The file's structure is invalid (from `TernFile(parsing:)` or a check the runtime repeats).
    case format(FormatError)
    /// A layer the runtime does not execute (see docs/RUNTIME.md's support matrix).
    case unsupportedLayer(index: Int)
    /// A section whose kind, layout or compression the runtime does not decode.
    case unsupportedSection(index: Int)
    /// Batch size outside `1 ... Plan.maxBatch`.
    case badBatch(Int)
    /// A buffer the plan needs is beyond what the runtime can address (`bytes` is the requested size).
    case tooLarge(bytes: UInt64)
    /// The caller's arena is smaller than the plan needs for this mode and batch.
    case arenaTooSmall(needed: Int, provided: Int)
    /// The arena's base address is not 64-byte aligned.
    case arenaMisaligned
    /// The caller passed fewer image bytes, prediction slots or logit slots than `count` needs.
    case bufferTooShort(needed: Int, provided: Int)
    /// A section's contents are corrupt (found while decoding it).
    case corruptSection(index: Int, problem: SectionCorruption)
    /// Resident mode was asked of a runtime built with `-D TERN_STREAMING_ONLY` (the firmware's build).
    case residentModeNotBuilt
    /// The header declares a smaller arena for `mode` than this runtime's plan needs at batch 1
    /// (`Plan.checkDeclaredArenas`): a firmware that sized its static arena from the field could not run it.
    case declaredArenaTooSmall(mode: ExecutionMode, declared: Int, needed: Int)
}

/// What is wrong with a section's contents.
public enum SectionCorruption: Equatable, Sendable {
    /// The zlib stream is malformed (the inflater's own error).
    case inflate(InflateError)
    /// Bytes follow the end of the zlib stream inside the section.
    case trailingBytes(Int)
    /// The stream decodes to more bytes than the section declares (e.g. a zlib bomb); stopped at the limit.
    case tooMuchOutput(limit: UInt64)
    /// The stream ended before producing the declared bytes.
    case tooLittleOutput(expected: UInt64, produced: UInt64)
    /// CRC-32 of the decoded bytes differs from the section record.
    case checksum(stored: UInt32, computed: UInt32)
    /// The ternary token stream or 2-bit packing is malformed.
    case ternary(TernaryStreamProblem)
    /// The weights decode to a different number of nonzeros than the layer table declares.
    case nonzeroCount(expected: Int, actual: Int)
}
