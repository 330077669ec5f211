import TernFormat

/// One layer as the dataflow accelerator sees it: a matrix–vector unit of `rows` × `columns` applied at
/// `outputPositions` positions per image (1 for dense layers, outH·outW for convolutions), or a max-pool unit.
public struct MatrixLayer: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case dense, conv, maxPool }

    public var name: String
    public var kind: Kind
    /// Output channels (the matrix height; FINN's MH).
    public var rows: Int
    /// Inputs per output (the matrix width; FINN's MW): C for dense, C·k·k for convolutions.
    public var columns: Int
    public var outputPositions: Int
    /// Bits of one input activation (8 for raw pixels).
    public var inputBits: Int
    /// Thresholds per row (2^bits − 1), 0 for the logits layer.
    public var thresholdsPerRow: Int
    /// Nonzero weights in each row, for the sparse encoding; empty when the network has no weights here.
    public var rowNonzeros: [Int]
    /// Convolution geometry for the sliding-window unit's line buffer: kernel, input width and channels.
    public var kernel: Int
    public var inputWidth: Int
    public var inputChannels: Int
    /// Bytes of this layer's weights in the `.tern` artifact: the token stream decoded, and as stored (zlib).
    public var ternTokenBytes: Int
    public var ternStoredBytes: Int

    public init(name: String, kind: Kind, rows: Int, columns: Int, outputPositions: Int, inputBits: Int,
                thresholdsPerRow: Int, rowNonzeros: [Int], kernel: Int = 0, inputWidth: Int = 0,
                inputChannels: Int = 0, ternTokenBytes: Int = 0, ternStoredBytes: Int = 0) {
        self.name = name; self.kind = kind; self.rows = rows; self.columns = columns
        self.outputPositions = outputPositions; self.inputBits = inputBits; self.thresholdsPerRow = thresholdsPerRow
        self.rowNonzeros = rowNonzeros; self.kernel = kernel; self.inputWidth = inputWidth
        self.inputChannels = inputChannels; self.ternTokenBytes = ternTokenBytes; self.ternStoredBytes = ternStoredBytes
    }

    /// The layer described by a `.tern` layer record; `weights` are its decoded ternary weights (row-major).
    public init(record: LayerRecord, index: Int, weights: [Int8], ternTokenBytes: Int = 0, ternStoredBytes: Int = 0) {
        let kind: Kind = switch record.kind { case .dense: .dense; case .conv: .conv; case .maxPool: .maxPool }
        let rows = kind == .maxPool ? 0 : Int(record.outChannels)
        let columns = record.fanIn
        var nonzeros = [Int](repeating: 0, count: rows)
        if columns > 0, weights.count == rows * columns {
            for r in 0..<rows {
                var n = 0
                for c in 0..<columns where weights[r * columns + c] != 0 { n += 1 }
                nonzeros[r] = n
            }
        }
        self.init(name: "L\(index) \(kind.rawValue)", kind: kind, rows: rows, columns: columns,
                  outputPositions: Int(record.outHeight) * Int(record.outWidth), inputBits: Int(record.inputBits),
                  thresholdsPerRow: record.thresholdsPerChannel, rowNonzeros: nonzeros, kernel: Int(record.kernel),
                  inputWidth: Int(record.inWidth), inputChannels: Int(record.inChannels),
                  ternTokenBytes: ternTokenBytes, ternStoredBytes: ternStoredBytes)
        if kind == .maxPool { outputPositions = Int(record.inHeight) * Int(record.inWidth) }
    }

    public var weightCount: Int { rows * columns }
    public var nonzeros: Int { rowNonzeros.reduce(0, +) }
    public var hasMatrix: Bool { kind != .maxPool && rows > 0 && columns > 0 }

    /// Accumulator width: enough for ±columns·(2^inputBits − 1), plus a sign bit.
    public var accumulatorBits: Int { bitsFor(columns * ((1 << inputBits) - 1) + 1) + 1 }
}
