import TernFormat

/// Human-readable messages for format errors, so `tern` names the problem instead of printing an enum.
extension FormatError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let offset, let needed, let available):
            "file is truncated: at byte \(offset) it needs \(needed) more bytes, only \(available) remain"
        case .badMagic: "not a .tern file (bad magic: it does not start with \"TERN\")"
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

extension LimitKind: CustomStringConvertible {
    public var description: String {
        switch self {
        case .metadataCount: "the metadata entry count"
        case .layerCount: "the layer count"
        case .sectionCount: "the section count"
        case .tablesBytes: "the size of the tables"
        case .keyLength: "a metadata key's length"
        case .stringLength: "a metadata string's length"
        case .channels: "a channel count"
        case .spatial: "an image height or width"
        case .kernel: "a kernel size"
        case .fanIn: "a layer's fan-in"
        case .elements: "a tensor's element count"
        case .sectionBytes: "a section's size"
        case .arenaBytes: "the arena size"
        case .fileBytes: "the file size"
        case .workPerImage: "the additions per image"
        }
    }
}

extension LayerProblem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownKind(let k): "unknown layer kind \(k)"
        case .badBits(let i, let o): "bit widths input \(i) / output \(o) are not allowed here"
        case .badKernel(let k, let p, let s): "kernel \(k), padding \(p), stride \(s) are not allowed for this kind"
        case .outputShape: "the output shape is not what kernel, padding and stride give"
        case .inputDoesNotChain: "the input shape differs from the previous layer's output shape"
        case .missingSection(let role): "its \(role) section is missing"
        case .unexpectedSection(let role): "it has a \(role) section it must not have"
        case .finalLayer: "only the last layer produces logits, and it must"
        case .nonzeroCount: "the nonzero weight count is larger than the weight count"
        case .reservedNotZero: "a reserved field is not zero"
        case .logitFractionBits(let bits): "logitFractionBits \(bits) is above the maximum of 31"
        }
    }
}

extension SectionProblem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownKind(let k): "unknown section kind \(k)"
        case .unknownLayout(let l): "unknown layout \(l)"
        case .unknownCompression(let c): "unknown compression \(c)"
        case .badWindowBits(let w): "windowBits \(w) is not allowed (8…15 for zlib, 0 otherwise)"
        case .misaligned(let offset): "offset \(offset) is not a multiple of the file's alignment"
        case .outOfBounds: "it extends past the end of the file"
        case .overlaps: "it overlaps the tables or the previous section, or is out of order"
        case .wrongLayer: "it belongs to another layer than the one that names it"
        case .elementCount(let e, let d): "declares \(d) elements, the layer needs \(e)"
        case .decodedBytes(let e, let d): "declares \(d) decoded bytes, its layout needs \(e)"
        case .storedBytes: "an uncompressed section's stored and decoded sizes differ"
        case .reservedNotZero: "a reserved field is not zero"
        case .streamWindow(let needed, let declared):
            "its zlib stream needs a \(needed)-byte window (CINFO), more than the 2^windowBits = \(declared) bytes the record declares"
        case .badZlibHeader: "its stored bytes do not start with a valid zlib header"
        case .nonzeroPadding(let offset): "the padding byte at offset \(offset) before it is not zero"
        }
    }
}

extension TernaryStreamProblem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .reservedToken(let offset): "the reserved token 0xFF at byte \(offset)"
        case .overrun(let offset): "tokens describe more weights than the tensor holds (at byte \(offset))"
        case .trailingSkip: "the stream ends with a skip token (not canonical)"
        case .invalidCode(let index): "the undefined 2-bit code 0b11 at weight \(index)"
        case .nonzeroPadding: "padding bits after the last 2-bit code are not zero"
        case .length(let e, let a): "\(a) bytes, the tensor needs \(e)"
        case .nonzeroCount(let e, let a): "\(a) nonzeros, the layer table declares \(e)"
        }
    }
}

extension SectionKind: CustomStringConvertible {
    public var description: String {
        switch self {
        case .weights: "weights"
        case .thresholds: "thresholds"
        case .affine: "affine"
        }
    }
}
