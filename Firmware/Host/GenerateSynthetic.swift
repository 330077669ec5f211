// Writes a synthetic dense ternary network as a .tern file, for firmware builds before (or without) a trained
// artifact. Compiled by the Makefile with plain swiftc together with Sources/TernFormat and
// Sources/TernTestSupport/SyntheticTern.swift (one module, so no package build is needed).
//
// Usage: generate-synthetic OUTPUT SIZES SPARSITY SEED
//   SIZES is a comma-separated layer chain, e.g. 784,1024,1024,1024,10 (LFC); the weights are random ternary
//   with the given fraction of zeros, the thresholds random near the middle of each layer's range.
import Foundation

@main
struct GenerateSynthetic {
    static func main() {
        let args = CommandLine.arguments
        guard args.count == 5, let sparsity = Double(args[3]), let seed = UInt64(args[4]) else {
            fail("usage: generate-synthetic OUTPUT SIZES SPARSITY SEED")
        }
        let sizes = args[2].split(separator: ",").compactMap { Int($0) }
        guard sizes.count >= 2, sizes.allSatisfy({ $0 > 0 }) else { fail("SIZES must be at least two positive integers") }
        let network = SyntheticNetwork.dense(sizes, bits: 1, sparsity: sparsity, seed: seed)
        let bytes: [UInt8]
        do { bytes = try network.fileBytes() } catch { fail("the synthetic network does not serialize: \(error)") }
        let url = URL(fileURLWithPath: args[1])
        do { try Data(bytes).write(to: url, options: .atomic) } catch { fail("cannot write \(args[1]): \(error)") }
        print("generate-synthetic: \(args[1]) \(bytes.count) bytes, layers \(args[2]), sparsity \(sparsity)")
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }
}
