// Everything that can be wrong with a zlib stream, as a value the caller can act on.

/// Which of the three Huffman trees of a DEFLATE block a problem is in.
public enum HuffmanTree: UInt8, Equatable, Sendable {
    /// The code-length code that transmits the other two trees of a dynamic block (RFC 1951 §3.2.7).
    case codeLengths
    /// Literals, end-of-block and match lengths.
    case literalLength
    /// Match distances.
    case distance
}

/// What is wrong with the two-byte zlib header (RFC 1950 §2.2).
public enum ZlibHeaderProblem: Equatable, Sendable {
    /// `CMF·256 + FLG` is not a multiple of 31 (the FCHECK bits are wrong).
    case checkBits(cmf: UInt8, flg: UInt8)
    /// CM is not 8 (deflate).
    case compressionMethod(UInt8)
    /// CINFO is above 7, i.e. a window above 32 KiB.
    case windowSize(cinfo: UInt8)
}

/// What is wrong with the code lengths of a dynamic block.
public enum CodeLengthsProblem: Equatable, Sendable {
    /// HLIT declares more than 286 literal/length codes.
    case tooManyLengthCodes(Int)
    /// HDIST declares more than 30 distance codes.
    case tooManyDistanceCodes(Int)
    /// Symbol 16 ("repeat the previous length") came first.
    case repeatWithoutPrevious
    /// A repeat runs past the number of lengths the block declared.
    case repeatPastEnd
    /// The end-of-block symbol (256) has no code, so the block could never end.
    case missingEndOfBlock
}

/// Why a zlib stream could not be decoded. Every malformed input ends in one of these; none crashes or hangs.
public enum InflateError: Error, Equatable, Sendable {
    /// The input ended before the final block and the Adler-32 trailer.
    case truncatedInput
    /// The zlib header is malformed.
    case badHeader(ZlibHeaderProblem)
    /// The stream needs a preset dictionary (FDICT); Tern never writes one and this decoder has none to offer.
    case presetDictionaryUnsupported
    /// The header declares a window of `windowBytes`, larger than the `available` window storage.
    case windowTooLarge(windowBytes: Int, available: Int)
    /// The streaming decoder's workspace is smaller than `ZlibInflater.workspaceBytes(windowBits: 8)`.
    case workspaceTooSmall(needed: Int, available: Int)
    /// The streaming decoder's workspace does not start on a 4-byte boundary.
    case misalignedWorkspace
    /// A block header has BTYPE = 3 (reserved).
    case invalidBlockType
    /// A stored block's LEN is not the one's complement of its NLEN.
    case storedLengthMismatch(length: UInt16, complement: UInt16)
    /// The code lengths of a dynamic block are inconsistent.
    case invalidCodeLengths(CodeLengthsProblem)
    /// The code lengths assign more codes than the bit lengths can hold.
    case overSubscribedTree(HuffmanTree)
    /// The code lengths leave codes unassigned (allowed, as zlib allows it, only for a single one-bit code).
    case incompleteTree(HuffmanTree)
    /// The bits match no code of an incomplete tree.
    case invalidCode(HuffmanTree)
    /// A code decodes to a symbol that must not occur (literal/length 286–287, distance 30–31).
    case invalidSymbol(HuffmanTree, Int)
    /// A match reaches `distance` bytes back, but only `available` bytes (output so far, at most the window) exist.
    case distanceTooFarBack(distance: Int, available: Int)
    /// The Adler-32 in the trailer (`expected`) is not that of the decoded bytes (`computed`).
    case checksumMismatch(expected: UInt32, computed: UInt32)
    /// The stream decodes to more than `limit` bytes.
    case outputLimitExceeded(limit: Int)
    /// `bytes` bytes follow the end of the zlib stream.
    case trailingGarbage(bytes: Int)
}
