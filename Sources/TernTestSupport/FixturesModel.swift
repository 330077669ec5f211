import TernModel

/// Small architectures that exercise every folding path (2-bit and 1-bit activations, padding, pooling, a dense
/// layer after a conv) yet evaluate in microseconds.
public enum FixtureArchitecture {
    /// 2×6×6 → conv 3 (3×3, pad 1, 2-bit) → pool → conv 4 (3×3, pad 0, 1-bit) → dense 5 (1-bit) → dense 3.
    public static let tinyConv = Architecture(
        name: "tiny-conv", input: .init(channels: 2, height: 6, width: 6),
        layers: [
            .conv(out: 3, kernel: 3, padding: 1, activation: .uniform2),
            .maxPool(size: 2),
            .conv(out: 4, kernel: 1, padding: 0, activation: .sign),
            .conv(out: 4, kernel: 3, padding: 1, activation: .sign),
            .dense(out: 5, activation: .sign),
            .dense(out: 3, activation: nil),
        ])

    /// 3×4×4 (CHW ≠ HWC) → dense 8 (2-bit) → dense 6 (1-bit) → dense 4.
    public static let tinyDense = Architecture(
        name: "tiny-dense", input: .init(channels: 3, height: 4, width: 4),
        layers: [
            .dense(out: 8, activation: .uniform2), .dense(out: 6, activation: .sign), .dense(out: 4, activation: nil),
        ])
}

/// Random but valid checkpoints for tests of folding, the compiler and the runtime.
public enum FixtureCheckpoint {
    /// A checkpoint for `architecture` whose ternary weights have about `sparsity` zeros, with batch-norm statistics
    /// scaled so that every quantizer level is reached on typical inputs, both signs of γ, per-channel α, and masks.
    /// Same arguments → identical checkpoint.
    public static func random(
        architecture: Architecture, sparsity: Double, seed: UInt64, dataset: String = "fixture"
    ) -> Checkpoint {
        var rng = SeededGenerator(seed: seed)
        let shapes = try! architecture.inferShapes()
        var layers: [Checkpoint.LayerTensors?] = []
        // Real value range of the current layer's inputs: a ∈ [low, low + span].
        var low = architecture.input.offset
        var span = architecture.input.scale * 255
        for (i, layer) in architecture.layers.enumerated() {
            guard layer.hasWeights else { layers.append(nil); continue }
            let shape = shapes[i]
            let out = shape.output.channels
            let perChannel = shape.fanIn
            let ternary = randomTernary(count: out * perChannel, sparsity: sparsity, using: &rng)
            let weight = ternary.map { t in
                t == 0 ? Float.random(in: -0.2...0.2, using: &rng) : Float(t) * Float.random(in: 0.4...1, using: &rng)
            }
            let mask: [UInt8] = ternary.map { t in t != 0 || Double.random(in: 0..<1, using: &rng) < 0.1 ? 1 : 0 }
            let alpha = (0..<out).map { _ in Float.random(in: 0.25...1.5, using: &rng) }
            var gamma: [Float] = [], beta: [Float] = [], mean: [Float] = [], variance: [Float] = []
            for c in 0..<out {
                let row = ternary[(c * perChannel)..<((c + 1) * perChannel)]
                let sum = row.reduce(0) { $0 + Int($1) }
                let nonzero = row.count(where: { $0 != 0 })
                let a = Double(alpha[c])
                let mid = low + span / 2
                let spread = a * span / 2 * Double(max(nonzero, 1)).squareRoot()
                mean.append(Float(a * mid * Double(sum) + spread * Double.random(in: -0.3...0.3, using: &rng)))
                variance.append(Float(spread * spread * Double.random(in: 0.1...0.5, using: &rng)))
                let g = Float.random(in: 0.5...2, using: &rng)
                gamma.append(Bool.random(using: &rng) ? g : -g)
                beta.append(Float.random(in: -0.3...0.8, using: &rng))
            }
            layers.append(Checkpoint.LayerTensors(
                weight: weight, ternary: ternary, mask: mask, alpha: alpha,
                batchNorm: .init(gamma: gamma, beta: beta, mean: mean, variance: variance)))
            if let activation = layer.activation {
                low = activation.offset
                span = activation.scale * Double(activation.maxCode)
            }
        }
        var checkpoint = Checkpoint(
            architecture: architecture, layers: layers, dataset: dataset, seed: Int(seed % (1 << 62)),
            recipe: ["fixture": true, "sparsity": .double(sparsity)],
            stages: [.init(name: "fixture", epochs: 0)])
        checkpoint.sparsity = checkpoint.measuredSparsity()
        return checkpoint
    }

    /// Random `count` images of the architecture's input shape, HWC `UInt8`, concatenated.
    public static func randomImages(architecture: Architecture, count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        let n = count * architecture.input.channels * architecture.input.height * architecture.input.width
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
}
