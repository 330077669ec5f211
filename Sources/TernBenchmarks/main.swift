// Benchmarks that compare Tern's pieces against a peer in the same run. See docs/BENCHMARKS.md.
import Foundation

let usage = """
    usage: TernBenchmarks <benchmark> [--json]
      tokens    ternary token stream + zlib -9 against the zero-order entropy (docs/COMPRESSION.md)
      inflate   TernInflate (one-shot and streaming) against system zlib's inflate, MB/s (docs/BENCHMARKS.md)
      model     checkpoint write/load, folding and the integer reference on an LFC-sized checkpoint
      synthetic-lfc OUT [--sparsity S] [--bits 1|2] [--zlib W]   random LFC artifact for tern bench (docs/BENCHMARKS.md)
    """

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "tokens": try runTokenCompression(arguments: Array(arguments.dropFirst()))
    case "inflate": try runInflateBenchmark(arguments: Array(arguments.dropFirst()))
    case "model": try runModelPipeline(arguments: Array(arguments.dropFirst()))
    case "synthetic-lfc": try writeSyntheticLFC(arguments: Array(arguments.dropFirst()))
    default:
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("TernBenchmarks: \(error)\n".utf8))
    exit(1)
}
