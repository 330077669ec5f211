import TernFormat

/// How the runtime executes: weights inflated layer by layer through a small window on every inference, or decoded
/// once at load into the fastest kernel layout. Both give identical integers.
public enum ExecutionMode: Sendable {
    case streaming
    case resident
}

/// The resident kernel a weight layer runs, chosen by `Plan`'s cost model.
public enum KernelChoice: Sendable {
    /// Nonzero index lists per output channel: `acc = Σ_P x − Σ_N x`.
    case sparse
    /// +1 / −1 bit masks over the bit-packed input: `acc = Σ_b 2^b (popcount(x_b & P) − popcount(x_b & N))`,
    /// computed with one popcount per word as `Σ_b 2^b popcount(N ^ (x_b & (P | N))) − (2^bits − 1) · popcount(N)`.
    case dense
    /// Per-image column lists over the nonzero inputs (dense layers over pixels or over one position of codes):
    /// `acc[r] += ±x_e` for each nonzero input `e` and each nonzero weight of its column.
    case columns
    /// Bit-sliced batch: 64 images per `UInt64` lane, one row's nonzeros added into bit-sliced counters, the
    /// threshold compared bit-sliced too (dense layers over codes at the end of the network, batch ≥ 8).
    case sliced
    /// Max-pool (no weights).
    case pool
}

/// Which resident kernel each weight layer gets. `.costModel` is what users want; the others exist for tests and
/// benchmarks (every kernel must be bit-exact on every layer).
public enum KernelPolicy: Sendable {
    case costModel
    /// Row lists everywhere (no column lists, no bit-sliced batch).
    case sparse
    /// Popcount masks wherever the input is codes; row lists elsewhere.
    case dense
    /// The bit-sliced batch kernel on every eligible layer, whatever the batch size.
    case sliced
    /// Column lists on every eligible layer (dense over pixels or over one position of codes); row lists elsewhere.
    case columns
}

/// One layer as the engine executes it: shapes, the buffers it reads and writes, the kernel and its cost.
public struct LayerPlan: Sendable {
    public let record: LayerRecord
    public let input: TensorLayout
    /// The output tensor; nil for the final layer (it writes logits).
    public let output: TensorLayout?
    /// Output channels (weight rows).
    public let rows: Int
    /// Weights per row.
    public let fanIn: Int
    /// Output positions one row is applied at (conv: outH·outW; dense: 1; pool: outH·outW).
    public let positions: Int
    /// Patch positions one row covers (conv: k²; dense: inH·inW).
    public let taps: Int
    /// Words of one row's +1 mask in the dense layout (taps · input.wordsPerPlane); 0 for pixel inputs.
    public let maskWords: Int
    /// Nonzero weights, as the layer table declares (checked while decoding).
    public let nonzeros: Int
    /// Resident-mode kernel.
    public let kernel: KernelChoice
    /// Cost-model estimates for one image (arbitrary units; see docs/RUNTIME.md).
    public let sparseCost: UInt64
    public let denseCost: UInt64
    /// Bytes of this layer's decoded weights in resident mode.
    public let residentWeightBytes: Int
    /// Int32 parameters (thresholds, or M then B) after widening.
    public let paramCount: Int

    public var isFinal: Bool { output == nil }
}

/// Where every buffer lives inside the caller's arena, for one mode and batch. Offsets are bytes from the arena's
/// base, each a multiple of 64.
public struct ArenaLayout: Equatable, Sendable {
    /// Ping-pong activation slots: layer i writes its output (all batch entries) into slot i % 2.
    public var slots: (Int, Int) { (slotA, slotB) }
    public var slotA = 0, slotB = 0, slotBytes = 0
    /// Bordered copy of the input pixels when the first layer is a padded conv (else 0 bytes).
    public var staging = 0, stagingBytes = 0
    /// Int64 logits, batch × classes.
    public var logits = 0
    /// The first bit-sliced layer's input, transposed to 64 images per word (0 bytes when nothing is sliced).
    public var slicedInput = 0, slicedInputBytes = 0
    /// Bit-sliced counters (sliced layers) and per-image Int32 accumulators (column kernel).
    public var counters = 0, accumulators = 0
    /// Widened Int32 parameters: per layer (resident) or one layer at a time (streaming; all layers share offset).
    public var params: [Int] = []
    /// One row's nonzero offsets while decoding (`rowListSlots` UInt32s, the largest fan-in); a fused streaming
    /// layer keeps its per-image accumulators there instead.
    public var rowList = 0, rowListSlots = 0
    /// Inflater state and window (0 bytes when no section is compressed).
    public var inflate = 0, inflateBytes = 0
    /// Resident decoded weights per layer (−1 where a layer has none, and in streaming mode).
    public var weights: [Int] = []
    public var total = 0

    public static func == (a: ArenaLayout, b: ArenaLayout) -> Bool {
        a.slicedInput == b.slicedInput && a.slicedInputBytes == b.slicedInputBytes && a.counters == b.counters
            && a.accumulators == b.accumulators && a.slotA == b.slotA && a.slotB == b.slotB && a.slotBytes == b.slotBytes && a.staging == b.staging
            && a.stagingBytes == b.stagingBytes && a.logits == b.logits && a.params == b.params
            && a.rowList == b.rowList && a.rowListSlots == b.rowListSlots && a.inflate == b.inflate && a.inflateBytes == b.inflateBytes
            && a.weights == b.weights && a.total == b.total
    }
}

/// A validated execution plan for one artifact and batch size: the layer chain, every buffer's size and place, the
/// resident kernel of each layer, and the exact arena each mode needs. Building a plan reads only the tables (no
/// section is decoded), so the compiler can call it to write the arena sizes into the header.
public struct Plan: Sendable {
    /// Largest batch the engine accepts.
    public static let maxBatch = 4096
    /// Cost-model weights: one nonzero (gather + add) per plane vs one 64-bit mask word per plane (two popcounts,
    /// vectorized). Measured on the benchmark machine; see docs/RUNTIME.md.
    public static let sparseCostPerNonzero: UInt64 = 4
    public static let denseCostPerWord: UInt64 = 1
    /// Column lists: one scattered add per nonzero weight of a nonzero input (≈ 1 ns, three mask-word units). The input's density is unknown when
    /// planning; trained 2-bit LFC layers measure 38–40 % nonzero codes (docs/RUNTIME.md), so the model assumes
    /// `columnInputDensity` (eighths) and `columnCostPerNonzero` per add, plus one unit per row for the activation.
    public static let columnCostPerNonzero: UInt64 = 3
    public static let columnInputDensity: UInt64 = 3
    /// The bit-sliced kernel pays for 64 lanes whatever the batch; from this batch size on it wins on LFC.
    public static let slicedMinimumBatch = 8
    /// False in firmware builds (`-D TERN_STREAMING_ONLY`), which leave the bit-sliced kernel out (EngineResident.swift).
    #if TERN_STREAMING_ONLY
    static let slicedKernelBuilt = false
    #else
    static let slicedKernelBuilt = true
    #endif
    /// Words of bit-sliced counter scratch (two counters and a difference, each up to 40 levels).
    static let counterWords = 3 * 40
    static let align = 64

    public let batch: Int
    public let layers: [LayerPlan]
    /// The network's input tensor (pixels, unbordered).
    public let inputElements: Int
    public let classCount: Int
    /// Largest zlib window any section declares (0 when nothing is compressed).
    public let windowBits: Int
    /// First layer run by the bit-sliced batch kernel (all later layers are too); nil when none is.
    public let slicedFrom: Int?
    public let streaming: ArenaLayout
    public let resident: ArenaLayout

    /// Exact arena bytes for `mode` at this plan's batch size.
    public func arenaBytes(_ mode: ExecutionMode) -> Int {
        mode == .streaming ? streaming.total : resident.total
    }

    public func layout(_ mode: ExecutionMode) -> ArenaLayout { mode == .streaming ? streaming : resident }

    public init(file: TernFile, batch: Int = 1, policy: KernelPolicy = .costModel) throws(RuntimeError) {
        guard batch >= 1, batch <= Plan.maxBatch else { throw .badBatch(batch) }
        self.batch = batch
        let records = file.layers
        var windowBits = 0
        for (i, s) in file.sections.enumerated() {
            switch (s.kind, s.layout) {
            case (.weights, .ternaryTokens), (.weights, .ternaryPacked2), (.thresholds, .int8),
                 (.thresholds, .int16), (.thresholds, .int32), (.affine, .int32): break
            default: throw .unsupportedSection(index: i)
            }
            if s.compression == .zlib { windowBits = max(windowBits, Int(s.windowBits)) }
        }
        self.windowBits = windowBits

        // Tensor borders: a tensor is bordered by its consumer's padding.
        func border(consumer i: Int) -> Int {
            i < records.count && records[i].kind == .conv ? Int(records[i].padding) : 0
        }
        let limit = UInt64(Limits.arenaBytes)
        func checked(_ bytes: UInt64) throws(RuntimeError) -> Int {
            guard bytes <= limit else { throw .tooLarge(bytes: bytes) }
            return Int(bytes)
        }

        let first = records[0]
        _ = try checked(TensorLayout.bytes(channels: Int(first.inChannels), height: Int(first.inHeight),
                                           width: Int(first.inWidth), bits: 8, border: border(consumer: 0)))
        var input = TensorLayout(channels: Int(first.inChannels), height: Int(first.inHeight),
                                 width: Int(first.inWidth), bits: 8, border: border(consumer: 0))
        inputElements = Int(first.inChannels) * Int(first.inHeight) * Int(first.inWidth)
        // The bit-sliced kernel runs a tail of dense layers over codes.
        var tail = records.count
        while tail > 0 && records[tail - 1].kind == .dense { tail -= 1 }
        if tail == 0 { tail = 1 }  // layer 0 reads pixels
        let slicing = Plan.slicedKernelBuilt && tail < records.count
            && (policy == .sliced || (policy == .costModel && batch >= Plan.slicedMinimumBatch))
        slicedFrom = slicing ? tail : nil
        var plans: [LayerPlan] = []
        for (i, r) in records.enumerated() {
            var output: TensorLayout? = nil
            if !r.isFinal {
                let bits = Int(r.outputBits)
                guard bits == 1 || bits == 2 else { throw .unsupportedLayer(index: i) }
                let bytes = try checked(TensorLayout.bytes(
                    channels: Int(r.outChannels), height: Int(r.outHeight), width: Int(r.outWidth), bits: bits,
                    border: border(consumer: i + 1)))
                // Offsets into a tensor are UInt32 bit positions.
                guard UInt64(bytes) * 8 < (1 << 32) else { throw .tooLarge(bytes: UInt64(bytes)) }
                output = TensorLayout(channels: Int(r.outChannels), height: Int(r.outHeight), width: Int(r.outWidth),
                                      bits: bits, border: border(consumer: i + 1))
            }
            guard r.kind != .maxPool || !input.isPixels else { throw .unsupportedLayer(index: i) }
            let positions = r.kind == .dense ? 1 : Int(r.outHeight) * Int(r.outWidth)
            let taps = r.kind == .conv ? Int(r.kernel) * Int(r.kernel) : (r.kind == .dense ? Int(r.inHeight) * Int(r.inWidth) : 0)
            let maskWords = input.isPixels || r.kind == .maxPool ? 0 : taps * input.wordsPerPlane
            let rows = Int(r.outChannels)
            let nonzeros = Int(r.nonzeroWeights)
            var kernel = KernelChoice.pool
            var sparseCost: UInt64 = 0, denseCost: UInt64 = 0, weightBytes: UInt64 = 0
            var paramCount = 0
            if r.kind != .maxPool {
                let planes = UInt64(input.isPixels ? 1 : input.bits)
                sparseCost = Plan.sparseCostPerNonzero * UInt64(nonzeros) * UInt64(positions) * planes
                let sparseBytes = UInt64(rows + 1) * 4 + UInt64(rows) * 4 + UInt64(nonzeros) * 4
                let columnBytes = UInt64(2 * r.fanIn + 1) * 4 + UInt64(nonzeros) * 2
                if slicing && i >= tail {
                    kernel = .sliced
                    weightBytes = sparseBytes
                } else if input.isPixels {
                    let columnar = r.kind == .dense && policy != .sparse && policy != .dense
                    kernel = columnar ? .columns : .sparse
                    weightBytes = columnar ? columnBytes : sparseBytes
                } else {
                    denseCost = Plan.denseCostPerWord * UInt64(rows) * UInt64(positions) * UInt64(maskWords) * planes
                    let denseBytes = UInt64(rows) * UInt64(maskWords) * 16 + UInt64(rows) * 4
                    let columnar = r.kind == .dense && input.height * input.width == 1
                    let columnCost = Plan.columnCostPerNonzero * UInt64(nonzeros) * Plan.columnInputDensity / 8
                        + UInt64(rows)
                    switch policy {
                    case .costModel, .sliced:
                        kernel = denseCost < sparseCost ? .dense : .sparse
                        if columnar && columnCost < min(denseCost, sparseCost) { kernel = .columns }
                    case .sparse: kernel = .sparse
                    case .dense: kernel = .dense
                    case .columns: kernel = columnar ? .columns : .sparse
                    }
                    weightBytes = kernel == .dense ? denseBytes : (kernel == .columns ? columnBytes : sparseBytes)
                }
                paramCount = r.isFinal ? 2 * rows : rows * r.thresholdsPerChannel
            }
            plans.append(LayerPlan(
                record: r, input: input, output: output, rows: rows, fanIn: r.fanIn, positions: positions,
                taps: taps, maskWords: maskWords, nonzeros: nonzeros, kernel: kernel, sparseCost: sparseCost,
                denseCost: denseCost, residentWeightBytes: try checked(weightBytes), paramCount: paramCount))
            if let output { input = output }
        }
        layers = plans
        classCount = Int(records[records.count - 1].outChannels)
        streaming = try Plan.arena(plans, mode: .streaming, batch: batch, classes: classCount, windowBits: windowBits,
                                   slicedFrom: slicedFrom)
        resident = try Plan.arena(plans, mode: .resident, batch: batch, classes: classCount, windowBits: windowBits,
                                  slicedFrom: slicedFrom)
    }

    /// Refuses a file whose header understates the arena either mode needs at batch 1 with the cost model's kernels
    /// (what the compiler writes): firmware sizes its static arena from these fields, so an understated one must be
    /// refused before anything runs. An overstated arena is accepted: it is a safe upper bound, and a runtime with
    /// a leaner plan than the compiler's must still run older files (docs/FORMAT.md §7).
    public static func checkDeclaredArenas(_ file: TernFile) throws(RuntimeError) {
        let plan = try Plan(file: file, batch: 1, policy: .costModel)
        for mode in [ExecutionMode.streaming, .resident] {
            let declared = Int(mode == .streaming ? file.header.arenaStreamingBytes : file.header.arenaResidentBytes)
            let needed = plan.arenaBytes(mode)
            guard declared >= needed else { throw .declaredArenaTooSmall(mode: mode, declared: declared, needed: needed) }
        }
    }

    /// Lays the buffers out one after another, 64-byte aligned, in 64-bit arithmetic checked against the limit.
    static func arena(_ layers: [LayerPlan], mode: ExecutionMode, batch: Int, classes: Int,
                      windowBits: Int, slicedFrom: Int?) throws(RuntimeError) -> ArenaLayout {
        var cursor: UInt64 = 0
        func take(_ bytes: UInt64) throws(RuntimeError) -> Int {
            let start = cursor
            cursor += (bytes + UInt64(align) - 1) / UInt64(align) * UInt64(align)
            guard cursor <= UInt64(Limits.arenaBytes) else { throw .tooLarge(bytes: cursor) }
            return Int(start)
        }
        var a = ArenaLayout()
        var slotBytes: UInt64 = 0
        var maxFanIn = 0
        var maxParams = 0
        var maxRows = 0
        let groups = UInt64((batch + 63) / 64)
        for (i, l) in layers.enumerated() {
            if let o = l.output {
                slotBytes = max(slotBytes, UInt64(o.bytes) * UInt64(batch))
                if let s = slicedFrom, i >= s {
                    slotBytes = max(slotBytes, UInt64(o.channels * o.height * o.width * o.bits) * 8 * groups)
                }
            }
            maxFanIn = max(maxFanIn, l.fanIn)
            maxParams = max(maxParams, l.paramCount)
            maxRows = max(maxRows, l.rows)
        }
        a.slotBytes = Int(slotBytes)
        a.slotA = try take(slotBytes)
        a.slotB = try take(slotBytes)
        if let s = slicedFrom {
            let input = layers[s].input
            a.slicedInputBytes = input.channels * input.height * input.width * input.bits * 8 * Int(groups)
            a.slicedInput = try take(UInt64(a.slicedInputBytes))
            a.counters = try take(UInt64(counterWords) * 8)
        }
        if mode == .resident && layers.contains(where: { $0.kernel == .columns }) {
            a.accumulators = try take(UInt64(maxRows) * 4)
        }
        let input = layers[0].input
        if input.border > 0 {
            a.stagingBytes = input.bytes
            a.staging = try take(UInt64(input.bytes) * UInt64(batch))
        }
        a.logits = try take(UInt64(batch) * UInt64(classes) * 8)
        a.rowList = try take(UInt64(maxFanIn) * 4)
        a.rowListSlots = maxFanIn
        if windowBits > 0 {
            a.inflateBytes = InflateMemory.bytes(windowBits: windowBits)
            a.inflate = try take(UInt64(a.inflateBytes))
        }
        switch mode {
        case .streaming:
            let shared = try take(UInt64(maxParams) * 4)
            a.params = layers.map { _ in shared }
            a.weights = layers.map { _ in -1 }
        case .resident:
            for l in layers {
                a.params.append(l.paramCount > 0 ? try take(UInt64(l.paramCount) * 4) : -1)
            }
            for l in layers {
                a.weights.append(l.record.kind == .maxPool ? -1 : try take(UInt64(l.residentWeightBytes)))
            }
        }
        a.total = Int(cursor)
        return a
    }
}
