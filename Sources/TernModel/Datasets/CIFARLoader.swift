/// CIFAR-10 binary version: records of 1 label byte + 1024 R + 1024 G + 1024 B bytes (32×32, row-major planes).
/// Converted to HWC on load so every dataset has the runtime's layout.
enum CIFARLoader {
    static let side = 32
    static let recordSize = 1 + 3 * 32 * 32
    static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    static let testFiles = ["test_batch.bin"]

    static func load(directory: String, split: Dataset.Split, limit: Int?) throws(DatasetError) -> Dataset {
        let files = split == .train ? trainFiles : testFiles
        let wanted = limit ?? Int.max
        var images: [UInt8] = []
        var labels: [UInt8] = []
        let plane = side * side
        for name in files where labels.count < wanted {
            let (bytes, path) = try DatasetFiles.read(name, in: directory)
            guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
                let records = max(1, (bytes.count + recordSize - 1) / recordSize)
                throw .wrongSize(file: path, expected: records * recordSize, actual: bytes.count)
            }
            let records = bytes.count / recordSize
            let take = min(records, wanted - labels.count)
            images.reserveCapacity(images.count + take * 3 * plane)
            for r in 0 ..< take {
                let base = r * recordSize
                let label = bytes[base]
                guard label < 10 else {
                    throw .labelOutOfRange(file: path, index: r, label: Int(label), classes: 10)
                }
                labels.append(label)
                for p in 0 ..< plane {
                    images.append(bytes[base + 1 + p])
                    images.append(bytes[base + 1 + plane + p])
                    images.append(bytes[base + 1 + 2 * plane + p])
                }
            }
        }
        return Dataset(kind: .cifar10, split: split, images: images, labels: labels,
                       channels: 3, height: side, width: side, classes: 10)
    }
}
