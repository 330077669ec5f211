/// MNIST-style IDX files (LeCun's format): big-endian header, magic `0x00000803` for `u8` images `[n][rows][cols]`
/// and `0x00000801` for `u8` labels `[n]`.
enum IDXLoader {
    static let imageMagic: UInt32 = 0x0000_0803
    static let labelMagic: UInt32 = 0x0000_0801

    /// The file names of one split (without `.gz`).
    static func fileNames(_ split: Dataset.Split) -> (images: String, labels: String) {
        switch split {
        case .train: return ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        case .test: return ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
        }
    }

    static func load(directory: String, kind: Dataset.Kind, split: Dataset.Split, limit: Int?) throws(DatasetError) -> Dataset {
        let names = fileNames(split)
        let (imageBytes, imagePath) = try DatasetFiles.read(names.images, in: directory)
        let (labelBytes, labelPath) = try DatasetFiles.read(names.labels, in: directory)

        guard imageBytes.count >= 16 else { throw .wrongSize(file: imagePath, expected: 16, actual: imageBytes.count) }
        let magic = bigEndian(imageBytes, 0)
        guard magic == imageMagic else { throw .badMagic(file: imagePath, expected: imageMagic, found: magic) }
        let count = Int(bigEndian(imageBytes, 4))
        let rows = Int(bigEndian(imageBytes, 8)), cols = Int(bigEndian(imageBytes, 12))
        guard rows > 0, cols > 0, rows <= 4096, cols <= 4096 else {
            throw .badDimensions(file: imagePath, detail: "\(rows)×\(cols) images")
        }
        let expectedImages = 16 + count * rows * cols
        guard imageBytes.count == expectedImages else {
            throw .wrongSize(file: imagePath, expected: expectedImages, actual: imageBytes.count)
        }

        guard labelBytes.count >= 8 else { throw .wrongSize(file: labelPath, expected: 8, actual: labelBytes.count) }
        let labelMagicFound = bigEndian(labelBytes, 0)
        guard labelMagicFound == labelMagic else {
            throw .badMagic(file: labelPath, expected: labelMagic, found: labelMagicFound)
        }
        let labelCount = Int(bigEndian(labelBytes, 4))
        guard labelBytes.count == 8 + labelCount else {
            throw .wrongSize(file: labelPath, expected: 8 + labelCount, actual: labelBytes.count)
        }
        guard labelCount == count else {
            throw .countMismatch(images: imagePath, imageCount: count, labels: labelPath, labelCount: labelCount)
        }

        let n = min(count, limit ?? count)
        let labels = Array(labelBytes[8 ..< 8 + n])
        if let bad = labels.firstIndex(where: { $0 >= 10 }) {
            throw .labelOutOfRange(file: labelPath, index: bad, label: Int(labels[bad]), classes: 10)
        }
        let images = Array(imageBytes[16 ..< 16 + n * rows * cols])
        return Dataset(kind: kind, split: split, images: images, labels: labels,
                       channels: 1, height: rows, width: cols, classes: 10)
    }

    private static func bigEndian(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
}
