import Testing
import TernModel
import TernTestSupport

/// The committed `Models/samples` read like the real datasets, and the integer reference runs on them end to end.
@Suite struct SamplesTests {
    @Test(arguments: [("mnist", 1, 28), ("fashion-mnist", 1, 28), ("cifar10", 3, 32)])
    func samplesLoadAndEvaluate(name: String, channels: Int, side: Int) throws {
        let directory = repositoryRoot.appendingPathComponent("Models/samples/\(name)").path
        let samples = try Dataset.load(directory: directory, split: .test)
        #expect(samples.kind.rawValue == name)
        #expect(samples.count == 200)
        #expect(samples.channels == channels && samples.height == side && samples.width == side)
        #expect(Set(samples.labels).count == 10, "all ten classes appear in the first 200 test images")
        let architecture = Architecture(
            name: "sample-check", input: .init(channels: channels, height: side, width: side),
            layers: [.conv(out: 4, kernel: 3, padding: 1, activation: .sign), .maxPool(size: 2),
                     .dense(out: 10, activation: nil)])
        let network = try FixtureCheckpoint.random(architecture: architecture, sparsity: 0.5, seed: 3).folded()
        // 40 images keep the debug build fast; the point is that real images flow through, not the accuracy.
        let few = samples.prefix(40)
        let predictions = try IntegerReference.predictions(network: network, images: few.images, count: few.count)
        #expect(Set(predictions).count > 1, "real images give different predictions")
    }
}
