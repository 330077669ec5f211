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
                try loadParameters(file: file, bytes: bytes, section: Int(l.record.paramSection), count: l.paramCount,
                                   into: int32(layout.params[i]), inflateMemory: inflateMemory)
                try decodeResident(i)
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

    /// A dense layer of the bit-sliced tail: rows from the stream or from resident lists of element indices.
    func runSlicedLayer(_ i: Int, _ l: LayerPlan, input: UnsafePointer<UInt64>, output: UnsafeMutablePointer<UInt64>,
                        count: Int) throws(RuntimeError) {
        let elements = l.fanIn
        let c = SlicedContext(
            count: count, input: input, inputPlanes: l.input.bits, inputWordsPerGroup: elements * l.input.bits,
            output: l.isFinal ? nil : output, outputPlanes: l.output?.bits ?? 0,
            outputWordsPerGroup: l.rows * (l.output?.bits ?? 0), params: UnsafePointer(int32(layout.params[i])),
            thresholdsPerChannel: l.record.thresholdsPerChannel,
            logits: l.isFinal ? (arena + layout.logits).assumingMemoryBound(to: Int64.self) : nil, classes: l.rows,
            counters: (arena + layout.counters).assumingMemoryBound(to: UInt64.self))
        switch mode {
        case .streaming:
            try loadParameters(file: file, bytes: bytes, section: Int(l.record.paramSection), count: l.paramCount,
                               into: int32(layout.params[i]), inflateMemory: inflateMemory)
            let list = (arena + layout.rowList).assumingMemoryBound(to: UInt32.self)
            let fanIn = l.fanIn
            var reader = try SectionReader(file: file, bytes: bytes, index: Int(l.record.weightSection),
                                           inflateMemory: inflateMemory)
            _ = try RowDecoder(rows: l.rows, fanIn: fanIn, list: list).run(&reader) { row, plus, minus in
                SlicedKernel.row(c, row, plus: list, plusCount: plus, minus: list + (fanIn - minus), minusCount: minus)
            }
        case .resident:
            let starts = (arena + layout.weights[i]).assumingMemoryBound(to: UInt32.self)
            let plusEnds = starts + (l.rows + 1)
            let indices = plusEnds + l.rows
            for r in 0..<l.rows {
                let s = Int(starts[r]), m = Int(plusEnds[r]), e = Int(starts[r + 1])
                SlicedKernel.row(c, r, plus: indices + s, plusCount: m - s, minus: indices + m, minusCount: e - m)
            }
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
            let decoder = RowDecoder(rows: l.rows, fanIn: fanIn, list: list)
            _ = try decoder.run(&reader) { row, plus, minus in
                if !map.identity {
                    for t in 0..<plus { list[t] = map.offset(list[t]) }
                    for t in (fanIn - minus)..<fanIn { list[t] = map.offset(list[t]) }
                }
                SparseKernel.row(c, row, plus: list, plusCount: plus, minus: list + (fanIn - minus), minusCount: minus)
            }
        case .resident:
            let w = arena + layout.weights[i]
            if l.kernel == .columns {
                let starts = w.assumingMemoryBound(to: UInt32.self)
                let splits = starts + (l.fanIn + 1)
                let rows = UnsafeRawPointer(splits + l.fanIn).assumingMemoryBound(to: UInt16.self)
                if l.input.isPixels {
                    ColumnKernel.runPixels(c, rowCount: l.rows, elements: l.fanIn, starts: starts, splits: splits,
                                           rows: rows, accumulators: int32(layout.accumulators))
                } else {
                    ColumnKernel.runCodes(c, rowCount: l.rows, starts: starts, splits: splits, rows: rows,
                                          accumulators: int32(layout.accumulators))
                }
            } else if l.kernel == .dense {
                let masks = w.assumingMemoryBound(to: UInt64.self)
                let patchHeight = l.record.kind == .conv ? Int(l.record.kernel) : l.input.height
                let patchWidth = l.record.kind == .conv ? Int(l.record.kernel) : l.input.width
                let corrections = UnsafeRawPointer(masks + l.rows * 2 * l.maskWords).assumingMemoryBound(to: Int32.self)
                if patchHeight == 1 && patchWidth == 1 && l.positions == 1 && l.input.bits == 1 {
                    DenseKernel.layerOverOnePosition(c, rows: l.rows, masks: masks, maskWords: l.maskWords,
                                                     corrections: corrections)
                    return
                }
                if patchHeight == 1 && patchWidth == 1 && l.positions == 1 && l.input.bits == 2 {
                    DenseKernel.layerOverOnePositionTwoPlanes(c, rows: l.rows, masks: masks, maskWords: l.maskWords,
                                                              corrections: corrections)
                    return
                }
                DenseKernel.patchLayer(c, rows: l.rows, masks: masks, maskWords: l.maskWords, corrections: corrections,
                                       patchHeight: patchHeight, patchWidth: patchWidth)
            } else {
                let starts = w.assumingMemoryBound(to: UInt32.self)
                let plusEnds = starts + (l.rows + 1)
                let offsets = plusEnds + l.rows
                for r in 0..<l.rows {
                    let s = Int(starts[r]), m = Int(plusEnds[r]), e = Int(starts[r + 1])
                    SparseKernel.row(c, r, plus: offsets + s, plusCount: m - s, minus: offsets + m, minusCount: e - m)
                }
            }
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

    /// Decodes layer `i`'s weights into its resident layout: sparse offset lists (row starts, +1 ends, offsets) or
    /// +1 / −1 masks. Writes never exceed the region sized from the declared nonzero count.
    func decodeResident(_ i: Int) throws(RuntimeError) {
        let l = plan.layers[i]
        let section = Int(l.record.weightSection)
        var reader = try SectionReader(file: file, bytes: bytes, index: section, inflateMemory: inflateMemory)
        let list = (arena + layout.rowList).assumingMemoryBound(to: UInt32.self)
        let decoder = RowDecoder(rows: l.rows, fanIn: l.fanIn, list: list)
        let w = arena + layout.weights[i]
        let fanIn = l.fanIn
        let map = OffsetMap(l)
        let found: Int
        if l.kernel == .columns {
            // Two passes: count each column's +1 and all nonzeros, then place them. `starts[e]` then serves as
            // column e's +1 cursor and `splits[e]` as its −1 cursor; afterwards both are shifted back into place.
            let starts = w.assumingMemoryBound(to: UInt32.self)
            let splits = starts + (fanIn + 1)
            let rows = UnsafeMutableRawPointer(splits + fanIn).assumingMemoryBound(to: UInt16.self)
            starts.update(repeating: 0, count: 2 * fanIn + 1)
            let counted = try decoder.run(&reader) { _, plus, minus in
                for t in 0..<plus {
                    starts[Int(list[t]) + 1] &+= 1
                    splits[Int(list[t])] &+= 1
                }
                for t in (fanIn - minus)..<fanIn { starts[Int(list[t]) + 1] &+= 1 }
            }
            guard counted == l.nonzeros else {
                throw .corruptSection(index: section, problem: .nonzeroCount(expected: l.nonzeros, actual: counted))
            }
            for e in 0..<fanIn {
                starts[e + 1] &+= starts[e]
                splits[e] &+= starts[e]
            }
            var again = try SectionReader(file: file, bytes: bytes, index: section, inflateMemory: inflateMemory)
            found = try decoder.run(&again) { row, plus, minus in
                for t in 0..<plus {
                    let j = Int(list[t])
                    rows[Int(starts[j])] = UInt16(truncatingIfNeeded: row)
                    starts[j] &+= 1
                }
                for t in (fanIn - minus)..<fanIn {
                    let j = Int(list[t])
                    rows[Int(splits[j])] = UInt16(truncatingIfNeeded: row)
                    splits[j] &+= 1
                }
            }
            // Now starts[e] = end of column e's +1 rows and splits[e] = end of column e.
            var previous: UInt32 = 0
            for e in 0..<fanIn {
                let plusEnd = starts[e], end = splits[e]
                starts[e] = previous
                splits[e] = plusEnd
                previous = end
            }
            starts[fanIn] = previous
        } else if l.kernel == .dense {
            let masks = w.assumingMemoryBound(to: UInt64.self)
            masks.update(repeating: 0, count: l.rows * 2 * l.maskWords)
            let wpp = l.input.wordsPerPlane
            // Per row: the nonzero mask (P | N), the −1 mask N, and after all rows the correction
            // (2^bits − 1) · popcount(N) as Int32.
            let corrections = UnsafeMutableRawPointer(masks + l.rows * 2 * l.maskWords)
                .assumingMemoryBound(to: Int32.self)
            let levels = Int32((1 << l.input.bits) - 1)
            found = try decoder.run(&reader) { row, plus, minus in
                let p = masks + row * 2 * l.maskWords
                for t in 0..<plus + minus {
                    let j = Int(list[t < plus ? t : fanIn - minus + (t - plus)])
                    let (q, ch) = map.split(j)
                    let bit = UInt64(1) << UInt64(ch & 63)
                    p[q * wpp + ch >> 6] |= bit
                    if t >= plus { (p + l.maskWords)[q * wpp + ch >> 6] |= bit }
                }
                corrections[row] = Int32(truncatingIfNeeded: minus) &* levels
            }
        } else {
            let starts = w.assumingMemoryBound(to: UInt32.self)
            let plusEnds = starts + (l.rows + 1)
            let offsets = plusEnds + l.rows
            var cursor = 0
            var overflow = false
            let sliced = l.kernel == .sliced
            let capacity = l.nonzeros
            found = try decoder.run(&reader) { row, plus, minus in
                starts[row] = UInt32(truncatingIfNeeded: cursor)
                guard !overflow, cursor + plus + minus <= capacity else {
                    overflow = true
                    plusEnds[row] = UInt32(truncatingIfNeeded: cursor)
                    return
                }
                // The sliced kernel indexes elements directly; the row kernel wants input offsets.
                for t in 0..<plus { offsets[cursor + t] = sliced ? list[t] : map.offset(list[t]) }
                plusEnds[row] = UInt32(truncatingIfNeeded: cursor + plus)
                for t in 0..<minus {
                    let j = list[fanIn - minus + t]
                    offsets[cursor + plus + t] = sliced ? j : map.offset(j)
                }
                cursor += plus + minus
            }
            starts[l.rows] = UInt32(truncatingIfNeeded: cursor)
        }
        guard found == l.nonzeros else {
            throw .corruptSection(index: section, problem: .nonzeroCount(expected: l.nonzeros, actual: found))
        }
    }
}
