import Foundation
import Testing
import TernModel
import TernTestSupport

/// Issue 23: model.json may only name weights inside its directory; AtomicFile flushes and cleans up after kills;
/// errors read as sentences.
@Suite struct CheckpointSafetyTests {
    static let fixture = FixtureCheckpoint.random(architecture: FixtureArchitecture.tinyConv, sparsity: 0.6, seed: 7)

    /// Rewrites model.json's "weights" value.
    func pointWeights(of dir: String, to name: String) throws {
        let path = dir + "/model.json"
        let text = String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self)
        let edited = text.replacingOccurrences(of: "\"weights\": \"model.safetensors\"",
                                               with: "\"weights\": \"\(name)\"")
        #expect(edited != text)
        _ = FileManager.default.createFile(atPath: path, contents: Data(edited.utf8))
    }

    @Test(arguments: ["../outside.safetensors", "../../../../../../etc/passwd", "sub/../../x", "/etc/passwd", ""])
    func weightsOutsideTheCheckpointDirectoryAreRefused(name: String) throws {
        let root = try temporaryDirectory()
        let dir = root + "/run"
        try Self.fixture.write(to: dir)
        // A readable file where the traversal leads, so only the confinement can refuse it.
        try FileManager.default.copyItem(atPath: dir + "/model.safetensors", toPath: root + "/outside.safetensors")
        try pointWeights(of: dir, to: name)
        do {
            _ = try Checkpoint.load(path: dir)
            Issue.record("\(name) was followed")
        } catch {
            guard case .json(path: "weights", _) = error else { Issue.record("\(error)"); return }
            #expect("\(error)".contains("weights"))
        }
    }

    @Test func aSymbolicLinkOutOfTheDirectoryIsRefusedOneInsideIsFine() throws {
        let root = try temporaryDirectory()
        let dir = root + "/run"
        try Self.fixture.write(to: dir)
        try FileManager.default.moveItem(atPath: dir + "/model.safetensors", toPath: root + "/real.safetensors")
        try FileManager.default.createSymbolicLink(atPath: dir + "/model.safetensors",
                                                   withDestinationPath: root + "/real.safetensors")
        #expect(throws: CheckpointError.self) { try Checkpoint.load(path: dir) }
        try FileManager.default.removeItem(atPath: dir + "/model.safetensors")
        try FileManager.default.moveItem(atPath: root + "/real.safetensors", toPath: dir + "/real.safetensors")
        try FileManager.default.createSymbolicLink(atPath: dir + "/model.safetensors", withDestinationPath: "real.safetensors")
        _ = try Checkpoint.load(path: dir)
        try pointWeights(of: dir, to: "real.safetensors")
        _ = try Checkpoint.load(path: dir)
    }

    @Test func errorsAreSentencesNotEnumDumps() throws {
        let dir = try temporaryDirectory()
        try Self.fixture.write(to: dir)
        _ = FileManager.default.createFile(atPath: dir + "/model.safetensors",
                                       contents: Data([0x67, 0x61, 0x72, 0x62, 0x61, 0x67, 0x65, 0x21]))
        do {
            _ = try Checkpoint.load(path: dir)
            Issue.record("garbage weights loaded")
        } catch {
            let text = "\(error)"
            #expect(text.contains("not a safetensors file"), "\(text)")
            #expect(!text.contains("SafetensorsError") && !text.contains("badHeaderLength"))
        }
        #expect("\(JSONError.syntax(offset: 500, problem: "expected a value"))" == "JSON syntax error at byte 500: expected a value")
    }

    /// Temporary files of killed writers (`.name.tmp-PID-…` whose PID no longer runs) are removed by the next
    /// write; a running writer's are left alone.
    @Test func staleTemporaryFilesAreCleanedUp() throws {
        let dir = try temporaryDirectory()
        // A PID above the kernel's maximum never runs.
        let stale = dir + "/.model.json.tmp-2147483646-12345"
        let live = dir + "/.model.json.tmp-\(ProcessInfo.processInfo.processIdentifier)-999"
        let other = dir + "/.other.tmp-2147483646-1"
        for p in [stale, live, other] { #expect(FileManager.default.createFile(atPath: p, contents: Data([1]))) }
        try AtomicFile.write([1, 2, 3], to: dir + "/model.json")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(left == [".model.json.tmp-\(ProcessInfo.processInfo.processIdentifier)-999",
                         ".other.tmp-2147483646-1", "model.json"])
        #expect(FileManager.default.contents(atPath: dir + "/model.json") == Data([1, 2, 3]))
    }
}
