/// A labelled image set held in memory: pixels as the dataset stores them (`UInt8`), layout HWC per image
/// (channels innermost, as docs/DATAFLOW.md requires of the runtime's input), images back to back.
public struct Dataset: Sendable, Equatable {
    /// Which collection the images come from; decides the file names a loader looks for.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case mnist
        case fashionMNIST = "fashion-mnist"
        case cifar10
    }

    /// The standard train/test partition of a collection.
    public enum Split: String, Sendable, CaseIterable {
        case train
        case test
    }

    public var kind: Kind
    public var split: Split
    /// Pixels: `count · height · width · channels` bytes, image-major, then row, column, channel.
    public var images: [UInt8]
    /// One class index per image, each `< classes`.
    public var labels: [UInt8]
    public var channels: Int
    public var height: Int
    public var width: Int
    public var classes: Int

    public init(kind: Kind, split: Split, images: [UInt8], labels: [UInt8],
                channels: Int, height: Int, width: Int, classes: Int) {
        precondition(images.count == labels.count * channels * height * width, "images and labels disagree")
        self.kind = kind
        self.split = split
        self.images = images
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classes = classes
    }

    /// Number of images.
    public var count: Int { labels.count }
    /// Bytes per image (`channels · height · width`).
    public var imageSize: Int { channels * height * width }

    /// The pixels of image `index` (HWC).
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        images[index * imageSize ..< (index + 1) * imageSize]
    }

    /// The first `n` images (all when `n ≥ count`).
    public func prefix(_ n: Int) -> Dataset {
        let n = min(max(n, 0), count)
        return Dataset(kind: kind, split: split, images: Array(images[0 ..< n * imageSize]),
                       labels: Array(labels[0 ..< n]), channels: channels, height: height, width: width,
                       classes: classes)
    }
}
