import ArgumentParser

@main
struct Tern: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern",
        abstract: "Sparse ternary neural networks: train, compile, run, measure.",
        discussion: """
            The tool chain: `tern train` (three-stage sparse ternary training) → `tern compile` (checkpoint → \
            .tern artifact) → `tern run` / `tern bench` (the integer-only runtime). `tern inspect` and \
            `tern sizes` describe an artifact. See README.md and docs/.
            """,
        subcommands: [
            InspectCommand.self,
            RunCommand.self,
            BenchCommand.self,
            DemoCommand.self,
            CompileCommand.self,
            SizesCommand.self,
            TrainCommand.self,
            EvalCommand.self,
            BenchTrainCommand.self,
        ]
    )
}
