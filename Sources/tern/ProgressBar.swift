import Foundation

/// A one-line progress bar on stderr (`\r`-rewritten), throttled to a few updates per second.
/// A class so that concurrent workers (under their own lock) can share one bar.
final class ProgressBar {
    private var lastDraw = Date.distantPast
    private let started = Date()
    let enabled: Bool
    /// For `update(_:)`: the item count and the label drawn before the bar.
    let total: Int
    let label: String

    init(enabled: Bool = true) {
        self.enabled = enabled
        total = 0
        label = ""
    }

    /// A bar over `total` items (`update(done)`), shown only when stderr is a terminal unless `enabled` says.
    init(total: Int, label: String, enabled: Bool = isatty(2) != 0) {
        self.enabled = enabled && total > 0
        self.total = total
        self.label = label
    }

    /// Draws `label [####....] done/total ETA …`, ending the line when everything is done.
    func update(_ done: Int) {
        draw(prefix: label, fraction: Double(done) / Double(max(total, 1)),
             stepFraction: Double(done) / Double(max(total, 1)), suffix: "\(done)/\(total)", force: done >= total)
        if done >= total { finishLine() }
    }

    /// Draws `prefix [####....] 42% suffix ETA 1m05s`; `fraction` is of the whole job (for the ETA).
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
