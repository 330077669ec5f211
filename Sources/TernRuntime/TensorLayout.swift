/// How one activation tensor (a batch entry) sits in the arena.
///
/// Codes (1 or 2 bits) are bit-packed, channels innermost: for every position of the (bordered) H×W grid come
/// `bits` planes of `wordsPerPlane` `UInt64` words, bit `c % 64` of word `c / 64` holding channel `c`. A border of
/// `border` zero positions surrounds the grid when the consumer is a padded conv, so kernels never test bounds.
/// Pixels (the network input, 8 bits) are one byte per channel, HWC, with the same optional border.
public struct TensorLayout: Equatable, Sendable {
    public let channels: Int
    public let height: Int
    public let width: Int
    /// 8 for pixels, else 1 or 2.
    public let bits: Int
    /// Zero positions around the grid (the consuming conv's padding).
    public let border: Int

    public var isPixels: Bool { bits == 8 }
    public var paddedWidth: Int { width + 2 * border }
    public var paddedHeight: Int { height + 2 * border }
    public var positions: Int { paddedWidth * paddedHeight }
    /// Codes: words per bit plane at one position.
    public var wordsPerPlane: Int { (channels + 63) >> 6 }
    /// Codes: words per position (all planes).
    public var wordsPerPosition: Int { bits * wordsPerPlane }
    /// Distance between neighbouring positions in offset units: bits for codes, bytes for pixels.
    public var positionStride: Int { isPixels ? channels : wordsPerPosition * 64 }
    /// Bytes of one batch entry (a multiple of 8 for codes).
    public var bytes: Int { isPixels ? positions * channels : positions * wordsPerPosition * 8 }

    /// Bytes as a checked 64-bit number, computed before any `Int` arithmetic that could overflow on 32-bit targets.
    static func bytes(channels: Int, height: Int, width: Int, bits: Int, border: Int) -> UInt64 {
        let positions = UInt64(height + 2 * border) * UInt64(width + 2 * border)
        if bits == 8 { return positions * UInt64(channels) }
        return positions * UInt64(bits) * UInt64((channels + 63) >> 6) * 8
    }
}
