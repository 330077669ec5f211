#!/usr/bin/env python3
"""Builds the docs/RESULTS.md table rows and the accuracy-vs-sparsity SVG from checkpoint directories.

usage: results.py RUNS_DIR SVG_OUT NAME[:note] ...
Each NAME is a checkpoint directory under RUNS_DIR (or an absolute path) (model.json as docs/CHECKPOINT.md); the script that makes it is
tools/train/NAME.sh (or the note says how it was made). A checkpoint missing from RUNS_DIR is read from the copy of
its model.json in docs/runs/NAME.json. Prints Markdown table rows on stdout.
"""
import json
import os
import sys


RECORDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "runs")


def model_json(runs, name):
    """The checkpoint's model.json, or the copy kept in docs/runs/NAME.json (checkpoints do not outlive a machine)."""
    for path in (os.path.join(runs, name, "model.json"), os.path.join(RECORDS, name + ".json")):
        if os.path.exists(path):
            return path
    return None


def load(runs, name):
    with open(model_json(runs, name)) as f:
        m = json.load(f)
    r = m.get("recipe", {})
    layers = m["architecture"]["layers"]
    bits = sorted({l["activation"]["bits"] for l in layers if "activation" in l})
    stages = m.get("stages", [])
    return {
        "name": os.path.basename(name.rstrip("/")),
        "arch": m["architecture"]["name"],
        "bits": "/".join(str(b) for b in bits),
        "dataset": m["dataset"],
        "method": r.get("method", "?") + ("" if r.get("thresholdRegularizer", True) else " (no reg.)")
                  + (f' (λq {r["lambdaQ"]:g})' if r.get("method") == "sparse-ternary" and r.get("thresholdRegularizer", True)
                     and abs(r.get("lambdaQ", 0.3) - 0.3) > 1e-9 else "")
                  + (f' + {r["augmentation"]}' if r.get("augmentation") else "")
                  + ({"global": " (global)", "erk": " (ERK)"}.get(r.get("pruning"), "") if r.get("method") == "sparse-ternary" else "")
                  + (f' + distill β={r["distillation"]["weight"]:g} T={r["distillation"]["temperature"]:g}'
                     + (f' from {r["distillation"]["teacher"]["architecture"]}' if r["distillation"].get("teacher") else "")
                     if r.get("distillation") else "")
                  + (f', retrain lr {r["retrainLearningRate"]:g}'
                     if r.get("method") == "sparse-ternary" and abs(r.get("retrainLearningRate", 1e-3) - 1e-3) > 1e-9 else ""),
        "limit": r.get("trainLimit"),
        "epochs": ",".join(str(e) for e in r.get("epochs", [])),
        "seconds": sum(s.get("seconds", 0) or 0 for s in stages),
        "float": stages[-1].get("testAccuracy") if stages else None,
        "integer": m.get("integerTestAccuracy"),
        "sparsity": (m.get("sparsity") or {}).get("total", 0.0),
        "target": r.get("sparsity", 0.0),
    }


def pct(x):
    return "—" if x is None else f"{100 * x:.2f}"


def svg(rows, path):
    w, h, left, bottom, top, right = 640, 380, 60, 50, 20, 190
    pts = [r for r in rows if r["float"] is not None]
    if not pts:
        return
    ymin = max(0.0, min(min(r["float"] for r in pts), min(r["integer"] or 1 for r in pts)) - 0.01)
    ymax = 1.0

    def X(s):
        return left + s * (w - left - right)

    def Y(a):
        return top + (ymax - a) / (ymax - ymin) * (h - top - bottom)

    colors = {"mnist": "#1f77b4", "fashion-mnist": "#d62728", "cifar10": "#2ca02c"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>',
           f'<text x="{(left + w - right) / 2}" y="{h - 12}" text-anchor="middle">weight sparsity</text>',
           f'<text x="14" y="{(top + h - bottom) / 2}" transform="rotate(-90 14 {(top + h - bottom) / 2})" text-anchor="middle">test accuracy (integer reference; float-sim if none)</text>']
    for i in range(0, 11):
        s = i / 10
        out.append(f'<text x="{X(s)}" y="{h - bottom + 15}" text-anchor="middle">{int(100 * s)}%</text>')
    steps = 5
    for i in range(steps + 1):
        a = ymin + (ymax - ymin) * i / steps
        out.append(f'<line x1="{left - 4}" y1="{Y(a):.1f}" x2="{w - right}" y2="{Y(a):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{Y(a) + 4:.1f}" text-anchor="end">{100 * a:.1f}%</text>')
    for r in pts:
        acc = r["integer"] if r["integer"] is not None else r["float"]
        c = colors.get(r["dataset"], "black")
        shape = "circle" if r["method"].startswith("sparse") else "rect"
        if shape == "circle":
            out.append(f'<circle cx="{X(r["sparsity"]):.1f}" cy="{Y(acc):.1f}" r="4" fill="{c}"><title>{r["name"]}</title></circle>')
        else:
            out.append(f'<rect x="{X(r["sparsity"]) - 4:.1f}" y="{Y(acc) - 4:.1f}" width="8" height="8" fill="none" stroke="{c}"><title>{r["name"]}</title></rect>')
    ly = top + 10
    for name, c in colors.items():
        out.append(f'<circle cx="{w - right + 20}" cy="{ly}" r="4" fill="{c}"/><text x="{w - right + 30}" y="{ly + 4}">{name}</text>')
        ly += 18
    out.append(f'<circle cx="{w - right + 20}" cy="{ly}" r="4" fill="gray"/><text x="{w - right + 30}" y="{ly + 4}">sparse ternary</text>')
    ly += 18
    out.append(f'<rect x="{w - right + 16}" y="{ly - 4}" width="8" height="8" fill="none" stroke="gray"/><text x="{w - right + 30}" y="{ly + 4}">baseline</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    runs, svg_out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    rows = []
    for spec in names:
        name, _, note = spec.partition(":")
        if model_json(runs, name) is None:
            continue
        r = load(runs, name)
        if r["limit"] and "train images" not in note:
            note = f'{r["limit"]:,} train images' + (f"; {note}" if note else "")
        r["note"] = note
        rows.append(r)
    for r in rows:
        print(f'| `{r["name"]}` | {r["arch"]} a{r["bits"]} | {r["dataset"]} | {r["method"]} | {r["epochs"]} | '
              f'{r["seconds"]:.0f} | {pct(r["float"])} | {pct(r["integer"])} | {100 * r["sparsity"]:.2f} | {r["note"]} |')
    svg(rows, svg_out)


if __name__ == "__main__":
    main()
