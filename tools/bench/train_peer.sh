#!/usr/bin/env bash
# Times one CNV training step in Tern and in PyTorch (same shapes, batch, Adam, thread count) in the same run and
# prints the ratio Tern / PyTorch per step (below 1 = Tern faster). docs/BENCHMARKS.md, "Training".
#
# usage: tools/bench/train_peer.sh [ROUNDS]      (default 3 rounds; each runs both peers once, alternating order)
# env:   DATA     folder holding cifar10/ (default ../shared/datasets)
#        THREADS  threads for both (default: all cores)
#        STEPS    timed steps per peer and round (default 20), BATCH (default 100)
#        TERN     tern binary (default: TERN_NATIVE=1 release build)
#        PYTHON   a python with torch (default python3; `pip install torch`)
#        BASELINE another tern binary (an older build) timed in the same rounds, for before/after tables
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/datasets}"
THREADS="${THREADS:-$(nproc)}"
STEPS="${STEPS:-20}"
BATCH="${BATCH:-100}"
PYTHON="${PYTHON:-python3}"
ROUNDS="${1:-3}"
if [ -z "${TERN:-}" ]; then
    (cd "$ROOT" && TERN_NATIVE=1 swift build -c release --product tern >&2)
    TERN="$ROOT/.build/release/tern"
fi
"$PYTHON" -c 'import torch' 2>/dev/null || { echo "error: $PYTHON has no torch (pip install torch, or set PYTHON)" >&2; exit 1; }
[ -d "$DATA/cifar10" ] || { echo "error: no CIFAR-10 at $DATA/cifar10 (set DATA; docs/DATASETS.md)" >&2; exit 1; }

# Prints "median min cpu" (ms per step) from a report.
fields() { python3 -c 'import json,sys; r = json.load(sys.stdin); print(r["msPerStepMedian"], r["msPerStepMin"], r["cpuMsPerStep"])'; }
tern_step() { TERN_THREADS="$THREADS" "${1:-$TERN}" bench-train --arch cnv --data "$DATA/cifar10" --steps "$STEPS" \
    --batch-size "$BATCH" --skip-gemm --json | fields; }
torch_step() { "$PYTHON" "$ROOT/tools/bench/torch_train_peer.py" --threads "$THREADS" --steps "$STEPS" \
    --batch-size "$BATCH" --json 2>/dev/null | fields; }

echo "CNV training step, batch $BATCH, $THREADS threads, $STEPS timed steps per peer and round"
echo "(wall ms per step: median and fastest step; CPU-ms per step: all threads, not inflated by other load)"
printf '%-6s %23s %23s %23s\n' round "median tern/torch" "min tern/torch" "cpu tern/torch"
rows=()
brows=()
ratio_row() { python3 -c "import sys; t = [float(x) for x in sys.argv[1].split()]; p = [float(x) for x in sys.argv[2].split()]; print(' '.join(f'{a:.1f}/{b:.1f}={a / b:.2f}x' for a, b in zip(t, p)))" "$1" "$2"; }
for r in $(seq 1 "$ROUNDS"); do
    # Alternate which peer goes first, so a change in background load does not always favour the same one.
    b=""
    if (( r % 2 )); then
        t=$(tern_step); p=$(torch_step); [ -n "${BASELINE:-}" ] && b=$(tern_step "$BASELINE")
    else
        [ -n "${BASELINE:-}" ] && b=$(tern_step "$BASELINE"); p=$(torch_step); t=$(tern_step)
    fi
    row=$(ratio_row "$t" "$p")
    rows+=("$row")
    printf '%-6s %23s %23s %23s\n' "$r" $row
    if [ -n "$b" ]; then
        brow=$(ratio_row "$b" "$p")
        brows+=("$brow")
        printf '%-6s %23s %23s %23s\n' "${r}base" $brow
    fi
done
summary() {
python3 - "$@" <<'PY'
import statistics as s, sys
label, rows = sys.argv[1], sys.argv[2:]
cols = list(zip(*[[float(x.split("=")[1].rstrip("x")) for x in row.split()] for row in rows]))
for name, v in zip(("median step", "fastest step", "CPU time"), cols):
    print(f"ratio {label}/pytorch, {name:12s}: median {s.median(v):.2f}x, range {min(v):.2f}-{max(v):.2f}x over {len(v)} rounds")
PY
}
summary tern "${rows[@]}"
[ -n "${BASELINE:-}" ] && summary baseline "${brows[@]}"
exit 0
