import Foundation
import TernFormat
import TernZlib

/// Writes tiny dataset files (IDX and CIFAR-10 binary) into temporary directories, for loader and trainer tests.
public enum DatasetFixtures {
    /// A fresh empty temporary directory; the caller removes it.
    public static func temporaryDirectory(_ tag: String = "tern") -> String {
        let path = NSTemporaryDirectory() + "\(tag)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// An IDX image file: magic 0x803, `[count][rows][cols]` u8.
    public static func idxImages(_ pixels: [UInt8], count: Int, rows: Int, cols: Int, magic: UInt32 = 0x803) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(cols)) + pixels
    }

    /// An IDX label file: magic 0x801, `[count]` u8.
    public static func idxLabels(_ labels: [UInt8], magic: UInt32 = 0x801) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(labels.count)) + labels
    }

    /// A CIFAR-10 binary batch from HWC 32×32×3 images.
    public static func cifarBatch(imagesHWC: [UInt8], labels: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let plane = 32 * 32
        for (i, label) in labels.enumerated() {
            out.append(label)
            for c in 0 ..< 3 { for p in 0 ..< plane { out.append(imagesHWC[i * 3 * plane + p * 3 + c]) } }
        }
        return out
    }

    /// `bytes` as a gzip (RFC 1952) member: zlib's deflate stream re-wrapped with a gzip header and trailer.
    public static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        let zlibStream = (try? deflate(bytes, level: 6)) ?? []
        let raw = zlibStream[2 ..< zlibStream.count - 4]   // strip the zlib header and Adler-32
        let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        return header + raw + littleEndian(CRC32.checksum(bytes)) + littleEndian(UInt32(truncatingIfNeeded: bytes.count))
    }

    /// Writes `bytes` to `directory/name`.
    public static func write(_ bytes: [UInt8], _ name: String, in directory: String) {
        _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(bytes))
    }

    /// A learnable synthetic MNIST-like set: class `k` images are noise plus a bright horizontal bar at row
    /// `1 + k·(side − 2)/10` so a small network separates them quickly. Deterministic in `seed`.
    public static func syntheticDigits(count: Int, side: Int = 28, seed: UInt64) -> (images: [UInt8], labels: [UInt8]) {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var images = [UInt8](repeating: 0, count: count * side * side)
        var labels = [UInt8](repeating: 0, count: count)
        for i in 0 ..< count {
            let label = Int(next() % 10)
            labels[i] = UInt8(label)
            for p in 0 ..< side * side { images[i * side * side + p] = UInt8(next() % 96) }
            let row = 1 + label * (side - 2) / 10
            for x in 2 ..< side - 2 { images[i * side * side + row * side + x] = 200 + UInt8(next() % 56) }
        }
        return (images, labels)
    }

    /// Writes a synthetic MNIST-style directory (train and test IDX files, gzip'd or plain) and returns its path.
    public static func syntheticMNISTDirectory(train: Int, test: Int, gzipped: Bool = false, seed: UInt64 = 7) -> String {
        let dir = temporaryDirectory("tern-mnist")
        let suffix = gzipped ? ".gz" : ""
        for (split, n, s) in [("train", train, seed), ("t10k", test, seed &+ 1)] {
            let (images, labels) = syntheticDigits(count: n, seed: s)
            let img = idxImages(images, count: n, rows: 28, cols: 28)
            let lab = idxLabels(labels)
            write(gzipped ? gzip(img) : img, "\(split)-images-idx3-ubyte\(suffix)", in: dir)
            write(gzipped ? gzip(lab) : lab, "\(split)-labels-idx1-ubyte\(suffix)", in: dir)
        }
        return dir
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    private static func littleEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
    }
}
