import Testing
import TernModel
@testable import TernTrain

/// The float simulation's per-block trace speaks the integer reference's language: same blocks, same HWC order,
/// same codes wherever the batch-norm output is not within float rounding of a threshold.
@Suite struct SimulationTraceTests {
    @Test func codesMatchTheIntegerReferenceBlockByBlock() throws {
        let t = TrainingTests.train(TrainingTests.tinyConv, TrainingTests.recipe([1, 1, 1]))
        let network = try TrainingCheckpoint.checkpoint(t, dataset: "mnist").folded()
        let test = TrainingTests.data(20, seed: 2)
        let size = test.imageSize
        var compared = 0
        for i in 0 ..< test.count {
            let pixels = Array(test.images[(i * size) ..< ((i + 1) * size)])
            let integer = try IntegerReference.trace(network: network, image: pixels)
            let float = try #require(t.network.trace(t.network.inputs(test.images, imageSize: size, indices: [i])))
            #expect(float.blocks.count == integer.count && float.logits.count == 10)
            #expect(float.blocks.last?.codes.isEmpty == true)
            var upstreamDiffers = false
            for (f, n) in zip(float.blocks, integer).dropLast() {
                #expect(f.codes.count == n.count)
                for u in 0 ..< min(f.codes.count, n.count) where f.codes[u] != n[u] {
                    // A weight layer may only disagree at a threshold; a pool only after such a disagreement.
                    if f.thresholdDistance.isEmpty { #expect(upstreamDiffers) } else { #expect(f.thresholdDistance[u] < 1e-4) }
                    upstreamDiffers = true
                }
                compared += f.codes.count
            }
            #expect(float.blocks[0].thresholdDistance.count == float.blocks[0].codes.count)
            #expect(float.blocks[1].thresholdDistance.isEmpty, "the pool has no thresholds of its own")
        }
        // 4 × 12 × 12 conv codes and 4 × 6 × 6 pooled codes per image.
        #expect(compared == test.count * (4 * 144 + 4 * 36))
    }

    @Test func theFloatBaselineHasNoCodes() {
        var r = Recipe(method: .float, sparsity: 0, epochs: [1], seed: 1)
        r.batchSize = 10
        let t = TrainingTests.train(TrainingTests.tiny, r)
        let test = TrainingTests.data(1, seed: 2)
        #expect(t.network.trace(t.network.inputs(test.images, imageSize: test.imageSize, indices: [0])) == nil)
    }
}
