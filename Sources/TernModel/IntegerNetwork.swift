import TernFormat

/// A network in the integer terms of docs/DATAFLOW.md: what folding produces, what the compiler writes into a `.tern`
/// artifact and what the integer reference, the runtime and the firmware execute.
///
/// It is the contract between TernModel (folding, integer reference), TernCompiler (encoding) and the tests that check
/// the runtime against both. Weights are in **artifact order** (dense `[out][in]` with HWC-flattened inputs, conv OHWI);
/// negative batch-norm scales are already folded into negated rows.
public struct IntegerNetwork: Equatable, Sendable {
    /// One layer; `record` uses the artifact's own layer description (shapes, bits, kernel, padding).
    public struct Layer: Equatable, Sendable {
        /// Shapes and bit widths. `weightSection`, `paramSection` are left as `LayerRecord.noSection` here: section
        /// numbering is the compiler's business. `nonzeroWeights` is kept equal to the count of nonzero `weights`.
        public var record: LayerRecord
        /// Ternary weights in artifact order, values in {−1, 0, +1}; empty for max-pool.
        public var weights: [Int8]
        /// Hidden layers: `thresholdsPerChannel` non-decreasing thresholds per output channel, channel-major.
        /// Final layer and max-pool: empty.
        public var thresholds: [Int32]
        /// Final layer only: `logit[c] = Int64(acc[c]) · Int64(scale[c]) + Int64(bias[c])`; else empty.
        public var logitScale: [Int32]
        public var logitBias: [Int32]

        public init(record: LayerRecord, weights: [Int8] = [], thresholds: [Int32] = [],
                    logitScale: [Int32] = [], logitBias: [Int32] = []) {
            self.record = record
            self.weights = weights
            self.thresholds = thresholds
            self.logitScale = logitScale
            self.logitBias = logitBias
        }
    }

    /// Description only (written to the artifact's metadata): `general.name`, `general.architecture`,
    /// `general.dataset`, …; nothing here changes a result.
    public var name: String
    public var architecture: String
    public var dataset: String
    /// Input image shape (channels, height, width); pixels are `UInt8`, HWC.
    public var inputChannels: Int
    public var inputHeight: Int
    public var inputWidth: Int
    public var layers: [Layer]

    public init(name: String, architecture: String, dataset: String,
                inputChannels: Int, inputHeight: Int, inputWidth: Int, layers: [Layer]) {
        self.name = name
        self.architecture = architecture
        self.dataset = dataset
        self.inputChannels = inputChannels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.layers = layers
    }

    /// Number of classes (the final layer's output channels).
    public var classCount: Int { layers.last.map { Int($0.record.outChannels) } ?? 0 }
    /// Pixels per input image.
    public var inputElements: Int { inputChannels * inputHeight * inputWidth }
}
