/// Huffman code lengths and coded sizes, for the Deep Compression–style column of `tern sizes`.
enum Huffman {
    /// Optimal (unbounded-length) Huffman code lengths for `frequencies`; symbols with frequency 0 get length 0.
    /// A lone used symbol gets length 1 (a code needs at least one bit per symbol).
    static func codeLengths(_ frequencies: [Int]) -> [Int] {
        var lengths = [Int](repeating: 0, count: frequencies.count)
        // Nodes: (weight, members). Merging the two lightest adds one bit to every member.
        var nodes: [(weight: Int, members: [Int])] = frequencies.indices.compactMap { i in
            frequencies[i] > 0 ? (frequencies[i], [i]) : nil
        }
        if nodes.count == 1 { lengths[nodes[0].members[0]] = 1; return lengths }
        while nodes.count > 1 {
            nodes.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.members[0] > $1.members[0] }
            let a = nodes.removeLast(), b = nodes.removeLast()
            for m in a.members + b.members { lengths[m] += 1 }
            nodes.append((a.weight + b.weight, a.members + b.members))
        }
        return lengths
    }

    /// Bits to code a sequence with these symbol frequencies using its own Huffman code (payload only).
    static func payloadBits(_ frequencies: [Int]) -> Int {
        zip(frequencies, codeLengths(frequencies)).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
