import Foundation
import Testing

/// `tern train` and `tern bench-train` on bad and borderline arguments (issue 23: crashes, usage errors, quick runs).
@Suite struct TrainCommandTests {
    @Test(arguments: [["--batch-size", "0"], ["--batch-size=-5"], ["--batch-size", "-5"]])
    func nonPositiveBatchSizeIsAUsageError(arguments: [String]) throws {
        let data = CLIFixtures.idxDirectory(train: 20, test: 10)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let r = try TernCLI.run(["train", "--data", data, "-o", data + "/run", "--quiet"] + arguments)
        #expect(!r.crashed)
        #expect(r.status == 64)
        #expect(r.stderr.contains("--batch-size must be at least 1"))
        // The subcommand's usage, not the root's.
        #expect(r.stderr.contains("Usage: tern train"))
    }

    /// A limit below the batch size (the first quick run a newcomer tries) trains with the batch clamped to the
    /// data, records the test-image count, and a 1000-image batch over 300 images works the same way.
    @Test(arguments: [(50, 100), (300, 1000)])
    func trainLimitBelowBatchSizeTrains(limit: Int, batch: Int) throws {
        let data = CLIFixtures.idxDirectory(train: 300, test: 30)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let out = data + "/run"
        let r = try TernCLI.run(["train", "--arch", CLIFixtures.tinyArchitectureFile(in: data), "--data", data, "--train-limit", "\(limit)",
                                 "--batch-size", "\(batch)", "--test-limit", "20", "--epochs", "1,1,1",
                                 "--quiet", "-o", out])
        #expect(!r.crashed, "\(r.stderr)")
        #expect(r.status == 0, "\(r.stderr)")
        let json = String(decoding: FileManager.default.contents(atPath: out + "/model.json") ?? Data(), as: UTF8.self)
        #expect(json.contains("\"testImages\": 20"))
        #expect(r.stdout.contains("(20 images)"))
    }

    @Test(arguments: [["--test-limit", "0"], ["--train-limit", "0"], ["--test-limit", "-3"]])
    func nonPositiveLimitsAreUsageErrors(arguments: [String]) throws {
        let data = CLIFixtures.idxDirectory(train: 20, test: 10)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let r = try TernCLI.run(["train", "--data", data, "-o", data + "/run", "--quiet"] + arguments)
        #expect(r.status == 64)
        #expect(r.stderr.contains("must be positive"))
        #expect(!r.stderr.contains("badImages"))
    }

    /// MNIST files given as Fashion-MNIST would train a mislabelled checkpoint: the labels give them away.
    @Test func mnistFilesGivenAsFashionMNISTAreRefused() throws {
        let data = CLIFixtures.idxDirectory(train: 20, test: 10, trainLabels: CLIFixtures.mnistTrainLabelPrefix)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let r = try TernCLI.run(["train", "--data", data, "--dataset", "fashion-mnist", "-o", data + "/run", "--quiet"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("train-labels-idx1-ubyte: these are mnist files, not fashion-mnist"))
        #expect(!r.stderr.contains("Usage:"))
        #expect(!FileManager.default.fileExists(atPath: data + "/run"))
    }

    @Test func outputUnderAMissingDirectoryIsRefused() throws {
        let data = CLIFixtures.idxDirectory(train: 20, test: 10)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let out = data + "/missing/deeper/run"
        let r = try TernCLI.run(["train", "--data", data, "-o", out, "--quiet"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("does not exist"))
        #expect(!r.stderr.contains("Usage:"))
        #expect(!FileManager.default.fileExists(atPath: data + "/missing"))
    }

    @Test(arguments: [["--steps", "0"], ["--batch-size", "0"], ["--steps", "-1"]])
    func benchTrainRejectsNonPositiveSizes(arguments: [String]) throws {
        let data = CLIFixtures.idxDirectory(train: 20, test: 10)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let r = try TernCLI.run(["bench-train", "--data", data] + arguments)
        #expect(!r.crashed)
        #expect(r.status == 64)
        #expect(r.stderr.contains("must be at least 1"))
        #expect(r.stderr.contains("Usage: tern bench-train"))
    }
}
