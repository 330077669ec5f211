import TernFormat
import TernModel
import TernZlib

/// Why a `.tern` file could not be decoded back into a network.
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case format(FormatError)
    case inflate(section: Int, ZlibError)

    public var description: String {
        switch self {
        case .format(let e): "invalid .tern file: \(e)"
        case .inflate(let s, let e): "section \(s) does not inflate: \(e)"
        }
    }
}

/// Reads a `.tern` back into the `IntegerNetwork` it stores (with system zlib; a host-side inverse of the compiler
/// for tests and `tern sizes`). Every section's length and CRC-32 are checked, and each weight layer's nonzero count.
public enum ArtifactDecoder {
    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> (network: IntegerNetwork, storage: SizeReport.TernStorage) {
        let file: TernFile
        do { file = try TernFile(parsing: bytes) } catch { throw .format(error) }
        func decoded(_ index: Int) throws(DecodeError) -> [UInt8] {
            let s = file.sections[index]
            let stored = Array(bytes[Int(s.offset)..<Int(s.offset + s.storedBytes)])
            let out: [UInt8]
            if s.compression == .zlib {
                do { out = try inflate(stored, maxOutputBytes: Int(s.decodedBytes)) }
                catch { throw .inflate(section: index, error) }
            } else {
                out = stored
            }
            let check: Result<Void, FormatError> = out.withUnsafeBytes { raw in
                do throws(FormatError) { try file.verifyDecoded(raw, section: index); return .success(()) }
                catch { return .failure(error) }
            }
            if case .failure(let error) = check { throw .format(error) }
            return out
        }
        var layers: [IntegerNetwork.Layer] = []
        var weightBytes: [Int] = []
        for r in file.layers {
            guard r.kind != .maxPool else { layers.append(IntegerNetwork.Layer(record: r)); continue }
            let ws = Int(r.weightSection), ps = Int(r.paramSection)
            let wData = try decoded(ws)
            let weights: [Int8]
            do {
                weights = file.sections[ws].layout == .ternaryTokens
                    ? try TernaryTokens.decode(wData, count: r.weightCount)
                    : try TernaryPacked2.decode(wData, count: r.weightCount)
            } catch { throw .format(error) }
            let nonzero = weights.count(where: { $0 != 0 })
            guard nonzero == Int(r.nonzeroWeights) else {
                throw .format(.badTernaryStream(.nonzeroCount(expected: Int(r.nonzeroWeights), actual: nonzero)))
            }
            weightBytes.append(Int(file.sections[ws].storedBytes))
            let params = ThresholdPass.decode(try decoded(ps), as: file.sections[ps].layout)
            var record = r
            record.weightSection = LayerRecord.noSection
            record.paramSection = LayerRecord.noSection
            if r.isFinal {
                let n = Int(r.outChannels)
                layers.append(IntegerNetwork.Layer(record: record, weights: weights,
                                                   logitScale: Array(params[0..<n]), logitBias: Array(params[n..<(2 * n)])))
            } else {
                layers.append(IntegerNetwork.Layer(record: record, weights: weights, thresholds: params))
            }
        }
        func string(_ key: String) -> String {
            if case .string(let s) = file.metadata(Array(key.utf8)) { return String(decoding: s, as: UTF8.self) }
            return ""
        }
        let first = file.layers[0]
        let network = IntegerNetwork(
            name: string("general.name"), architecture: string("general.architecture"),
            dataset: string("general.dataset"), inputChannels: Int(first.inChannels),
            inputHeight: Int(first.inHeight), inputWidth: Int(first.inWidth), layers: layers)
        return (network, SizeReport.TernStorage(weightSectionBytes: weightBytes, fileBytes: bytes.count,
                                                storedEntropyBytes: SizeReport.entropyBytes(network)))
    }
}
