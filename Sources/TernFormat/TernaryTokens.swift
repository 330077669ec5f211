/// The ternary token stream: zero runs and signs, one byte per token, designed to be squeezed by zlib afterwards.
///
/// Grammar (docs/FORMAT.md §6), walking the tensor in artifact order:
///   `0x00…0xFD`  skip `b >> 1` zeros (0…126), then one nonzero weight: `+1` if `b & 1 == 0`, else `−1`;
///   `0xFE`       skip 127 zeros, no weight;
///   `0xFF`       reserved (invalid).
/// Positions after the last nonzero are zero and take no tokens; a stream never ends with `0xFE`, so every tensor
/// has exactly one encoding. Because each nonzero is one symbol combining its gap and sign, zlib's Huffman stage
/// codes an i.i.d. sparse tensor at close to its zero-order entropy (measured in docs/COMPRESSION.md).
public enum TernaryTokens {
    public static let skipToken: UInt8 = 0xFE
    public static let maxGap = 126

    /// Encodes weights in {−1, 0, +1}. Values outside that set are a programming error.
    public static func encode(_ weights: [Int8]) -> [UInt8] {
        var out: [UInt8] = []
        var gap = 0
        for w in weights {
            if w == 0 { gap += 1; continue }
            precondition(w == 1 || w == -1, "ternary weight out of range")
            while gap > maxGap {
                out.append(skipToken)
                gap -= maxGap + 1
            }
            out.append(UInt8(gap << 1) | (w < 0 ? 1 : 0))
            gap = 0
        }
        return out
    }

    /// Decodes a whole stream into `count` weights.
    public static func decode(_ tokens: [UInt8], count: Int) throws(FormatError) -> [Int8] {
        var weights = [Int8](repeating: 0, count: count)
        var decoder = TokenDecoder(count: count)
        for b in tokens {
            if let (index, sign) = try decoder.next(b) { weights[index] = sign }
        }
        try decoder.finish()
        return weights
    }
}

/// Incremental token decoder: feed bytes as they arrive (e.g. straight out of an inflater), get each nonzero's
/// position. Three words of state; this is what a streaming kernel runs.
public struct TokenDecoder: Sendable {
    /// Tensor size.
    public let count: Int
    /// Index of the next weight position.
    public private(set) var position = 0
    /// Tokens consumed so far.
    public private(set) var consumed = 0
    private var lastWasSkip = false

    public init(count: Int) { self.count = count }

    /// Consumes one token. Returns the nonzero it places (index, +1 or −1), or nil for a skip token.
    @inline(__always)
    public mutating func next(_ token: UInt8) throws(FormatError) -> (index: Int, sign: Int8)? {
        let offset = consumed
        consumed += 1
        if token < TernaryTokens.skipToken {
            let index = position + Int(token >> 1)
            guard index < count else { throw .badTernaryStream(.overrun(offset: offset)) }
            position = index + 1
            lastWasSkip = false
            return (index, (token & 1) == 0 ? 1 : -1)
        }
        guard token == TernaryTokens.skipToken else { throw .badTernaryStream(.reservedToken(offset: offset)) }
        position += TernaryTokens.maxGap + 1
        // A skip may only lead to a later nonzero, so it must leave room for one.
        guard position < count else { throw .badTernaryStream(.overrun(offset: offset)) }
        lastWasSkip = true
        return nil
    }

    /// Call after the last token: rejects a stream ending in a skip.
    public func finish() throws(FormatError) {
        if lastWasSkip { throw .badTernaryStream(.trailingSkip) }
    }
}

/// Two bits per weight, four per byte from the least significant end: 00 = 0, 01 = +1, 10 = −1 (11 is invalid).
/// The dense alternative to tokens; the compiler's cost model picks per layer.
public enum TernaryPacked2 {
    public static func encode(_ weights: [Int8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (weights.count + 3) / 4)
        for (i, w) in weights.enumerated() where w != 0 {
            precondition(w == 1 || w == -1, "ternary weight out of range")
            out[i >> 2] |= (w > 0 ? 1 : 2) << UInt8((i & 3) * 2)
        }
        return out
    }

    public static func decode(_ packed: [UInt8], count: Int) throws(FormatError) -> [Int8] {
        let expected = (count + 3) / 4
        guard packed.count == expected else { throw .badTernaryStream(.length(expected: expected, actual: packed.count)) }
        var weights = [Int8](repeating: 0, count: count)
        for i in 0..<count {
            switch (packed[i >> 2] >> UInt8((i & 3) * 2)) & 3 {
            case 0: break
            case 1: weights[i] = 1
            case 2: weights[i] = -1
            default: throw .badTernaryStream(.invalidCode(index: i))
            }
        }
        if count & 3 != 0, packed[count >> 2] >> UInt8((count & 3) * 2) != 0 {
            throw .badTernaryStream(.nonzeroPadding)
        }
        return weights
    }
}
