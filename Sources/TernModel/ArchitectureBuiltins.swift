/// The architectures Tern trains, as in `Models/architectures/*.json` (a test keeps the two identical).
///
/// All hidden layers default to the 1-bit sign activation (FINN's W1A1 networks); `withActivationBits` switches any
/// of them to the 2-bit uniform quantizer. Every weight layer, first and last included, is ternary.
extension Architecture {
    /// Names accepted by `builtin(named:)`.
    public static let builtinNames = ["cnv", "cnv28", "lfc", "sfc"]

    /// A built-in architecture by name, with `activationBits` (1 or 2) on every hidden layer.
    public static func builtin(named name: String, activationBits: Int = 1) throws(ArchitectureError) -> Architecture {
        let base: Architecture
        switch name {
        case "lfc": base = lfc
        case "sfc": base = sfc
        case "cnv": base = cnv
        case "cnv28": base = cnv28
        default: throw .unknownBuiltin(name: name, known: builtinNames)
        }
        return try base.withActivationBits(activationBits)
    }

    /// FINN's LFC: 784-1024-1024-1024-10 on 28×28×1.
    public static let lfc = Architecture(
        name: "lfc", input: Input(channels: 1, height: 28, width: 28),
        layers: [
            .dense(out: 1024, activation: .sign), .dense(out: 1024, activation: .sign),
            .dense(out: 1024, activation: .sign), .dense(out: 10, activation: nil),
        ],
        note: "FINN LFC: three hidden dense layers of 1024. The first layer reads raw uint8 pixels (scale 1/255); "
            + "the last layer is ternary and produces logits through a folded per-class affine.")

    /// FINN's SFC: 784-256-256-256-10 on 28×28×1.
    public static let sfc = Architecture(
        name: "sfc", input: Input(channels: 1, height: 28, width: 28),
        layers: [
            .dense(out: 256, activation: .sign), .dense(out: 256, activation: .sign),
            .dense(out: 256, activation: .sign), .dense(out: 10, activation: nil),
        ],
        note: "FINN SFC: three hidden dense layers of 256. The first layer reads raw uint8 pixels (scale 1/255); "
            + "the last layer is ternary and produces logits through a folded per-class affine.")

    /// FINN's CNV for 32×32×3: valid 3×3 convs 64, 64, pool, 128, 128, pool, 256, 256, dense 512, 512, 10.
    public static let cnv = Architecture(
        name: "cnv", input: Input(channels: 3, height: 32, width: 32),
        layers: cnvLayers(firstPairPadding: 0),
        note: "FINN CNV: 3x3 valid convs 64,64,pool,128,128,pool,256,256 (32->30->28->14->12->10->5->3->1), "
            + "dense 512,512,10. The first layer reads raw uint8 pixels (scale 1/255); the last layer is ternary "
            + "and produces logits through a folded per-class affine.")

    /// CNV for 28×28×1 inputs: the first conv pair uses padding 1 so that the valid convs after it end at 1×1.
    public static let cnv28 = Architecture(
        name: "cnv28", input: Input(channels: 1, height: 28, width: 28),
        layers: cnvLayers(firstPairPadding: 1),
        note: "CNV adapted to 28x28x1: the first two convs use padding 1 (code-0 padding) so the shapes go "
            + "28->28->28->14->12->10->5->3->1 exactly like CNV's 32->30->28->14->...; everything else is CNV. "
            + "The first layer reads raw uint8 pixels (scale 1/255); the last layer is ternary and produces logits "
            + "through a folded per-class affine.")

    private static func cnvLayers(firstPairPadding p: Int) -> [Layer] {
        [
            .conv(out: 64, kernel: 3, padding: p, activation: .sign),
            .conv(out: 64, kernel: 3, padding: p, activation: .sign),
            .maxPool(size: 2),
            .conv(out: 128, kernel: 3, padding: 0, activation: .sign),
            .conv(out: 128, kernel: 3, padding: 0, activation: .sign),
            .maxPool(size: 2),
            .conv(out: 256, kernel: 3, padding: 0, activation: .sign),
            .conv(out: 256, kernel: 3, padding: 0, activation: .sign),
            .dense(out: 512, activation: .sign),
            .dense(out: 512, activation: .sign),
            .dense(out: 10, activation: nil),
        ]
    }

    /// The same network with the standard `bits`-bit quantizer (1: sign, 2: uniform) on every hidden layer.
    public func withActivationBits(_ bits: Int) throws(ArchitectureError) -> Architecture {
        let hidden = layers.indices.filter { layers[$0].activation != nil }
        return try withActivationBits(Array(repeating: bits, count: hidden.count))
    }

    /// The same network with `bits[n]` on the n-th activated layer (1: sign, 2: uniform).
    public func withActivationBits(_ bits: [Int]) throws(ArchitectureError) -> Architecture {
        let hidden = layers.indices.filter { layers[$0].activation != nil }
        guard bits.count == hidden.count else {
            throw .badInput(problem: "\(bits.count) activation widths given for \(hidden.count) activated layers")
        }
        var copy = self
        for (layerIndex, b) in zip(hidden, bits) {
            guard let activation = Activation.standard(bits: b) else {
                throw .badActivation(layer: layerIndex, problem: "bits \(b): only 1 (sign) and 2 (uniform) are built in")
            }
            switch layers[layerIndex] {
            case .dense(let out, _): copy.layers[layerIndex] = .dense(out: out, activation: activation)
            case .conv(let out, let k, let p, _):
                copy.layers[layerIndex] = .conv(out: out, kernel: k, padding: p, activation: activation)
            case .maxPool: break
            }
        }
        return copy
    }
}
