import TernModel

/// Random label-preserving distortions of training images, drawn per image from a generator seeded by
/// (run seed, epoch, batch), so a resumed run sees exactly the images the uninterrupted one saw.
/// Test images are never augmented.
public enum Augmentation: String, Codable, Sendable, CaseIterable {
    /// Images as stored.
    case none
    /// Translation by up to ±2 pixels in each direction, zero fill (digits and clothing: a flipped 2 is no 2).
    case shift
    /// CIFAR-10's standard: zero-pad 4 pixels, crop back to size at a random offset, mirror left–right half the time.
    case cropFlip = "crop-flip"

    /// Largest translation in pixels per axis.
    var maxShift: Int {
        switch self {
        case .none: return 0
        case .shift: return 2
        case .cropFlip: return 4
        }
    }

    var flips: Bool { self == .cropFlip }

    /// Writes the augmented pixels of `indices` (HWC bytes, image after image) for one training batch.
    public func batch(of data: Dataset, indices: ArraySlice<Int>, rng: inout SplitMix64) -> [UInt8] {
        let size = data.imageSize
        var out = [UInt8](repeating: 0, count: indices.count * size)
        let (h, w, c) = (data.height, data.width, data.channels)
        let m = maxShift
        data.images.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (r, idx) in indices.enumerated() {
                    let base = idx * size, o = r * size
                    if self == .none {
                        for p in 0 ..< size { dst[o + p] = src[base + p] }
                        continue
                    }
                    // Output pixel (y, x) reads input (y + dy, x' + dx) with x' = x or w−1−x; outside → 0.
                    let dy = Int(rng.next() % UInt64(2 * m + 1)) - m
                    let dx = Int(rng.next() % UInt64(2 * m + 1)) - m
                    let mirror = flips && rng.next() & 1 == 1
                    for y in 0 ..< h {
                        let sy = y + dy
                        guard sy >= 0 && sy < h else { continue }
                        for x in 0 ..< w {
                            let sx = (mirror ? w - 1 - x : x) + dx
                            guard sx >= 0 && sx < w else { continue }
                            let from = base + (sy * w + sx) * c, to = o + (y * w + x) * c
                            for ch in 0 ..< c { dst[to + ch] = src[from + ch] }
                        }
                    }
                }
            }
        }
        return out
    }
}
