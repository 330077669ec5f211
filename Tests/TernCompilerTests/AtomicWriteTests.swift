import Foundation
import Testing
import TernCompiler

@Suite struct AtomicWriteTests {
    func scratchDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.path + "/tern-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func replacesTheFileCompletely() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.tern"
        try writeAtomically([1, 2, 3, 4, 5], to: path)
        try writeAtomically([9, 8], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([9, 8]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["model.tern"])
    }

    @Test func failureLeavesNoPartialFile() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The destination is a non-empty directory: the rename fails after the data was written.
        let blocked = dir + "/model.tern"
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false)
        #expect(FileManager.default.createFile(atPath: blocked + "/keep", contents: Data([7])))
        #expect(throws: WriteError.self) { try writeAtomically([UInt8](repeating: 1, count: 100_000), to: blocked) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["model.tern"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: blocked) == ["keep"])
        // A missing directory: nothing is created.
        let missing = dir + "/no/such/dir/model.tern"
        do {
            try writeAtomically([1], to: missing)
            Issue.record("write into a missing directory succeeded")
        } catch {
            #expect(error.description.contains("does not exist"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/no"))
    }
}
