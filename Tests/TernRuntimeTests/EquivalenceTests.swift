import Testing
import TernFormat
import TernRuntime
import TernTestSupport

/// Every optimized path (streaming, resident sparse, resident dense; batch 1, 3, 64) gives the reference's logits.
@Suite struct EquivalenceTests {
    static let sparsities = [0.0, 0.5, 0.9, 0.95, 0.99, 0.999]

    @Test(arguments: sparsities, [UInt8(1), 2])
    func denseChains(sparsity: Double, bits: UInt8) throws {
        let net = SyntheticNetwork.dense([97, 131, 65, 7], bits: bits, sparsity: sparsity, seed: 11)
        try expectAllPathsMatch(try net.fileBytes(), inputElements: 97)
        try expectAllPathsMatch(try net.fileBytes(weightLayout: .ternaryPacked2), inputElements: 97, seed: 2)
    }

    /// Inputs wider than the popcount kernels' 16-word register block (1,100 channels = one block + 2 tail words,
    /// 2,048 = two blocks), rows not a multiple of 64.
    @Test(arguments: [0.5, 0.95], [UInt8(1), 2])
    func wideLayers(sparsity: Double, bits: UInt8) throws {
        let net = SyntheticNetwork.dense([150, 1100, 2048, 70, 5], bits: bits, sparsity: sparsity, seed: 23)
        try expectAllPathsMatch(try net.fileBytes(), inputElements: 150)
    }

    @Test(arguments: [0.0, 0.7, 0.95, 0.999])
    func convolutions(sparsity: Double) throws {
        let specs: [SyntheticSpec] = [
            .conv(channels: 67, kernel: 3, padding: 1, bits: 1), .conv(channels: 5, kernel: 3, padding: 0, bits: 2),
            .pool, .conv(channels: 9, kernel: 5, padding: 1, bits: 1), .pool, .dense(outputs: 13, bits: 2),
            .classes(4),
        ]
        let net = SyntheticNetwork.stack(input: (3, 13, 11), specs, sparsity: sparsity, seed: 5)
        try expectAllPathsMatch(try net.fileBytes(), inputElements: 3 * 13 * 11, count: 3)
    }

    @Test func pixelConvWithoutPaddingAndOneByOneKernels() throws {
        let specs: [SyntheticSpec] = [
            .conv(channels: 8, kernel: 1, padding: 0, bits: 2), .conv(channels: 70, kernel: 3, padding: 0, bits: 1),
            .pool, .conv(channels: 3, kernel: 1, padding: 1, bits: 2), .pool, .classes(10),
        ]
        let net = SyntheticNetwork.stack(input: (1, 9, 10), specs, sparsity: 0.6, seed: 9)
        try expectAllPathsMatch(try net.fileBytes(encoding: .init(weightLayout: .ternaryPacked2)),
                                inputElements: 90, count: 4)
    }

    @Test(arguments: [SectionLayout.int8, .int16, .int32])
    func narrowThresholds(layout: SectionLayout) throws {
        let net = SyntheticNetwork.dense([33, 41, 17, 3], bits: 2, sparsity: 0.8, seed: 3)
        let wide = try net.fileBytes(encoding: .init())
        let narrow = try net.fileBytes(encoding: .init(thresholdLayout: layout))
        let expected = try expectAllPathsMatch(wide, inputElements: 33)
        let images = randomImages(5, elements: 33, seed: 1)
        #expect(try referenceLogits(narrow, images: images, count: 5) == expected)
        try expectAllPathsMatch(narrow, inputElements: 33)
    }

    @Test func sentinelThresholdsSurviveNarrowing() throws {
        var net = SyntheticNetwork.dense([5, 4, 2], bits: 1, sparsity: 0, seed: 4)
        net.layers[0].params = [Int32.min, Int32.max, 0, 3]  // always, never, and two ordinary ones
        let expected = try expectAllPathsMatch(try net.fileBytes(encoding: .init(thresholdLayout: .int8)), inputElements: 5)
        #expect(try expectAllPathsMatch(try net.fileBytes(), inputElements: 5) == expected)
    }

    @Test(arguments: [9, 12, 15])
    func zlibSectionsStreamThroughTheWindow(windowBits: Int) throws {
        let dense = SyntheticNetwork.dense([200, 150, 40, 10], bits: 2, sparsity: 0.9, seed: 8)
        let plain = try expectAllPathsMatch(try dense.fileBytes(), inputElements: 200)
        let zipped = try dense.fileBytes(encoding: .init(thresholdLayout: .int16, zlibWindowBits: windowBits))
        #expect(try expectAllPathsMatch(zipped, inputElements: 200) == plain)
        let packed = try dense.fileBytes(encoding: .init(weightLayout: .ternaryPacked2, zlibWindowBits: windowBits))
        #expect(try expectAllPathsMatch(packed, inputElements: 200) == plain)
        let conv = SyntheticNetwork.stack(input: (2, 10, 10), [
            .conv(channels: 9, kernel: 3, padding: 1, bits: 1), .pool, .dense(outputs: 7, bits: 1), .classes(3),
        ], sparsity: 0.5, seed: 2)
        try expectAllPathsMatch(try conv.fileBytes(encoding: .init(zlibWindowBits: windowBits)), inputElements: 200, count: 3)
    }

    @Test func lfcShapedNetworkAtBatch64() throws {
        let net = SyntheticNetwork.dense([784, 256, 255, 9], bits: 1, sparsity: 0.95, seed: 21)
        try expectAllPathsMatch(try net.fileBytes(), inputElements: 784, count: 70)
    }
}
