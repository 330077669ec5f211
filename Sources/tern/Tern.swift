import ArgumentParser
import Foundation

@main
struct Tern: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern",
        abstract: "Sparse ternary neural networks: train, compile, run, measure.",
        discussion: """
            The tool chain: `tern train` (three-stage sparse ternary training) → `tern compile` (checkpoint → \
            .tern artifact) → `tern run` / `tern bench` (the integer-only runtime). `tern inspect` and \
            `tern sizes` describe an artifact. See README.md and docs/.

            Exit status: 0 success, 1 a file or data problem (the message names the file), 64 a command-line \
            mistake (the message is followed by the subcommand's usage).
            """,
        subcommands: [
            InspectCommand.self,
            RunCommand.self,
            BenchCommand.self,
            DemoCommand.self,
            CompileCommand.self,
            SizesCommand.self,
            EstimateCommand.self,
            TrainCommand.self,
            EvalCommand.self,
            BenchTrainCommand.self,
        ]
    )

    /// Parses and runs like ArgumentParser's own `main`, except for errors a subcommand's `run()` throws:
    /// ArgumentParser would describe them with the root command's usage. Here a `ValidationError` (a command-line
    /// mistake) prints the subcommand's usage and exits 64; any other error (a file or data problem) prints only its
    /// message and exits 1.
    static func main() {
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do { try command.run() } catch { fail(subcommand: type(of: command), error) }
    }

    static func fail(subcommand: ParsableCommand.Type, _ error: Error) -> Never {
        switch error {
        case let e as ValidationError:
            var name = subcommand.configuration.commandName ?? ""
            if subcommand != Tern.self { name = "tern " + name }
            let text = "Error: \(e.message)\nUsage: \(usageString(for: subcommand))\n  See '\(name) --help' for more information.\n"
            FileHandle.standardError.write(Data(text.utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        case let code as ExitCode:
            Foundation.exit(code.rawValue)
        default:
            exit(withError: error)
        }
    }
}
