import TernFormat

#if !TERN_STREAMING_ONLY
/// Resident mode and the bit-sliced batch kernel. Firmware builds TernRuntime with `-D TERN_STREAMING_ONLY`, which
/// leaves this file out (and with it every resident kernel): streaming firmware never runs them, and a mode chosen
/// at run time would keep them all linked (docs/FIRMWARE.md).
extension Engine {
    /// Runs weight layer `i` from its resident layout with the kernel the plan chose.
    func runResidentLayer(_ i: Int, _ l: LayerPlan, _ c: LayerContext) {
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
            if patchHeight == 1 && patchWidth == 1 && l.positions == 1 {
                DenseKernel.layerOverOnePosition(c, rows: l.rows, masks: masks, maskWords: l.maskWords,
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
#endif
