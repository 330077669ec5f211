import ArgumentParser
import Foundation
import TernCompiler
import TernEstimate
import TernFormat
import TernModel

/// `tern estimate --fpga`: what the network would cost and how fast it would run as a FINN-style FPGA dataflow.
struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate a .tern network on an FPGA dataflow accelerator (FINN's model): LUTs, BRAM, frames/s.",
        discussion: """
            One matrix-vector unit per layer, folded by PE (rows in parallel) and SIMD (columns in parallel): \
            cycles per image = rows/PE · columns/SIMD · output positions, and the slowest layer sets the frame \
            rate. Each layer gets the cheapest folding that meets --target-fps; the same folding is then costed \
            three ways: dense binary (1 bit/weight, FINN's case), dense 2-bit ternary, and sparse ternary (only \
            nonzeros stored as sign + column index; zero weights cost no cycles, the busiest PE sets the pace). \
            A fourth row folds the sparse unit for the same target with its own cycle counts: fewer lanes for the \
            same frame rate. The memory-bound view streams the weights from DRAM at --bandwidth bytes per cycle and says which \
            layers wait on memory; the runtime's own .tern bytes per image get the same treatment. \
            The model and its validation against published FINN builds: docs/HARDWARE.md.

            Examples:
              tern estimate Models/lfc-mnist-98/model.tern --fpga
              tern estimate Models/cnv28-fashion-90/model.tern --fpga --clock 100 --target-fps 10000 --svg cnv.svg
              tern estimate --fpga --validate          # the model against published FINN builds
            """
    )

    @Argument(help: "A .tern artifact.")
    var model: String?

    @Flag(help: "Estimate for an FPGA streaming dataflow accelerator (the only target so far).")
    var fpga = false

    @Option(help: "Clock frequency in MHz.")
    var clock: Double = 200

    @Option(help: "Off-chip (DRAM) bandwidth in bytes per clock cycle, for the memory-bound view.")
    var bandwidth: Double = 8

    @Option(name: .customLong("target-fps"), help: "Frames per second the folding must reach (dense cycle counts).")
    var targetFPS: Double = 100_000

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Also write a bar chart (LUT, BRAM18, frames/s per encoding) to this SVG file.")
    var svg: String?

    @Flag(name: .customLong("validate"),
          help: "Instead of a model, compare the model with published FINN builds (folding, LUTs, BRAM, frames/s).")
    var compareWithFINN = false

    func validate() throws {
        guard fpga else { throw ValidationError("choose a target: --fpga (the only one so far)") }
        guard clock > 0, clock.isFinite else { throw ValidationError("--clock must be a positive number of MHz") }
        guard bandwidth > 0, bandwidth.isFinite else { throw ValidationError("--bandwidth must be positive (bytes/cycle)") }
        guard targetFPS > 0, targetFPS.isFinite else { throw ValidationError("--target-fps must be positive") }
        if !compareWithFINN && model == nil { throw ValidationError("give a .tern model, or --validate") }
        if compareWithFINN && (model != nil || svg != nil) {
            throw ValidationError("--validate takes no model and writes no SVG")
        }
    }

    func run() throws {
        if compareWithFINN {
            let checks = PublishedFINN.all.map { FINNValidation($0) }
            if json { print(try jsonString(checks)); return }
            print("FINN model vs published builds (dense binary); columns: model, published, model/published\n")
            for c in checks { print(c.table()) }
            return
        }
        guard let model else { return }
        if let svg { try checkOutputFile(svg) }
        let (layers, title) = try loadEstimateLayers(model)
        let settings = EstimateSettings(clockMHz: clock, bandwidthBytesPerCycle: bandwidth)
        let report = FPGAReport(model: title, layers: layers, targetFPS: targetFPS, settings: settings)
        if let svg { try writeAtomically(Array(report.svg(title: title).utf8), to: svg) }
        print(json ? try jsonString(report) : report.table(), terminator: json ? "\n" : "")
    }
}

/// The layers of a `.tern` file as matrix-vector units, with each row's nonzero count and each layer's `.tern` bytes.
func loadEstimateLayers(_ path: String) throws -> ([MatrixLayer], String) {
    let bytes = try readFile(path)
    let network: IntegerNetwork
    do { network = try ArtifactDecoder.decode(bytes).network } catch { throw InputError("\(path): \(error)") }
    let file: TernFile
    do { file = try TernFile(parsing: bytes) } catch { throw InputError("\(path): invalid .tern file: \(error)") }
    var layers: [MatrixLayer] = []
    for (i, layer) in network.layers.enumerated() {
        let record = layer.record
        var token = 0, stored = 0
        // The decoded network's records do not carry section indices; the file's layer table does.
        let fileRecord = i < file.layers.count ? file.layers[i] : record
        let section = Int(fileRecord.weightSection)
        if fileRecord.weightSection != LayerRecord.noSection, section < file.sections.count {
            token = Int(file.sections[section].decodedBytes)
            stored = Int(file.sections[section].storedBytes)
        }
        layers.append(MatrixLayer(record: record, index: i, weights: layer.weights, ternTokenBytes: token,
                                  ternStoredBytes: stored))
    }
    let name = network.name.isEmpty ? URL(fileURLWithPath: path).lastPathComponent : network.name
    return (layers, name)
}

/// Refuses an output file whose directory does not exist or that names a directory, before any work is done.
private func checkOutputFile(_ path: String) throws {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw InputError("\(path): is a directory, not a file")
    }
    let parent = url.deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw InputError("\(path): directory \(parent) does not exist (create it first)")
    }
}
