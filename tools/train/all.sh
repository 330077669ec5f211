#!/usr/bin/env bash
# Every run in docs/RESULTS.md's current table, then its rows and the SVG plot (long: about twenty hours on 2 cores).
source "$(dirname "$0")/common.sh"
D="$(dirname "$0")"
RUNS_CURRENT=(lfc-a2-mnist-95 lfc-a2-mnist-98 lfc-a2-fashion-95 lfc-a2-mnist-95-noreg lfc-a2-mnist-98-noreg lfc-a2-fashion-95-noreg lfc-a2-fashion-98-noreg
              lfc-a2-mnist-90-noreg lfc-a1-fashion-binary lfc-a2-fashion-95-noreg-slow lfc-a2-fashion-95-noreg-lr10
              lfc-a2-fashion-95-noreg-lr10-distill lfc-a2-fashion-95-long-distill lfc-a2-fashion-95-long-distill-r60
              lfc-a2-fashion-90-noreg lfc-a2-fashion-99-noreg lfc-a2-mnist-99-noreg lfc-a2-fashion-twn lfc-fashion-float
              lfc-a1-mnist-binary lfc-a2-mnist-twn lfc-mnist-float cnv28-a2-fashion-90 cnv-a2-cifar10-90-small
              cnv28-a2-fashion-90-full cnv28-a2-fashion-90-long-distill lfc-a2-fashion-95-global-distill lfc-a2-mnist-90
              cnv28-a2-fashion-90-long-distill-r12 lfc-a2-mnist-99 lfc-a2-fashion-98
              cnv28-a2-fashion-90-erk-distill-r12 cnv28-a2-fashion-95-erk-distill
              cnv28-a2-fashion-98-erk-distill cnv28-a2-fashion-99-erk-distill
              cnv28-a2-fashion-90-erk-distill-r18
              lfc-a2-fashion-95-slow-distill lfc-a2-fashion-95-erk-distill lfc-a2-fashion-95-distill90
              lfc-a2-fashion-95-cnv28-teacher lfc-a2-mnist-98-lq003 lfc-a2-mnist-98-lq01)
for s in "${RUNS_CURRENT[@]}"; do
    TERN="$TERN" "$D/$s.sh"
done
python3 "$D/results.py" "$RUNS" "$ROOT/docs/results-accuracy-vs-sparsity.svg" "${RUNS_CURRENT[@]}"
