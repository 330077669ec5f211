import Testing
import TernFormat
import TernTestSupport

@Suite struct TernaryTokensTests {
    @Test(arguments: [0.0, 0.3, 0.5, 0.9, 0.95, 0.98, 0.99, 0.999])
    func roundTripAtSparsity(_ sparsity: Double) throws {
        var rng = SeededGenerator(seed: UInt64(sparsity * 1000) + 7)
        for count in [1, 2, 127, 128, 129, 1000, 20_000] {
            let w = randomTernary(count: count, sparsity: sparsity, using: &rng)
            let tokens = TernaryTokens.encode(w)
            #expect(tokens.count <= count)
            #expect(try TernaryTokens.decode(tokens, count: count) == w)
            #expect(try TernaryPacked2.decode(TernaryPacked2.encode(w), count: count) == w)
        }
    }

    @Test func emptyAndAllZero() throws {
        #expect(TernaryTokens.encode([]).isEmpty)
        #expect(try TernaryTokens.decode([], count: 0) == [])
        let zeros = [Int8](repeating: 0, count: 10_000)
        #expect(TernaryTokens.encode(zeros).isEmpty)
        #expect(try TernaryTokens.decode([], count: 10_000) == zeros)
        #expect(TernaryPacked2.encode(zeros).allSatisfy { $0 == 0 })
    }

    @Test func allNonzeroIsOneTokenPerWeight() throws {
        let w: [Int8] = (0..<999).map { $0 % 3 == 0 ? -1 : 1 }
        let t = TernaryTokens.encode(w)
        #expect(t.count == 999)
        #expect(t.allSatisfy { $0 <= 1 })
        #expect(try TernaryTokens.decode(t, count: 999) == w)
    }

    @Test func runsLongerThanAnyToken() throws {
        for gap in [126, 127, 128, 253, 254, 255, 127 * 5, 127 * 5 + 126, 100_000] {
            var w = [Int8](repeating: 0, count: gap + 1)
            w[gap] = -1
            let t = TernaryTokens.encode(w)
            #expect(t.count == gap / 127 + 1, "gap \(gap)")
            #expect(try TernaryTokens.decode(t, count: gap + 1) == w)
        }
    }

    @Test func tokenGrammarIsExactlyAsSpecified() {
        // +1 at 0, −1 at 3, +1 at 3+1+127+5 = 136
        var w = [Int8](repeating: 0, count: 140)
        w[0] = 1; w[3] = -1; w[136] = 1
        #expect(TernaryTokens.encode(w) == [0x00, 0x05, 0xFE, 0x0A])
    }

    @Test func malformedStreamsAreTypedErrors() {
        #expect(throws: FormatError.badTernaryStream(.reservedToken(offset: 1))) {
            try TernaryTokens.decode([0x00, 0xFF], count: 10)
        }
        #expect(throws: FormatError.badTernaryStream(.overrun(offset: 0))) {
            try TernaryTokens.decode([0x14], count: 10)  // gap 10 then a weight: needs 11
        }
        #expect(throws: FormatError.badTernaryStream(.overrun(offset: 0))) {
            try TernaryTokens.decode([0xFE], count: 100)
        }
        #expect(throws: FormatError.badTernaryStream(.trailingSkip)) {
            try TernaryTokens.decode([0xFE], count: 200)
        }
        #expect(throws: FormatError.badTernaryStream(.overrun(offset: 2))) {
            try TernaryTokens.decode([0x00, 0x00, 0x00], count: 2)
        }
        #expect(throws: FormatError.badTernaryStream(.invalidCode(index: 1))) {
            try TernaryPacked2.decode([0b0000_1100], count: 4)
        }
        #expect(throws: FormatError.badTernaryStream(.nonzeroPadding)) {
            try TernaryPacked2.decode([0b0100_0000], count: 3)
        }
        #expect(throws: FormatError.badTernaryStream(.length(expected: 1, actual: 2))) {
            try TernaryPacked2.decode([0, 0], count: 3)
        }
    }

    @Test func everyTokenByteEitherDecodesOrFailsCleanly() {
        for a in 0...255 {
            for b in stride(from: 0, through: 255, by: 5) {
                _ = try? TernaryTokens.decode([UInt8(a), UInt8(b)], count: 300)
            }
        }
    }
}
