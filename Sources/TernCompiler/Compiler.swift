import TernFormat
import TernModel
import TernRuntime

/// The offline compiler: an `IntegerNetwork` (what folding produces) in, `.tern` bytes out.
///
/// A pipeline of small passes, in order:
/// 1. `ValidatePass` — reject unsupported layers, shapes and activation widths up front, naming the layer.
/// 2. `ThresholdPass.canonicalize` + `DeadNeuronPass`, to a fixed point (optional), then `NeuronOrderPass`
///    (hidden channels by density or by threshold shape; both are compiled and the smaller file wins); all bit-exact.
/// 3. `WeightEncoder` — per layer, the smallest of tokens / packed2 × none / zlib strategies (including
///    Huffman-only with DEFLATE blocks cut between groups of rows, `RowSegmentation`).
/// 4. `ThresholdPass.narrowestLayout` — thresholds as int8 / int16 / int32; the affine as int32.
/// 5. Assembly with `TernWriter`, the arena sizes from the runtime's planner, and a check against the target's RAM
///    budget (lowering the largest zlib window until the arena fits).
///
/// Deterministic: the same network and options give the same bytes.
public enum Compiler {
    /// The version string written to `compiler.version`.
    public static let version = "tern-compiler 1"

    /// Compiles `network` and returns the artifact's bytes.
    public static func compile(network: IntegerNetwork, options: CompileOptions = CompileOptions()) throws(CompileError) -> [UInt8] {
        try compileWithReport(network: network, options: options).bytes
    }

    /// Compiles `network` and also returns what was chosen for every layer.
    public static func compileWithReport(
        network: IntegerNetwork, options: CompileOptions = CompileOptions()
    ) throws(CompileError) -> CompiledArtifact {
        guard options.alignment >= 8, options.alignment <= 4096, options.alignment & (options.alignment - 1) == 0 else {
            throw .badOptions("alignment \(options.alignment) is not a power of two between 8 and 4096")
        }
        if let ram = options.ramKiB, ram < 8 { throw .badOptions("--ram \(ram) KiB is below the 8 KiB minimum") }
        try ValidatePass.run(network)
        let optimized = optimize(network, eliminateDeadNeurons: options.eliminateDeadNeurons)
        // Both channel orders are compiled; the smaller file wins (ties: density, the first).
        var best: CompiledArtifact?
        var firstError: CompileError?
        for key in NeuronOrderPass.Key.allCases {
            let artifact: CompiledArtifact
            do {
                artifact = try fit(NeuronOrderPass.apply(optimized.network, key: key), original: network,
                                   removed: optimized.removedChannels, options: options)
            } catch {
                firstError = firstError ?? error
                continue
            }
            if best.map({ artifact.bytes.count < $0.bytes.count }) ?? true { best = artifact }
        }
        guard let best else { throw firstError! }
        return best
    }

    /// Encodes, plans the arena and lowers the zlib window until the arena fits the target's budget.
    static func fit(
        _ stored: IntegerNetwork, original network: IntegerNetwork, removed: Int, options: CompileOptions
    ) throws(CompileError) -> CompiledArtifact {
        var lastArena: ArenaSizes?
        var maxWindow = 15
        while true {
            let encodings = try encodeWeights(stored, maxWindowBits: maxWindow, goal: options.goal)
            var artifact = try assemble(stored, original: network, encodings: encodings,
                                        maxWindowBits: maxWindow, options: options,
                                        arena: ArenaSizes(streaming: 0, resident: 0))
            artifact.removedChannels = removed
            let arena: ArenaSizes
            switch options.arenaPlanner {
            case .none: return artifact
            case .runtime: arena = try runtimeArena(artifact.bytes)
            case .custom(let planner):
                guard let planned = planner(artifact.bytes) else { throw .runtimeRejects("the arena planner failed") }
                arena = planned
            }
            artifact = try assemble(stored, original: network, encodings: encodings,
                                    maxWindowBits: maxWindow, options: options, arena: arena)
            artifact.removedChannels = removed
            guard let budget = options.arenaBudgetBytes, arena.streaming > budget else { return artifact }
            lastArena = arena
            // Lower the window below the largest one in use; nothing to lower once every stream uses the smallest.
            guard artifact.largestWindowBits > WeightEncoder.smallestWindowBits else { break }
            maxWindow = artifact.largestWindowBits - 1
        }
        throw .doesNotFit(target: options.target.rawValue, arenaBytes: lastArena?.streaming ?? 0,
                          budgetBytes: options.arenaBudgetBytes ?? 0)
    }

    /// The runtime's own plan of the artifact: the exact arenas, and the proof that the runtime accepts every layer
    /// and section the compiler wrote.
    static func runtimeArena(_ bytes: [UInt8]) throws(CompileError) -> ArenaSizes {
        let file: TernFile
        do { file = try TernFile(parsing: bytes) } catch { throw .format(error) }
        do {
            let plan = try Plan(file: file)
            return ArenaSizes(streaming: plan.arenaBytes(.streaming), resident: plan.arenaBytes(.resident))
        } catch {
            throw .runtimeRejects("\(error)")
        }
    }

    /// Step 2 of the pipeline: canonical thresholds and (optionally) dead-neuron elimination to a fixed point.
    static func optimize(_ network: IntegerNetwork, eliminateDeadNeurons: Bool) -> (network: IntegerNetwork, removedChannels: Int) {
        var net = ThresholdPass.canonicalize(network).0
        var removed = 0
        while eliminateDeadNeurons {
            let (next, n) = DeadNeuronPass.apply(net)
            guard n > 0 else { break }
            removed += n
            net = ThresholdPass.canonicalize(next).0
        }
        return (net, removed)
    }

    static func encodeWeights(_ network: IntegerNetwork, maxWindowBits: Int,
                              goal: EncodingGoal = .size) throws(CompileError) -> [WeightEncoding] {
        var out: [WeightEncoding] = []
        for layer in network.layers where layer.record.kind != .maxPool {
            out.append(try WeightEncoder.best(layer.weights, rowLength: layer.record.fanIn,
                                              maxWindowBits: maxWindowBits, goal: goal))
        }
        return out
    }

    /// Thresholds in their narrowest integer type, the affine as int32; each stored uncompressed or with zlib,
    /// whichever is smaller (the runtime inflates any section, docs/RUNTIME.md).
    static func encodeParameters(_ network: IntegerNetwork, maxWindowBits: Int,
                                 goal: EncodingGoal) throws(CompileError) -> [WeightEncoding] {
        var out: [WeightEncoding] = []
        for layer in network.layers where layer.record.kind != .maxPool {
            let layout = layer.record.isFinal ? SectionLayout.int32 : ThresholdPass.narrowestLayout(layer.thresholds)
            let decoded = layer.record.isFinal
                ? ThresholdPass.encode(layer.logitScale + layer.logitBias, as: .int32)
                : ThresholdPass.encode(layer.thresholds, as: layout)
            out.append(WeightEncoder.choose(
                try WeightEncoder.compressions(of: decoded, layout: layout, maxWindowBits: maxWindowBits), for: goal))
        }
        return out
    }

    static func assemble(
        _ network: IntegerNetwork, original: IntegerNetwork, encodings: [WeightEncoding], maxWindowBits: Int,
        options: CompileOptions, arena: ArenaSizes
    ) throws(CompileError) -> CompiledArtifact {
        var w = TernWriter(alignment: options.alignment)
        w.arenaStreamingBytes = UInt32(clamping: arena.streaming)
        w.arenaResidentBytes = UInt32(clamping: arena.resident)
        for (key, value) in metadata(original, options: options) { w.setMetadata(Array(key.utf8), value) }
        for entry in options.description.carried { w.setMetadata(entry.key, entry.value) }
        var layers: [CompiledArtifact.Layer] = []
        let paramEncodings = try encodeParameters(network, maxWindowBits: maxWindowBits, goal: options.goal)
        var e = 0
        for layer in network.layers {
            let index = w.addLayer(layer.record)
            guard layer.record.kind != .maxPool else {
                layers.append(CompiledArtifact.Layer(record: layer.record, weightEncoding: nil, weightBytes: 0,
                                                     paramLayout: nil, paramEncoding: nil, paramBytes: 0))
                continue
            }
            let enc = encodings[e]
            e += 1
            w.addSection(layer: index, kind: .weights, layout: enc.layout, compression: enc.compression,
                         windowBits: enc.windowBits, elementCount: layer.weights.count, decoded: enc.decoded,
                         stored: enc.stored)
            let p = paramEncodings[e - 1]
            let isFinal = layer.record.isFinal
            w.addSection(layer: index, kind: isFinal ? .affine : .thresholds, layout: p.layout,
                         compression: p.compression, windowBits: p.windowBits,
                         elementCount: isFinal ? layer.logitScale.count * 2 : layer.thresholds.count,
                         decoded: p.decoded, stored: p.stored)
            layers.append(CompiledArtifact.Layer(record: layer.record, weightEncoding: enc.summary,
                                                 weightBytes: enc.stored.count, paramLayout: p.layout,
                                                 paramEncoding: p.summary, paramBytes: p.stored.count))
        }
        let bytes: [UInt8]
        do { bytes = try w.serialize() } catch { throw .format(error) }
        let window = (encodings + paramEncodings).map { Int($0.windowBits) }.max() ?? 0
        return CompiledArtifact(bytes: bytes, network: network, layers: layers, arena: arena, removedChannels: 0,
                                largestWindowBits: window)
    }

    /// FORMAT.md §3's keys. `quality.sparsity` describes the input network (before dead-neuron elimination).
    static func metadata(_ network: IntegerNetwork, options: CompileOptions) -> [(String, MetadataValue)] {
        var out: [(String, MetadataValue)] = [
            ("general.architecture", .string(Array(network.architecture.utf8))),
            ("general.name", .string(Array(network.name.utf8))),
            ("general.dataset", .string(Array(network.dataset.utf8))),
            ("compiler.target", .string(Array(options.target.rawValue.utf8))),
            ("compiler.version", .string(Array(version.utf8))),
        ]
        // Only a non-default goal is recorded, so artifacts compiled for size keep their bytes.
        if options.goal != .size { out.append(("compiler.optimize", .string(Array(options.goal.rawValue.utf8)))) }
        var total = 0, zeros = 0
        for l in network.layers {
            total += l.weights.count
            zeros += l.weights.count(where: { $0 == 0 })
        }
        if total > 0 { out.append(("quality.sparsity", .float64(Double(zeros) / Double(total)))) }
        let d = options.description
        if let seed = d.seed { out.append(("training.seed", .uint64(seed))) }
        if let recipe = d.recipe { out.append(("training.recipe", .string(Array(recipe.utf8)))) }
        if let acc = d.integerAccuracy { out.append(("quality.integer_accuracy", .float64(acc))) }
        if d.integerAccuracy != nil, let n = d.testImages, n > 0 { out.append(("quality.test_images", .uint64(UInt64(n)))) }
        return out
    }
}

/// A compiled artifact and what the compiler chose for it.
public struct CompiledArtifact: Sendable {
    public struct Layer: Sendable {
        public var record: LayerRecord
        /// e.g. "tokens + zlib-9-huffman (window 2^9)"; nil for max-pool.
        public var weightEncoding: String?
        public var weightBytes: Int
        /// int8 / int16 / int32 thresholds, or int32 affine; nil for max-pool.
        public var paramLayout: SectionLayout?
        /// e.g. "int8, uncompressed"; nil for max-pool.
        public var paramEncoding: String?
        public var paramBytes: Int
    }
    /// The `.tern` file.
    public var bytes: [UInt8]
    /// The network as stored (after dead-neuron elimination and threshold canonicalization).
    public var network: IntegerNetwork
    public var layers: [Layer]
    public var arena: ArenaSizes
    /// Hidden channels removed by dead-neuron elimination.
    public var removedChannels: Int
    /// The largest zlib window any section declares (0: nothing compressed).
    public var largestWindowBits: Int

    /// Bytes of all weight sections' stored data.
    public var weightBytes: Int { layers.reduce(0) { $0 + $1.weightBytes } }
    /// Everything else: header, tables, thresholds, affine, padding.
    public var nonWeightBytes: Int { bytes.count - weightBytes }
}
