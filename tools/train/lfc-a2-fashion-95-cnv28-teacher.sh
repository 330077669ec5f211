#!/usr/bin/env bash
# lfc-a2-fashion-95-long-distill.sh with a stronger teacher: stages 2 + 3 distill from the finished 90 %-sparse cnv28
# (cnv28-a2-fashion-90-erk-distill-r18, 91.78 %) instead of LFC's own stage 1 (90.38 %). Needs that run in $RUNS
# (tools/train/cnv28-a2-fashion-90-erk-distill-r18.sh). Stage 1 from lfc-a2-fashion-95-slow-distill when that run has
# saved it (same 40 epochs; the result is the same either way).
source "$(dirname "$0")/common.sh"
TEACHER="$RUNS/cnv28-a2-fashion-90-erk-distill-r18"
[ -f "$TEACHER/model.json" ] || { echo "needs the teacher run $TEACHER (tools/train/cnv28-a2-fashion-90-erk-distill-r18.sh)" >&2; exit 1; }
stage1_from lfc-a2-fashion-95-slow-distill
train lfc-a2-fashion-95-cnv28-teacher fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 40,4,30 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --teacher "$TEACHER" --batch-size 200 --seed 1 "${STAGE1[@]}"
