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

        guard count > 0 else { throw .empty(file: imagePath) }
        if let found = recognize(labels: labelBytes, split: split), found != kind {
            throw .kindMismatch(file: labelPath, requested: kind, found: found)
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

    /// The first 16 labels of each split of the two IDX collections, as published. MNIST and Fashion-MNIST share a
    /// format and image size, so the files themselves must say which one they are; 16 labels of 10 classes leave a
    /// 10⁻¹⁶ chance that other data is mistaken for either. Files that start differently (a subset, a
    /// shuffled or custom set) are not recognized and taken as the kind asked for.
    static let knownLabelPrefixes: [(kind: Dataset.Kind, split: Dataset.Split, labels: [UInt8])] = [
        (.mnist, .train, [5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5, 3, 6, 1, 7]),
        (.mnist, .test, [7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0, 6, 9, 0, 1, 5]),
        (.fashionMNIST, .train, [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9]),
        (.fashionMNIST, .test, [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1]),
    ]

    /// The collection whose published `split` label file `labels` (a whole IDX label file) starts like, if any.
    static func recognize(labels: [UInt8], split: Dataset.Split) -> Dataset.Kind? {
        guard labels.count >= 8 + 16 else { return nil }
        let prefix = Array(labels[8 ..< 24])
        return knownLabelPrefixes.first { $0.split == split && $0.labels == prefix }?.kind
    }

    private static func bigEndian(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
}
