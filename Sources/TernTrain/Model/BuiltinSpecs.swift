/// Trainer specs of the standard architectures (mirrors Models/architectures/*.json until the trainer reads those).
public enum BuiltinSpecs {
    public static let lfc = NetworkSpec(name: "lfc", channels: 1, height: 28, width: 28, layers: [
        .dense(outputs: 1024, bits: 1), .dense(outputs: 1024, bits: 1), .dense(outputs: 1024, bits: 1),
        .dense(outputs: 10, bits: nil),
    ])
}
