#!/usr/bin/env bash
# PyTorch → QONNX → tern compile --verify → tern run, on MNIST. Prints the numbers docs/RESULTS.md records.
#   tools/torch/end_to_end.sh MNIST_DIR [OUT_DIR] [train.py options…]      (NPROC=2 processes by default)
# Needs: pip install torch brevitas qonnx onnx onnxoptimizer; Swift.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:?usage: tools/torch/end_to_end.sh MNIST_DIR [OUT_DIR] [train.py options]}
out=${2:-runs/torch-e2e}
shift $(( $# >= 2 ? 2 : 1 ))
nproc=${NPROC:-2}
mkdir -p "$out"
echo "== train ($nproc processes, DDP)"
torchrun --standalone --nproc_per_node="$nproc" tools/torch/train.py --data "$data" --out "$out" "$@" 2>&1 \
    | grep -E '^\{' | tee "$out/train.log"
echo "== tern compile --verify"
swift build -c release --product tern >/dev/null
.build/release/tern compile "$out/model.onnx" -o "$out/model.tern" --verify "$data" --json > "$out/compile.json"
echo "== tern run"
.build/release/tern run "$out/model.tern" --data "$data" --json > "$out/run.json"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
s = json.load(open(f"{out}/summary.json")); c = json.load(open(f"{out}/compile.json")); r = json.load(open(f"{out}/run.json"))
a = c["onnxAgreement"]
zeros = 1 - sum(l["nonzero"] for l in c["layers"]) / sum(l["weights"] for l in c["layers"])
print(json.dumps({
    "pytorch_test_accuracy": s["test_accuracy"], "processes": s["processes"], "train_seconds": s["seconds"],
    "sparsity": zeros, "tern_bytes": c["fileBytes"], "weights_over_entropy": c["weightsOverEntropy"],
    "graph_vs_artifact_agree": f'{a["agreeing"]}/{a["images"]}', "unexplained": sum(1 for d in a["differences"] if d["explanation"] is None),
    "graph_accuracy": a["graphAccuracy"], "artifact_accuracy": a["artifactAccuracy"],
    "tern_run": {k: r[k] for k in r if k in ("accuracy", "images", "mode")},
}, indent=1))
PY
