import Foundation
import Testing

/// One quick training run, then what the commands that read its checkpoint say (issue 23).
@Suite struct CheckpointFlowTests {
    @Test func testImageCountTravelsToTheModelCardAndBadCheckpointsAreDescribedInWords() throws {
        let data = CLIFixtures.idxDirectory(train: 200, test: 40)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let run = data + "/run"
        let trained = try TernCLI.run(["train", "--arch", CLIFixtures.tinyArchitectureFile(in: data), "--data", data, "--train-limit", "200",
                                       "--test-limit", "25", "--epochs", "1,1,1", "--quiet", "-o", run])
        #expect(trained.status == 0, "\(trained.stderr)")

        // The count goes into the artifact and `tern run` prints it instead of "full test set".
        let artifact = data + "/model.tern"
        let compiled = try TernCLI.run(["compile", run + "/model.json", "-o", artifact])
        #expect(compiled.status == 0, "\(compiled.stderr)")
        let ran = try TernCLI.run(["run", artifact, "--data", data])
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout.contains("model card (integer reference, on 25 test images)"))
        #expect(!ran.stdout.contains("full test set"))

        // eval --limit 0 used to print "-nan %" (and leak EncodingError with --json).
        for extra in [[], ["--json"]] {
            let r = try TernCLI.run(["eval", run, "--data", data, "--limit", "0"] + extra)
            #expect(r.status == 64)
            #expect(r.stderr.contains("--limit must be positive"))
            #expect(!r.stdout.contains("nan") && !r.stderr.contains("EncodingError"))
        }

        // A damaged weights file: words, the checkpoint's path, no Swift enum dump.
        let weights = run + "/model.safetensors"
        let original = FileManager.default.contents(atPath: weights)!
        _ = FileManager.default.createFile(atPath: weights, contents: Data([0x67, 0x61, 0x72, 0x62, 0x61, 0x67, 0x65, 0x21]))
        for command in [["compile", run + "/model.json", "-o", data + "/x.tern"], ["eval", run, "--data", data]] {
            let r = try TernCLI.run(command)
            #expect(r.status == 1)
            #expect(r.stderr.contains(run))
            #expect(r.stderr.contains("not a safetensors file"), "\(r.stderr)")
            #expect(!r.stderr.contains("SafetensorsError") && !r.stderr.contains("TernModel."))
            #expect(!r.stderr.contains("Usage:"))
        }
        _ = FileManager.default.createFile(atPath: weights, contents: original)

        // Broken model.json: a sentence with the byte offset, not `syntax(offset: …)`.
        let json = run + "/model.json"
        _ = FileManager.default.createFile(atPath: json, contents: Data("{\"format\": ".utf8))
        let r = try TernCLI.run(["compile", json, "-o", data + "/x.tern"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("JSON syntax error at byte"), "\(r.stderr)")
        #expect(!r.stderr.contains("syntax(offset"))
    }
}
