#!/usr/bin/env bash
# cnv28-a2-fashion-90-erk-distill-r12.sh with 5 retraining epochs (7,2,5: ≈ 46 min after the shared stage 1) at 95 % zeros;
# ERK allocation keeps the small first conv alive. Its stage 1 is that of the 90 % runs, taken from
# cnv28-a2-fashion-90-long-distill-r24 when that run has saved it (saves ≈ 34 min; same result either way).
source "$(dirname "$0")/common.sh"
stage1_from cnv28-a2-fashion-90-long-distill-r24
train cnv28-a2-fashion-95-erk-distill fashion-mnist --arch cnv28 --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 7,2,5 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 100 --seed 1 --pruning erk "${STAGE1[@]}"
