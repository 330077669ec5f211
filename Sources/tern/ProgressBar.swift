import Foundation

/// A one-line progress bar on stderr (`\r`-rewritten), throttled to a few updates per second, with an ETA.
/// Two ways to drive it: a count of done items (`init(total:label:)` + `update(_:)`), or free-form lines for
/// multi-stage work such as training (`draw(prefix:fraction:stepFraction:suffix:)`).
final class ProgressBar {
    private var lastDraw = Date.distantPast
    private let started = Date()
    private let total: Int
    private let label: String
    let enabled: Bool

    /// A bar for free-form `draw` calls; off when stderr is not a terminal (a log file gets no `\r` lines).
    init(enabled: Bool = true) {
        self.total = 0
        self.label = ""
        self.enabled = enabled && isatty(2) != 0
    }

    /// A bar counting `total` items; off when stderr is not a terminal.
    init(total: Int, label: String, enabled: Bool = isatty(2) != 0) {
        self.total = total
        self.label = label
        self.enabled = enabled && total > 0
    }

    /// Shows `done` of `total` items; ends the line at `total`.
    func update(_ done: Int) {
        let fraction = Double(done) / Double(max(total, 1))
        draw(prefix: label, fraction: fraction, stepFraction: fraction, suffix: "\(done)/\(total)", force: done == total)
        if done == total { finishLine() }
    }

    /// Draws `prefix [####....] suffix ETA 1m05s`; `fraction` is of the whole job (for the ETA), `stepFraction`
    /// fills the bar.
    func draw(prefix: String, fraction: Double, stepFraction: Double, suffix: String, force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) > 0.25 else { return }
        lastDraw = now
        let width = 24
        let filled = max(0, min(width, Int(stepFraction * Double(width))))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let elapsed = now.timeIntervalSince(started)
        let eta = fraction > 0.001 ? elapsed * (1 - fraction) / fraction : 0
        let line = "\(prefix) [\(bar)] \(suffix) ETA \(Self.duration(eta))"
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    /// Ends the current line.
    func finishLine() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", t % 3600 / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }
}

/// Progress for a log file: without a terminal the bar is off, so long runs (a cnv28 `tern run` takes minutes) print
/// one plain line on stderr every few seconds instead, so a reader of the log knows the run is alive and how far.
/// The interval is 5 s; `TERN_PROGRESS_SECONDS` overrides it (0: a line after every chunk, used by the tests).
final class ProgressLines {
    private let total: Int
    private let label: String
    private let interval: Double
    private let started = Date()
    private var lastLine = Date()

    init(total: Int, label: String) {
        self.total = total
        self.label = label
        interval = ProcessInfo.processInfo.environment["TERN_PROGRESS_SECONDS"].flatMap(Double.init) ?? 5
    }

    func update(_ done: Int) {
        let now = Date()
        guard now.timeIntervalSince(lastLine) >= interval, done < total || interval == 0 else { return }
        lastLine = now
        let elapsed = now.timeIntervalSince(started)
        let line = String(format: "%@ %d/%d images (%.0f %%), %.0f s", label, done, total,
                          100 * Double(done) / Double(max(total, 1)), elapsed)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
