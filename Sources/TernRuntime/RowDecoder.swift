import TernFormat

/// Turns a weight section's decoded bytes (tokens or packed2) into one row (output channel) at a time: the row's
/// +1 weights at the front of `list` and its −1 weights at the back, as within-row indices `j` in artifact order.
/// Rows are emitted in order, every row exactly once (empty rows too), as the bytes arrive: nothing but the current
/// row is held, which is what lets the streaming mode run through a small window.
struct RowDecoder {
    let rows: Int
    let fanIn: Int
    /// `fanIn` UInt32 slots.
    let list: UnsafeMutablePointer<UInt32>

    /// Decodes the whole section, calling `emit(row, plusCount, minusCount)` for each row; the −1 indices of a row
    /// occupy `list[fanIn − minusCount ..< fanIn]`. Returns the number of nonzero weights.
    @inline(__always)
    func run(_ reader: inout SectionReader,
             emit: (_ row: Int, _ plus: Int, _ minus: Int) -> Void) throws(RuntimeError) -> Int {
        var row = 0
        var rowStart = 0
        var rowEnd = fanIn
        var plus = 0
        var minus = 0
        var nonzeros = 0
        let section = reader.index
        let total = rows * fanIn

        @inline(__always) func place(_ index: Int, _ positive: Bool) {
            while index >= rowEnd {
                emit(row, plus, minus)
                row += 1
                rowStart = rowEnd
                rowEnd += fanIn
                plus = 0
                minus = 0
            }
            let j = UInt32(truncatingIfNeeded: index - rowStart)
            if positive { list[plus] = j; plus += 1 } else { minus += 1; list[fanIn - minus] = j }
        }

        switch reader.record.layout {
        case .ternaryTokens:
            // The grammar of `TokenDecoder` (docs/FORMAT.md §6), inlined: this loop is the streaming hot path.
            var position = 0
            var consumed = 0
            var last: UInt8 = 0
            while let chunk = try reader.next() {
                for token in chunk {
                    if token < TernaryTokens.skipToken {
                        let index = position &+ Int(token >> 1)
                        guard index < total else {
                            throw .corruptSection(index: section, problem: .ternary(.overrun(offset: consumed)))
                        }
                        place(index, token & 1 == 0)
                        position = index &+ 1
                        nonzeros &+= 1
                    } else if token == TernaryTokens.skipToken {
                        position &+= TernaryTokens.maxGap &+ 1
                        guard position < total else {
                            throw .corruptSection(index: section, problem: .ternary(.overrun(offset: consumed)))
                        }
                    } else {
                        throw .corruptSection(index: section, problem: .ternary(.reservedToken(offset: consumed)))
                    }
                    consumed &+= 1
                    last = token
                }
            }
            if last == TernaryTokens.skipToken {
                throw .corruptSection(index: section, problem: .ternary(.trailingSkip))
            }
        case .ternaryPacked2:
            var index = 0
            while let chunk = try reader.next() {
                for byte in chunk {
                    if byte == 0 { index += 4; continue }
                    for k in 0..<4 {
                        let code = (byte >> UInt8(2 * k)) & 3
                        if code == 0 { continue }
                        let at = index + k
                        guard code != 3 else {
                            throw .corruptSection(index: section, problem: .ternary(.invalidCode(index: at)))
                        }
                        guard at < total else {
                            throw .corruptSection(index: section, problem: .ternary(.nonzeroPadding))
                        }
                        place(at, code == 1)
                        nonzeros += 1
                    }
                    index += 4
                }
            }
            guard index == (total + 3) / 4 * 4 else {
                throw .corruptSection(index: section, problem: .ternary(.length(expected: (total + 3) / 4,
                                                                                actual: index / 4)))
            }
        default:
            throw .unsupportedSection(index: section)
        }
        while row < rows {
            emit(row, plus, minus)
            row += 1
            plus = 0
            minus = 0
        }
        return nonzeros
    }

    static func corrupt(_ section: Int, _ error: FormatError) -> RuntimeError {
        if case .badTernaryStream(let p) = error { return .corruptSection(index: section, problem: .ternary(p)) }
        return .format(error)
    }
}

/// Maps a within-row weight index `j` (artifact order) to an offset into the layer's input tensor: bits for codes
/// (plane 0), bytes for pixels, relative to the patch origin of the output position.
struct OffsetMap {
    let channels: Int
    let patchWidth: Int
    let paddedWidth: Int
    let positionStride: Int
    let identity: Bool

    init(_ l: LayerPlan) {
        channels = l.input.channels
        patchWidth = l.record.kind == .conv ? Int(l.record.kernel) : l.input.width
        paddedWidth = l.input.paddedWidth
        positionStride = l.input.positionStride
        // Dense over pixels (HWC bytes) or over a single position: the offset is the index itself.
        identity = l.record.kind == .dense && (l.input.isPixels || l.input.height * l.input.width == 1)
    }

    /// The patch position `q` and channel `c` of weight `j`.
    @inline(__always) func split(_ j: Int) -> (tap: Int, channel: Int) {
        let q = j / channels
        return (q, j - q * channels)
    }

    /// Grid position of patch position `q` relative to the patch origin.
    @inline(__always) func tapPosition(_ q: Int) -> Int {
        let kh = q / patchWidth
        return kh * paddedWidth + (q - kh * patchWidth)
    }

    @inline(__always) func offset(_ j: UInt32) -> UInt32 {
        if identity { return j }
        let (q, c) = split(Int(j))
        return UInt32(truncatingIfNeeded: tapPosition(q) * positionStride + c)
    }
}
