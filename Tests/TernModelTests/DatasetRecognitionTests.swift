import Foundation
import Testing
import TernModel
import TernTestSupport

/// MNIST and Fashion-MNIST share a format: the published label files tell them apart (issue 23).
@Suite struct DatasetRecognitionTests {
    static let mnistTest: [UInt8] = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0, 6, 9, 0, 1, 5]
    static let fashionTest: [UInt8] = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1]

    /// A test split of `labels.count` 2×2 images with these labels.
    func directory(labels: [UInt8], name: String = "data", count: Int? = nil) -> String {
        let dir = DatasetFixtures.temporaryDirectory() + "/" + name
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let n = count ?? labels.count
        DatasetFixtures.write(DatasetFixtures.idxImages([UInt8](repeating: 9, count: n * 4), count: n, rows: 2, cols: 2),
                              "t10k-images-idx3-ubyte", in: dir)
        DatasetFixtures.write(DatasetFixtures.idxLabels(Array(labels.prefix(n))), "t10k-labels-idx1-ubyte", in: dir)
        return dir
    }

    @Test func mnistFilesAskedForAsFashionAreRefusedAndTheReverse() throws {
        let mnist = directory(labels: Self.mnistTest + [3, 3])
        let fashion = directory(labels: Self.fashionTest)
        defer {
            try? FileManager.default.removeItem(atPath: (mnist as NSString).deletingLastPathComponent)
            try? FileManager.default.removeItem(atPath: (fashion as NSString).deletingLastPathComponent)
        }
        #expect(throws: DatasetError.kindMismatch(file: mnist + "/t10k-labels-idx1-ubyte", requested: .fashionMNIST,
                                                  found: .mnist)) {
            try Dataset.load(directory: mnist, kind: .fashionMNIST, split: .test)
        }
        #expect(throws: DatasetError.kindMismatch(file: fashion + "/t10k-labels-idx1-ubyte", requested: .mnist,
                                                  found: .fashionMNIST)) {
            try Dataset.load(directory: fashion, kind: .mnist, split: .test)
        }
        #expect(try Dataset.load(directory: mnist, kind: .mnist, split: .test).count == 18)
        // Detection believes the labels over the directory's name.
        #expect(try Dataset.detectKind(directory: fashion) == .fashionMNIST)
        #expect(Dataset.recognizedKind(directory: mnist) == .mnist)
    }

    @Test func unrecognizedFilesAreTakenAsAskedAndTheCommittedSamplesAreRecognized() throws {
        let custom = directory(labels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6])
        defer { try? FileManager.default.removeItem(atPath: (custom as NSString).deletingLastPathComponent) }
        #expect(Dataset.recognizedKind(directory: custom) == nil)
        #expect(try Dataset.load(directory: custom, kind: .fashionMNIST, split: .test).kind == .fashionMNIST)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        #expect(Dataset.recognizedKind(directory: root + "/Models/samples/mnist") == .mnist)
        #expect(Dataset.recognizedKind(directory: root + "/Models/samples/fashion-mnist") == .fashionMNIST)
    }

    @Test func anIDXWithNoImagesIsAnError() throws {
        let empty = directory(labels: [], count: 0)
        defer { try? FileManager.default.removeItem(atPath: (empty as NSString).deletingLastPathComponent) }
        #expect(throws: DatasetError.empty(file: empty + "/t10k-images-idx3-ubyte")) {
            try Dataset.load(directory: empty, kind: .mnist, split: .test)
        }
    }
}
