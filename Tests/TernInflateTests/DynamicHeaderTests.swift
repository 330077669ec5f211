// Hand-built dynamic block headers (RFC 1951 §3.2.7) for each way the code lengths can be wrong.
import Testing
import TernInflate

/// A dynamic block header: HLIT, HDIST, then the code-length code given as `symbol: length` pairs.
private func dynamicHeader(literals: Int, distances: Int, codeLengthCode: [Int: Int]) -> BitWriter {
    let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    let count = max(4, (order.lastIndex { codeLengthCode[$0] != nil } ?? 0) + 1)
    var w = BitWriter()
    w.write(1, bits: 1)
    w.write(2, bits: 2)
    w.write(literals - 257, bits: 5)
    w.write(distances - 1, bits: 5)
    w.write(count - 4, bits: 4)
    for i in 0..<count { w.write(codeLengthCode[order[i]] ?? 0, bits: 3) }
    return w
}

private func result(_ w: BitWriter, decoded: [UInt8] = []) -> Result<[UInt8], InflateError> {
    do throws(InflateError) {
        return .success(try zlibDecompress(w.zlibStream(decoded: decoded), maxOutputBytes: 1 << 20))
    } catch { return .failure(error) }
}

@Suite struct DynamicHeaderTests {
    @Test func tooManyCodes() {
        var w = BitWriter()
        w.write(1, bits: 1)
        w.write(2, bits: 2)
        w.write(30, bits: 5)
        w.write(0, bits: 5)
        w.write(0, bits: 4)
        #expect(result(w) == .failure(.invalidCodeLengths(.tooManyLengthCodes(287))))
        var d = BitWriter()
        d.write(1, bits: 1)
        d.write(2, bits: 2)
        d.write(0, bits: 5)
        d.write(30, bits: 5)
        d.write(0, bits: 4)
        #expect(result(d) == .failure(.invalidCodeLengths(.tooManyDistanceCodes(31))))
    }

    @Test func badCodeLengthCodes() {
        // Four one-bit codes: over-subscribed. One two-bit code: incomplete (never allowed for this tree).
        let over = dynamicHeader(literals: 257, distances: 1, codeLengthCode: [16: 1, 17: 1, 18: 1, 0: 1])
        #expect(result(over) == .failure(.overSubscribedTree(.codeLengths)))
        let incomplete = dynamicHeader(literals: 257, distances: 1, codeLengthCode: [0: 2])
        #expect(result(incomplete) == .failure(.incompleteTree(.codeLengths)))
    }

    @Test func badRepeats() {
        // Code-length code: symbol 0 → "0", symbol 16/18 → "1".
        var first = dynamicHeader(literals: 257, distances: 1, codeLengthCode: [16: 1, 0: 1])
        first.writeCode(1, length: 1)
        first.write(0, bits: 2)
        #expect(result(first) == .failure(.invalidCodeLengths(.repeatWithoutPrevious)))

        var past = dynamicHeader(literals: 257, distances: 1, codeLengthCode: [18: 1, 0: 1])
        past.writeCode(1, length: 1)
        past.write(127, bits: 7)  // 138 zeros
        past.writeCode(1, length: 1)
        past.write(127, bits: 7)  // 276 > 258
        #expect(result(past) == .failure(.invalidCodeLengths(.repeatPastEnd)))

        var noEnd = dynamicHeader(literals: 257, distances: 1, codeLengthCode: [18: 1, 0: 1])
        noEnd.writeCode(1, length: 1)
        noEnd.write(127, bits: 7)  // 138
        noEnd.writeCode(1, length: 1)
        noEnd.write(109, bits: 7)  // + 120 = 258, all zero
        #expect(result(noEnd) == .failure(.invalidCodeLengths(.missingEndOfBlock)))
    }

    /// Literal/length lengths: `ones` symbols get length 1, `twos` length 2, the rest 0; then the distance lengths.
    /// Code-length code: 0 → "00", 1 → "01", 2 → "10", 18 → "11".
    private func block(ones: Set<Int>, twos: Set<Int>, distanceLengths: [Int]) -> BitWriter {
        var w = dynamicHeader(literals: 258, distances: distanceLengths.count, codeLengthCode: [0: 2, 1: 2, 2: 2, 18: 2])
        var lengths = (0..<258).map { ones.contains($0) ? 1 : twos.contains($0) ? 2 : 0 } + distanceLengths
        var i = 0
        while i < lengths.count {
            var run = 0
            while i + run < lengths.count && lengths[i + run] == 0 && run < 138 { run += 1 }
            if run >= 11 {
                w.writeCode(3, length: 2)
                w.write(run - 11, bits: 7)
                i += run
            } else {
                w.writeCode(lengths[i], length: 2)
                i += 1
            }
        }
        lengths.removeAll()
        return w
    }

    @Test func badLiteralAndDistanceTrees() {
        let over = block(ones: [0, 1, 256], twos: [], distanceLengths: [1])
        #expect(result(over) == .failure(.overSubscribedTree(.literalLength)))
        let incomplete = block(ones: [], twos: [256], distanceLengths: [1])
        #expect(result(incomplete) == .failure(.incompleteTree(.literalLength)))
        let incompleteDistance = block(ones: [0, 256], twos: [], distanceLengths: [2])
        #expect(result(incompleteDistance) == .failure(.incompleteTree(.distance)))
        let overDistance = block(ones: [0, 256], twos: [], distanceLengths: [1, 1, 1])
        #expect(result(overDistance) == .failure(.overSubscribedTree(.distance)))
    }

    @Test func singleOneBitDistanceCodeIsAllowedAndItsOtherHalfIsInvalid() {
        // Literal/length: 0 → "0", 256 → "10", 257 → "11" (length 3). Distance: only symbol 0 ("0", distance 1).
        var valid = block(ones: [0], twos: [256, 257], distanceLengths: [1])
        valid.writeCode(0, length: 1)      // literal 0
        valid.writeCode(0b11, length: 2)   // length 3
        valid.writeCode(0, length: 1)      // distance 1
        valid.writeCode(0b10, length: 2)   // end of block
        #expect(result(valid, decoded: [0, 0, 0, 0]) == .success([0, 0, 0, 0]))

        var invalid = block(ones: [0], twos: [256, 257], distanceLengths: [1])
        invalid.writeCode(0, length: 1)
        invalid.writeCode(0b11, length: 2)
        invalid.writeCode(1, length: 1)    // no distance code starts with 1
        #expect(result(invalid) == .failure(.invalidCode(.distance)))
    }

    @Test func blockWithoutDistanceCodesDecodesLiterals() {
        var w = block(ones: [65, 256], twos: [], distanceLengths: [0])
        w.writeCode(0, length: 1)
        w.writeCode(0, length: 1)
        w.writeCode(1, length: 1)
        #expect(result(w, decoded: [65, 65]) == .success([65, 65]))
    }
}
