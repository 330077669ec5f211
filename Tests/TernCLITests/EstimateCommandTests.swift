import Foundation
import Testing

/// `tern estimate --fpga` as a user meets it (issue 28).
@Suite struct EstimateCommandTests {
    static let model = "Models/lfc-mnist-98/model.tern"

    @Test func estimatePrintsEveryEncodingAndJSONParses() throws {
        let table = try TernCLI.run(["estimate", Self.model, "--fpga"])
        #expect(table.status == 0, "\(table.stderr)")
        for label in ["dense binary (1 bit)", "dense ternary (2 bit)", "sparse ternary (index)", "sparse, own folding"] {
            #expect(table.stdout.contains(label))
        }
        let json = try TernCLI.run(["estimate", Self.model, "--fpga", "--json", "--clock", "100"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["estimates"] as? [Any])?.count == 4)
    }

    @Test func commandLineMistakesExit64AndFileProblemsExit1() throws {
        let noTarget = try TernCLI.run(["estimate", Self.model])
        #expect(noTarget.status == 64)
        #expect(noTarget.stderr.contains("--fpga"))
        let badClock = try TernCLI.run(["estimate", Self.model, "--fpga", "--clock=0"])
        #expect(badClock.status == 64)
        let missing = try TernCLI.run(["estimate", "/nonexistent/model.tern", "--fpga"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/model.tern"))
    }

    @Test func validateComparesWithPublishedFINNBuilds() throws {
        let r = try TernCLI.run(["estimate", "--fpga", "--validate"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("LFC-W1A1"))
        #expect(r.stdout.contains("CNV-W1A1"))
    }
}
