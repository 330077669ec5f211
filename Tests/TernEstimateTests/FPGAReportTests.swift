import Testing
@testable import TernEstimate

struct FPGAReportTests {
    static let layers = [
        MatrixLayer(name: "L0", kind: .dense, rows: 8, columns: 16, outputPositions: 1, inputBits: 8,
                    thresholdsPerRow: 1, rowNonzeros: [1, 0, 2, 0, 0, 3, 0, 1]),
        MatrixLayer(name: "L1", kind: .dense, rows: 4, columns: 8, outputPositions: 1, inputBits: 1,
                    thresholdsPerRow: 0, rowNonzeros: [1, 1, 1, 1], ternStoredBytes: 12),
    ]

    @Test func reportHoldsThreeEncodingsAndTheRefoldedSparseOne() {
        let r = FPGAReport(model: "tiny", layers: Self.layers, targetFPS: 20e6, settings: EstimateSettings(clockMHz: 200))
        #expect(r.estimates.map(\.encoding) == [.denseBinary, .denseTernary, .sparseTernary, .sparseTernary])
        #expect(r.estimates.map(\.ownFolding) == [false, false, false, true])
        // Budget 10 cycles: every estimate meets it; the refolded sparse one with no more lanes than the dense.
        for e in r.estimates { #expect(e.bottleneckCycles <= 10) }
        let lanes = { (e: NetworkEstimate) in e.layers.compactMap(\.folding).reduce(0) { $0 + $1.pe * $1.simd } }
        #expect(lanes(r.estimates[3]) <= lanes(r.estimates[0]))
        // The runtime stream: 12 bytes at 8 B/cycle.
        #expect(r.ternStream.rows[1].memoryCycles == 1.5)
        #expect(r.table().contains("sparse, own folding"))
        #expect(r.svg(title: "tiny").contains("sparse, own folding"))
    }
}
