// Every stream system zlib writes — any level, window, strategy — decodes to exactly the original bytes.
import Testing
import TernFormat
import TernInflate
import TernTestSupport
import TernZlib

@Suite struct RoundTripTests {
    @Test(arguments: ZlibStrategy.allCases)
    func everyLevelAndWindow(strategy: ZlibStrategy) throws {
        for level in 0...9 {
            for windowBits in 9...15 {
                for (k, kind) in InputKind.allCases.enumerated() {
                    let seed = UInt64(level * 100 + windowBits * 10 + k)
                    let input = kind.bytes(count: 3000 + Int(seed % 7) * 1500, seed: seed)
                    let stream = try deflate(input, level: level, windowBits: windowBits, strategy: strategy)
                    let decoded = try zlibDecompress(stream, maxOutputBytes: input.count)
                    #expect(decoded == input, "\(kind) level \(level) windowBits \(windowBits) \(strategy)")
                }
            }
        }
    }

    @Test(arguments: [1, 2, 9])
    func memoryLevelsChangeBlockSizes(memLevel: Int) throws {
        let input = InputKind.mixed.bytes(count: 100_000, seed: 7)
        for strategy in ZlibStrategy.allCases {
            let stream = try deflate(input, level: 6, windowBits: 15, memLevel: memLevel, strategy: strategy)
            #expect(try zlibDecompress(stream, maxOutputBytes: input.count) == input)
        }
    }

    @Test func tinyInputs() throws {
        for count in 1...4 {
            let input = InputKind.random.bytes(count: count, seed: UInt64(count))
            for level in [0, 1, 9] {
                for strategy in ZlibStrategy.allCases {
                    let stream = try deflate(input, level: level, windowBits: 9, strategy: strategy)
                    #expect(try zlibDecompress(stream, maxOutputBytes: count) == input)
                    #expect(try streamInflate(stream, chunking: .fixed(1), outputChunk: 1) == input)
                }
            }
        }
    }

    @Test func largeTernaryTokenStream() throws {
        // A 2.9 M-weight layer at 95 % sparsity, the size the benchmark uses.
        var rng = SeededGenerator(seed: 2017)
        let tokens = TernaryTokens.encode(fastRandomTernary(count: 2_900_000, sparsity: 0.95, using: &rng))
        for strategy in [ZlibStrategy.defaultStrategy, .huffmanOnly] {
            let stream = try deflate(tokens, level: 9, windowBits: 15, strategy: strategy)
            #expect(try zlibDecompress(stream, maxOutputBytes: tokens.count) == tokens)
        }
    }

    @Test func largeMixedStreamStreamedThroughSmallWindow() throws {
        let input = InputKind.mixed.bytes(count: 3_000_000, seed: 99)
        let stream = try deflate(input, level: 6, windowBits: 12, strategy: .defaultStrategy)
        #expect(try zlibDecompress(stream, maxOutputBytes: input.count) == input)
        let decoded = try streamInflate(
            stream, chunking: .random(maximum: 700, seed: 5), outputChunk: 3000,
            workspaceBytes: ZlibInflater.workspaceBytes(windowBits: 12))
        #expect(decoded == input)
    }

    @Test func outputGrowsPastTheFirstGuess() throws {
        // 8 MB of runs compresses ~1000:1, far beyond the decoder's first 4 × input guess.
        let input = [UInt8](repeating: 7, count: 8_000_000)
        let stream = try deflate(input, level: 9)
        #expect(try zlibDecompress(stream, maxOutputBytes: .max) == input)
    }
}

@Suite struct EdgeCaseTests {
    @Test func emptyOutput() throws {
        var w = BitWriter()
        w.write(1, bits: 1)
        w.write(1, bits: 2)
        w.writeCode(0, length: 7)
        #expect(try zlibDecompress(w.zlibStream(), maxOutputBytes: 0) == [])
        #expect(try streamInflate(w.zlibStream(), chunking: .fixed(1), outputChunk: 1) == [])
        let stored = try deflate([], level: 0)
        #expect(try zlibDecompress(stored, maxOutputBytes: 0) == [])
    }
}
