import Foundation
import Testing
@testable import TernCompiler
import TernFormat
import TernModel

@Suite struct SizeReportTests {
    /// Layer 0: 32 weights, +1 at 0, −1 at 3, +1 at 20. Layer 1: 4 weights, all nonzero.
    let layer0: [Int8] = {
        var w = [Int8](repeating: 0, count: 32)
        w[0] = 1; w[3] = -1; w[20] = 1
        return w
    }()
    let layer1: [Int8] = [1, -1, 1, 1]

    func report() -> SizeReport {
        SizeReport.measure(
            [SizeReport.Input(index: 0, kind: "dense", shape: "16→2", weights: layer0),
             SizeReport.Input(index: 1, kind: "dense", shape: "2→2", weights: layer1)],
            tern: SizeReport.TernStorage(weightSectionBytes: [3, 2], fileBytes: 500, storedEntropyBytes: 4),
            compressors: [ExternalCompressor(name: "nothing -9", program: "tern-no-such-compressor", arguments: [])])
    }

    func method(_ id: String) -> SizeReport.Method? { report().methods.first { $0.id == id } }

    @Test func fixedRateColumns() {
        #expect(method("float32")?.layers == [128, 16])
        #expect(method("float16")?.total == 72)
        #expect(method("int8")?.total == 36)
        #expect(method("binary")?.layers == [4, 1])
        #expect(method("ternary2")?.layers == [8, 1])
        #expect(method("base3")?.layers == [7, 1])        // ⌈32/5⌉, ⌈4/5⌉
        #expect(method("tq2_0")?.total == 132)            // one 66-byte block per layer
        #expect(method("tq1_0")?.total == 108)
        #expect(method("ternary2")?.timesSmallerThanBinary == 5.0 / 9.0)
        #expect(method("binary")?.timesSmallerThanTernary2 == 9.0 / 5.0)
    }

    @Test func csrColumnsByHand() {
        // Gaps before the nonzeros of layer 0: 0, 2, 16.
        // raw: b = 4 → one filler for the 16-gap: 4 entries × 6 bits = 24 bits = 3 bytes (b = 5: 21 bits, also 3).
        // Huffman: b = 1 → 9 fillers; index symbols {0: 3, 1: 9} → 12 bits; values {−1: 1, filler: 9, +1: 2}
        //          → 9·1 + 1·2 + 2·2 = 15 bits; tables 4·(2 + 3) = 20 bits; 47 bits → 6 bytes.
        let c = CSRSize(layer0)
        #expect(c.rawBytes == 3)
        #expect(c.rawIndexBits == 4)
        #expect(c.huffmanBytes == 6)
        #expect(c.huffmanIndexBits == 1)
        // Layer 1: gaps 0,0,0,0. raw b = 1: 4 × 3 bits → 2 bytes. Huffman b = 1: index {0: 4} → 4 bits (a lone
        // symbol costs 1 bit), values {−1: 1, +1: 3} → 4 bits, tables 20 bits → 28 bits → 4 bytes.
        let d = CSRSize(layer1)
        #expect(d.rawBytes == 2)
        #expect(d.huffmanBytes == 4)
        #expect(method("csr")?.total == 5)
        #expect(method("csr_huffman")?.total == 10)
    }

    @Test func entropyAndTernColumns() throws {
        // Layer 0: 1 × (−1), 2 × (+1), 29 zeros of 32: 1·5 + 2·4 + 29·log2(32/29) bits.
        let h0 = (13 + 29 * log2(32.0 / 29.0)) / 8
        // Layer 1: 1 × (−1), 3 × (+1) of 4: 1·2 + 3·log2(4/3) bits.
        let h1 = (2 + 3 * log2(4.0 / 3.0)) / 8
        let e = try #require(method("entropy"))
        #expect(abs(e.layers[0]! - h0) < 1e-9)
        #expect(abs(e.layers[1]! - h1) < 1e-9)
        let t = try #require(report().tern)
        #expect(t.weightBytes == 5)
        #expect(t.nonWeightBytes == 495)
        #expect(abs(t.weightsOverEntropy - 5 / (h0 + h1)) < 1e-9)
        #expect(t.weightsOverStoredEntropy == 1.25)
        #expect(method("tern_file")?.total == 500)
    }

    @Test func missingToolsSaySo() {
        let m = method("tern-no-such-compressor")
        #expect(m?.total == nil)
        #expect(m?.note == "tern-no-such-compressor not installed")
        #expect(report().markdownTable().contains("tern-no-such-compressor not installed"))
    }

    @Test func huffmanLengthsAreOptimal() {
        #expect(Huffman.codeLengths([5, 0, 1, 1, 2]) == [1, 0, 3, 3, 2])
        #expect(Huffman.payloadBits([1, 1, 1, 1]) == 8)
        #expect(Huffman.payloadBits([7]) == 7)
    }

    @Test func svgHasOneBarPerMeasuredRow() {
        let svg = report().svg(title: "test <net>")
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("test &lt;net&gt;"))
        let measured = report().methods.filter { ($0.total ?? 0) > 0 }.count
        #expect(svg.components(separatedBy: "<rect x=").count - 1 == measured)
    }

    @Test func reportOfACompiledNetworkMatchesItsSections() throws {
        let net = Fixtures.dense([30, 20, 4], sparsity: 0.8, seed: 2)
        let bytes = try Compiler.compile(network: net, options: CompileOptions(eliminateDeadNeurons: false))
        let (decoded, storage) = try ArtifactDecoder.decode(bytes)
        let r = SizeReport.measure(SizeReport.inputs(decoded), tern: storage, compressors: [])
        let file = try TernFile(parsing: bytes)
        #expect(r.methods.first { $0.id == "tern_weights" }?.layers
            == file.layers.map { Double(file.sections[Int($0.weightSection)].storedBytes) })
        #expect(r.layers.map(\.weights) == [600, 80])
    }
}
