import TernFormat

/// Executes a `.tern` artifact on one caller-provided arena. No allocation happens while classifying: every buffer
/// is a region of the arena placed by `Plan`.
///
/// Loading verifies every section once (decoded length, CRC-32, token grammar, nonzero count); `.resident` also
/// decodes the weights into the kernel layout the cost model chose. `.streaming` keeps the weights where they are
/// (compressed, possibly in flash) and decodes them row by row on every call: one pass over the weight stream per
/// batch of up to `plan.batch` images.
///
/// The engine holds pointers to `bytes` and `arena`: the caller keeps both alive and unchanged while it is used.
public struct Engine {
    public let plan: Plan
    public let mode: ExecutionMode
    public let file: TernFile
    let bytes: UnsafeRawBufferPointer
    let arena: UnsafeMutableRawPointer
    let layout: ArenaLayout
    let inflateMemory: UnsafeMutableRawBufferPointer

    /// - Parameters:
    ///   - file: the parsed artifact (`TernFile(parsing: bytes)`).
    ///   - bytes: the whole file, kept alive by the caller.
    ///   - arena: at least `Plan(file:batch:).arenaBytes(mode)` bytes, 64-byte aligned.
    ///   - batch: images per pass over the weights (1 … `Plan.maxBatch`).
    ///   - policy: resident kernel choice (leave at `.costModel` except to compare kernels).
    public init(file: TernFile, bytes: UnsafeRawBufferPointer, arena: UnsafeMutableRawBufferPointer,
                mode: ExecutionMode, batch: Int = 1, policy: KernelPolicy = .costModel) throws(RuntimeError) {
        let plan = try Plan(file: file, batch: batch, policy: policy)
        let layout = plan.layout(mode)
        guard arena.count >= layout.total else { throw .arenaTooSmall(needed: layout.total, provided: arena.count) }
        guard let base = arena.baseAddress else { throw .arenaTooSmall(needed: layout.total, provided: 0) }
        guard UInt(bitPattern: base) % UInt(Plan.align) == 0 else { throw .arenaMisaligned }
        guard bytes.count == Int(file.header.fileBytes) else {
            throw .format(.fileSizeMismatch(declared: file.header.fileBytes, actual: UInt64(bytes.count)))
        }
        self.plan = plan
        self.mode = mode
        self.file = file
        self.bytes = bytes
        self.arena = base
        self.layout = layout
        inflateMemory = UnsafeMutableRawBufferPointer(start: base + layout.inflate, count: layout.inflateBytes)
        for i in 0..<file.sections.count {
            try SectionReader.verify(file: file, bytes: bytes, index: i, inflateMemory: inflateMemory)
        }
        for (i, l) in plan.layers.enumerated() where l.record.kind != .maxPool {
            if mode == .resident {
                #if TERN_STREAMING_ONLY
                throw .residentModeNotBuilt
                #else
                try loadParameters(file: file, bytes: bytes, section: Int(l.record.paramSection), count: l.paramCount,
                                   into: int32(layout.params[i]), inflateMemory: inflateMemory)
                try decodeResident(i)
                #endif
            } else {
                try countNonzeros(i)
            }
        }
    }

    /// Classifies `count` images (`plan.inputElements` bytes each, HWC) in chunks of `plan.batch`, writing the
    /// predicted class of each (lowest index of the largest logit) and, on request, its logits
    /// (`count × plan.classCount`, `Int64`, real value = logit / 2^logitFractionBits).
    /// `afterLayer`, if given, is called with each layer's index as soon as that layer has run on a chunk (a hook
    /// for profilers; the engine itself keeps no clock).
    public func classify(images: UnsafeRawBufferPointer, count: Int, predictions: UnsafeMutableBufferPointer<Int32>,
                         logits: UnsafeMutableBufferPointer<Int64>? = nil,
                         afterLayer: ((Int) -> Void)? = nil) throws(RuntimeError) {
        let classes = plan.classCount
        guard count >= 0, images.count >= count * plan.inputElements else {
            throw .bufferTooShort(needed: count * plan.inputElements, provided: images.count)
        }
        guard predictions.count >= count else { throw .bufferTooShort(needed: count, provided: predictions.count) }
        if let logits, logits.count < count * classes {
            throw .bufferTooShort(needed: count * classes, provided: logits.count)
        }
        guard let imageBase = images.baseAddress, count > 0 else { return }
        let out = (arena + layout.logits).assumingMemoryBound(to: Int64.self)
        var done = 0
        while done < count {
            let n = min(plan.batch, count - done)
            try runBatch(imageBase + done * plan.inputElements, count: n, afterLayer: afterLayer)
            for k in 0..<n {
                let row = out + k * classes
                var best = 0
                for c in 1..<max(classes, 1) where row[c] > row[best] { best = c }
                predictions[done + k] = Int32(best)
                if let logits { for c in 0..<classes { logits[(done + k) * classes + c] = row[c] } }
            }
            done += n
        }
    }

    // MARK: - Execution

    func int32(_ offset: Int) -> UnsafeMutablePointer<Int32> {
        (arena + offset).assumingMemoryBound(to: Int32.self)
    }

    func runBatch(_ images: UnsafeRawPointer, count: Int, afterLayer: ((Int) -> Void)?) throws(RuntimeError) {
        let layers = plan.layers
        var input = images
        var inputStride = plan.inputElements
        let first = layers[0].input
        if first.border > 0 {
            let staging = (arena + layout.staging).assumingMemoryBound(to: UInt8.self)
            staging.update(repeating: 0, count: count * first.bytes)
            let src = images.assumingMemoryBound(to: UInt8.self)
            let rowBytes = first.width * first.channels
            for n in 0..<count {
                for y in 0..<first.height {
                    let from = src + n * plan.inputElements + y * rowBytes
                    let to = staging + n * first.bytes + ((y + first.border) * first.paddedWidth + first.border) * first.channels
                    to.update(from: from, count: rowBytes)
                }
            }
            input = UnsafeRawPointer(staging)
            inputStride = first.bytes
        }
        for (i, l) in layers.enumerated() {
            let outputBase = arena + (i % 2 == 0 ? layout.slotA : layout.slotB)
            #if !TERN_STREAMING_ONLY
            if let s = plan.slicedFrom, i >= s {
                if i == s {
                    let sliced = (arena + layout.slicedInput).assumingMemoryBound(to: UInt64.self)
                    SlicedKernel.sliceCodes(input.assumingMemoryBound(to: UInt64.self), strideWords: inputStride / 8,
                                            layout: l.input, count: count, into: sliced)
                    input = UnsafeRawPointer(sliced)
                }
                try runSlicedLayer(i, l, input: input.assumingMemoryBound(to: UInt64.self),
                                   output: outputBase.assumingMemoryBound(to: UInt64.self), count: count)
                input = UnsafeRawPointer(outputBase)
                afterLayer?(i)
                continue
            }
            #endif
            if let o = l.output {
                outputBase.initializeMemory(as: UInt8.self, repeating: 0, count: o.bytes * count)
            }
            if l.record.kind == .maxPool {
                PoolKernel.run(input: input.assumingMemoryBound(to: UInt64.self), inputStrideWords: inputStride / 8,
                               inLayout: l.input, output: outputBase.assumingMemoryBound(to: UInt64.self),
                               outputStrideWords: l.output!.bytes / 8, outLayout: l.output!, count: count)
            } else {
                try runWeightLayer(i, l, input: input, inputStride: inputStride, output: outputBase, count: count)
            }
            input = UnsafeRawPointer(outputBase)
            inputStride = l.output?.bytes ?? 0
            afterLayer?(i)
        }
    }

    func context(_ i: Int, _ l: LayerPlan, input: UnsafeRawPointer, inputStride: Int,
                 output: UnsafeMutableRawPointer, count: Int) -> LayerContext {
        let o = l.output
        return LayerContext(
            count: count, input: input, inputStride: inputStride, inputBits: l.input.bits,
            planeBits: l.input.wordsPerPlane * 64, inputPositionStride: l.input.positionStride,
            inputPaddedWidth: l.input.paddedWidth, inputWordsPerPlane: l.input.wordsPerPlane,
            inputWordsPerPosition: l.input.isPixels ? 0 : l.input.wordsPerPosition,
            outHeight: l.record.kind == .dense ? 1 : Int(l.record.outHeight),
            outWidth: l.record.kind == .dense ? 1 : Int(l.record.outWidth),
            output: o == nil ? nil : output.assumingMemoryBound(to: UInt64.self),
            outputStrideWords: (o?.bytes ?? 0) / 8, outputBorder: o?.border ?? 0,
            outputPaddedWidth: o?.paddedWidth ?? 0, outputWordsPerPlane: o?.wordsPerPlane ?? 0,
            outputWordsPerPosition: o?.wordsPerPosition ?? 0, outputBits: o?.bits ?? 0,
            params: UnsafePointer(int32(layout.params[i])), thresholdsPerChannel: l.record.thresholdsPerChannel,
            logits: o == nil ? (arena + layout.logits).assumingMemoryBound(to: Int64.self) : nil,
            classes: l.rows)
    }

    func runWeightLayer(_ i: Int, _ l: LayerPlan, input: UnsafeRawPointer, inputStride: Int,
                        output: UnsafeMutableRawPointer, count: Int) throws(RuntimeError) {
        let c = context(i, l, input: input, inputStride: inputStride, output: output, count: count)
        switch mode {
        case .streaming:
            try loadParameters(file: file, bytes: bytes, section: Int(l.record.paramSection), count: l.paramCount,
                               into: int32(layout.params[i]), inflateMemory: inflateMemory)
            let list = (arena + layout.rowList).assumingMemoryBound(to: UInt32.self)
            let map = OffsetMap(l)
            let fanIn = l.fanIn
            var reader = try SectionReader(file: file, bytes: bytes, index: Int(l.record.weightSection),
                                           inflateMemory: inflateMemory)
            if FusedTokenKernel.applies(l, layout: reader.record.layout, batch: count, slots: layout.rowListSlots) {
                let accumulators = (arena + layout.rowList).assumingMemoryBound(to: Int32.self)
                try FusedTokenKernel.run(c, l, reader: &reader, accumulators: accumulators)
                return
            }
            let decoder = RowDecoder(rows: l.rows, fanIn: fanIn, list: list)
            _ = try decoder.run(&reader) { row, plus, minus in
                if !map.identity {
                    for t in 0..<plus { list[t] = map.offset(list[t]) }
                    for t in (fanIn - minus)..<fanIn { list[t] = map.offset(list[t]) }
                }
                SparseKernel.row(c, row, plus: list, plusCount: plus, minus: list + (fanIn - minus), minusCount: minus)
            }
        case .resident:
            #if !TERN_STREAMING_ONLY
            runResidentLayer(i, l, c)
            #endif
        }
    }

    // MARK: - Introspection

    /// What streaming mode runs for layer `i` at `images` images per pass.
    public func streamingKernel(layer i: Int, images: Int) -> StreamingKernel {
        let l = plan.layers[i]
        if l.record.kind == .maxPool { return .pool }
        #if !TERN_STREAMING_ONLY
        if let s = plan.slicedFrom, i >= s { return .bitSliced }
        #endif
        let layout = file.sections[Int(l.record.weightSection)].layout
        return FusedTokenKernel.applies(l, layout: layout, batch: images, slots: self.layout.rowListSlots)
            ? .fusedTokens : .rowLists
    }

    /// Reads layer `i`'s sections once, exactly as a streaming pass does, and does nothing with the bytes: the part
    /// of the layer's streaming time its encoding costs (inflate, checksum), for profiles.
    public func drainSections(layer i: Int) throws(RuntimeError) {
        let r = plan.layers[i].record
        guard r.kind != .maxPool else { return }
        for index in [Int(r.weightSection), Int(r.paramSection)] {
            var reader = try SectionReader(file: file, bytes: bytes, index: index, inflateMemory: inflateMemory)
            while try reader.next() != nil {}
        }
    }

    // MARK: - Loading

    func countNonzeros(_ i: Int) throws(RuntimeError) {
        let l = plan.layers[i]
        var reader = try SectionReader(file: file, bytes: bytes, index: Int(l.record.weightSection),
                                       inflateMemory: inflateMemory)
        let decoder = RowDecoder(rows: l.rows, fanIn: l.fanIn,
                                 list: (arena + layout.rowList).assumingMemoryBound(to: UInt32.self))
        let found = try decoder.run(&reader) { _, _, _ in }
        guard found == l.nonzeros else {
            throw .corruptSection(index: Int(l.record.weightSection),
                                  problem: .nonzeroCount(expected: l.nonzeros, actual: found))
        }
    }
}

/// The kernel streaming mode runs for a layer (`Engine.streamingKernel`).
public enum StreamingKernel: Sendable {
    /// Each token is added as it leaves the inflater (`FusedTokenKernel`).
    case fusedTokens
    /// Each row is decoded into index lists, then applied (`RowDecoder` + `SparseKernel`).
    case rowLists
    /// The bit-sliced batch tail (resident layouts; the plan keeps it in both modes).
    case bitSliced
    case pool
}
