import Foundation
import TernFormat
import TernTestSupport
import TernZlib

/// `TernBenchmarks tokens`: bytes of the ternary token stream after zlib, against the zero-order entropy of i.i.d.
/// ternary tensors, at the sparsities the paper reaches. The table in docs/COMPRESSION.md comes from this.
func runTokenCompression(arguments: [String]) throws {
    let json = arguments.contains("--json")
    let count = 1 << 20
    let sparsities = [0.5, 0.9, 0.95, 0.98, 0.99, 0.999]
    var rows: [String] = []
    if !json {
        print("i.i.d. ternary tensors, \(count) weights, signs equiprobable; sizes in bytes, ratio = bytes / H0")
        print("| sparsity | H0 bytes | tokens + zlib -9 default | tokens + zlib -9 Huffman-only | packed2 + zlib -9 default | best |")
        print("|---:|---:|---:|---:|---:|---:|")
    }
    for sparsity in sparsities {
        var rng = SeededGenerator(seed: 2017)
        let weights = randomTernary(count: count, sparsity: sparsity, using: &rng)
        let h0 = zeroOrderEntropyBytes(weights)
        let tokens = TernaryTokens.encode(weights)
        let tokDefault = try deflate(tokens, level: 9, windowBits: 15, strategy: .defaultStrategy).count
        let tokHuffman = try deflate(tokens, level: 9, windowBits: 15, strategy: .huffmanOnly).count
        let packed = try deflate(TernaryPacked2.encode(weights), level: 9, windowBits: 15, strategy: .defaultStrategy).count
        let best = min(tokDefault, tokHuffman, packed)
        func ratio(_ b: Int) -> String { fixed(Double(b) / h0, 4) }
        if json {
            rows.append("{\"sparsity\": \(sparsity), \"h0Bytes\": \(fixed(h0, 1)), \"tokensZlibDefault\": \(tokDefault), "
                + "\"tokensZlibHuffmanOnly\": \(tokHuffman), \"packed2ZlibDefault\": \(packed), \"best\": \(best)}")
        } else {
            print("| \(sparsity) | \(fixed(h0, 0)) | \(tokDefault) (\(ratio(tokDefault))) | \(tokHuffman) (\(ratio(tokHuffman))) "
                + "| \(packed) (\(ratio(packed))) | \(ratio(best)) |")
        }
    }
    if json { print("[\n  " + rows.joined(separator: ",\n  ") + "\n]") }
}

/// n · H(p₋, p₀, p₊) in bytes, from the tensor's own symbol frequencies.
func zeroOrderEntropyBytes(_ weights: [Int8]) -> Double {
    var counts = [0, 0, 0]
    for w in weights { counts[Int(w) + 1] += 1 }
    let n = Double(weights.count)
    var bits = 0.0
    for c in counts where c > 0 {
        let p = Double(c) / n
        bits -= Double(c) * log2(p)
    }
    return bits / 8
}

/// `x` with `digits` decimals.
func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
