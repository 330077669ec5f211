/// How the weights are stored and computed on the FPGA.
public enum WeightEncoding: String, Sendable, Codable, CaseIterable {
    /// FINN's case: 1 bit per weight, XNOR–popcount lanes.
    case denseBinary = "dense-binary"
    /// 2 bits per weight (00, +1, −1), two popcounts per lane.
    case denseTernary = "dense-ternary"
    /// Only nonzeros are stored, each as a sign bit and a column index (⌈log2 columns⌉ bits), packed SIMD per word;
    /// each lane reads its input by index from its own LUTRAM copy of the input vector; zero weights cost no cycles.
    case sparseTernary = "sparse-ternary"

    public var label: String {
        switch self {
        case .denseBinary: "dense binary (1 bit)"
        case .denseTernary: "dense ternary (2 bit)"
        case .sparseTernary: "sparse ternary (index)"
        }
    }
}

/// Clock, off-chip bandwidth and the cost model.
public struct EstimateSettings: Sendable, Equatable, Codable {
    public var clockMHz: Double
    /// Off-chip bytes per clock cycle when weights stream from DRAM.
    public var bandwidthBytesPerCycle: Double
    public var resources: FPGAResources
    public init(clockMHz: Double = 200, bandwidthBytesPerCycle: Double = 8, resources: FPGAResources = FPGAResources()) {
        self.clockMHz = clockMHz; self.bandwidthBytesPerCycle = bandwidthBytesPerCycle; self.resources = resources
    }
}

/// One layer's estimate under one encoding.
public struct LayerEstimate: Sendable, Equatable, Codable {
    public var name: String
    public var folding: LayerFolding?
    /// Compute cycles per image with on-chip weights.
    public var cycles: Int
    public var weightBits: Int
    public var weightMemory: MemoryCost
    public var thresholdMemory: MemoryCost
    /// The sliding-window unit's line buffer (convolutions only).
    public var windowBuffer: MemoryCost
    public var computeLUTs: Int
    /// Weight bytes read per image when the weights stream from DRAM (re-read at every output position).
    public var streamedBytesPerImage: Double
    /// Cycles per image the DRAM needs to deliver those bytes.
    public var memoryCycles: Double
    public var boundByMemory: Bool { memoryCycles > Double(cycles) }

    public var bram18: Int { weightMemory.bram18 + thresholdMemory.bram18 + windowBuffer.bram18 }
    /// Compute LUTs plus LUTs used as RAM.
    public var luts: Int { computeLUTs + weightMemory.lutram + thresholdMemory.lutram + windowBuffer.lutram }
}

/// The whole pipeline under one encoding.
public struct NetworkEstimate: Sendable, Equatable, Codable {
    public var encoding: WeightEncoding
    /// Whether the folding was chosen for this encoding's own cycle counts (else: the dense folding, shared).
    public var ownFolding = false
    public var layers: [LayerEstimate]
    public var clockMHz: Double
    public var bandwidthBytesPerCycle: Double

    public var luts: Int { layers.reduce(0) { $0 + $1.luts } }
    public var bram18: Int { layers.reduce(0) { $0 + $1.bram18 } }
    public var weightBits: Int { layers.reduce(0) { $0 + $1.weightBits } }
    /// The slowest layer sets the pipeline's initiation interval.
    public var bottleneckCycles: Int { layers.map(\.cycles).max() ?? 0 }
    public var framesPerSecond: Double { bottleneckCycles == 0 ? 0 : clockMHz * 1e6 / Double(bottleneckCycles) }
    /// Weights streamed from DRAM: each layer takes max(compute, memory) cycles. The DRAM port is shared, so the
    /// total memory cycles of all layers also bound the interval.
    public var streamingCycles: Double {
        let perLayer = layers.map { max(Double($0.cycles), $0.memoryCycles) }.max() ?? 0
        return max(perLayer, layers.reduce(0) { $0 + $1.memoryCycles })
    }
    public var streamingFramesPerSecond: Double { streamingCycles == 0 ? 0 : clockMHz * 1e6 / streamingCycles }
    public var latencyCycles: Int { layers.reduce(0) { $0 + $1.cycles } }
}

/// FINN's analytical model of a streaming dataflow accelerator (docs/HARDWARE.md).
public enum DataflowModel {
    /// Foldings for every layer that meet `targetFPS` at `clockMHz` with the fewest lanes (dense cycle counts);
    /// `nil` for max-pool layers, which are not folded.
    public static func foldings(for layers: [MatrixLayer], targetFPS: Double, clockMHz: Double) -> [LayerFolding?] {
        let budget = max(1, Int((clockMHz * 1e6 / max(targetFPS, 1e-9)).rounded(.down)))
        return layers.map { l in
            l.hasMatrix ? LayerFolding.cheapest(rows: l.rows, columns: l.columns, outputPositions: l.outputPositions,
                                                cycleBudget: budget) : nil
        }
    }

    /// Foldings that meet `targetFPS` with the sparse encoding's own cycle counts (fewer lanes than the dense ones).
    public static func sparseFoldings(for layers: [MatrixLayer], targetFPS: Double, clockMHz: Double) -> [LayerFolding?] {
        let budget = max(1, Int((clockMHz * 1e6 / max(targetFPS, 1e-9)).rounded(.down)))
        return layers.map { l in
            l.hasMatrix ? LayerFolding.cheapestSparse(rowNonzeros: l.rowNonzeros, columns: l.columns,
                                                      outputPositions: l.outputPositions, cycleBudget: budget) : nil
        }
    }

    /// The estimate of `layers` folded by `foldings` (one per layer), with weights stored as `encoding`.
    public static func estimate(_ layers: [MatrixLayer], foldings: [LayerFolding?], encoding: WeightEncoding,
                                settings: EstimateSettings) -> NetworkEstimate {
        var out: [LayerEstimate] = []
        for (layer, folding) in zip(layers, foldings) {
            out.append(estimateLayer(layer, folding: folding, encoding: encoding, settings: settings))
        }
        return NetworkEstimate(encoding: encoding, layers: out, clockMHz: settings.clockMHz,
                               bandwidthBytesPerCycle: settings.bandwidthBytesPerCycle)
    }

    static func estimateLayer(_ l: MatrixLayer, folding: LayerFolding?, encoding: WeightEncoding,
                              settings: EstimateSettings) -> LayerEstimate {
        let res = settings.resources
        let window = l.kind == .conv && l.kernel > 1
            ? res.memory(depth: l.kernel * l.inputWidth, width: l.inputChannels * l.inputBits) : MemoryCost()
        guard l.hasMatrix, let f = folding else {
            // Max-pool: one input pixel (all channels) per cycle; a line buffer of one row.
            let buffer = l.kind == .maxPool ? res.memory(depth: l.inputWidth, width: l.inputChannels * l.inputBits)
                                            : MemoryCost()
            return LayerEstimate(name: l.name, folding: nil, cycles: l.outputPositions, weightBits: 0,
                                 weightMemory: MemoryCost(), thresholdMemory: MemoryCost(), windowBuffer: buffer,
                                 computeLUTs: 0, streamedBytesPerImage: 0, memoryCycles: 0)
        }
        let cycles: Int, weightBits: Int, memoryDepth: Int, wordBits: Int, laneLUTs: Int
        switch encoding {
        case .denseBinary, .denseTernary:
            let bitsPerWeight = encoding == .denseBinary ? 1 : 2
            cycles = f.denseCycles(rows: l.rows, columns: l.columns, outputPositions: l.outputPositions)
            weightBits = l.weightCount * bitsPerWeight
            memoryDepth = f.weightMemoryDepth(rows: l.rows, columns: l.columns)
            wordBits = f.simd * bitsPerWeight
            let perLane = encoding == .denseBinary ? res.binaryLaneLUTs : res.ternaryLaneLUTs
            laneLUTs = Int((perLane * Double(l.inputBits)).rounded(.up))
        case .sparseTernary:
            let entryBits = 1 + bitsFor(l.columns)
            let words = f.sparseWordsPerPE(rowNonzeros: l.rowNonzeros)
            cycles = f.sparseCycles(rowNonzeros: l.rowNonzeros, columns: l.columns, outputPositions: l.outputPositions)
            weightBits = l.nonzeros * entryBits
            memoryDepth = words.max() ?? 0
            wordBits = f.simd * entryBits
            laneLUTs = res.gatherLUTs(inputs: l.columns, bits: l.inputBits)
                + Int((res.sparseLaneAddLUTs * Double(l.inputBits)).rounded(.up))
        }
        let weightMemory = f.pe * res.memory(depth: memoryDepth, width: wordBits)
        let thresholdMemory = f.pe * res.memory(depth: f.thresholdMemoryDepth(rows: l.rows),
                                                width: l.thresholdsPerRow * l.accumulatorBits)
        let perPE = Int((res.accumulatorLUTsPerBit * Double(l.accumulatorBits * (1 + l.thresholdsPerRow))).rounded(.up))
        let computeLUTs = f.pe * (f.simd * laneLUTs + perPE)
        // Weights streamed from DRAM are re-read at every output position: the MVU holds no copy.
        let streamed = Double(weightBits) / 8 * Double(l.outputPositions)
        return LayerEstimate(name: l.name, folding: f, cycles: cycles, weightBits: weightBits,
                             weightMemory: weightMemory, thresholdMemory: thresholdMemory, windowBuffer: window,
                             computeLUTs: computeLUTs, streamedBytesPerImage: streamed,
                             memoryCycles: streamed / max(settings.bandwidthBytesPerCycle, 1e-9))
    }
}
