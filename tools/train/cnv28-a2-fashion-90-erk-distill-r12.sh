#!/usr/bin/env bash
# cnv28-a2-fashion-90-long-distill-r12.sh with ERK pruning (--pruning erk): the 576-weight first conv keeps its
# weights (per-layer pruning left it 57 for 64 filters) and the big convs carry the zeros. Stage 1 is shared with
# cnv28-a2-fashion-90-long-distill-r24 when that run has saved it (saves ≈ 36 min; same result either way).
source "$(dirname "$0")/common.sh"
stage1_from cnv28-a2-fashion-90-long-distill-r24
train cnv28-a2-fashion-90-erk-distill-r12 fashion-mnist --arch cnv28 --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 7,2,12 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 100 --seed 1 --pruning erk "${STAGE1[@]}"
