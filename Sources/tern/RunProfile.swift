import ArgumentParser
import Foundation
import TernFormat
import TernModel
import TernRuntime

/// One layer of `tern run`'s profile: what it reads and how much work it does per image.
struct LayerProfile: Codable {
    var index: Int
    var kind: String
    var input: [Int]
    var output: [Int]
    /// Resident kernel the cost model chose (streaming always decodes rows; the sliced tail stays sliced).
    var kernel: String
    var weightBytesStored: UInt64
    var compression: String
    var nonzeros: Int
    /// Nonzero multiply-accumulates (nonzeros × output positions) per image.
    var operations: Int
    var residentWeightBytes: Int
    /// Measured by `tern run` (wall time between layer callbacks); nil elsewhere.
    var microsecondsPerImage: Double? = nil
    /// Streaming only, measured by `tern run`: the part of `microsecondsPerImage` spent reading the layer's
    /// sections (inflate and checksum, `Engine.drainSections`); the rest is the kernel's arithmetic.
    var inflateMicrosecondsPerImage: Double? = nil
}

/// `engine`, when given, names the kernels of its mode (streaming differs from resident); else the resident ones.
func layerProfiles(_ loaded: LoadedModel, plan: Plan, engine: Engine? = nil) -> [LayerProfile] {
    plan.layers.enumerated().map { i, l in
        let r = l.record
        let section = r.kind == .maxPool ? nil : loaded.file.sections[Int(r.weightSection)]
        let kind: String = switch r.kind {
        case .dense: r.isFinal ? "dense (logits)" : "dense"
        case .conv: "conv \(r.kernel)×\(r.kernel) p\(r.padding)"
        case .maxPool: "maxpool 2×2"
        }
        var kernel: String = switch l.kernel {
        case .sparse: "sparse rows"
        case .dense: "popcount masks"
        case .columns: "column lists"
        case .sliced: "bit-sliced batch"
        case .pool: "pool"
        }
        if let engine, engine.mode == .streaming {
            kernel = switch engine.streamingKernel(layer: i, images: plan.batch) {
            case .fusedTokens: "fused tokens"
            case .rowLists: "row lists"
            case .bitSliced: "bit-sliced batch"
            case .pool: "pool"
            }
        }
        return LayerProfile(
            index: i, kind: kind, input: [Int(r.inChannels), Int(r.inHeight), Int(r.inWidth)],
            output: [Int(r.outChannels), Int(r.outHeight), Int(r.outWidth)], kernel: kernel,
            weightBytesStored: section?.storedBytes ?? 0,
            compression: section.map { $0.compression == .zlib ? "zlib/\($0.windowBits)" : "none" } ?? "-",
            nonzeros: l.nonzeros, operations: l.nonzeros * l.positions,
            residentWeightBytes: r.kind == .maxPool ? 0 : l.residentWeightBytes)
    }
}

func profileTable(_ layers: [LayerProfile]) -> String {
    var out = "  #  layer            input → output           kernel            stored B  compression   nonzeros   MACs/image"
    let inflate = layers.contains { $0.inflateMicrosecondsPerImage != nil }
    out += layers.contains { $0.microsecondsPerImage != nil } ? "   µs/image" : ""
    out += inflate ? "   of which inflate\n" : "\n"
    for l in layers {
        let shape = l.input.map(String.init).joined(separator: "×") + " → " + l.output.map(String.init).joined(separator: "×")
        out += "  " + pad(String(l.index), 2) + " " + padRight(l.kind, 16) + " " + padRight(shape, 24) + " "
        out += padRight(l.kernel, 17) + pad(String(l.weightBytesStored), 9) + "  " + padRight(l.compression, 11)
        out += pad(String(l.nonzeros), 10) + pad(String(l.operations), 13)
        if let t = l.microsecondsPerImage { out += pad(String(format: "%.1f", t), 11) }
        if let t = l.inflateMicrosecondsPerImage { out += pad(String(format: "%.1f", t), 19) }
        out += "\n"
    }
    return out
}

/// Loads the test split a model was trained for from `directory` (`general.dataset` picks the kind, else the files
/// decide), checking that its images fit the model's input (channels, height and width, not only the pixel count).
///
/// When the files are recognizably another collection than the artifact's `general.dataset` (CIFAR-10 files, or
/// IDX files whose labels are the published MNIST / Fashion-MNIST ones), the run is refused unless
/// `allowMismatch`: an MNIST model scores about 5 % on Fashion-MNIST, which looks like a broken model.
func loadTestImages(_ loaded: LoadedModel, directory: String, count: Int?, plan: Plan,
                    allowMismatch: Bool = false) throws -> Dataset {
    let declared = loaded.string("general.dataset").flatMap(Dataset.Kind.init(rawValue:))
    let found = Dataset.recognizedKind(directory: directory)
    if let declared, let found, declared != found, !allowMismatch {
        throw InputError("\(directory) holds \(found.rawValue), but \(loaded.path) was trained on \(declared.rawValue) "
            + "(general.dataset); give --allow-dataset-mismatch to run it anyway")
    }
    let data = try Dataset.load(directory: directory, kind: found ?? declared, split: .test, limit: count)
    guard data.count > 0 else { throw InputError("\(directory): the test split holds no images") }
    let input = plan.layers[0].record
    // A model whose input is a flat vector (C×1×1, e.g. a synthetic dense network) reads any image of that many
    // pixels flattened HWC; a model with an image input needs that image shape.
    let flatInput = input.inHeight == 1 && input.inWidth == 1 && data.imageSize == Int(input.inChannels)
    guard flatInput || (data.channels == Int(input.inChannels) && data.height == Int(input.inHeight)
                        && data.width == Int(input.inWidth)) else {
        throw InputError("\(directory): images are \(data.channels)×\(data.height)×\(data.width) (channels×height×width), "
            + "\(loaded.path) reads \(input.inChannels)×\(input.inHeight)×\(input.inWidth)")
    }
    return data
}

/// Reads a binary (P5) or ASCII (P2) PGM with maxval ≤ 255: one gray image, HWC with one channel.
func readPGM(_ path: String) throws -> (pixels: [UInt8], width: Int, height: Int) {
    let bytes = try readFile(path)
    var i = 0
    func token() throws -> String {
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "#") { while i < bytes.count && bytes[i] != 10 { i += 1 } }
            else if bytes[i] == 32 || (9...13).contains(bytes[i]) { i += 1 } else { break }
        }
        var s = ""
        while i < bytes.count, !(bytes[i] == 32 || (9...13).contains(bytes[i])) { s.append(Character(UnicodeScalar(bytes[i]))); i += 1 }
        guard !s.isEmpty else { throw ValidationError("\(path): truncated PGM header") }
        return s
    }
    let magic = try token()
    guard magic == "P5" || magic == "P2" else { throw ValidationError("\(path): not a PGM file (P5/P2); convert PNGs with e.g. `convert in.png out.pgm`") }
    guard let w = Int(try token()), let h = Int(try token()), let maxval = Int(try token()), w > 0, h > 0,
          w <= 4096, h <= 4096, (1...255).contains(maxval) else {
        throw ValidationError("\(path): bad PGM dimensions or maxval (8-bit gray only)")
    }
    if magic == "P5" {
        i += 1
        guard bytes.count - i >= w * h else { throw ValidationError("\(path): PGM pixel data truncated") }
        return (Array(bytes[i..<(i + w * h)]), w, h)
    }
    var pixels: [UInt8] = []
    for _ in 0..<(w * h) {
        guard let v = UInt8(try token()) else { throw ValidationError("\(path): bad PGM pixel") }
        pixels.append(v)
    }
    return (pixels, w, h)
}
