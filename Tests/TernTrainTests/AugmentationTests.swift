import Testing
import TernModel
@testable import TernTrain

/// Training-time augmentation and stage 2's quantization pruning.
@Suite struct AugmentationTests {
    /// Images 0 … n−1 of `side`×`side`×`channels`, each with one lit pixel (value 200 + channel) at (y, x).
    static func onePixelImages(_ spots: [(Int, Int)], side: Int, channels: Int = 1) -> Dataset {
        var images = [UInt8](repeating: 0, count: spots.count * side * side * channels)
        for (i, (y, x)) in spots.enumerated() {
            for c in 0 ..< channels { images[((i * side + y) * side + x) * channels + c] = UInt8(200 + c) }
        }
        return Dataset(kind: .mnist, split: .train, images: images, labels: [UInt8](repeating: 0, count: spots.count),
                       channels: channels, height: side, width: side, classes: 10)
    }

    /// Where the lit pixel of every augmented image ended up (nil when it was shifted out).
    static func spots(_ bytes: [UInt8], count: Int, side: Int, channels: Int) -> [(Int, Int)?] {
        (0 ..< count).map { i in
            let base = i * side * side * channels
            let lit = (0 ..< side * side).filter { bytes[base + $0 * channels] != 0 }
            #expect(lit.count <= 1)
            return lit.first.map { ($0 / side, $0 % side) }
        }
    }

    @Test func noneCopiesTheImages() {
        let d = Self.onePixelImages([(3, 4), (0, 0), (7, 7)], side: 8)
        var rng = SplitMix64(seed: 1)
        #expect(Augmentation.none.batch(of: d, indices: [2, 0], rng: &rng) == Array(d.image(2)) + Array(d.image(0)))
    }

    @Test func shiftMovesEveryImageByAtMostTwoPixels() {
        let side = 12
        let centre = Array(repeating: (6, 6), count: 400)
        let d = Self.onePixelImages(centre, side: side)
        var rng = SplitMix64(seed: 7)
        let out = Augmentation.shift.batch(of: d, indices: ArraySlice(0 ..< 400), rng: &rng)
        var seen = Set<Int>()
        for spot in Self.spots(out, count: 400, side: side, channels: 1) {
            guard let (y, x) = spot else { Issue.record("a centred pixel left the image"); continue }
            #expect(abs(y - 6) <= 2 && abs(x - 6) <= 2)
            seen.insert(y * side + x)
        }
        #expect(seen.count == 25, "all 5×5 offsets are drawn")
        // Same generator state → same images; zero fill where the shift uncovers the border.
        var again = SplitMix64(seed: 7)
        #expect(Augmentation.shift.batch(of: d, indices: ArraySlice(0 ..< 400), rng: &again) == out)
        let corner = Self.onePixelImages(Array(repeating: (0, 0), count: 200), side: side)
        var r2 = SplitMix64(seed: 3)
        let moved = Self.spots(Augmentation.shift.batch(of: corner, indices: ArraySlice(0 ..< 200), rng: &r2),
                               count: 200, side: side, channels: 1)
        #expect(moved.contains { $0 == nil }, "shifting a corner pixel out must happen")
    }

    @Test func cropFlipMirrorsAndKeepsChannelsTogether() {
        let side = 32
        let d = Self.onePixelImages(Array(repeating: (16, 6), count: 300), side: side, channels: 3)
        var rng = SplitMix64(seed: 5)
        let out = Augmentation.cropFlip.batch(of: d, indices: ArraySlice(0 ..< 300), rng: &rng)
        var mirrored = 0
        for (i, spot) in Self.spots(out, count: 300, side: side, channels: 3).enumerated() {
            guard let (y, x) = spot else { Issue.record("a pixel 6 from the edge left the image"); continue }
            #expect(abs(y - 16) <= 4)
            // Unflipped: x ∈ 6 ± 4; mirrored: x ∈ 25 ± 4.
            #expect(abs(x - 6) <= 4 || abs(x - 25) <= 4)
            if abs(x - 25) <= 4 { mirrored += 1 }
            let p = (i * side * side + y * side + x) * 3
            #expect(Array(out[p ..< p + 3]) == [200, 201, 202])
        }
        #expect(mirrored > 100 && mirrored < 200, "about half are mirrored: \(mirrored)")
    }

    @Test func deadZonePruningKeepsTheNetworkItsQuantizerRan() {
        var rng = SplitMix64(seed: 9)
        let layer = WeightLayer(geometry: .dense(inputs: 50), outputs: 20, activation: nil, rng: &rng)
        let before = WeightQuantizer.quantize(layer.weight.value, mask: nil, mode: .ternary, thresholdFactor: 0.7)
        Pruner.pruneDeadZone([layer], thresholdFactor: 0.7)
        let after = WeightQuantizer.quantize(layer.weight.value, mask: layer.mask, mode: .masked, thresholdFactor: 0.7)
        #expect(after.ternary == before.ternary)
        #expect(after.alpha == before.alpha)
        #expect(layer.mask!.filter { $0 == 0 }.count == before.ternary.filter { $0 == 0 }.count)
        #expect(before.ternary.contains(0) && before.ternary.contains(1) && before.ternary.contains(-1))
    }
}
