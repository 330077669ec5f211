/// The FPGA primitives the estimate counts, with the costs it assumes for each (docs/HARDWARE.md §2).
///
/// The constants are a model, not a synthesis result: they say how one lane of a matrix–vector unit maps to LUTs and
/// how a memory maps to BRAM18 or LUTRAM on a Xilinx 7-series / UltraScale part. Tests pin the arithmetic; the
/// validation table in docs/HARDWARE.md says how far it lands from published FINN builds.
public struct FPGAResources: Sendable, Equatable, Codable {
    /// LUTs per SIMD lane per input bit for a binary (XNOR–popcount) lane: one LUT6 computes the XNOR and feeds the
    /// first compressor level of the popcount tree.
    public var binaryLaneLUTs: Double = 1
    /// A dense 2-bit ternary lane needs two popcounts (weights +1 and −1) and the subtraction: twice a binary lane.
    public var ternaryLaneLUTs: Double = 2
    /// A sparse lane adds or subtracts one input selected by its column index: the add/sub cell per input bit…
    public var sparseLaneAddLUTs: Double = 2
    /// …and its own copy of the input vector to read by index: LUTRAM of `columns` × input bits (RAM64X1, 64 words
    /// per LUT), double-buffered so the next vector is written while this one is read. A multiplexer tree over the
    /// same inputs would cost ⌈(n − 1)/3⌉ LUTs per bit, about 10× more at n = 1024.
    public var sparseInputCopies: Int = 2
    /// LUTs per accumulator bit per PE (the adder) and per threshold per accumulator bit (the comparator).
    public var accumulatorLUTsPerBit: Double = 1
    /// Memories at most this deep go to LUTRAM (RAM64X1 primitives), deeper ones to BRAM18.
    public var lutramMaxDepth: Int = 64

    public init() {}

    /// BRAM18 aspect ratios (depth × width) of 7-series / UltraScale block RAM.
    public static let bram18Shapes: [(depth: Int, width: Int)] = [
        (16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36),
    ]

    /// BRAM18 blocks for one memory of `depth` words × `width` bits: the cheapest aspect ratio, tiled.
    public static func bram18(depth: Int, width: Int) -> Int {
        guard depth > 0, width > 0 else { return 0 }
        return bram18Shapes.map { ceilDiv(depth, $0.depth) * ceilDiv(width, $0.width) }.min() ?? 0
    }

    /// Where one memory goes and what it costs there.
    public func memory(depth: Int, width: Int) -> MemoryCost {
        guard depth > 0, width > 0 else { return MemoryCost() }
        if depth <= lutramMaxDepth { return MemoryCost(bram18: 0, lutram: ceilDiv(depth, 64) * width) }
        return MemoryCost(bram18: Self.bram18(depth: depth, width: width), lutram: 0)
    }

    /// LUTs one sparse lane spends to read any of `inputs` values of `bits` bits by index.
    public func gatherLUTs(inputs: Int, bits: Int) -> Int { sparseInputCopies * ceilDiv(inputs, 64) * bits }
}

/// BRAM18 blocks and LUTs used as RAM.
public struct MemoryCost: Sendable, Equatable, Codable {
    public var bram18 = 0
    public var lutram = 0
    public init(bram18: Int = 0, lutram: Int = 0) { self.bram18 = bram18; self.lutram = lutram }
    public static func + (a: MemoryCost, b: MemoryCost) -> MemoryCost {
        MemoryCost(bram18: a.bram18 + b.bram18, lutram: a.lutram + b.lutram)
    }
    public static func * (n: Int, a: MemoryCost) -> MemoryCost { MemoryCost(bram18: n * a.bram18, lutram: n * a.lutram) }
}

@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { b <= 0 ? 0 : (a + b - 1) / b }

/// Bits needed to write any value in 0..<n (at least 1).
@inline(__always) func bitsFor(_ n: Int) -> Int {
    var bits = 1
    while (1 << bits) < n { bits += 1 }
    return bits
}
