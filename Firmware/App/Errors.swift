import TernFormat
import TernRuntime

/// A short, String-free description of a format error for the serial log: the case and its main numbers.
/// (The host CLI has the full messages; the firmware only needs enough to find the problem.)
func describe(_ error: FormatError, _ out: inout Console) {
    switch error {
    case let .truncated(offset, needed, available):
        out.text("truncated at "); out.int(offset); out.text(" needed "); out.int(needed)
        out.text(" available "); out.int(available)
    case .badMagic: out.text("bad magic")
    case let .unsupportedFormatVersion(v): out.text("unsupported format version "); out.int(v)
    case let .unsupportedSchemeVersion(v): out.text("unsupported scheme version "); out.int(v)
    case let .reservedNotZero(offset): out.text("reserved byte not zero at "); out.int(offset)
    case let .badAlignment(a): out.text("bad alignment "); out.int(a)
    case let .limitExceeded(kind, value, limit):
        out.text("limit "); out.int(kind.rawValue); out.text(" exceeded: "); out.int(Int64(truncatingIfNeeded: value))
        out.text(" > "); out.int(Int64(truncatingIfNeeded: limit))
    case let .fileSizeMismatch(declared, actual):
        out.text("file size "); out.int(Int64(truncatingIfNeeded: actual)); out.text(" declared ")
        out.int(Int64(truncatingIfNeeded: declared))
    case let .tablesChecksumMismatch(stored, computed):
        out.text("tables CRC "); out.hex32(computed); out.text(" stored "); out.hex32(stored)
    case let .badMetadataKey(index): out.text("bad metadata key "); out.int(index)
    case let .metadataKeysNotSorted(index): out.text("metadata not sorted at "); out.int(index)
    case let .badMetadataType(index, _): out.text("bad metadata type at "); out.int(index)
    case let .badMetadataValue(index): out.text("bad metadata value at "); out.int(index)
    case let .badLayer(index, _): out.text("bad layer "); out.int(index)
    case let .badSection(index, _): out.text("bad section "); out.int(index)
    case .badTernaryStream: out.text("bad ternary stream")
    case let .sectionChecksumMismatch(section, stored, computed):
        out.text("section "); out.int(section); out.text(" CRC "); out.hex32(computed); out.text(" stored ")
        out.hex32(stored)
    }
}

/// The same for the runtime's errors.
func describe(_ error: RuntimeError, _ out: inout Console) {
    switch error {
    case let .format(e): describe(e, &out)
    case let .unsupportedLayer(index): out.text("unsupported layer "); out.int(index)
    case let .unsupportedSection(index): out.text("unsupported section "); out.int(index)
    case let .badBatch(n): out.text("bad batch "); out.int(n)
    case let .tooLarge(bytes): out.text("buffer too large: "); out.int(Int64(truncatingIfNeeded: bytes))
    case let .arenaTooSmall(needed, provided):
        out.text("arena too small: needs "); out.int(needed); out.text(" has "); out.int(provided)
    case .arenaMisaligned: out.text("arena misaligned")
    case let .bufferTooShort(needed, provided):
        out.text("buffer too short: needs "); out.int(needed); out.text(" has "); out.int(provided)
    case let .corruptSection(index, _): out.text("corrupt section "); out.int(index)
    case .residentModeNotBuilt: out.text("resident mode is not built into this firmware")
    case let .declaredArenaTooSmall(_, declared, needed):
        out.text("header declares an arena of "); out.int(declared); out.text(" bytes, the plan needs "); out.int(needed)
    }
}
