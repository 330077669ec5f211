#!/usr/bin/env bash
# Every run in docs/RESULTS.md, then the table rows and the SVG plot (long: hours on 2 cores).
source "$(dirname "$0")/common.sh"
D="$(dirname "$0")"
for s in lfc-mnist-95-quick lfc-a2-mnist-95 lfc-a2-mnist-98 lfc-a2-fashion-95 cnv28-a2-fashion-90-small small-ablation small-baselines; do
    TERN="$TERN" "$D/$s.sh"
done
python3 "$D/results.py" "$RUNS" "$ROOT/docs/results-accuracy-vs-sparsity.svg" lfc-mnist-95 lfc-a2-mnist-95 lfc-a2-mnist-98 \
    lfc-a2-fashion-95 cnv28-a2-fashion-90-small small-lfc-a2-mnist-95-reg-on small-lfc-a2-mnist-95-reg-off \
    small-lfc-a2-mnist-twn small-lfc-a1-mnist-binary small-lfc-a2-mnist-float
