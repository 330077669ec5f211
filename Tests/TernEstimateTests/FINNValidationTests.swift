import Testing
import TernFormat
@testable import TernEstimate

/// The model against published FINN builds (sources in PublishedFINN.swift and docs/HARDWARE.md §4).
struct FINNValidationTests {
    @Test func folding_reproducesTheFinnthesizerConfigsExactly() {
        for build in [PublishedFINN.lfcW1A1, PublishedFINN.cnvW1A1] {
            let v = FINNValidation(build)
            let perLayer = v.rows.filter { $0.quantity.contains("WMEM") || $0.quantity.contains("TMEM")
                || $0.quantity.contains("cycles") }
            #expect(perLayer.count == 3 * build.cyclesPerLayer.count)
            for row in perLayer { #expect(row.model == row.published, "\(build.name) \(row.quantity)") }
        }
    }

    @Test func lfcW1A1WeightBRAMWithin15Percent() throws {
        // 208 BRAM18 for the weights (the published build: 208 RAMB18 + 6 RAMB36 for the whole design).
        let bram = try #require(FINNValidation(PublishedFINN.lfcW1A1).rows.first { $0.quantity == "BRAM18" })
        #expect(bram.model == 208)
        #expect(abs(bram.ratio - 1) <= 0.15)
    }

    @Test func layerFromARecordCountsEachRowsNonzeros() {
        let record = LayerRecord(kind: .conv, inputBits: 1, outputBits: 1, padding: 1, kernel: 3, stride: 1,
                                 inChannels: 2, inHeight: 5, inWidth: 5, outChannels: 2, outHeight: 5, outWidth: 5)
        var weights = [Int8](repeating: 0, count: 2 * 18)
        weights[0] = 1; weights[17] = -1; weights[20] = 1
        let l = MatrixLayer(record: record, index: 0, weights: weights)
        #expect(l.rows == 2 && l.columns == 18 && l.outputPositions == 25)
        #expect(l.rowNonzeros == [2, 1])
        #expect(l.thresholdsPerRow == 1)
    }
}
