import Foundation
import Testing
import TernModel
import TernTestSupport

@Suite struct DatasetsTests {
    /// Writes a 5-image 4×3 IDX pair into a fresh directory.
    private func idxDirectory(gzipped: Bool, imageMagic: UInt32 = 0x803, labelCount: Int = 5,
                              truncateImages: Int = 0, labels: [UInt8]? = nil) -> String {
        let dir = DatasetFixtures.temporaryDirectory()
        let pixels = (0 ..< 60).map { UInt8($0) }
        var img = DatasetFixtures.idxImages(pixels, count: 5, rows: 4, cols: 3, magic: imageMagic)
        img.removeLast(truncateImages)
        let lab = DatasetFixtures.idxLabels(labels ?? Array([3, 1, 4, 1, 5, 9, 2].prefix(labelCount)))
        let s = gzipped ? ".gz" : ""
        DatasetFixtures.write(gzipped ? DatasetFixtures.gzip(img) : img, "train-images-idx3-ubyte" + s, in: dir)
        DatasetFixtures.write(gzipped ? DatasetFixtures.gzip(lab) : lab, "train-labels-idx1-ubyte" + s, in: dir)
        return dir
    }

    @Test(arguments: [false, true])
    func loadsIDXPlainAndGzipped(gzipped: Bool) throws {
        let dir = idxDirectory(gzipped: gzipped)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = try Dataset.load(directory: dir, kind: .mnist, split: .train)
        #expect(d.count == 5 && d.height == 4 && d.width == 3 && d.channels == 1 && d.classes == 10)
        #expect(d.labels == [3, 1, 4, 1, 5])
        #expect(Array(d.image(1)) == (12 ..< 24).map { UInt8($0) })
        let limited = try Dataset.load(directory: dir, kind: .mnist, split: .train, limit: 2)
        #expect(limited.count == 2 && limited.images.count == 24)
    }

    @Test func detectsKindFromFiles() throws {
        let dir = idxDirectory(gzipped: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Dataset.detectKind(directory: dir) == .mnist)
        let empty = DatasetFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: DatasetError.unknownLayout(directory: empty)) { try Dataset.detectKind(directory: empty) }
    }

    @Test func rejectsBadMagic() {
        let dir = idxDirectory(gzipped: true, imageMagic: 0x803 + 0x100)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: DatasetError.badMagic(file: dir + "/train-images-idx3-ubyte.gz", expected: 0x803, found: 0x903)) {
            try Dataset.load(directory: dir, kind: .mnist, split: .train)
        }
    }

    @Test func rejectsTruncatedImages() {
        let dir = idxDirectory(gzipped: false, truncateImages: 7)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: DatasetError.wrongSize(file: dir + "/train-images-idx3-ubyte", expected: 76, actual: 69)) {
            try Dataset.load(directory: dir, kind: .mnist, split: .train)
        }
    }

    @Test func rejectsCountMismatchAndBadLabels() {
        let dir = idxDirectory(gzipped: false, labelCount: 4)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: DatasetError.countMismatch(images: dir + "/train-images-idx3-ubyte", imageCount: 5,
                                                   labels: dir + "/train-labels-idx1-ubyte", labelCount: 4)) {
            try Dataset.load(directory: dir, kind: .mnist, split: .train)
        }
        let bad = idxDirectory(gzipped: false, labels: [0, 1, 12, 3, 4])
        defer { try? FileManager.default.removeItem(atPath: bad) }
        #expect(throws: DatasetError.labelOutOfRange(file: bad + "/train-labels-idx1-ubyte", index: 2, label: 12, classes: 10)) {
            try Dataset.load(directory: bad, kind: .mnist, split: .train)
        }
    }

    @Test func reportsMissingFileAndBrokenGzip() {
        let dir = DatasetFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: DatasetError.missingFile(directory: dir, name: "t10k-images-idx3-ubyte")) {
            try Dataset.load(directory: dir, kind: .fashionMNIST, split: .test)
        }
        DatasetFixtures.write([0x1F, 0x8B, 8, 0, 1, 2, 3], "t10k-images-idx3-ubyte.gz", in: dir)
        do {
            _ = try Dataset.load(directory: dir, kind: .fashionMNIST, split: .test)
            Issue.record("a broken gzip file loaded")
        } catch {
            guard case .decompressionFailed(let file, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(file.hasSuffix("t10k-images-idx3-ubyte.gz"))
        }
    }

    @Test(arguments: [false, true])
    func loadsCIFARAndConvertsPlanesToHWC(gzipped: Bool) throws {
        let dir = DatasetFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hwc = (0 ..< 2 * 3072).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let batch = DatasetFixtures.cifarBatch(imagesHWC: hwc, labels: [6, 9])
        // The record layout is planar: byte 1 + 1024 of record 0 is the G value of pixel 0 = HWC index 1.
        #expect(batch[1 + 1024] == hwc[1])
        DatasetFixtures.write(gzipped ? DatasetFixtures.gzip(batch) : batch, "test_batch.bin" + (gzipped ? ".gz" : ""), in: dir)
        #expect(try Dataset.detectKind(directory: dir) == .cifar10)
        let d = try Dataset.load(directory: dir, split: .test)
        #expect(d.labels == [6, 9] && d.channels == 3 && d.height == 32 && d.width == 32)
        #expect(d.images == hwc)
    }

    @Test func rejectsTruncatedCIFARBatch() {
        let dir = DatasetFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var batch = DatasetFixtures.cifarBatch(imagesHWC: [UInt8](repeating: 1, count: 3072), labels: [1])
        batch.removeLast(100)
        DatasetFixtures.write(batch, "test_batch.bin", in: dir)
        #expect(throws: DatasetError.wrongSize(file: dir + "/test_batch.bin", expected: 3073, actual: 2973)) {
            try Dataset.load(directory: dir, kind: .cifar10, split: .test)
        }
    }
}
