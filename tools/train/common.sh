# Shared settings for the training scripts in this folder (sourced, not run).
# TERN: the tern binary (default: a release build with the host's vector units, see docs/BENCHMARKS.md).
# DATA: the folder holding mnist/, fashion-mnist/, cifar10/ (docs/DATASETS.md). RUNS: where checkpoints go.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/datasets}"
# Run directories live outside the checkout (beside it: /work/runs for /work/main), so a checkout can be cleaned,
# switched or removed without losing a run that takes hours.
RUNS="${RUNS:-$(cd "$ROOT/.." && pwd)/runs}"
if [ -z "${TERN:-}" ]; then
    (cd "$ROOT" && TERN_NATIVE=1 swift build -c release --product tern >&2)
    TERN="$ROOT/.build/release/tern"
fi
mkdir -p "$RUNS"

# train NAME DATASET ARGS… : trains into $RUNS/NAME (resuming if it was interrupted), then records the integer
# reference's accuracy in model.json.
train() {
    local name="$1" dataset="$2"; shift 2
    local resume=()
    [ -f "$RUNS/$name/train-state.safetensors" ] && resume=(--resume)
    echo "$name: run directory $RUNS/$name; if stopped, run the same script again (same RUNS) to continue with --resume" >&2
    "$TERN" train --data "$DATA/$dataset" --dataset "$dataset" -o "$RUNS/$name" "${resume[@]}" "$@"
    # Float baselines have no ternary weights and so no integer reference; every other eval failure is a failure.
    [[ " $* " == *" --recipe float "* ]] && return 0
    "$TERN" eval "$RUNS/$name" --data "$DATA/$dataset" --write
}

# stage1_from NAME: sets STAGE1 to (--stage1-from $RUNS/NAME) when that run has saved its stage-1 state, else to (): a
# shortcut only, the run trains the identical stage 1 itself without it (docs/METHOD.md, "Sharing stage 1").
stage1_from() {
    STAGE1=()
    [ -f "$RUNS/$1/stage1-state.safetensors" ] && STAGE1=(--stage1-from "$RUNS/$1")
    return 0
}
