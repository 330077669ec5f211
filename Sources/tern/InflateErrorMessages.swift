import TernInflate

/// A zlib section of a `.tern` file that TernInflate could not decode.
struct SectionInflateError: Error, CustomStringConvertible {
    var section: Int
    var problem: InflateError
    var description: String { "section \(section): zlib stream does not decode: \(problem)" }
}

/// Human-readable messages for inflate errors, so `tern` names the problem instead of printing an enum.
extension InflateError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncatedInput: "the stream ends before its final block and Adler-32 trailer"
        case .badHeader(.checkBits(let cmf, let flg)): "header check bits are wrong (CMF \(cmf), FLG \(flg))"
        case .badHeader(.compressionMethod(let m)): "compression method is \(m), not 8 (deflate)"
        case .badHeader(.windowSize(let cinfo)): "window field CINFO is \(cinfo), above the maximum of 7 (32 KiB)"
        case .presetDictionaryUnsupported: "the stream needs a preset dictionary, which .tern files never use"
        case .windowTooLarge(let window, let available):
            "the stream's \(window)-byte window does not fit the \(available) bytes available"
        case .workspaceTooSmall(let needed, let available):
            "the inflate workspace has \(available) bytes, at least \(needed) are needed"
        case .misalignedWorkspace: "the inflate workspace is not 4-byte aligned"
        case .invalidBlockType: "a block has the reserved type 3"
        case .storedLengthMismatch(let length, let complement):
            "a stored block's length \(length) does not match its complement \(complement)"
        case .invalidCodeLengths(let problem): "a dynamic block's code lengths are invalid (\(problem))"
        case .overSubscribedTree(let tree): "the \(tree) Huffman tree is over-subscribed"
        case .incompleteTree(let tree): "the \(tree) Huffman tree is incomplete"
        case .invalidCode(let tree): "the input matches no \(tree) code"
        case .invalidSymbol(let tree, let symbol): "invalid \(tree) symbol \(symbol)"
        case .distanceTooFarBack(let distance, let available):
            "a match reaches \(distance) bytes back, only \(available) are available"
        case .checksumMismatch(let expected, let computed):
            "Adler-32 mismatch (stored 0x\(String(expected, radix: 16)), computed 0x\(String(computed, radix: 16))): the data is corrupt"
        case .outputLimitExceeded(let limit): "decodes to more than the declared \(limit) bytes"
        case .trailingGarbage(let bytes): "\(bytes) bytes follow the end of the stream"
        }
    }
}
