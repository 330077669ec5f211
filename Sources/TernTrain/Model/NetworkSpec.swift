/// The trainer's view of an architecture: input normalization and the layer sequence. Built from TernModel's
/// architecture description (or directly in tests).
public struct NetworkSpec: Equatable, Sendable {
    public enum Layer: Equatable, Sendable {
        /// `bits` nil: no activation (the last weight layer, which produces logits).
        case dense(outputs: Int, bits: Int?)
        case conv(outputs: Int, kernel: Int, padding: Int, bits: Int?)
        case maxPool
    }

    public var name: String
    public var channels: Int, height: Int, width: Int
    /// Input real value = `inputScale · pixel + inputOffset`.
    public var inputScale: Float
    public var inputOffset: Float
    public var layers: [Layer]

    public init(name: String, channels: Int, height: Int, width: Int, inputScale: Float = 1.0 / 255,
                inputOffset: Float = 0, layers: [Layer]) {
        self.name = name
        self.channels = channels; self.height = height; self.width = width
        self.inputScale = inputScale; self.inputOffset = inputOffset
        self.layers = layers
    }
}
