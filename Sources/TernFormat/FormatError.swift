/// Everything that can be wrong with a `.tern` file or a ternary stream, with enough payload to name the problem.
///
/// Offsets are byte offsets in the file; indices are layer or section numbers as stored.
public enum FormatError: Error, Equatable, Sendable {
    /// Fewer bytes than the structure being read needs.
    case truncated(offset: Int, needed: Int, available: Int)
    case badMagic
    case unsupportedFormatVersion(UInt16)
    case unsupportedSchemeVersion(UInt16)
    /// A field that must be zero in this version is not (`field` is its byte offset).
    case reservedNotZero(offset: Int)
    case badAlignment(UInt32)
    /// A count, size or dimension beyond the hard limits in `Limits`.
    case limitExceeded(LimitKind, value: UInt64, limit: UInt64)
    case fileSizeMismatch(declared: UInt64, actual: UInt64)
    case tablesChecksumMismatch(stored: UInt32, computed: UInt32)
    case badMetadataKey(index: Int)
    case metadataKeysNotSorted(index: Int)
    case badMetadataType(index: Int, type: UInt8)
    case badMetadataValue(index: Int)
    case badLayer(index: Int, problem: LayerProblem)
    case badSection(index: Int, problem: SectionProblem)
    /// A ternary token stream or 2-bit packing that does not decode to the declared tensor.
    case badTernaryStream(TernaryStreamProblem)
    /// A weight section whose decoded bytes do not match its stored CRC-32.
    case sectionChecksumMismatch(section: Int, stored: UInt32, computed: UInt32)
}

/// Which hard limit was exceeded.
public enum LimitKind: UInt8, Sendable {
    case metadataCount, layerCount, sectionCount, tablesBytes, keyLength, stringLength
    case channels, spatial, kernel, fanIn, elements, sectionBytes, arenaBytes, fileBytes
    /// Additions one image needs (`Limits.workPerImage`).
    case workPerImage
}

/// What is inconsistent about a layer record.
public enum LayerProblem: Equatable, Sendable {
    case unknownKind(UInt8)
    case badBits(input: UInt8, output: UInt8)
    case badKernel(kernel: UInt16, padding: UInt8, stride: UInt8)
    /// The declared output shape is not what kernel, padding and stride give.
    case outputShape
    /// The input shape differs from the previous layer's output shape.
    case inputDoesNotChain
    case missingSection(role: SectionKind)
    case unexpectedSection(role: SectionKind)
    /// Only the last layer produces logits and it must do so.
    case finalLayer
    case nonzeroCount
    case reservedNotZero
    /// `logitFractionBits` is nonzero on a hidden layer, or above 31 on the final one.
    case logitFractionBits(UInt8)
}

/// What is inconsistent about a section record.
public enum SectionProblem: Equatable, Sendable {
    case unknownKind(UInt8)
    case unknownLayout(UInt8)
    case unknownCompression(UInt8)
    case badWindowBits(UInt8)
    case misaligned(offset: UInt64)
    case outOfBounds
    /// Sections must follow the tables and each other in index order without overlapping.
    case overlaps
    case wrongLayer
    case elementCount(expected: UInt64, declared: UInt64)
    case decodedBytes(expected: UInt64, declared: UInt64)
    /// An uncompressed section whose stored length differs from its decoded length.
    case storedBytes
    case reservedNotZero
    /// A zlib section's stream header asks for a window (`1 << (CINFO + 8)` bytes) larger than the record's
    /// `1 << windowBits`: a decoder that sizes its window per section, as §5 allows, could not decode it.
    case streamWindow(needed: Int, declared: Int)
    /// A zlib section's first two bytes are not a zlib header (method 8, check bits, no preset dictionary).
    case badZlibHeader
    /// A padding byte before this section (between the previous section, or the tables, and it) is not zero.
    case nonzeroPadding(offset: UInt64)
}

/// What is wrong with a ternary token stream or a 2-bit packed tensor.
public enum TernaryStreamProblem: Equatable, Sendable {
    /// The reserved token 0xFF appeared at this byte offset.
    case reservedToken(offset: Int)
    /// Tokens describe more weights than the tensor holds.
    case overrun(offset: Int)
    /// The stream ends with a skip token (0xFE): a non-canonical encoding.
    case trailingSkip
    /// A 2-bit code 0b11 (undefined) at this weight index.
    case invalidCode(index: Int)
    /// Padding bits after the last 2-bit code are not zero.
    case nonzeroPadding
    /// The byte count does not match the tensor size.
    case length(expected: Int, actual: Int)
    /// The decoded nonzero count differs from what the layer table declares.
    case nonzeroCount(expected: Int, actual: Int)
}
