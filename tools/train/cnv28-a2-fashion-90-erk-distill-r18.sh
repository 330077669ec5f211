#!/usr/bin/env bash
# cnv28-a2-fashion-90-erk-distill-r12.sh (91.45 %, training loss still falling) with 18 retraining
# epochs instead of 12 (8229 s ≈ 2.3 h after the shared stage 1; sized to finish inside one session). Stage 1 is shared with
# cnv28-a2-fashion-90-long-distill-r24 when that run has saved it (saves ≈ 36 min; same result either way).
source "$(dirname "$0")/common.sh"
stage1_from cnv28-a2-fashion-90-long-distill-r24
train cnv28-a2-fashion-90-erk-distill-r18 fashion-mnist --arch cnv28 --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 7,2,18 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 100 --seed 1 --pruning erk "${STAGE1[@]}"
