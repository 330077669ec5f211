// The host half of the firmware build and test, compiled by the Makefile with plain swiftc from the same module
// sources the firmware uses (Sources/TernFormat, TernInflate, TernRuntime; TernZlib and TernTestSupport for
// writing synthetic artifacts), so no package build is needed.
//
//   firmware-host synthetic OUTPUT SIZES SPARSITY SEED WINDOWBITS
//       writes a random dense ternary network (SIZES e.g. 784,1024,1024,1024,10) with zlib-compressed sections
//       (WINDOWBITS 8…15, or 0 for none) and the runtime's exact arena sizes in its header.
//   firmware-host reference MODEL IMAGES LABELS
//       classifies the raw images with the host runtime in streaming mode and prints exactly the lines the
//       firmware prints (Firmware/App/Main.swift): one per image, the accuracy and the logits checksum.
//   firmware-host tern-run JSON
//       reads the report of `tern run … --json` and prints the lines of it the firmware also prints: the accuracy,
//       the logits checksum and the first predictions.
//   firmware-host arena MODEL
//       prints the streaming arena the runtime plans for MODEL (to check the header's value).
import Foundation
import TernFormat
import TernRuntime

@main
struct FirmwareHost {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        do {
            switch args.first {
            case "synthetic" where args.count == 6:
                guard let sparsity = Double(args[3]), let seed = UInt64(args[4]), let window = Int(args[5]) else {
                    throw HostError("synthetic: SPARSITY, SEED and WINDOWBITS must be numbers")
                }
                let sizes = args[2].split(separator: ",").compactMap { Int($0) }
                guard sizes.count >= 2, sizes.allSatisfy({ $0 > 0 }) else {
                    throw HostError("synthetic: SIZES must be at least two positive integers, e.g. 784,256,10")
                }
                try writeSynthetic(to: args[1], sizes: sizes, sparsity: sparsity, seed: seed,
                                   windowBits: window == 0 ? nil : window)
            case "reference" where args.count == 4:
                try printReference(model: args[1], images: args[2], labels: args[3])
            case "tern-run" where args.count == 2:
                try printTernRunSummary(json: args[1])
            case "arena" where args.count == 2:
                let file = try TernFile(parsing: try read(args[1]))
                print(try Plan(file: file).arenaBytes(.streaming))
            default:
                throw HostError("usage: firmware-host synthetic OUT SIZES SPARSITY SEED WINDOWBITS | "
                    + "reference MODEL IMAGES LABELS | tern-run JSON | arena MODEL")
            }
        } catch {
            FileHandle.standardError.write(Data("firmware-host: \(error)\n".utf8))
            exit(1)
        }
    }
}

struct HostError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func read(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw HostError("cannot read \(path)") }
    return [UInt8](data)
}
