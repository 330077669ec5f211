import Foundation

/// The three encodings of one network, folded alike, plus what the Tern runtime itself streams.
public struct FPGAReport: Sendable, Codable {
    public var model: String
    public var targetFPS: Double
    public var settings: EstimateSettings
    public var layers: [MatrixLayer]
    public var estimates: [NetworkEstimate]
    public var ternStream: TernStreamView

    /// Folds every layer for `targetFPS` (dense cycle counts, so all three encodings share the folding) and
    /// estimates each encoding; a fourth estimate folds the sparse encoding for the same rate with its own cycles.
    public init(model: String, layers: [MatrixLayer], targetFPS: Double, settings: EstimateSettings) {
        self.model = model
        self.targetFPS = targetFPS
        self.settings = settings
        self.layers = layers
        let foldings = DataflowModel.foldings(for: layers, targetFPS: targetFPS, clockMHz: settings.clockMHz)
        estimates = WeightEncoding.allCases.map {
            DataflowModel.estimate(layers, foldings: foldings, encoding: $0, settings: settings)
        }
        // The sparse unit needs fewer cycles, so at the same frame rate it can be folded further: the fair comparison.
        var refolded = DataflowModel.estimate(
            layers, foldings: DataflowModel.sparseFoldings(for: layers, targetFPS: targetFPS, clockMHz: settings.clockMHz),
            encoding: .sparseTernary, settings: settings)
        refolded.ownFolding = true
        estimates.append(refolded)
        let sparse = estimates.first { $0.encoding == .sparseTernary }
        ternStream = TernStreamView(layers: layers, sparse: sparse, settings: settings)
    }
}

/// The streaming runtime's own bytes per image: each layer's `.tern` section as stored (zlib) is read once per image,
/// against the sparse encoding's compute cycles. Decompression throughput is not modeled.
public struct TernStreamView: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public var name: String
        public var storedBytes: Int
        public var memoryCycles: Double
        public var computeCycles: Int
        public var boundByMemory: Bool
    }
    public var rows: [Row]
    public var framesPerSecond: Double

    init(layers: [MatrixLayer], sparse: NetworkEstimate?, settings: EstimateSettings) {
        var rows: [Row] = []
        for (i, l) in layers.enumerated() where l.hasMatrix {
            let compute = sparse?.layers[i].cycles ?? 0
            let memory = Double(l.ternStoredBytes) / max(settings.bandwidthBytesPerCycle, 1e-9)
            rows.append(Row(name: l.name, storedBytes: l.ternStoredBytes, memoryCycles: memory,
                            computeCycles: compute, boundByMemory: memory > Double(compute)))
        }
        self.rows = rows
        let interval = max(rows.map { max($0.memoryCycles, Double($0.computeCycles)) }.max() ?? 0,
                           rows.reduce(0) { $0 + $1.memoryCycles })
        framesPerSecond = interval == 0 ? 0 : settings.clockMHz * 1e6 / interval
    }
}

extension FPGAReport {
    /// The human-readable report: folding per layer, per-encoding totals, the memory-bound view.
    public func table() -> String {
        var s = "FPGA dataflow estimate (FINN model): \(model)\n"
        s += "clock \(fmt(settings.clockMHz)) MHz, target \(count(targetFPS)) frames/s, "
        s += "off-chip bandwidth \(fmt(settings.bandwidthBytesPerCycle)) B/cycle\n\n"
        s += pad("layer", 14) + lpad("rows", 6) + lpad("cols", 6) + lpad("pos", 6) + lpad("PE", 5) + lpad("SIMD", 6)
            + lpad("nonzero", 9)
        for e in estimates { s += lpad(short(e) + " cyc", 13) }
        s += "\n"
        let foldings = estimates.first?.layers.map(\.folding) ?? []
        for (i, l) in layers.enumerated() {
            s += pad(l.name, 14) + lpad(l.hasMatrix ? "\(l.rows)" : "-", 6) + lpad(l.hasMatrix ? "\(l.columns)" : "-", 6)
                + lpad("\(l.outputPositions)", 6) + lpad(foldings[i].map { "\($0.pe)" } ?? "-", 5)
                + lpad(foldings[i].map { "\($0.simd)" } ?? "-", 6)
                + lpad(l.hasMatrix ? pct(Double(l.nonzeros) / Double(max(l.weightCount, 1))) : "-", 9)
            for e in estimates { s += lpad(count(Double(e.layers[i].cycles)), 13) }
            s += "\n"
        }
        s += "\nsparse own folding (PE×SIMD): " + (estimates.last?.layers.compactMap(\.folding)
            .map { "\($0.pe)×\($0.simd)" }.joined(separator: " ") ?? "") + "\n"
        s += "\n" + pad("encoding", 24) + lpad("weight KiB", 11) + lpad("BRAM18", 8) + lpad("LUT", 10)
            + lpad("frames/s", 12) + lpad("latency us", 11) + lpad("DRAM frames/s", 15) + "  memory-bound layers\n"
        for e in estimates {
            let bound = e.layers.filter { $0.folding != nil && $0.boundByMemory }.map(\.name)
            s += pad(label(e), 24) + lpad(fmt(Double(e.weightBits) / 8192), 11) + lpad("\(e.bram18)", 8)
                + lpad("\(e.luts)", 10) + lpad(count(e.framesPerSecond), 12)
                + lpad(fmt(Double(e.latencyCycles) / settings.clockMHz), 11)
                + lpad(count(e.streamingFramesPerSecond), 15) + "  "
                + (bound.isEmpty ? "none" : bound.joined(separator: ", ")) + "\n"
        }
        s += "\nTern runtime stream (.tern sections as stored, read once per image; inflate not modeled):\n"
        for r in ternStream.rows {
            s += "  " + pad(r.name, 14) + lpad("\(r.storedBytes) B", 12) + lpad(fmt(r.memoryCycles) + " mem cyc", 20)
                + lpad("\(r.computeCycles) compute cyc", 22) + (r.boundByMemory ? "  memory-bound" : "  compute-bound")
                + "\n"
        }
        s += "  frames/s: \(count(ternStream.framesPerSecond))\n"
        return s
    }

    /// Three grouped bar panels (LUT, BRAM18, frames/s), one bar per encoding, linear scale, as SVG text.
    public func svg(title: String) -> String {
        let panels: [(String, (NetworkEstimate) -> Double)] = [
            ("LUTs", { Double($0.luts) }), ("BRAM18", { Double($0.bram18) }), ("frames/s (on-chip weights)", { $0.framesPerSecond }),
        ]
        let colors = ["#4263eb", "#868e96", "#d9480f", "#2b8a3e"]
        let labelWidth = 190.0, barWidth = 460.0, rowHeight = 22.0, panelGap = 30.0
        let panelHeight = Double(estimates.count) * rowHeight + panelGap
        let width = labelWidth + barWidth + 130, height = 50 + Double(panels.count) * panelHeight + 10
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="10" y="22" font-size="15" font-weight="bold">\(escape(title))</text>
            <text x="10" y="40" fill="#555">FINN-style dataflow estimate, \(fmt(settings.clockMHz)) MHz, \
            target \(count(targetFPS)) frames/s</text>

            """
        for (p, panel) in panels.enumerated() {
            let top = 50 + Double(p) * panelHeight
            let values = estimates.map(panel.1)
            let maxValue = max(values.max() ?? 1, 1)
            s += "<text x=\"10\" y=\"\(f(top + 14))\" font-weight=\"bold\">\(escape(panel.0))</text>\n"
            for (i, e) in estimates.enumerated() {
                let y = top + 18 + Double(i) * rowHeight
                let w = max(1, barWidth * values[i] / maxValue)
                s += "<text x=\"\(f(labelWidth - 8))\" y=\"\(f(y + 14))\" text-anchor=\"end\">\(escape(label(e)))</text>\n"
                s += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 3))\" width=\"\(f(w))\" height=\"\(f(rowHeight - 6))\" "
                    + "fill=\"\(colors[i % colors.count])\"/>\n"
                s += "<text x=\"\(f(labelWidth + w + 6))\" y=\"\(f(y + 14))\">\(count(values[i]))</text>\n"
            }
        }
        return s + "</svg>\n"
    }
}

private func short(_ e: NetworkEstimate) -> String {
    switch e.encoding {
    case .denseBinary: "bin"
    case .denseTernary: "tern2"
    case .sparseTernary: e.ownFolding ? "sp-own" : "sparse"
    }
}
private func label(_ e: NetworkEstimate) -> String { e.ownFolding ? "sparse, own folding" : e.encoding.label }
private func f(_ v: Double) -> String { String(format: "%.1f", v) }
private func fmt(_ v: Double) -> String { String(format: v >= 100 ? "%.0f" : "%.2f", v) }
private func pct(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
private func count(_ v: Double) -> String {
    v >= 1e6 ? String(format: "%.2fM", v / 1e6) : v >= 1e4 ? String(format: "%.1fk", v / 1e3) : String(format: "%.0f", v)
}
private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
private func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
private func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}
