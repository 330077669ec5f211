import ArgumentParser
import Foundation
import TernFormat
import TernInflate
import TernRuntime

/// `tern inspect`: everything a `.tern` file says about itself, with every section decoded and checked.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a .tern file's header, metadata, layers and sections, and verify every section.",
        discussion: """
            Decodes every section (inflating zlib sections with Tern's own inflater), checks its length and CRC-32, \
            and counts the −1 / 0 / +1 weights of each layer. Exits non-zero, naming the problem, if anything in \
            the file is malformed.

            Example: tern inspect Models/lfc-mnist-98/model.tern --json
            """
    )

    @Argument(help: "The .tern file.")
    var file: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let bytes = try readFile(file)
        let report: InspectionReport
        do {
            report = try InspectionReport(bytes: bytes)
            try Plan.checkDeclaredArenas(try TernFile(parsing: bytes))
        } catch let error as RuntimeError {
            throw InputError("\(file): \(describe(error))")
        } catch {
            throw InputError("\(file): \(error)")
        }
        if json {
            print(try jsonString(report))
        } else {
            print(report.text(path: file))
        }
    }
}

/// What `tern inspect` reports; `Encodable` for `--json`.
struct InspectionReport: Encodable {
    struct Layer: Encodable {
        var index: Int
        var kind: String
        var input: [UInt32]
        var output: [UInt32]
        var inputBits: UInt8
        var outputBits: UInt8
        var kernel: UInt8
        var padding: UInt8
        var weights: Int
        var minusOne: Int
        var zero: Int
        var plusOne: Int
        var sparsity: Double
    }
    struct Section: Encodable {
        var index: Int
        var layer: UInt32
        var kind: String
        var layout: String
        var compression: String
        var windowBits: UInt8
        var offset: UInt64
        var storedBytes: UInt64
        var decodedBytes: UInt64
        var crc32: String
        var crcOK: Bool
    }
    var formatVersion: UInt16
    var schemeVersion: UInt16
    var fileBytes: UInt64
    var alignment: UInt32
    var arenaStreamingBytes: UInt32
    var arenaResidentBytes: UInt32
    var metadata: [String: String]
    var layers: [Layer]
    var sections: [Section]

    init(bytes: [UInt8]) throws {
        let file = try TernFile(parsing: bytes)
        let h = file.header
        formatVersion = h.formatVersion
        schemeVersion = h.schemeVersion
        fileBytes = h.fileBytes
        alignment = h.alignment
        arenaStreamingBytes = h.arenaStreamingBytes
        arenaResidentBytes = h.arenaResidentBytes
        metadata = Dictionary(uniqueKeysWithValues: file.metadata.map { (String(decoding: $0.key, as: UTF8.self), describe($0.value)) })
        var decodedSections: [[UInt8]] = []
        sections = []
        for (i, s) in file.sections.enumerated() {
            let decoded = try decodeSection(file, bytes: bytes, index: i)
            decodedSections.append(decoded)
            sections.append(Section(
                index: i, layer: s.layer, kind: "\(s.kind)", layout: "\(s.layout)", compression: "\(s.compression)",
                windowBits: s.windowBits, offset: s.offset, storedBytes: s.storedBytes, decodedBytes: s.decodedBytes,
                crc32: String(format: "%08x", s.crc32), crcOK: true))
        }
        layers = []
        for (i, l) in file.layers.enumerated() {
            var counts = (minus: 0, zero: 0, plus: 0)
            if l.kind != .maxPool {
                let ws = Int(l.weightSection)
                let weights = file.sections[ws].layout == .ternaryTokens
                    ? try TernaryTokens.decode(decodedSections[ws], count: l.weightCount)
                    : try TernaryPacked2.decode(decodedSections[ws], count: l.weightCount)
                for w in weights {
                    switch w {
                    case 1: counts.plus += 1
                    case -1: counts.minus += 1
                    default: counts.zero += 1
                    }
                }
                let nonzero = counts.plus + counts.minus
                guard nonzero == Int(l.nonzeroWeights) else {
                    throw FormatError.badTernaryStream(.nonzeroCount(expected: Int(l.nonzeroWeights), actual: nonzero))
                }
            }
            layers.append(Layer(
                index: i, kind: "\(l.kind)", input: [l.inChannels, l.inHeight, l.inWidth],
                output: [l.outChannels, l.outHeight, l.outWidth], inputBits: l.inputBits, outputBits: l.outputBits,
                kernel: l.kernel, padding: l.padding, weights: l.weightCount, minusOne: counts.minus,
                zero: counts.zero, plusOne: counts.plus,
                sparsity: l.weightCount == 0 ? 0 : Double(counts.zero) / Double(l.weightCount)))
        }
    }

    func text(path: String) -> String {
        var out = "\(path): .tern format \(formatVersion), scheme \(schemeVersion), \(fileBytes) bytes, "
        out += "alignment \(alignment)\n"
        out += "arena: streaming \(arenaStreamingBytes) B, resident \(arenaResidentBytes) B\n"
        if !metadata.isEmpty {
            out += "\nmetadata\n"
            for key in metadata.keys.sorted() { out += "  \(key) = \(metadata[key]!)\n" }
        }
        out += "\nlayers\n"
        out += "  #  kind     input → output            bits   weights      −1        0       +1  sparsity\n"
        for l in layers {
            let shape = "\(l.input.map(String.init).joined(separator: "×")) → \(l.output.map(String.init).joined(separator: "×"))"
            out += "  " + pad(String(l.index), 2) + " " + padRight(l.kind, 8) + " " + padRight(shape, 25)
            out += " " + padRight("\(l.inputBits)→\(l.outputBits)", 5)
            out += pad(String(l.weights), 9) + pad(String(l.minusOne), 8) + pad(String(l.zero), 9)
            out += pad(String(l.plusOne), 9) + pad(l.weights == 0 ? "-" : String(format: "%.2f%%", l.sparsity * 100), 10) + "\n"
        }
        out += "\nsections (all CRC-32 checks passed)\n"
        out += "  #  layer kind        layout          compression     stored    decoded  crc32\n"
        for s in sections {
            out += "  " + pad(String(s.index), 2) + pad(String(s.layer), 6) + " " + padRight(s.kind, 11) + " "
            out += padRight(s.layout, 15) + " " + padRight(s.compression + (s.windowBits > 0 ? "/\(s.windowBits)" : ""), 11)
            out += pad(String(s.storedBytes), 10) + pad(String(s.decodedBytes), 11) + "  " + s.crc32 + "\n"
        }
        return out
    }
}

/// Undoes a section's compression and checks its length and CRC-32.
func decodeSection(_ file: TernFile, bytes: [UInt8], index: Int) throws -> [UInt8] {
    let s = file.sections[index]
    let stored = bytes.withUnsafeBytes { Array(file.storedBytes(of: index, in: $0)) }
    let decoded: [UInt8]
    switch s.compression {
    case .none: decoded = stored
    case .zlib:
        do {
            decoded = try zlibDecompress(stored, maxOutputBytes: Int(s.decodedBytes))
        } catch {
            throw SectionInflateError(section: index, problem: error)
        }
    }
    // A typed-throws closure passed to the rethrowing withUnsafeBytes crashes Swift 6.3.1's IRGen (docs/TOOLCHAIN.md),
    // so the error is carried out as a value.
    let problem: FormatError? = decoded.withUnsafeBytes { raw in
        do throws(FormatError) { try file.verifyDecoded(raw, section: index); return nil } catch { return error }
    }
    if let problem { throw problem }
    return decoded
}

private func describe(_ v: MetadataValue) -> String {
    switch v {
    case .uint32(let x): String(x)
    case .int32(let x): String(x)
    case .uint64(let x): String(x)
    case .int64(let x): String(x)
    case .float32(let x): String(x)
    case .float64(let x): String(x)
    case .bool(let x): String(x)
    case .string(let s): String(decoding: s, as: UTF8.self)
    }
}
