/// SplitMix64 (Steele, Lea & Flood 2014): the trainer's only source of randomness, so a seed fixes every draw.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 random bits (exactly representable as Float).
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// A permutation of `0 ..< n` (Fisher–Yates driven by this generator).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0 ..< n)
        if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, Int(next() % UInt64(i + 1))) } }
        return p
    }
}
