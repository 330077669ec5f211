import Testing
@testable import TernCompiler
import TernFormat
import TernModel

@Suite struct ThresholdTests {
    @Test func narrowestLayoutLeavesRoomForSentinels() {
        #expect(ThresholdPass.narrowestLayout([Int32.min, -127, 126, Int32.max]) == .int8)
        #expect(ThresholdPass.narrowestLayout([-128]) == .int16)  // −128 is int8's "always" sentinel
        #expect(ThresholdPass.narrowestLayout([127]) == .int16)   // 127 is int8's "never" sentinel
        #expect(ThresholdPass.narrowestLayout([-32767, 32766]) == .int16)
        #expect(ThresholdPass.narrowestLayout([32767]) == .int32)
        #expect(ThresholdPass.narrowestLayout([Int32.min, Int32.max]) == .int8)
    }

    @Test func encodingMapsSentinelsToTheNarrowTypesExtremes() {
        let values: [Int32] = [Int32.min, -5, 0, 90, Int32.max]
        for layout in [SectionLayout.int8, .int16, .int32] {
            let bytes = ThresholdPass.encode(values, as: layout)
            #expect(bytes.count == values.count * layout.integerWidth!)
            #expect(ThresholdPass.decode(bytes, as: layout) == values)
        }
        #expect(ThresholdPass.encode([Int32.min, Int32.max], as: .int8) == [0x80, 0x7F])
        #expect(ThresholdPass.encode([Int32.min, Int32.max], as: .int16) == [0x00, 0x80, 0xFF, 0x7F])
    }

    @Test func canonicalizationTurnsUnreachableThresholdsIntoSentinels() {
        // One channel with two +1 and one −1 weight on 2-bit inputs: acc ∈ [−3, 6].
        let record = LayerRecord(kind: .dense, inputBits: 2, outputBits: 2, inChannels: 4, inHeight: 1, inWidth: 1,
                                 outChannels: 1, outHeight: 1, outWidth: 1, nonzeroWeights: 3)
        let layer = IntegerNetwork.Layer(record: record, weights: [1, 1, -1, 0], thresholds: [-3, 6, 7])
        let net = IntegerNetwork(name: "", architecture: "", dataset: "", inputChannels: 4, inputHeight: 1,
                                 inputWidth: 1, layers: [layer])
        let (out, changed) = ThresholdPass.canonicalize(net)
        #expect(changed)
        #expect(out.layers[0].thresholds == [Int32.min, 6, Int32.max])
    }

    @Test func compiledThresholdsSurviveNarrowing() throws {
        var net = Fixtures.dense([12, 6, 3], bits: 2, sparsity: 0.3, seed: 11)
        net.layers[0].thresholds[0] = Int32.min  // channel 0: always ≥ first threshold
        net.layers[0].thresholds[5] = Int32.max  // channel 1: never reaches its last
        let artifact = try Compiler.compileWithReport(network: net, options: CompileOptions(eliminateDeadNeurons: false))
        let file = try TernFile(parsing: artifact.bytes)
        let section = file.sections[Int(file.layers[0].paramSection)]
        #expect(section.layout == .int16)  // pixels: |acc| up to 12·255
        let decoded = try ArtifactDecoder.decode(artifact.bytes).network
        // Channels may have been reordered by density; the sentinels must still be there, unnarrowed.
        #expect(decoded.layers[0].thresholds.contains(Int32.min))
        #expect(decoded.layers[0].thresholds.contains(Int32.max))
        #expect(decoded.layers[0].thresholds == artifact.network.layers[0].thresholds)
    }
}
