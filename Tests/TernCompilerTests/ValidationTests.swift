import Testing
@testable import TernCompiler
import TernFormat
import TernModel

/// Unsupported or inconsistent networks are rejected before any work, with the layer named.
@Suite struct ValidationTests {
    let net = Fixtures.convNet(sparsity: 0.5, seed: 1)

    func error(_ network: IntegerNetwork) -> CompileError? {
        do { _ = try Compiler.compile(network: network); return nil } catch { return error }
    }

    @Test func acceptsTheFixture() {
        #expect(error(net) == nil)
    }

    @Test func rejectsAConvAsFinalLayer() {
        var bad = net
        bad.layers.removeLast()
        bad.layers[2].record.outputBits = 0
        let e = error(bad)
        #expect(e == .unsupportedLayer(index: 2, kind: "conv", reason: "the final layer must be dense (it produces logits)"))
        #expect(e?.description.hasPrefix("layer 2 (conv) is not supported") == true)
    }

    @Test func rejectsUnsupportedActivationWidths() {
        var bad = net
        bad.layers[2].record.outputBits = 3
        bad.layers[3].record.inputBits = 3
        #expect(error(bad) == .unsupportedActivationBits(index: 2, kind: "conv", bits: 3))
        var hidden8 = Fixtures.dense([6, 4, 2], sparsity: 0.5, seed: 1)
        hidden8.layers[0].record.outputBits = 8
        hidden8.layers[1].record.inputBits = 8
        #expect(error(hidden8) == .unsupportedActivationBits(index: 0, kind: "dense", bits: 8))
    }

    @Test func rejectsUnsupportedKernelsAndPooling() {
        var strided = net
        strided.layers[0].record.stride = 2
        guard case .unsupportedLayer(0, "conv", _)? = error(strided) else { Issue.record("stride 2 accepted"); return }
        var pool3 = net
        pool3.layers[1].record.kernel = 3
        guard case .unsupportedLayer(1, "maxpool", _)? = error(pool3) else { Issue.record("3×3 pool accepted"); return }
    }

    @Test func rejectsInconsistentWeights() {
        var count = net
        count.layers[0].weights.removeLast()
        guard case .badWeights(0, "conv", let why)? = error(count) else { Issue.record("short tensor accepted"); return }
        #expect(why.contains("54"))
        var value = net
        value.layers[2].weights[0] = 2
        guard case .badWeights(2, _, let why2)? = error(value) else { Issue.record("weight 2 accepted"); return }
        #expect(why2.contains("not in {−1, 0, +1}"))
        var nonzero = net
        nonzero.layers[3].record.nonzeroWeights += 1
        guard case .badWeights(3, "dense", _)? = error(nonzero) else { Issue.record("bad nonzero count accepted"); return }
    }

    @Test func rejectsInconsistentParameters() {
        var decreasing = net
        decreasing.layers[0].thresholds[0] = 100
        decreasing.layers[0].thresholds[1] = -100
        #expect(error(decreasing) == .badThresholds(index: 0, kind: "conv", reason: "channel 0's thresholds decrease"))
        var short = net
        short.layers[2].thresholds.removeLast()
        guard case .badThresholds(2, _, _)? = error(short) else { Issue.record("short thresholds accepted"); return }
        var affine = net
        affine.layers[3].logitBias.removeLast()
        guard case .badParameters(3, "dense", _)? = error(affine) else { Issue.record("short affine accepted"); return }
    }

    @Test func rejectsShapesThatDoNotChain() {
        var bad = net
        bad.layers[3].record.inChannels = 4
        guard case .shapeMismatch(3, "dense", _)? = error(bad) else { Issue.record("broken chain accepted"); return }
        var input = net
        input.inputChannels = 3
        guard case .shapeMismatch(0, "conv", _)? = error(input) else { Issue.record("wrong input accepted"); return }
        #expect(error(IntegerNetwork(name: "", architecture: "", dataset: "", inputChannels: 1, inputHeight: 1,
                                     inputWidth: 1, layers: [])) == .emptyNetwork)
    }

    @Test func rejectsBadOptions() {
        do {
            _ = try Compiler.compile(network: net, options: CompileOptions(alignment: 48))
            Issue.record("alignment 48 accepted")
        } catch {
            #expect(error == .badOptions("alignment 48 is not a power of two between 8 and 4096"))
        }
    }
}
