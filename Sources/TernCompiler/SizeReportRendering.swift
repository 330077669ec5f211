import Foundation

extension SizeReport {
    /// A Markdown table: one row per storage method, one column per weight layer, then the total and the ratios.
    public func markdownTable() -> String {
        var header = "| method |"
        var rule = "|---|"
        for l in layers {
            header += " L\(l.index) \(l.kind) |"
            rule += "---:|"
        }
        header += " total | × vs binary | × vs 2-bit |"
        rule += "---:|---:|---:|"
        var lines = [header, rule]
        lines.append("| weights (nonzero) |" + layers.map { " \(group($0.weights)) (\(group($0.nonzero))) |" }.joined()
            + " \(group(layers.reduce(0) { $0 + $1.weights })) (\(group(layers.reduce(0) { $0 + $1.nonzero }))) | | |")
        lines.append("| sparsity |" + layers.map { " \(percent($0.sparsity)) |" }.joined() + " \(percent(totalSparsity)) | | |")
        for m in methods {
            var row = "| \(m.name) |"
            for v in m.layers { row += " \(v.map(bytes) ?? "—") |" }
            row += " \(m.total.map(bytes) ?? (m.note ?? "—")) |"
            row += " \(m.timesSmallerThanBinary.map { ratio($0) } ?? "") | \(m.timesSmallerThanTernary2.map { ratio($0) } ?? "") |"
            lines.append(row)
        }
        var out = lines.joined(separator: "\n") + "\n"
        let notes = methods.compactMap { m in m.note.map { "- \(m.name): \($0)" } }
        if !notes.isEmpty { out += "\n" + notes.joined(separator: "\n") + "\n" }
        if let t = tern {
            out += "\n.tern: \(group(t.fileBytes)) bytes = \(group(t.weightBytes)) weight bytes "
                + "(\(String(format: "%.3f", t.weightsOverEntropy)) × the entropy bound of the layers above, "
                + "\(String(format: "%.3f", t.weightsOverStoredEntropy)) × that of the layers as stored) + \(group(t.nonWeightBytes)) "
                + "other bytes (\(String(format: "%.1f", 100 * t.nonWeightShare)) % of the weights)\n"
        }
        return out
    }

    /// Fraction of zero weights over all weight layers.
    public var totalSparsity: Double {
        let n = layers.reduce(0) { $0 + $1.weights }
        let nz = layers.reduce(0) { $0 + $1.nonzero }
        return n == 0 ? 0 : Double(n - nz) / Double(n)
    }

    /// A horizontal bar chart of the totals on a log scale (sizes span four orders of magnitude), as SVG text.
    public func svg(title: String) -> String {
        let rows = methods.compactMap { m in m.total.map { (m.name, $0, m.id) } }.filter { $0.1 > 0 }
        let labelWidth = 300.0, barWidth = 520.0, rowHeight = 24.0, top = 50.0
        let width = labelWidth + barWidth + 170
        let height = top + Double(rows.count) * rowHeight + 40
        let maxLog = log10(rows.map(\.1).max() ?? 10).rounded(.up)
        let minLog = log10(rows.map(\.1).min() ?? 1).rounded(.down)
        let span = max(maxLog - minLog, 1)
        func x(_ v: Double) -> Double { labelWidth + barWidth * (log10(v) - minLog) / span }
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="10" y="22" font-size="15" font-weight="bold">\(escape(title))</text>
            <text x="10" y="40" fill="#555">weight storage, bytes (log scale)</text>

            """
        for e in Int(minLog)...Int(maxLog) {
            let gx = x(pow(10, Double(e)))
            s += "<line x1=\"\(f(gx))\" y1=\"\(f(top - 4))\" x2=\"\(f(gx))\" y2=\"\(f(top + Double(rows.count) * rowHeight))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(f(gx))\" y=\"\(f(height - 20))\" text-anchor=\"middle\" fill=\"#555\">10^\(e)</text>\n"
        }
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowHeight
            let color = row.2.hasPrefix("tern") ? "#d9480f" : row.2 == "entropy" ? "#2b8a3e" : "#4263eb"
            s += "<text x=\"\(f(labelWidth - 8))\" y=\"\(f(y + 16))\" text-anchor=\"end\">\(escape(row.0))</text>\n"
            s += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 4))\" width=\"\(f(max(1, x(row.1) - labelWidth)))\" "
                + "height=\"\(f(rowHeight - 8))\" fill=\"\(color)\"/>\n"
            s += "<text x=\"\(f(x(row.1) + 6))\" y=\"\(f(y + 16))\">\(bytes(row.1))</text>\n"
        }
        return s + "</svg>\n"
    }
}

private func f(_ v: Double) -> String { String(format: "%.1f", v) }

private func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}

/// 1234567 → "1,234,567".
func group(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, c) in digits.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + String(out.reversed())
}

/// Whole bytes with thousands separators; fractional values (the entropy bound) with one decimal.
func bytes(_ v: Double) -> String {
    v == v.rounded() ? group(Int(v)) : group(Int(v)) + String(format: "%.1f", v - v.rounded(.down)).dropFirst()
}

private func percent(_ v: Double) -> String { String(format: "%.2f %%", 100 * v) }
private func ratio(_ v: Double) -> String { String(format: "%.2f×", v) }
