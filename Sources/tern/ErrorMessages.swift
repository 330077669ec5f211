import TernFormat

/// Human-readable messages for format errors, so `tern` names the problem instead of printing an enum.
extension FormatError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let offset, let needed, let available):
            "file is truncated: at byte \(offset) it needs \(needed) more bytes, only \(available) remain"
        case .badMagic: "not a .tern file (magic bytes are not \"TERN\")"
        case .unsupportedFormatVersion(let v): "format version \(v) is not supported (this tern reads version 1)"
        case .unsupportedSchemeVersion(let v): "quantization scheme \(v) is not supported (this tern runs scheme 1)"
        case .reservedNotZero(let offset): "reserved byte at offset \(offset) is not zero"
        case .badAlignment(let a): "section alignment \(a) is not a power of two between 8 and 4096"
        case .limitExceeded(let kind, let value, let limit): "\(kind) is \(value), above the limit of \(limit)"
        case .fileSizeMismatch(let declared, let actual):
            "the header declares \(declared) bytes but the file has \(actual)"
        case .tablesChecksumMismatch(let stored, let computed):
            "header/table CRC-32 mismatch (stored \(hex(stored)), computed \(hex(computed))): the file is corrupt"
        case .badMetadataKey(let i): "metadata entry \(i) has an invalid key"
        case .metadataKeysNotSorted(let i): "metadata entry \(i) is out of order or duplicated"
        case .badMetadataType(let i, let t): "metadata entry \(i) has unknown type \(t)"
        case .badMetadataValue(let i): "metadata entry \(i) has an invalid value"
        case .badLayer(let i, let problem): "layer \(i): \(problem)"
        case .badSection(let i, let problem): "section \(i): \(problem)"
        case .badTernaryStream(let problem): "ternary weights do not decode: \(problem)"
        case .sectionChecksumMismatch(let s, let stored, let computed):
            "section \(s) CRC-32 mismatch (stored \(hex(stored)), computed \(hex(computed))): the section is corrupt"
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
}
