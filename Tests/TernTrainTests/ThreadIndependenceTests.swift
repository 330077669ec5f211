import Testing
import TernModel
@testable import TernTrain

/// The layers split their work between threads (im2col and pooling by image, batch norm by channel or row); none of
/// that may change a bit. Sizes are chosen above `BatchNormKernels.parallelThreshold` and with channel counts that do
/// not divide evenly, so every split really happens.
@Suite(.serialized) struct ThreadIndependenceTests {
    private func random(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0 ..< n).map { _ in rng.nextUnitFloat() * 2 - 1 }
    }

    private func withThreads<T>(_ n: Int, _ body: () -> T) -> T {
        Parallel.overrideThreads = n
        defer { Parallel.overrideThreads = nil }
        return body()
    }

    /// Forward (training statistics), backward and the updated running statistics of a conv layer with a 2-bit
    /// activation, followed by a max-pool.
    private func convStep(threads: Int, padding: Int) -> [[Float]] {
        withThreads(threads) {
            var rng = SplitMix64(seed: 5)
            let (batch, c, side, out) = (6, 3, 16, 40)
            let layer = WeightLayer(geometry: .conv(inChannels: c, height: side, width: side, kernel: 3, padding: padding),
                                    outputs: out, activation: .uniform2, rng: &rng)
            layer.quantization = .ternary
            layer.inputPadValue = -1
            layer.gamma.value = random(out, seed: 6).map { $0 + 1.5 }
            layer.beta.value = random(out, seed: 7).map { $0 * 0.5 + 0.5 }
            #expect(batch * layer.outHeight * layer.outWidth * out >= BatchNormKernels.parallelThreshold)
            let pool = MaxPool(channels: out, height: layer.outHeight, width: layer.outWidth)
            let y = layer.forward(random(batch * side * side * c, seed: 8), batch: batch, training: true)
            let pooled = pool.forward(y, batch: batch)
            let dPool = pool.backward(random(pooled.count, seed: 9))
            let dx = layer.backward(dPool, needInputGradient: true)
            // A second step reuses the layer's scratch buffers (z, dz, im2col offsets): it must not see the first.
            let y2 = layer.forward(random(batch * side * side * c, seed: 10), batch: batch, training: true)
            let dx2 = layer.backward(pool.backward(random(pool.forward(y2, batch: batch).count, seed: 11)),
                                     needInputGradient: true)
            return [y, pooled, dPool, dx, y2, dx2, layer.weight.grad, layer.gamma.grad, layer.beta.grad,
                    layer.runningMean, layer.runningVar]
        }
    }

    @Test(arguments: [0, 1])
    func convBatchNormAndPoolDoNotDependOnThreadCount(padding: Int) {
        let one = convStep(threads: 1, padding: padding)
        for threads in [2, 3] {
            let many = convStep(threads: threads, padding: padding)
            for (i, (a, b)) in zip(one, many).enumerated() {
                #expect(a == b, "tensor \(i) differs with \(threads) threads")
            }
        }
    }

    @Test func denseBatchNormDoesNotDependOnThreadCount() {
        func step(_ threads: Int) -> [[Float]] {
            withThreads(threads) {
                var rng = SplitMix64(seed: 11)
                let layer = WeightLayer(geometry: .dense(inputs: 50), outputs: 333, activation: .sign, rng: &rng)
                layer.quantization = .ternary
                let y = layer.forward(random(120 * 50, seed: 12), batch: 120, training: true)
                let dx = layer.backward(random(y.count, seed: 13), needInputGradient: true)
                return [y, dx, layer.weight.grad, layer.gamma.grad, layer.runningVar]
            }
        }
        let one = step(1)
        #expect(one == step(2))
        #expect(one == step(3))
    }
}
