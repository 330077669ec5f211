import Foundation
import Testing
import TernFormat
import TernTestSupport

/// `tern run`, `inspect`, `eval` and `bench` on inputs that used to give wrong or misleading answers (issue 23).
@Suite struct RunCommandTests {
    static let mnistModel = "Models/lfc-mnist-98/model.tern"

    @Test func mnistModelOnFashionMNISTIsRefusedUnlessAllowed() throws {
        let refused = try TernCLI.run(["run", Self.mnistModel, "--data", "Models/samples/fashion-mnist"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("holds fashion-mnist"))
        #expect(refused.stderr.contains("--allow-dataset-mismatch"))
        #expect(!refused.stderr.contains("Usage:"))
        let allowed = try TernCLI.run(["run", Self.mnistModel, "--data", "Models/samples/fashion-mnist",
                                       "--allow-dataset-mismatch", "--count", "20"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("accuracy"))
    }

    /// 14×56 has the pixel count of 28×28; the shape must match, not only the count.
    @Test func imagesOfAnotherShapeAreRefused() throws {
        let data = CLIFixtures.idxDirectory(train: 0, test: 10, rows: 14, cols: 56)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let r = try TernCLI.run(["run", Self.mnistModel, "--data", data])
        #expect(r.status == 1)
        #expect(r.stderr.contains("1×14×56"))
        #expect(r.stderr.contains("reads 1×28×28"))
    }

    @Test func anIDXWithNoImagesIsRefused() throws {
        let data = CLIFixtures.idxDirectory(train: 0, test: 0)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let r = try TernCLI.run(["run", Self.mnistModel, "--data", data])
        #expect(r.status == 1)
        #expect(r.stderr.contains("holds no images"))
        #expect(!r.stdout.contains("0/0"))
    }

    /// `--batch -3` (with a space) reached ArgumentParser as an unknown flag: "Missing value for '--batch'".
    @Test func negativeBatchReachesTheCommandsOwnCheck() throws {
        let r = try TernCLI.run(["run", Self.mnistModel, "--data", "Models/samples/mnist", "--batch", "-3"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--batch must be in 1…4096 (got -3)"))
        #expect(r.stderr.contains("Usage: tern run"))
    }

    /// Without a terminal the progress bar is off; plain progress lines say the run is alive.
    @Test func printsProgressLinesWithoutATerminal() throws {
        let r = try TernCLI.run(["run", Self.mnistModel, "--data", "Models/samples/mnist"],
                                environment: ["TERN_PROGRESS_SECONDS": "0"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("classifying 200/200 images"))
    }

    @Test func aTextFileIsNotATernFile() throws {
        let path = DatasetFixtures.temporaryDirectory("tern-cli") + "/notes.txt"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        _ = FileManager.default.createFile(atPath: path, contents: Data("nineteen bytes here".utf8))
        for command in ["inspect", "run"] {
            let r = try TernCLI.run([command, path, "--data", "Models/samples/mnist"].prefix(command == "inspect" ? 2 : 4).map { $0 })
            #expect(r.status == 1)
            #expect(r.stderr.contains("\(path): not a .tern file (bad magic"), "\(r.stderr)")
            #expect(!r.stderr.contains("truncated"))
        }
    }

    /// A data or file problem exits 1 with its message only; usage text is for command-line mistakes.
    @Test func fileProblemsExitOneWithoutUsage() throws {
        let r = try TernCLI.run(["run", "/nonexistent/model.tern", "--data", "Models/samples/mnist"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/model.tern"))
        #expect(!r.stderr.contains("Usage:"))
    }

    /// A corrupt weight section found while streaming: the message names the file and says what is wrong in words
    /// (it printed `inflate(Adler-32 mismatch …)` and no file).
    @Test func aCorruptSectionIsDescribedInWordsWithTheFile() throws {
        var bytes = [UInt8](FileManager.default.contents(atPath: TernCLI.root + "/" + Self.mnistModel)!)
        let file = try TernFile(parsing: bytes)
        guard let (i, s) = file.sections.enumerated().first(where: { $0.element.compression == .zlib }) else {
            Issue.record("the model has no zlib section")
            return
        }
        bytes[Int(s.offset + s.storedBytes) - 1] ^= 0x01  // the Adler-32's last byte
        let dir = DatasetFixtures.temporaryDirectory("tern-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/corrupt.tern"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        for mode in ["stream", "resident"] {
            let r = try TernCLI.run(["run", path, "--data", "Models/samples/mnist", "--mode", mode])
            #expect(r.status == 1)
            #expect(r.stderr.contains(path), "\(r.stderr)")
            #expect(r.stderr.contains("section \(i)"))
            #expect(r.stderr.contains("Adler-32 mismatch"), "\(r.stderr)")
            #expect(!r.stderr.contains("inflate(") && !r.stderr.contains("corruptSection"), "\(r.stderr)")
        }
        let inspected = try TernCLI.run(["inspect", path])
        #expect(inspected.status == 1)
        #expect(inspected.stderr.contains(path) && inspected.stderr.contains("Adler-32 mismatch"), "\(inspected.stderr)")
    }

    @Test(arguments: [["--seconds", "0"], ["--seconds", "-1"], ["--seconds", "nan"]])
    func benchRejectsNonPositiveSeconds(arguments: [String]) throws {
        let r = try TernCLI.run(["bench", Self.mnistModel, "--threads", "1"] + arguments)
        #expect(r.status == 64)
        #expect(r.stderr.contains("--seconds must be a positive number"))
        #expect(!r.stdout.contains("images/s"))
    }

    /// An unknown peer is refused before the benchmark runs (it used to fail after all of it).
    @Test func benchRejectsAnUnknownPeerBeforeRunning() throws {
        let started = Date()
        let r = try TernCLI.run(["bench", Self.mnistModel, "--seconds", "30", "--threads", "1", "--peer", "foo"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("unknown peer foo"))
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(!r.stderr.contains("images/s"))
    }

    @Test func benchRefusesToInflateAnArtifactWithoutZlibSections() throws {
        let r = try TernCLI.run(["bench", "Models/lfc-mnist-98/model-speed.tern", "--seconds", "30", "--threads", "1",
                                 "--peer", "inflate"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("has no zlib section"))
        #expect(!r.stderr.contains("images/s"))
    }
}
