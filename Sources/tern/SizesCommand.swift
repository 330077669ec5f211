import ArgumentParser
import Foundation
import TernCompiler
import TernFormat
import TernModel

/// `tern sizes`: the same network stored every way, side by side.
struct SizesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sizes",
        abstract: "Compare a network's size stored every way: float, int8, binary, 2-bit, GGUF, CSR, gzip/xz/zstd/bzip2, .tern.",
        discussion: """
            Per weight layer and in total: float32, float16, int8, binary (1 bit), 2-bit ternary, base-3 (5 trits \
            per byte), GGUF TQ2_0 / TQ1_0, CSR with relative indices (raw and Huffman-coded, Deep Compression \
            style), 2-bit packing compressed by the real gzip -9, xz -9, zstd -19 and bzip2 -9 (when installed), \
            the .tern artifact's weight sections and whole file, and the zero-order entropy bound Σ n·H0. \
            The last two columns say how many times smaller each row is than binary and than 2-bit storage.

            Given a model.json, the checkpoint is folded and compiled in memory (host target) for the .tern rows; \
            the other rows describe the checkpoint's own layers. Given a .tern, all rows describe the layers as \
            stored (after dead-neuron elimination).

            Examples:
              tern sizes Models/lfc-mnist-98/model.tern
              tern sizes runs/lfc98/model.json --svg sizes.svg --json
              tern sizes runs/lfc98/model.json --artifact Models/lfc-mnist-98/model.tern
            """
    )

    @Argument(help: "A .tern artifact, or a checkpoint's model.json (or its directory).")
    var model: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Also write a bar chart of the totals (log scale) to this SVG file.")
    var svg: String?

    @Option(help: "With a model.json: take the .tern rows from this compiled artifact instead of compiling in memory.")
    var artifact: String?

    func run() throws {
        var (inputs, storage, title) = try loadForSizes(model, compile: artifact == nil)
        if let artifact { storage = try ArtifactDecoder.decode(try readFile(artifact)).storage }
        let progress = ProgressBar(total: ExternalCompressor.all.count, label: "compressors")
        var done = 0
        let report = SizeReport.measure(inputs, tern: storage) { _ in
            progress.update(done)
            done += 1
        }
        progress.update(ExternalCompressor.all.count)
        if let svg {
            try writeAtomically(Array(report.svg(title: title).utf8), to: svg)
        }
        if json {
            print(try jsonString(report))
        } else {
            print("\(title): \(report.layers.count) weight layers, sizes in bytes\n")
            print(report.markdownTable(), terminator: "")
        }
    }
}

/// The weight layers (and, when available, the `.tern` storage) of a `.tern` file or a checkpoint.
func loadForSizes(_ path: String, compile: Bool = true) throws -> ([SizeReport.Input], SizeReport.TernStorage?, String) {
    let bytes = try readFile(path)
    if bytes.starts(with: Array("TERN".utf8)) {
        let (network, storage) = try ArtifactDecoder.decode(bytes)
        return (SizeReport.inputs(network), storage, network.name.isEmpty ? path : network.name)
    }
    let (network, description) = try loadAndFold(path)
    guard compile else { return (SizeReport.inputs(network), nil, network.name) }
    let artifact = try Compiler.compileWithReport(network: network, options: CompileOptions(description: description))
    let storage = SizeReport.TernStorage(artifact)
    return (SizeReport.inputs(network), storage, network.name)
}
